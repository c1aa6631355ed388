"""The land-use map above the tile threshold, and the land-use tiles by role.

The map switches to ``/tiles/landuse`` when the caller's parcels in scope exceed
``PARKGIS_TILES_MAP_THRESHOLD`` (and not at it); the page then holds no parcel. Every z15
tile over the test zone is decoded with mapbox-vector-tile: each role gets exactly its
themes' properties, with the same keys and numbers as the inline map; tax and output never
reach a tile and grades only a planner's or admin's.
"""

from __future__ import annotations

import json
import re
import struct
from typing import Any

import mapbox_vector_tile
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidQuery, Unauthorized
from parkgis.features import fetch_page
from parkgis.landuse.themes import BASE_PROPERTIES, properties_for
from parkgis.maps import render
from parkgis.maps.landuse import (
    GRADE_COLORS,
    INEFFICIENT_COLORS,
    PLOT_RATIO_COLORS,
    landuse_map,
)
from parkgis.settings import Settings, TileSettings
from parkgis.tiles import lonlat_to_tile
from parkgis.tiles.landuse import FactsCache, landuse_tile
from tests.landuse.zone import CANARY_OUTPUT, CANARY_TAX, HOSTILE_NAME, TODAY, LuZone

Z = 15


def _who(role: str) -> Principal:
    return Principal(user_id=9, name=f"lu-{role}", role=role)  # type: ignore[arg-type]


def _tiles(zone: LuZone) -> list[tuple[int, int]]:
    w, s, e, n = zone.bbox
    x0, y0 = lonlat_to_tile(w, n, Z)
    x1, y1 = lonlat_to_tile(e, s, Z)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def _decoded(
    session: Session, zone: LuZone, settings: Settings, role: str
) -> tuple[dict[int, dict[str, Any]], bytes]:
    """Every parcel of the zone's z15 tiles by id (properties), and all the tiles' bytes."""
    out: dict[int, dict[str, Any]] = {}
    raw = b""
    facts = FactsCache()
    for x, y in _tiles(zone):
        t = landuse_tile(
            session, _who(role), Z, x, y, landuse=settings.landuse, today=TODAY, facts_cache=facts
        )
        assert t is not None
        raw += t.data
        if not t.data:
            continue
        layers = mapbox_vector_tile.decode(t.data)
        assert set(layers) == {"landuse"}
        for f in layers["landuse"]["features"]:
            props = f["properties"]
            assert props["id"] == f["id"]
            if props["id"] in out:
                assert out[props["id"]] == props  # the same parcel, the same values
            out[props["id"]] = props
    assert facts.builds <= 1  # one computation of the zone's facts for every tile
    return out, raw


