"""Combined units (space_group) against a brute-force oracle over every subset."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from shapely import from_wkb
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.geo import to_crs
from parkgis.matching.service import match
from parkgis.settings import Settings
from tests.match_oracle import Rows, distances, read_rows, verdicts
from tests.match_zone import lonlat_point, make_zone
from tests.test_matching import ADMIN, TODAY, _hold

POINT = lonlat_point(400, 400)
GROUP_LEVEL = ("floor_area_m2", "power_kva", "max_rent_cny_m2_month")


def space_geoms(conn: Connection) -> dict[int, Any]:
    rows = conn.execute(text("SELECT id, ST_AsBinary(geom) FROM spaces")).all()
    return {i: to_crs(from_wkb(bytes(w)), "EPSG:4326", "EPSG:4547") for i, w in rows}


def _touch(a: dict[str, Any], b: dict[str, Any], g: dict[int, Any]) -> bool:
    ga, gb = g[a["id"]], g[b["id"]]
    if a["building_id"] != b["building_id"]:
        return False
    if a["floor"] == b["floor"]:
        shared = ga.boundary.intersection(gb.boundary).length
        return shared >= 1.0 and ga.intersection(gb).area < 0.01 * min(ga.area, gb.area)
    floors = {a["floor"], b["floor"]}
    if abs(a["floor"] - b["floor"]) == 1 or floors == {-1, 1}:
        return ga.intersection(gb).area >= 0.5 * min(ga.area, gb.area)
    return False


def _connected(units: tuple[dict[str, Any], ...], g: dict[int, Any]) -> bool:
    seen = {0}
    todo = [0]
    while todo:
        i = todo.pop()
        for j in range(len(units)):
            if j not in seen and _touch(units[i], units[j], g):
                seen.add(j)
                todo.append(j)
    return len(seen) == len(units)


def group_oracle(
    conn: Connection,
    req: dict[str, Any],
    max_units: int,
    *,
    today: date = TODAY,
    rows: Rows | None = None,
    dist: dict[tuple[str, int], float] | None = None,
    geoms: dict[int, Any] | None = None,
) -> set[frozenset[int]]:
    """Every minimal connected group, found by trying every subset of each building."""
    rows = rows or read_rows(conn)
    near = req.get("near")
    if dist is None:
        dist = distances(conn, near["lon"], near["lat"]) if near else {}
    g = geoms if geoms is not None else space_geoms(conn)
    lo = req["floor_area_m2"]["min"]
    hi = req["floor_area_m2"].get("max")
    per_unit = {k: v for k, v in req.items() if k not in GROUP_LEVEL}
    eligible = []
    for s in rows.spaces:
        b = rows.buildings[s["building_id"]]
        held = any(
            h["space_id"] == s["id"] and h["held_from"] <= rows.now < h["expires_at"]
            for h in rows.holds
        )
        if s["status"] != "vacant" or held or not b["standard_factory"] or s["area_m2"] >= lo:
            continue
        p = rows.parcels.get(b["parcel_id"])
        u = {**s, "_land_use": p["land_use"] if p else None}
        d = dist.get(("space", s["id"]))
        if all(v == "ok" for v in verdicts(per_unit, u, "space", today, d)):
            u["distance_m"] = d
            u["pollution_class"] = None
            u["land_use"] = u["_land_use"]
            u["building_name"] = b["name"]
            eligible.append(u)
    out: set[frozenset[int]] = set()
    by_building: dict[int, list[dict[str, Any]]] = {}
    for u in eligible:
        by_building.setdefault(u["building_id"], []).append(u)
    combos = (
        combo
        for units in by_building.values()
        for n in range(2, max_units + 1)
        for combo in itertools.combinations(units, n)
    )
    for combo in combos:
        total = sum(u["area_m2"] for u in combo)
        if total < lo or (hi is not None and total > hi):
            continue
        if total - min(u["area_m2"] for u in combo) >= lo:
            continue
        if not _connected(combo, g):
            continue
        powers = [u["power_kva"] for u in combo]
        if "power_kva" in req and (None in powers or sum(powers) < req["power_kva"]):
            continue
        rents = [u["rent_cny_m2_month"] for u in combo]
        rent = req.get("max_rent_cny_m2_month")
        if rent is not None and (
            None in rents
            or sum(r * u["area_m2"] for r, u in zip(rents, combo, strict=True)) / total > rent
        ):
            continue
        out.add(frozenset(u["id"] for u in combo))
    return out


REQ = st.fixed_dictionaries(
    {
        "floor_area_m2": st.sampled_from(
            [
                {"min": 2500.0},
                {"min": 3000.0, "max": 4600.0},
                {"min": 4000.0, "max": 6500.0},
                {"min": 5000.0},
            ]
        )
    },
    optional={
        "power_kva": st.sampled_from([500.0, 1250.0, 2500.0]),
        "clear_height_m": st.sampled_from([6.0, 8.0]),
        "max_rent_cny_m2_month": st.sampled_from([22.0, 25.0, 28.0]),
        "ground_floor": st.just(True),
        "near": st.sampled_from(
            [
                {"lon": POINT[0], "lat": POINT[1]},
                {"lon": POINT[0], "lat": POINT[1], "max_distance_m": 600.0},
            ]
        ),
    },
)


def test_groups_equal_oracle(conn: Connection, session: Session, settings: Settings) -> None:
    make_zone(conn, today=TODAY, seed=11)
    vacant = conn.execute(text("SELECT min(id) FROM spaces WHERE status = 'vacant'")).scalar()
    _hold(conn, "space_id", vacant, "-1 day", "1 day")
    found = 0

    @hsettings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(req=REQ)
    def check(req: dict[str, Any]) -> None:
        nonlocal found
        out = match(
            session, {**req, "kind": "space"}, ADMIN, settings, today=TODAY, save=False, limit=5000
        )
        groups = [f for f in out["features"] if f["properties"]["kind"] == "space_group"]
        got = {frozenset(u["id"] for u in f["properties"]["units"]) for f in groups}
        assert got == group_oracle(conn, req, settings.match.max_group_units)
        found += len(got)
        for f in groups:
            p = f["properties"]
            assert all(c["ok"] for c in p["checks"])
            assert p["id"] == "+".join(str(u["id"]) for u in p["units"])
            assert abs(p["area_m2"] - sum(u["area_m2"] for u in p["units"])) < 1e-6
            assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")

    check()
    assert found > 10


def test_stacked_and_side_by_side(conn: Connection, session: Session, settings: Settings) -> None:
    """Two floors of two units each: side-by-side pairs, stacked pairs, no diagonals."""
    from tests.match_zone import _insert, lonlat_box

    pid = _insert(
        conn,
        "parcels",
        code="G-1",
        land_use="100102",
        status="built",
        granted_on=date(2020, 1, 1),
        geom=lonlat_box(5000, 5000, 5200, 5200).replace("POLYGON", "MULTIPOLYGON(") + ")",
    )
    bid = _insert(
        conn,
        "buildings",
        parcel_id=pid,
        name="Std",
        floors=2,
        standard_factory=True,
        geom=lonlat_box(5010, 5010, 5110, 5050),
    )
    units = {}
    for f in (1, 2):
        for k in (0, 1):
            units[(f, k)] = _insert(
                conn,
                "spaces",
                building_id=bid,
                floor=f,
                status="vacant",
                power_kva=800.0,
                rent_cny_m2_month=20.0,
                geom=lonlat_box(5010 + 50 * k, 5010, 5060 + 50 * k, 5050),
            )
    lon, lat = lonlat_point(5000, 5000)
    req = {
        "floor_area_m2": {"min": 3000, "max": 4100},
        "near": {"lon": lon, "lat": lat, "max_distance_m": 1000},
    }
    out = match(session, req, ADMIN, settings, today=TODAY, save=False, limit=100)
    got = {
        frozenset(u["id"] for u in f["properties"]["units"])
        for f in out["features"]
        if f["properties"]["kind"] == "space_group"
    }
    u = units
    assert got == {
        frozenset({u[(1, 0)], u[(1, 1)]}),
        frozenset({u[(2, 0)], u[(2, 1)]}),
        frozenset({u[(1, 0)], u[(2, 0)]}),
        frozenset({u[(1, 1)], u[(2, 1)]}),
    }
    req["ground_floor"] = True
    out = match(session, req, ADMIN, settings, today=TODAY, save=False, limit=100)
    groups = [f for f in out["features"] if f["properties"]["kind"] == "space_group"]
    assert [sorted(x["id"] for x in f["properties"]["units"]) for f in groups] == [
        sorted([u[(1, 0)], u[(1, 1)]])
    ]
    p = groups[0]["properties"]
    assert p["power_kva"] == 1600.0 and p["floor"] == 1
    nearest = conn.execute(
        text(
            "SELECT min(round(ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(:x, :y), "
            "4326)::geography)::numeric, 2))::float8 FROM spaces WHERE id IN (:a, :b)"
        ),
        {"x": lon, "y": lat, "a": u[(1, 0)], "b": u[(1, 1)]},
    ).scalar_one()
    assert p["distance_m"] == nearest
