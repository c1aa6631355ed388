"""Combined units (space_group) against a brute-force oracle over every subset."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.matching.service import match
from parkgis.settings import Settings
from tests.matching.oracle import group_oracle
from tests.matching.zone import ADMIN, TODAY, hold, lonlat_box, lonlat_point, make_zone
from tests.support.rows import insert

POINT = lonlat_point(400, 400)


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
    vacant = conn.execute(text("SELECT min(id) FROM spaces WHERE status = 'vacant'")).scalar_one()
    hold(conn, "space_id", vacant, "-1 day", "1 day")
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
    pid = insert(
        conn,
        "parcels",
        code="G-1",
        land_use="100102",
        status="built",
        granted_on=date(2020, 1, 1),
        geom=lonlat_box(5000, 5000, 5200, 5200).replace("POLYGON", "MULTIPOLYGON(") + ")",
    )
    bid = insert(
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
            units[(f, k)] = insert(
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
