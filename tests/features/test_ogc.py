"""OGC API Features under /ogc: documents, roles, paging, HTML, the OGC test suite and GDAL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from parkgis.db.engine import db_up, make_engine, resolve_url
from parkgis.features import OGC_COLLECTIONS
from parkgis.features.ogc import CONFORMANCE
from parkgis.settings import DatabaseSettings
from tests.browser_utils import free_port
from tests.features.zone import Zone, committed_zone

ROOT = Path(__file__).resolve().parents[2]
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


@pytest.fixture(scope="module")
def demo_db(db_settings: DatabaseSettings, tmp_path_factory: Any) -> DatabaseSettings:
    """A database of its own holding the demo zone (committed), for the live-server tests.

    ``load_demo`` empties the demo tables, so it gets a separate database rather than the
    shared test one: ``<test db>_ogc`` in the same cluster or server.
    """
    from parkgis.demo import DEMO_DIR, generate, load_demo

    if db_settings.database_url:
        url = make_url(db_settings.database_url)
        name = f"{url.database}_ogc"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            if not c.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first():
                c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        ds = DatabaseSettings(database_url=url.set(database=name).render_as_string(False))
    else:
        ds = DatabaseSettings(home=db_settings.home, db_name=f"{db_settings.db_name}_ogc")
    engine = db_up(ds)
    data = DEMO_DIR
    if not (DEMO_DIR / "meta.json").exists():  # a checkout without the committed files
        out = tmp_path_factory.mktemp("demo")
        data = generate(out, scale=0.3, today=date.today()).directory
    with engine.begin() as c:
        c.execute(text("DELETE FROM users WHERE name LIKE 'features-%'"))  # earlier runs
        load_demo(c, data)
    engine.dispose()
    return ds


@pytest.fixture(scope="module")
def demo_zone(demo_db: DatabaseSettings) -> Iterator[Zone]:
    """A zone (with tokens) in the demo database, next to the demo data."""
    engine = make_engine(demo_db)
    try:
        with committed_zone(engine) as z:
            yield z
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def live(demo_db: DatabaseSettings, demo_zone: Zone, tmp_path_factory: Any) -> Iterator[str]:
    """The app under uvicorn in a subprocess on a free loopback port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PARKGIS_DATABASE_URL": resolve_url(demo_db), "PYTHONPATH": str(ROOT)}
    log = tmp_path_factory.mktemp("live") / "uvicorn.log"
    code = (
        "import uvicorn; from api.app import create_app; from parkgis.settings import Settings; "
        f"uvicorn.run(create_app(Settings()), host='127.0.0.1', port={port}, log_level='warning')"
    )
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/ogc", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        else:
            pytest.fail(f"uvicorn did not start: {log.read_text()}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def get(client: TestClient, zone: Zone, role: str | None, url: str, **params: Any) -> Any:
    return client.get(url, params=params, headers=zone.headers(role))


# --- documents -------------------------------------------------------------------------


def test_landing_page_links(client: TestClient) -> None:
    r = client.get("/ogc")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    links = {link["rel"]: link for link in r.json()["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(links)
    assert links["service-desc"]["href"].endswith("/ogc/api")
    assert links["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert client.get(links["service-desc"]["href"]).json()["openapi"].startswith("3.0")


def test_conformance(client: TestClient) -> None:
    body = client.get("/ogc/conformance").json()
    assert CORE in body["conformsTo"] and set(body["conformsTo"]) == set(CONFORMANCE)


@pytest.mark.parametrize(
    "role, names",
    [(None, ["parcels", "spaces"]), ("investment", list(OGC_COLLECTIONS))],
)
def test_collections_listed_per_role(
    client: TestClient, zone: Zone, role: str | None, names: list[str]
) -> None:
    body = get(client, zone, role, "/ogc/collections").json()
    assert [c["id"] for c in body["collections"]] == names
    for c in body["collections"]:
        assert c["crs"][0] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        assert {"self", "items"} <= {link["rel"] for link in c["links"]}


def test_collection_extent_covers_the_data(client: TestClient, zone: Zone) -> None:
    doc = get(client, zone, "planner", "/ogc/collections/parcels").json()
    minx, miny, maxx, maxy = doc["extent"]["spatial"]["bbox"][0]
    assert minx <= zone.lon and miny <= zone.lat
    assert maxx >= zone.lon + 0.019 and maxy >= zone.lat + 0.004
    listed = get(client, zone, "planner", "/ogc/collections").json()["collections"]
    assert next(c for c in listed if c["id"] == "parcels")["extent"] == doc["extent"]


def test_hidden_collections_are_401_on_direct_access(client: TestClient, zone: Zone) -> None:
    for path in ("", "/items", f"/items/{zone.ids['firm_own']}"):
        r = client.get(f"/ogc/collections/enterprises{path}")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert get(client, zone, "investment", "/ogc/collections/enterprises").status_code == 200


OGC_ITEM_KEYS = {
    "parcels": "parcel_0",
    "buildings": "building",
    "spaces": "space_vacant",
    "enterprises": "firm_own",
    "projects": "project",
}


@pytest.mark.parametrize("collection", list(OGC_COLLECTIONS))
def test_every_collection_route(client: TestClient, zone: Zone, collection: str) -> None:
    base = f"/ogc/collections/{collection}"
    doc = get(client, zone, "planner", base).json()
    assert doc["id"] == collection
    r = get(client, zone, "planner", f"{base}/items", bbox=zone.bbox, limit=1)
    assert r.status_code == 200 and r.json()["numberReturned"] == 1
    fid = zone.ids[OGC_ITEM_KEYS[collection]]
    r = get(client, zone, "planner", f"{base}/items/{fid}")
    assert r.status_code == 200 and r.json()["id"] == fid and r.headers["etag"] == '"1"'
    coords = r.json()["geometry"]["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    minx, miny, maxx, maxy = doc["extent"]["spatial"]["bbox"][0]
    assert minx <= coords[0] <= maxx and miny <= coords[1] <= maxy


def test_unknown_collection_is_404(client: TestClient) -> None:
    r = client.get("/ogc/collections/officers/items")
    assert r.status_code == 404 and "parcels" in r.json()["description"]


# --- items -----------------------------------------------------------------------------


def test_items_page(client: TestClient, zone: Zone) -> None:
    r = client.get("/ogc/collections/parcels/items", params={"bbox": zone.bbox, "limit": 2})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geo+json"
    assert r.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    body = r.json()
    assert (body["numberMatched"], body["numberReturned"]) == (3, 2)
    assert body["timeStamp"].endswith("Z")
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert {"self", "alternate", "collection", "next"} <= set(links) and "prev" not in links
    second = client.get(links["next"]).json()
    assert second["numberReturned"] == 1
    assert {f["id"] for f in second["features"]}.isdisjoint(f["id"] for f in body["features"])
    prev = {link["rel"]: link["href"] for link in second["links"]}["prev"]
    assert "offset=0" in prev and "bbox=" in prev and "limit=2" in prev


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": "unlimited"}, "limit"),
        ({"ooga": "booga"}, "ooga"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"f": "xml"}, "f"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "bbox-crs"),
    ],
)
def test_items_400(client: TestClient, params: dict[str, str], field: str) -> None:
    r = client.get("/ogc/collections/parcels/items", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field


def test_datetime_is_accepted_since_no_feature_has_a_time(client: TestClient, zone: Zone) -> None:
    params = {"bbox": zone.bbox, "datetime": "2015-01-01T00:00:00Z/.."}
    assert client.get("/ogc/collections/parcels/items", params=params).json()["numberMatched"] == 3


def test_property_filters(client: TestClient, zone: Zone) -> None:
    body = get(
        client,
        zone,
        "planner",
        "/ogc/collections/spaces/items",
        bbox=zone.bbox,
        status="occupied",
    ).json()
    assert [f["id"] for f in body["features"]] == [zone.ids["space_occupied"]]


def test_bbox_crs_in_web_mercator(client: TestClient, zone: Zone) -> None:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x0, y0 = t.transform(zone.lon, zone.lat)
    x1, y1 = t.transform(zone.lon + 0.05, zone.lat + 0.05)
    params = {
        "bbox": f"{x0},{y0},{x1},{y1}",
        "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
    }
    r = client.get("/ogc/collections/parcels/items", params=params)
    assert r.json()["numberMatched"] == 3
    assert r.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/3857>"
    x, y = r.json()["features"][0]["geometry"]["coordinates"][0][0][0]
    assert x0 - 1 <= x <= x1 and y0 - 1 <= y <= y1


def test_one_feature(client: TestClient, zone: Zone) -> None:
    pid = zone.ids["parcel_1"]
    r = client.get(f"/ogc/collections/parcels/items/{pid}")
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    assert r.headers["content-type"] == "application/geo+json"
    body = r.json()
    assert body["id"] == pid and body["properties"]["price_cny_m2"] == 500.0
    assert {"self", "collection"} <= {link["rel"] for link in body["links"]}
    assert client.get(f"/ogc/collections/parcels/items/{zone.ids['parcel_3']}").status_code == 404
    assert client.get("/ogc/collections/parcels/items/x").status_code == 404
    r = client.get(f"/ogc/collections/parcels/items/{pid}", params={"limit": 1})
    assert (r.status_code, r.json()["field"]) == (400, "limit")


# --- HTML ------------------------------------------------------------------------------


def test_html_pages_escape_user_data(client: TestClient, zone: Zone) -> None:
    h = zone.headers("planner")
    r = client.get(
        "/ogc/collections/enterprises/items", params={"bbox": zone.bbox, "f": "html"}, headers=h
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in r.text and "<b>&</b>" not in r.text
    fid = zone.ids["firm_own"]
    r = client.get(f"/ogc/collections/enterprises/items/{fid}?f=html", headers=h)
    assert r.status_code == 200 and "&lt;b&gt;" in r.text and r.headers["etag"] == '"1"'
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/parcels"):
        r = client.get(path, headers=browser)
        assert r.status_code == 200 and '<h1 class="h3">' in r.text, path
        assert 'id="pg-bar"' in r.text  # the shared page frame


# --- OpenAPI ---------------------------------------------------------------------------


def test_ogc_openapi_describes_the_ogc_parameters(client: TestClient) -> None:
    import ogctests
    import yaml
    from openapi_schema_validator import OAS30Validator, validate

    doc = client.get("/ogc/api").json()
    schema_file = Path(ogctests.__file__).parent / "features/schemas/openapi_schema_v3.0.yaml"
    validate(doc, yaml.safe_load(schema_file.read_text()), cls=OAS30Validator)
    params = doc["paths"]["/collections/parcels/items"]["get"]["parameters"]
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in params}
    assert {"bbox", "limit", "offset", "datetime", "status", "min_area_m2"} <= names
    bbox = doc["components"]["parameters"]["bbox"]
    assert (bbox["schema"]["minItems"], bbox["schema"]["maxItems"], bbox["explode"]) == (
        4,
        6,
        False,
    )


def test_whole_app_openapi_is_self_contained(client: TestClient) -> None:
    text = client.get("/openapi.json").text.replace(" ", "")
    assert '"$ref":"http' not in text and '"$ref":"//' not in text
    doc = client.get("/openapi.json").json()
    items = doc["paths"]["/ogc/collections/spaces/items"]["get"]
    assert {"bbox", "limit", "status", "min_rent_cny_m2_month"} <= {
        p["name"] for p in items["parameters"]
    }


# --- the OGC test suite and GDAL against a live server --------------------------------


def test_ogctests_features_core_passes(live: str, tmp_path: Path) -> None:
    report = tmp_path / "ogctests.xml"
    code = (
        "import sys; from ogctests.main import run_ogctests; "
        "sys.exit(run_ogctests('features/core', instance_url=sys.argv[1], "
        "flags=['-q', '-p', 'no:cacheprovider', '--junitxml', sys.argv[2]]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, f"{live}/ogc", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    assert counts["tests"] >= 28 and counts["failures"] == counts["errors"] == 0, counts
    assert counts["skipped"] == 0, counts


def _gdal_count(live: str, layer: str, token: str | None) -> tuple[int, list[str]]:
    code = (
        "import sys, pyogrio\n"
        "if sys.argv[3]:\n"
        "    pyogrio.set_gdal_config_options("
        "{'GDAL_HTTP_AUTH': 'BEARER', 'GDAL_HTTP_BEARER': sys.argv[3]})\n"
        "df = pyogrio.read_dataframe('OAPIF:' + sys.argv[1], layer=sys.argv[2])\n"
        "print(len(df)); print(','.join(map(str, df.columns)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, f"{live}/ogc", layer, token or ""],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    n, cols = proc.stdout.strip().splitlines()[-2:]
    return int(n), cols.split(",")


def _matched(live: str, layer: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = httpx.get(f"{live}/ogc/collections/{layer}/items", params={"limit": 1}, headers=headers)
    return int(r.json()["numberMatched"])


def test_gdal_reads_public_layers_anonymously(live: str) -> None:
    for layer in ("parcels", "spaces"):
        n, cols = _gdal_count(live, layer, None)
        assert n == _matched(live, layer, None) > 0
        assert "holder_enterprise_id" not in cols and "status" in cols


def test_gdal_reads_every_collection_with_a_token(live: str, demo_zone: Zone) -> None:
    token = demo_zone.tokens["planner"]
    for layer in OGC_COLLECTIONS:
        n, cols = _gdal_count(live, layer, token)
        assert n == _matched(live, layer, token) > 0, layer
        assert "geometry" in cols