def _data(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="pg-landuse-data">(.*?)</script>', html)
    assert m is not None
    return dict(json.loads(m.group(1)))


def _tile_blocks(html: str) -> list[dict[str, Any]]:
    return [
        json.loads(m.group(1))
        for m in re.finditer(
            r'<script type="application/json" id="parkgis-tiles-[^"]+">(.*?)</script>', html
        )
    ]


def _map(
    session: Session, zone: LuZone, settings: Settings, role: str, threshold: int, **kw: Any
) -> Any:
    tiled = settings.model_copy(update={"tiles": TileSettings(map_threshold=threshold)})
    return landuse_map(
        session, _who(role), tiled, bbox=zone.bbox, basemap="none", today=TODAY, **kw
    )


def _in_scope(session: Session, zone: LuZone, role: str) -> int:
    page = fetch_page(session, "parcels", _who(role), bbox=zone.bbox, limit=1, max_limit=1)
    return page.number_matched


def test_the_map_switches_to_tiles_above_the_threshold_only(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    n = _in_scope(lu_session, lu_zone, "planner")
    assert n >= 10
    inline = render(_map(lu_session, lu_zone, settings, "planner", n))
    assert _tile_blocks(inline) == [] and "VectorGrid" not in inline
    assert "info" in _data(inline) and f"LU-{lu_zone.tag}-ok" in inline

    html = render(_map(lu_session, lu_zone, settings, "planner", n - 1, lang="en"))
    (block,) = _tile_blocks(html)
    assert block["layer"] == "landuse" and block["url"] == "/tiles/landuse/{z}/{x}/{y}.mvt"
    assert block["popup"]["api"] is None and block["inline"] is None
    assert block["hover"] == ["code", "land_use"]
    assert "/assets/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" in html
    data = _data(html)
    assert "info" not in data
    assert data["tiled"]["layer"] == "landuse"
    assert {k: v["by"] for k, v in data["tiled"]["themes"].items()} == {
        "class": "land_use",
        "plot_ratio": "pr",
        "grade": "grade",
        "inefficient": "ineff",
    }
    assert data["tiled"]["themes"]["grade"]["colors"] == GRADE_COLORS
    assert data["tiled"]["themes"]["inefficient"]["colors"] == INEFFICIENT_COLORS
    # No parcel is in the page: not its code, not its holder, not a grade's colour data.
    assert f"LU-{lu_zone.tag}" not in html and '"c_class"' not in html
    assert "drawn from zoom level 10 in" in html


def test_tiled_page_stays_small_and_keeps_the_legend_in_mu(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    from parkgis.landuse import Scope, landuse_summary

    html = render(_map(lu_session, lu_zone, settings, "investment", 0))
    assert _tile_blocks(html)[0]["layer"] == "landuse"
    assert len(html.encode()) < 80_000  # scripts and styles come from /assets
    assert _data(html)["tiled"]["themes"].keys() == {"class"}
    summary = landuse_summary(
        lu_session, _who("investment"), by="class", scope=Scope(bbox=lu_zone.bbox)
    )
    for c in summary["zone"]["classes"]:
        assert f'data-key="class-{c["code"]}"' in html
        assert f"{c['area_mu']:,.1f} 亩" in html
    tiled = settings.model_copy(update={"tiles": TileSettings(map_threshold=0)})
    with pytest.raises(Unauthorized):
        landuse_map(lu_session, Principal(), tiled, bbox=lu_zone.bbox)


def test_tiles_carry_each_roles_themes_and_nothing_more(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    ids = set(lu_zone.parcels.values())
    expected = {
        "investment": ("class",),
        "officer": ("class", "plot_ratio"),
        "planner": ("class", "plot_ratio", "grade", "inefficient"),
        "admin": ("class", "plot_ratio", "grade", "inefficient"),
    }
    for role, themes in expected.items():
        feats, raw = _decoded(lu_session, lu_zone, settings, role)
        assert ids <= set(feats), role
        keys = set().union(*(feats[i].keys() for i in ids))
        allowed = set(properties_for(themes))
        assert keys <= allowed, (role, keys - allowed)
        assert set(BASE_PROPERTIES) <= keys
        if role == "investment":
            assert keys == set(BASE_PROPERTIES)
        if role in ("investment", "officer"):
            assert not keys & {"grade", "ineff", "days", "fee_cny"}, role
        # Tax and output never reach a tile, as text or as an encoded number.
        for canary in (CANARY_TAX, CANARY_OUTPUT):
            assert f"{canary:.0f}".encode() not in raw
            assert struct.pack("<d", canary) not in raw
        assert (HOSTILE_NAME.encode() in raw) == (role != "investment"), role


def test_tile_values_are_the_inline_maps(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    feats, _ = _decoded(lu_session, lu_zone, settings, "planner")
    p = {k: feats[v] for k, v in lu_zone.parcels.items()}
    assert p["ok"]["pr"] == "ok" and p["ok"]["min_plot_ratio"] == 0.7
    assert p["low"]["pr"] == "below_80"
    assert p["idle_old"]["ineff"] == "supplied_not_used.take_back" and p["idle_old"]["days"] == 800
    assert p["idle_old"]["fee_cny"] > 0
    assert p["granted_new"]["ineff"] == "supplied_not_used" and "fee_cny" not in p["granted_new"]
    assert p["available"]["ineff"] == "approved_not_supplied"
    assert p["ok"]["holder"] == HOSTILE_NAME and p["ok"]["land_use"] == "100102"
    assert "grade" in p["ok"] and "pr" not in p["green"] and "ineff" not in p["green"]
    assert p["ok"]["code"] == f"LU-{lu_zone.tag}-ok"
    # The same colours as the inline map's, theme by theme, parcel by parcel.
    m = _map(lu_session, lu_zone, settings, "planner", 5000, lang="en")
    inline = _inline_colours(m)
    html = render(m)
    tables = {"plot_ratio": ("pr", PLOT_RATIO_COLORS), "grade": ("grade", GRADE_COLORS)}
    tables["inefficient"] = ("ineff", INEFFICIENT_COLORS)
    for key, pid in lu_zone.parcels.items():
        for theme, (by, colors) in tables.items():
            want = colors.get(str(p[key].get(by)), "#e9ecef")
            assert inline[pid][f"c_{theme}"] == want, (key, theme)
    info = _data(html)["info"][str(lu_zone.parcels["ok"])]
    assert info[5] == p["ok"]["plot_ratio"] and info[6] == p["ok"]["min_plot_ratio"]
    assert info[7] == p["ok"]["building_coefficient"] and info[8] == "Met" == _met(p["ok"]["check"])
    assert info[9] == p["ok"]["grade"]


def _met(check: str) -> str:
    from parkgis.maps.landuse import check_label

    return check_label(check, "en")


def _inline_colours(m: Any) -> dict[int, dict[str, str]]:
    """The inline map's parcels' properties (with their ``c_<theme>`` colours) by id."""
    import folium

    (layer,) = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    return {int(f["properties"]["id"]): f["properties"] for f in layer.data["features"]}


def test_tile_rules_bad_input_zoom_and_etag(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    def tile(who: Principal, z: Any, x: Any, y: Any, **kw: Any) -> Any:
        kw.setdefault("today", TODAY)
        return landuse_tile(lu_session, who, z, x, y, landuse=settings.landuse, **kw)

    planner = _who("planner")
    # A tile that meets a parcel (the zone's bbox corners may not: it sits anywhere).
    x, y = next((x, y) for x, y in _tiles(lu_zone) if tile(planner, Z, x, y).data)
    with pytest.raises(Unauthorized):
        tile(Principal(), Z, x, y)
    with pytest.raises(InvalidQuery) as e:
        tile(planner, 15, "x", 0)
    assert e.value.field == "x"
    with pytest.raises(InvalidQuery):
        tile(planner, 3, 9, 0)
    low = tile(planner, 9, 0, 0)
    assert low is not None and low.data == b"" and low.etag
    t = tile(planner, Z, x, y)
    assert t is not None and t.data
    assert tile(planner, Z, x, y, if_none_match=t.etag) is None
    inv = tile(_who("investment"), Z, x, y)
    assert inv is not None and inv.etag != t.etag  # another view, another ETag
    tomorrow = tile(planner, Z, x, y, today=TODAY.replace(day=2))
    assert tomorrow is not None and tomorrow.etag != t.etag  # the idle clocks moved on
    lu_session.execute(
        text("UPDATE enterprises SET tax_cny = tax_cny + 1 WHERE id = :f"),
        {"f": lu_zone.firms["food"]},
    )
    after = tile(planner, Z, x, y)
    assert after is not None and after.etag != t.etag  # a firm's figures feed the grades


def test_download_of_a_tiled_map_inlines_the_theme_properties(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    for role in ("planner", "investment"):
        html = render(_map(lu_session, lu_zone, settings, role, 0, lang="en"), download=True)
        (block,) = _tile_blocks(html)
        feats = {f["id"]: f["properties"] for f in block["inline"]["features"]}
        assert set(lu_zone.parcels.values()) <= set(feats)
        ok = feats[lu_zone.parcels["ok"]]
        if role == "planner":
            assert ok["pr"] == "ok" and "grade" in ok and ok["holder"] == HOSTILE_NAME
            assert feats[lu_zone.parcels["idle_old"]]["ineff"] == "supplied_not_used.take_back"
        holder = f"地块测试food{lu_zone.tag}有限公司"
        if role == "planner":
            assert feats[lu_zone.parcels["low"]]["holder"] == holder
        else:
            assert set(ok) == set(BASE_PROPERTIES)
            assert holder not in html and "7*7" not in html
        assert "holder_enterprise_id" not in ok
        assert "drawn simplified" in block["note"]
        assert "<img src=x" not in html  # the holder's name is escaped in the JSON block
