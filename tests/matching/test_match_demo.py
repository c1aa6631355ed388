"""Property test over the demo zone: the answer equals brute-force oracles on every request.

The demo is loaded inside the test's rolled-back transaction. Requests are drawn around
the values really present in the zone (each asked value is an actual value, or sits on a
tolerance boundary of one), so that ties, limits and near-miss edges are exercised.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.demo import load_demo
from parkgis.errors import BadRequest
from parkgis.matching.service import match
from parkgis.settings import Settings
from parkgis.zonetime import zone_today
from tests.matching.oracle import (
    TOL,
    assert_dominance,
    distances,
    expect_bad_request,
    feature_ids,
    group_oracle,
    oracle,
    read_rows,
    space_geoms,
)

ADMIN = Principal(name="demo-test", role="admin")


def _around(values: list[float], *, minimum: bool) -> st.SearchStrategy[float]:
    """An actual value, or a requirement that puts an actual value on a boundary."""
    pool = sorted({round(v, 6) for v in values if v is not None and v > 0})
    edge = (1 - TOL) if minimum else (1 + TOL)
    return st.sampled_from(pool).flatmap(
        lambda v: st.sampled_from(
            [v, v / edge, v / edge * 1.001, v / edge * 0.999, v * 1.001, v * 0.999]
        )
    )


def _range(values: list[float]) -> st.SearchStrategy[dict[str, float]]:
    lo, hi = _around(values, minimum=True), _around(values, minimum=False)
    return st.one_of(
        st.builds(lambda a: {"min": a}, lo),
        st.builds(lambda b: {"max": b}, hi),
        st.tuples(lo, hi).map(lambda t: {"min": min(t), "max": max(t)}),
    )


def requests(rows: Any, points: list[tuple[float, float]], today: date) -> Any:
    sp = [s for s in rows.spaces if s["status"] == "vacant"]
    pa = [p for p in rows.parcels.values() if p["status"] == "available"]

    def col(seq: list[dict[str, Any]], name: str) -> list[float]:
        return [r[name] for r in seq if r[name] is not None]

    near = st.builds(
        lambda p, d: {"lon": p[0], "lat": p[1]} | ({"max_distance_m": d} if d else {}),
        st.sampled_from(points),
        st.one_of(st.none(), st.sampled_from([300.0, 800.0, 1500.0, 3000.0, 6000.0])),
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["space", "parcel", "any"]),
            "floor_area_m2": _range(col(sp, "area_m2") + [2 * v for v in col(sp, "area_m2")]),
            "land_area_m2": _range(col(pa, "area_m2")),
            "clear_height_m": _around(col(sp, "clear_height_m"), minimum=True),
            "floor_load_t_m2": _around(col(sp, "floor_load_t_m2"), minimum=True),
            "power_kva": _around(col(sp, "power_kva"), minimum=True),
            "crane_t": _around(col(sp, "crane_t"), minimum=True),
            "ground_floor": st.booleans(),
            "pollution_class": st.integers(1, 3),
            "max_rent_cny_m2_month": _around(col(sp, "rent_cny_m2_month"), minimum=False),
            "max_price_cny_m2": _around(col(pa, "price_cny_m2"), minimum=False),
            "available_by": st.integers(-3, 200).map(lambda d: today + timedelta(days=d)),
            "industry_chain": st.sampled_from(["batteries", "electronics", "new_energy_vehicles"]),
            "near": near,
        },
    )


def test_demo_zone_equals_oracles(conn: Connection, session: Session, settings: Settings) -> None:
    today = zone_today(settings.zone.timezone)
    load_demo(conn, today=today)
    vacant = conn.execute(
        text("SELECT id FROM spaces WHERE status = 'vacant' ORDER BY id LIMIT 3")
    ).scalars()
    for sid, (start, end) in zip(
        vacant, [("-1 day", "3 days"), ("-9 days", "-1 day"), ("-1 hour", "1 hour")], strict=False
    ):
        conn.execute(
            text(
                "INSERT INTO reservations (space_id, holder, held_from, expires_at) VALUES "
                "(:s, 'h', now() + CAST(:a AS interval), now() + CAST(:b AS interval))"
            ),
            {"s": sid, "a": start, "b": end},
        )
    rows = read_rows(conn)
    firm = conn.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM enterprises LIMIT 1")).one()
    points = [(112.705, 23.334), (float(firm[0]), float(firm[1])), (112.60, 23.40)]
    dist = {p: distances(conn, *p) for p in points}
    geoms = space_geoms(conn)
    seen = {"feasible": 0, "near": 0, "groups": 0}

    @hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(req=requests(rows, points, today))
    def check(req: dict[str, Any]) -> None:
        body = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in req.items()}
        near = req.get("near")
        d = dist[(near["lon"], near["lat"])] if near else None
        try:
            out = match(session, body, ADMIN, settings, today=today, save=False, limit=10_000)
        except BadRequest:
            assert expect_bad_request(req)
            return
        assert not expect_bad_request(req)
        feasible, near_set = oracle(rows, req, today, d)
        singles = [f for f in out["features"] if f["properties"]["kind"] != "space_group"]
        groups = [f for f in out["features"] if f["properties"]["kind"] == "space_group"]
        assert feature_ids(singles) == feasible
        assert feature_ids(out["near_misses"]) == near_set
        assert out["matched"] == len(feasible) + len(groups)
        kinds = {"space", "parcel"} if out["kind"] == "any" else {out["kind"]}
        area = req.get("floor_area_m2") or {}
        if "space" in kinds and "min" in area:
            expected = group_oracle(
                conn,
                req,
                settings.match.max_group_units,
                today=today,
                rows=rows,
                dist=d or {},
                geoms=geoms,
            )
            got = {frozenset(u["id"] for u in f["properties"]["units"]) for f in groups}
            assert got == expected
        else:
            assert groups == []
        for f in out["features"]:
            assert all(c["ok"] for c in f["properties"]["checks"])
        for f in out["near_misses"]:
            assert [c["near_miss"] for c in f["properties"]["checks"] if not c["ok"]] == [True]
        assert_dominance(req, out["features"])
        assert_dominance(req, out["near_misses"])
        seen["feasible"] += bool(feasible)
        seen["near"] += bool(near_set)
        seen["groups"] += bool(groups)

    check()
    assert seen["feasible"] > 5 and seen["near"] > 5, seen
