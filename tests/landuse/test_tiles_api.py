"""``/tiles/landuse/{z}/{x}/{y}.mvt`` through the app: role rules, canaries, HTTP caching.

TestClient requests commit, so the zone is committed (in its own spot) and removed after.
The investment role's tiles hold the class only, anonymous callers get 401 (as for the
map), and no tile anybody can fetch holds a firm's tax or output.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from parkgis.landuse.themes import BASE_PROPERTIES, properties_for
from parkgis.settings import Settings, TileSettings
from parkgis.tiles import lonlat_to_tile
from tests.landuse.zone import CANARY_OUTPUT, CANARY_TAX, HOSTILE_NAME, LuZone, committed_zone

Z = 15


@pytest.fixture(scope="module")
def app_zone(engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, LuZone, dict]]:
    low = settings.model_copy(update={"tiles": TileSettings(map_threshold=0)})
    with committed_zone(engine) as (zone, tokens), TestClient(create_app(low)) as client:
        headers = {r: {"Authorization": f"Bearer {t}"} for r, t in tokens.items()}
        headers["anonymous"] = {}
        yield client, zone, headers


def _urls(zone: LuZone) -> list[str]:
    w, s, e, n = zone.bbox
    x0, y0 = lonlat_to_tile(w, n, Z)
    x1, y1 = lonlat_to_tile(e, s, Z)
    return [f"/tiles/landuse/{Z}/{x}/{y}.mvt" for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def _fetch(client: TestClient, zone: LuZone, h: dict) -> tuple[dict[int, dict[str, Any]], bytes]:
    feats: dict[int, dict[str, Any]] = {}
    raw = b""
    for url in _urls(zone):
        r = client.get(url, headers=h)
        assert r.status_code in (200, 204), (url, r.status_code, r.text)
        assert r.headers["cache-control"].startswith("private")
        if r.status_code == 204:
            continue
        assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
        raw += r.content
        for f in mapbox_vector_tile.decode(r.content)["landuse"]["features"]:
            feats[int(f["id"])] = f["properties"]
    return feats, raw


def _no_canary(raw: bytes) -> None:
    for canary in (CANARY_TAX, CANARY_OUTPUT):
        for form in (f"{canary:.0f}", f"{canary:,.0f}", f"{canary:.1f}"):
            assert form.encode() not in raw
        assert struct.pack("<d", canary) not in raw
        assert struct.pack("<f", canary) not in raw


def test_investment_tiles_hold_the_class_only(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    feats, raw = _fetch(client, zone, h["investment"])
    ids = set(zone.parcels.values())
    assert ids <= set(feats)
    assert set().union(*(feats[i].keys() for i in ids)) == set(BASE_PROPERTIES)
    assert feats[zone.parcels["ok"]]["land_use"] == "100102"
    _no_canary(raw)
    assert HOSTILE_NAME.encode() not in raw  # not even the holder's name
    for grade in (b"grade", b"ineff", b"fee_cny", b"plot_ratio"):
        assert grade not in raw


def test_planner_tiles_hold_every_theme_and_no_tax(
    app_zone: tuple[TestClient, LuZone, dict],
) -> None:
    client, zone, h = app_zone
    for role in ("planner", "admin"):
        feats, raw = _fetch(client, zone, h[role])
        keys = set().union(*(feats[i].keys() for i in zone.parcels.values()))
        assert {"pr", "grade", "ineff", "days", "fee_cny", "holder"} <= keys
        assert keys <= set(properties_for(("class", "plot_ratio", "grade", "inefficient")))
        assert feats[zone.parcels["idle_old"]]["ineff"] == "supplied_not_used.take_back"
        assert HOSTILE_NAME.encode() in raw
        _no_canary(raw)


def test_anonymous_callers_are_refused(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    url = _urls(zone)[0]
    r = client.get(url, headers=h["anonymous"])
    assert r.status_code == 401
    assert "json" in r.headers["content-type"] and "land-use map" in r.text
    assert client.get("/maps/landuse", headers=h["anonymous"]).status_code == 401
    bad = client.get(url, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_bad_input_and_http_caching(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    planner = h["planner"]
    for url, field in (
        ("/tiles/landuse/15/x/1.mvt", "x"),
        ("/tiles/landuse/30/0/0.mvt", "z"),
        ("/tiles/landuse/2/9/0.mvt", "x"),
    ):
        r = client.get(url, headers=planner)
        assert r.status_code == 400, (url, r.text)
        assert field in r.text
    r = client.get(_urls(zone)[0] + "?theme=grade", headers=planner)
    assert r.status_code == 400 and "theme" in r.text
    assert client.get("/tiles/landuse/9/0/0.mvt", headers=planner).status_code == 204
    url = next(u for u in _urls(zone) if client.get(u, headers=planner).status_code == 200)
    first = client.get(url, headers=planner)
    etag = first.headers["etag"]
    again = client.get(url, headers={**planner, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    inv = client.get(url, headers=h["investment"])
    assert inv.headers["etag"] != etag


def test_the_tiled_page_asks_for_landuse_tiles(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    r = client.get("/maps/landuse", params={"bbox": zone.bbox_param}, headers=h["planner"])
    assert r.status_code == 200
    assert "/tiles/landuse/{z}/{x}/{y}.mvt" in r.text
    assert f"LU-{zone.tag}" not in r.text
    assert len(r.content) < 80_000
