"""The zone map (/maps/parcels): data from the API's query functions, role rules, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from parkgis.access import ANONYMOUS, Principal
from parkgis.errors import InvalidQuery
from parkgis.features import feature_collection
from parkgis.maps import assets as A
from parkgis.maps import render
from parkgis.maps.parcels import zone_map
from parkgis.models.base import PARCEL_STATUSES
from parkgis.settings import DatabaseSettings, Settings
from tests.maps.zone import Zone, make_zone
from tests.support.hostile import HOSTILE, XSS_IMG, XSS_SCRIPT

PLANNER = Principal(user_id=None, name="t", role="planner")
URL = re.compile(r"https?://([^/\"'\s)\\]+)")


def layer_count(html: str, kind: str) -> int:
    return html.count(f'"__layer": "{kind}"')


def legend_keys(html: str) -> list[str]:
    legend = html[html.index('id="parkgis-legend"') :]
    return re.findall(r'data-key="([^"]+)"', legend[: legend.index("</div>")])


@pytest.fixture
def zone(session: Session) -> Zone:
    return make_zone(session.connection())


def test_zone_map_shows_every_parcel_building_and_firm_for_a_planner(
    session: Session, settings: Settings, zone: Zone
) -> None:
    html = render(zone_map(session, PLANNER, settings, bbox=zone.bbox, basemap="none", lang="en"))
    assert layer_count(html, "parcels") == zone.parcel_count == 7
    assert layer_count(html, "buildings") == 1
    assert layer_count(html, "enterprises") == 4
    assert legend_keys(html) == [*PARCEL_STATUSES, "buildings", "enterprises"]
    assert "Zone map" in html and "Available" in html and "Firms" in html


def test_feature_count_equals_the_api_query(
    session: Session, settings: Settings, zone: Zone
) -> None:
    filters = {"status": "available,idle"}
    api = feature_collection(session, "parcels", PLANNER, bbox=zone.bbox, filters=filters)
    html = render(zone_map(session, PLANNER, settings, bbox=zone.bbox, filters=filters))
    assert api["numberMatched"] == 3
    assert layer_count(html, "parcels") == 3
    ids = {f["id"] for f in api["features"]}
    assert ids == set(zone.parcels["available"] + zone.parcels["idle"])
    for pid in ids:
        assert f'"id": {pid}' in html


def test_filters_and_bbox_narrow_the_map(session: Session, settings: Settings, zone: Zone) -> None:
    w, s, e, n = zone.bbox
    left_half = (w, s, w + 0.0045, n)  # the first two parcels only
    html = render(zone_map(session, PLANNER, settings, bbox=left_half, basemap="none"))
    assert layer_count(html, "parcels") == 2
    html = render(
        zone_map(session, PLANNER, settings, bbox=zone.bbox, filters={"land_use": "100101"})
    )
    assert layer_count(html, "parcels") == 3
    html = render(zone_map(session, PLANNER, settings, bbox=zone.bbox_param, basemap="none"))
    assert layer_count(html, "parcels") == 7


def test_anonymous_sees_only_available_parcels_and_no_firms(
    session: Session, settings: Settings, zone: Zone
) -> None:
    html = render(zone_map(session, ANONYMOUS, settings, bbox=zone.bbox, basemap="none"))
    assert layer_count(html, "parcels") == 2
    assert layer_count(html, "enterprises") == 0 and layer_count(html, "buildings") == 0
    assert legend_keys(html) == ["available"]
    for pid in zone.parcels["available"]:
        assert f'"id": {pid}' in html
    for pid in zone.parcels["granted"]:
        assert f'"id": {pid}' not in html
    # the hostile address of the available parcels is public, and escaped
    assert XSS_SCRIPT not in html and "&lt;/script&gt;&lt;script&gt;alert(1)" in html.replace(
        "\\u0026", "&"
    )


def test_hostile_names_appear_only_escaped(
    session: Session, settings: Settings, zone: Zone
) -> None:
    for lang in ("zh", "en"):
        html = render(zone_map(session, PLANNER, settings, bbox=zone.bbox, lang=lang))
        for raw in HOSTILE:
            assert raw not in html
        assert "<img src=x" not in html and "<script>alert(1)" not in html
        assert "${" not in html
        unicode_decoded = html.replace("\\u0026", "&").replace("\\u003c", "<")
        assert "&lt;img src=x onerror=alert(1)&gt;" in unicode_decoded
        assert html.count("</script>") == html.count("<script")


def test_zone_map_lang_and_no_cdn(session: Session, settings: Settings, zone: Zone) -> None:
    html = render(zone_map(session, PLANNER, settings, bbox=zone.bbox, lang="zh", basemap="osm"))
    assert "园区地块图" in html and "可供地" in html and "闲置" in html
    assert set(URL.findall(html)) == {"tile.openstreetmap.org"}
    assert all(u.startswith("/assets/") for u in A.linked_files(html))


def test_amap_shifts_the_zone_data(session: Session, settings: Settings, zone: Zone) -> None:
    osm = render(zone_map(session, PLANNER, settings, bbox=zone.bbox, basemap="osm"))
    amap = render(zone_map(session, PLANNER, settings, bbox=zone.bbox, basemap="amap"))
    first = re.compile(r'"coordinates": \[(-?[\d.]+), (-?[\d.]+)\]')
    from parkgis.geo import wgs84_to_gcj02

    lon, lat = (float(v) for v in first.findall(osm)[0])
    glon, glat = (float(v) for v in first.findall(amap)[0])
    assert (glon, glat) == pytest.approx(wgs84_to_gcj02(lon, lat), abs=1e-9)
    assert abs(glon - lon) > 1e-3


def test_bad_filter_is_an_invalid_query(session: Session, settings: Settings, zone: Zone) -> None:
    with pytest.raises(InvalidQuery) as e:
        zone_map(session, PLANNER, settings, bbox=zone.bbox, filters={"colour": "red"})
    assert e.value.field == "colour"
    with pytest.raises(InvalidQuery) as e:
        zone_map(session, PLANNER, settings, bbox="1,2,3")
    assert e.value.field == "bbox"


def test_empty_area_gives_a_map_with_a_note(session: Session, settings: Settings) -> None:
    html = render(zone_map(session, PLANNER, settings, bbox=(100.0, 1.0, 100.001, 1.001)))
    assert layer_count(html, "parcels") == 0
    assert "当前范围内没有数据" in html
    assert "fitBounds" in html


# --- through the app (committed data) ------------------------------------------------------


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_route_follows_roles(client: TestClient, app_zone: tuple[Zone, str]) -> None:
    zone, token = app_zone
    anon = client.get("/maps/parcels", params={"bbox": zone.bbox_param, "basemap": "none"})
    assert anon.status_code == 200 and anon.headers["content-type"].startswith("text/html")
    assert layer_count(anon.text, "parcels") == 2 and layer_count(anon.text, "enterprises") == 0
    auth = {"Authorization": f"Bearer {token}"}
    r = client.get("/maps/parcels", params={"bbox": zone.bbox_param}, headers=auth)
    assert layer_count(r.text, "parcels") == 7 and layer_count(r.text, "enterprises") == 4
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "tile.openstreetmap.org" in r.headers["content-security-policy"]
    r = client.get(
        "/maps/parcels",
        params={"bbox": zone.bbox_param, "status": "built", "lang": "en"},
        headers=auth,
    )
    assert layer_count(r.text, "parcels") == 1 and "Zone map" in r.text
    bad = client.get("/maps/parcels", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_route_download_is_one_attachment(client: TestClient, app_zone: tuple[Zone, str]) -> None:
    zone, token = app_zone
    r = client.get(
        "/maps/parcels",
        params={"bbox": zone.bbox_param, "download": "1", "basemap": "none"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="parkgis-parcels.html"'
    assert A.linked_files(r.text) == []
    assert layer_count(r.text, "parcels") == 7
    for raw in HOSTILE:
        assert raw not in r.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "10,10,5,5"}, "bbox"),
        ({"colour": "red"}, "colour"),
        ({"lang": "fr"}, "lang"),
        ({"basemap": "google"}, "basemap"),
        ({"basemap": "tianditu"}, "basemap"),
        ({"download": "maybe"}, "download"),
        ({"min_area_m2": "lots"}, "min_area_m2"),
    ],
)
def test_route_bad_parameters_are_400(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    r = client.get("/maps/parcels", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field


def test_route_refuses_repeated_parameters(client: TestClient) -> None:
    r = client.get("/maps/parcels?status=available&status=idle")
    assert r.status_code == 400 and r.json()["field"] == "status"


def test_assets_are_served_from_the_allow_list_only(client: TestClient) -> None:
    r = client.get("/assets/leaflet/dist/leaflet.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert b"Leaflet 1.9.4" in r.content
    font = client.get("/assets/@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2")
    assert font.status_code == 200 and font.headers["content-type"] == "font/woff2"
    for path in (
        "/assets/leaflet/package.json",
        "/assets/%2e%2e/package.json",
        "/assets/jquery/src/core.js",
        "/assets/leaflet/dist/..%2f..%2fjquery/package.json",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(("lang", "words"), [("zh", "园区地块图"), ("en", "Zone map")])
def test_home_page(client: TestClient, lang: str, words: str) -> None:
    r = client.get("/", params={"lang": lang})
    assert r.status_code == 200
    html = r.text
    assert f'href="/maps/parcels?lang={lang}"' in html
    for kind in ("projects", "coverage"):  # anonymous callers may not open these: no link
        assert f"/maps/{kind}" not in html
    assert 'href="/docs"' in html and f'href="/ogc?f=html&amp;lang={lang}"' in html
    assert words in html
    assert set(URL.findall(html)) == set()
    local = ("/assets/", "/favicon.svg", "/static/frame.js")
    assert all(u.startswith(local) for u in A.linked_files(html))
    assert client.get("/", params={"lang": "xx"}).status_code == 400


# --- CLI -----------------------------------------------------------------------------------


def test_cli_writes_a_self_contained_map(
    app_zone: tuple[Zone, str],
    db_settings: DatabaseSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from parkgis.cli import app

    zone, _ = app_zone
    if db_settings.database_url:
        monkeypatch.setenv("PARKGIS_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("PARKGIS_HOME", str(db_settings.home))
    monkeypatch.setenv("PARKGIS_DB_NAME", db_settings.db_name)
    out = tmp_path / "zone.html"
    args = ["map", "parcels", "--out", str(out), "--bbox", zone.bbox_param, "--lang", "en"]
    r = CliRunner().invoke(app, [*args, "status=available,granted", "--basemap", "none"])
    assert r.exit_code == 0, r.output
    html = out.read_text("utf-8")
    assert layer_count(html, "parcels") == 3
    assert A.linked_files(html) == []
    assert XSS_IMG not in html
    r = CliRunner().invoke(app, [*args, "colour=red"])
    assert r.exit_code == 1 and "colour" in r.output
    r = CliRunner().invoke(app, [*args, "--role", "anonymous"])
    assert r.exit_code == 0
    assert layer_count(out.read_text("utf-8"), "enterprises") == 0
