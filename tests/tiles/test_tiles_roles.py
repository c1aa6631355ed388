"""Each role's tiles hold exactly the rows and properties of the same OGC items.

The committed test zone (``tests/features/zone.py``: firms, parcels of each status, a
building, spaces, a project, a grid area, two officers) lies in a 0.05° square far from
anything else. Every z14 tile over it is fetched and decoded with mapbox-vector-tile, for
every role, and compared with the items the API gives in the tiles' bbox: the same ids,
and for each feature the same non-null property names and values.
"""

from __future__ import annotations

from typing import Any

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from parkgis.tiles import lonlat_to_tile, tile_bounds_lonlat
from tests.features.zone import Zone

ROLES: list[str | None] = [None, "investment", "officer", "planner", "admin"]
Z = 14


def _tiles(zone: Zone) -> tuple[list[tuple[int, int]], str]:
    x0, y0 = lonlat_to_tile(zone.lon, zone.lat + 0.05, Z)
    x1, y1 = lonlat_to_tile(zone.lon + 0.05, zone.lat, Z)
    tiles = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    w, _, _, n = tile_bounds_lonlat(Z, x0, y0)
    _, s, e, _ = tile_bounds_lonlat(Z, x1, y1)
    return tiles, f"{w},{s},{e},{n}"


def _tile_features(
    client: TestClient, zone: Zone, role: str | None, coll: str
) -> tuple[dict[int, dict[str, Any]], int]:
    """Features of every z14 tile over the zone by id (and the status of the first)."""
    out: dict[int, dict[str, Any]] = {}
    statuses = set()
    for x, y in _tiles(zone)[0]:
        r = client.get(f"/tiles/{coll}/{Z}/{x}/{y}.mvt", headers=zone.headers(role))
        statuses.add(r.status_code)
        if r.status_code != 200:
            continue
        assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
        layers = mapbox_vector_tile.decode(r.content)
        assert set(layers) == {coll}
        for f in layers[coll]["features"]:
            out[int(f["id"])] = f["properties"]
    return out, 200 if 200 in statuses else min(statuses)


def _items(client: TestClient, zone: Zone, role: str | None, coll: str) -> dict[int, dict]:
    bbox = _tiles(zone)[1]
    url = f"/ogc/collections/{coll}/items" if coll != "grid_areas" else f"/api/v1/{coll}"
    r = client.get(url, params={"bbox": bbox, "limit": 1000}, headers=zone.headers(role))
    assert r.status_code == 200, r.text
    return {int(f["id"]): f["properties"] for f in r.json()["features"]}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b, rel=1e-6)
    if isinstance(b, dict | list):
        import json

        return json.loads(a) == b if isinstance(a, str) else a == b
    return bool(a == b)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "coll", ["parcels", "buildings", "spaces", "enterprises", "projects", "grid_areas"]
)
def test_tile_rows_and_properties_equal_the_items(
    client: TestClient, zone: Zone, role: str | None, coll: str
) -> None:
    if role is None and coll not in ("parcels", "spaces"):
        r = client.get(f"/tiles/{coll}/{Z}/0/0.mvt")
        assert r.status_code == 401, r.text  # not public: like the items
        return
    tiles, _ = _tile_features(client, zone, role, coll)
    items = _items(client, zone, role, coll)
    assert items, f"the zone has {coll}"
    assert set(tiles) == set(items)
    for fid, props in items.items():
        expected = {k: v for k, v in props.items() if v is not None}
        assert set(tiles[fid]) == set(expected), (coll, role, fid)
        for k, v in expected.items():
            assert _same(tiles[fid][k], v), (coll, role, fid, k, tiles[fid][k], v)


def test_anonymous_parcels_are_the_available_ones_with_public_fields(
    client: TestClient, zone: Zone
) -> None:
    tiles, _ = _tile_features(client, zone, None, "parcels")
    mine = {zone.ids[f"parcel_{i}"] for i in range(4)}
    assert set(tiles) & mine == {zone.ids[f"parcel_{i}"] for i in range(3)}  # not the granted
    assert all("holder_enterprise_id" not in p for p in tiles.values())


def test_officer_sees_sensitive_fields_of_own_firm_only(client: TestClient, zone: Zone) -> None:
    tiles, _ = _tile_features(client, zone, "officer", "enterprises")
    assert tiles[zone.ids["firm_own"]]["tax_cny"] == 1_000_000.0
    assert "tax_cny" not in tiles[zone.ids["firm_other"]]
    inv, _ = _tile_features(client, zone, "investment", "enterprises")
    assert all("tax_cny" not in p and "contact_phone" not in p for p in inv.values())


def test_properties_parameter_keeps_only_visible_ones(client: TestClient, zone: Zone) -> None:
    (x, y), *_ = _tiles(zone)[0]
    for role, want in ((None, {"status"}), ("planner", {"status", "holder_enterprise_id"})):
        found: set[str] = set()
        for x, y in _tiles(zone)[0]:
            r = client.get(
                f"/tiles/parcels/{Z}/{x}/{y}.mvt",
                params={"properties": "status,holder_enterprise_id"},
                headers=zone.headers(role),
            )
            if r.status_code == 200:
                for f in mapbox_vector_tile.decode(r.content)["parcels"]["features"]:
                    found |= set(f["properties"])
        assert found == want, role


def test_filters_limit_rows_like_the_items(client: TestClient, zone: Zone) -> None:
    ids: set[int] = set()
    for x, y in _tiles(zone)[0]:
        r = client.get(
            f"/tiles/parcels/{Z}/{x}/{y}.mvt",
            params={"status": "granted"},
            headers=zone.headers("planner"),
        )
        if r.status_code == 200:
            ids |= {
                int(f["id"]) for f in mapbox_vector_tile.decode(r.content)["parcels"]["features"]
            }
    assert zone.ids["parcel_3"] in ids
    assert not ids & {zone.ids[f"parcel_{i}"] for i in range(3)}


def test_tilejson_names_visible_fields_and_bounds(client: TestClient, zone: Zone) -> None:
    anon = client.get("/tiles/parcels.json").json()
    planner = client.get("/tiles/parcels.json", headers=zone.headers("planner")).json()
    assert anon["tilejson"] == "3.0.0"
    assert anon["tiles"][0].endswith("/tiles/parcels/{z}/{x}/{y}.mvt")
    assert "holder_enterprise_id" not in anon["vector_layers"][0]["fields"]
    assert "holder_enterprise_id" in planner["vector_layers"][0]["fields"]
    assert anon["minzoom"] == planner["vector_layers"][0]["minzoom"]
    w, s, e, n = planner["bounds"]
    assert w <= zone.lon and s <= zone.lat and e >= zone.lon + 0.004
    filtered = client.get("/tiles/parcels.json?status=idle", headers=zone.headers("planner"))
    assert filtered.json()["tiles"][0].endswith(".mvt?status=idle")
    assert client.get("/tiles/enterprises.json").status_code == 401
