"""Bad tile requests are 4xx naming the parameter, never 500; empty tiles are 204."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from parkgis.errors import InvalidQuery, NotFound
from parkgis.settings import Settings
from parkgis.tiles import parse_tile, tile_bounds_lonlat, tile_layer


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(
    "path, status, field",
    [
        ("/tiles/parcels/30/0/0.mvt", 400, "z"),
        ("/tiles/parcels/25/0/0.mvt", 400, "z"),
        ("/tiles/parcels/-1/0/0.mvt", 400, "z"),
        ("/tiles/parcels/14/-1/0.mvt", 400, "x"),
        ("/tiles/parcels/14/0/-3.mvt", 400, "y"),
        ("/tiles/parcels/3/8/0.mvt", 400, "x"),
        ("/tiles/parcels/3/0/8.mvt", 400, "y"),
        ("/tiles/parcels/a/0/0.mvt", 400, "z"),
        ("/tiles/parcels/14/1.5/0.mvt", 400, "x"),
        ("/tiles/parcels/14/0/99999999999999999999.mvt", 400, "y"),
        ("/tiles/nowhere/14/0/0.mvt", 404, "collection"),
        ("/tiles/officers/14/0/0.mvt", 404, "collection"),
        ("/tiles/nowhere.json", 404, "collection"),
        ("/ogc/collections/nowhere/tiles/WebMercatorQuad/1/0/0", 404, "collection"),
        ("/ogc/collections/parcels/tiles/WorldCRS84Quad/1/0/0", 400, "tms"),
        ("/ogc/collections/parcels/tiles/WebMercatorQuad/30/0/0", 400, "z"),
        ("/tiles/parcels/14/0/0.mvt?colour=red", 400, "colour"),
        ("/tiles/parcels/14/0/0.mvt?status=a&status=b", 400, "status"),
        ("/tiles/parcels/14/0/0.mvt?min_area_m2=big", 400, "min_area_m2"),
        ("/tiles/parcels/14/0/0.mvt?properties=secret", 400, "properties"),
        ("/tiles/parcels.json?properties=status", 400, "properties"),
        ("/tiles/parcels/14/0/0.mvt?holder_enterprise_id=1", 401, "holder_enterprise_id"),
    ],
)
def test_bad_requests_name_the_parameter(
    client: TestClient, path: str, status: int, field: str
) -> None:
    r = client.get(path)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field


def test_empty_and_below_min_zoom_tiles_are_204(client: TestClient) -> None:
    ocean = client.get("/tiles/parcels/14/0/0.mvt")
    assert ocean.status_code == 204 and ocean.content == b""
    assert ocean.headers["etag"]
    low = client.get(f"/tiles/parcels/{tile_layer('parcels').min_zoom - 1}/0/0.mvt")
    assert low.status_code == 204


def test_ogc_form_serves_the_same_tile(client: TestClient) -> None:
    a = client.get("/tiles/context/7/0/0.mvt")
    b = client.get("/ogc/collections/context/tiles/WebMercatorQuad/7/0/0")
    assert a.status_code == b.status_code == 204
    assert a.headers["etag"] == b.headers["etag"]


def test_tile_list_links_tilejson(client: TestClient) -> None:
    ids = [c["id"] for c in client.get("/tiles").json()["collections"]]
    assert ids == [
        "parcels",
        "buildings",
        "spaces",
        "enterprises",
        "projects",
        "grid_areas",
        "context",
    ]


def test_matrix_arithmetic() -> None:
    assert parse_tile("0", "0", "0") == (0, 0, 0)
    w, s, e, n = tile_bounds_lonlat(1, 1, 0)
    assert (w, e) == (0.0, 180.0) and s == pytest.approx(0, abs=1e-9) and n > 85
    with pytest.raises(InvalidQuery) as err:
        parse_tile(2, 4, 0)
    assert err.value.field == "x"
    with pytest.raises(NotFound):
        tile_layer("users")
