"""Matching against a real PostGIS: oracle equality, dominance, near-misses and edge cases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import BadRequest, Forbidden, InvalidInput, Unauthorized
from parkgis.matching.rules import Scorer
from parkgis.matching.service import get_match, match, parse_request
from parkgis.settings import MatchSettings, Settings
from tests.matching.oracle import (
    assert_dominance,
    distances,
    expect_bad_request,
    feature_ids,
    oracle,
    read_rows,
)
from tests.matching.zone import (
    ADMIN,
    CHAINS,
    TODAY,
    add_sure_units,
    hold,
    lonlat_point,
    make_zone,
)

POINTS = [lonlat_point(300, 300), lonlat_point(900, 100), lonlat_point(-2000, 5000), (0.0, 0.0)]


def _zone_with_holds(conn: Connection) -> Any:
    z = make_zone(conn, today=TODAY)
    vacant = [
        r[0]
        for r in conn.execute(text("SELECT id FROM spaces WHERE status = 'vacant' ORDER BY id"))
    ]
    hold(conn, "space_id", vacant[0], "-1 day", "5 days")  # active
    hold(conn, "space_id", vacant[1], "-10 days", "-1 day")  # expired
    hold(conn, "space_id", vacant[2], "-10 days", "-1 second")  # just expired
    avail = [r[0] for r in conn.execute(text("SELECT id FROM parcels WHERE status = 'available'"))]
    hold(conn, "parcel_id", avail[0], "-1 hour", "1 hour")
    return z


def _ranges(lo: float, hi: float) -> st.SearchStrategy[dict[str, float]]:
    a = st.floats(lo, hi).map(lambda v: round(v, 1))
    return st.one_of(
        st.builds(lambda x: {"min": x}, a),
        st.builds(lambda x: {"max": x}, a),
        st.tuples(a, a).map(lambda t: {"min": min(t), "max": max(t)}),
    )


def _near() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda p, d: {"lon": p[0], "lat": p[1]} | ({"max_distance_m": d} if d is not None else {}),
        st.sampled_from(POINTS),
        st.one_of(st.none(), st.floats(0, 3000).map(lambda v: round(v, 2))),
    )


REQUESTS = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(["space", "parcel", "any"]),
        "floor_area_m2": _ranges(800, 9000),
        "land_area_m2": _ranges(15000, 45000),
        "clear_height_m": st.sampled_from([4.5, 5.5, 6.0, 7.0, 8.0, 9.0, 10.5, 12.0]),
        "floor_load_t_m2": st.sampled_from([1.0, 1.3, 2.5, 2.8, 3.0, 4.5]),
        "power_kva": st.sampled_from([300.0, 500.0, 900.0, 1250.0, 1500.0, 1800.0]),
        "crane_t": st.sampled_from([5.0, 9.0, 10.0, 16.0]),
        "ground_floor": st.booleans(),
        "pollution_class": st.integers(1, 3),
        "max_rent_cny_m2_month": st.sampled_from([16.0, 20.0, 21.0, 24.0, 25.0, 30.0]),
        "max_price_cny_m2": st.sampled_from([650.0, 700.0, 800.0, 900.0, 950.0]),
        "available_by": st.integers(-5, 240).map(lambda d: TODAY + timedelta(days=d)),
        "industry_chain": st.sampled_from(CHAINS),
        "near": _near(),
    },
)


def _as_json(req: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in req.items()}


def test_feasible_set_equals_oracle(conn: Connection, session: Session, nogroups: Settings) -> None:
    _zone_with_holds(conn)
    rows = read_rows(conn)
    dist = {p: distances(conn, *p) for p in POINTS}
    seen = {"feasible": 0, "near": 0}

    @hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(req=REQUESTS)
    def check(req: dict[str, Any]) -> None:
        near = req.get("near")
        d = dist[(near["lon"], near["lat"])] if near else None
        try:
            out = match(
                session, _as_json(req), ADMIN, nogroups, today=TODAY, save=False, limit=5000
            )
        except BadRequest:
            assert expect_bad_request(req)
            return
        assert not expect_bad_request(req)
        feasible, near_set = oracle(rows, req, TODAY, d)
        assert feature_ids(out["features"]) == feasible
        assert out["matched"] == len(feasible)
        assert feature_ids(out["near_misses"]) == near_set
        assert not feasible & near_set
        seen["feasible"] += bool(feasible)
        seen["near"] += bool(near_set)
        for f in out["features"]:
            assert all(c["ok"] for c in f["properties"]["checks"]), f
            assert 0.0 <= f["properties"]["score"] <= 1.0
        for f in out["near_misses"]:
            failed = [c for c in f["properties"]["checks"] if not c["ok"]]
            assert len(failed) == 1 and failed[0]["near_miss"] is True
            assert f["properties"]["failed"] == failed[0]["criterion"]
        assert [f["properties"]["rank"] for f in out["features"]] == list(
            range(1, len(out["features"]) + 1)
        )
        assert_dominance(req, out["features"])
        assert_dominance(req, out["near_misses"])

    check()
    assert seen["feasible"] > 5 and seen["near"] > 5, seen


@hsettings(max_examples=60, deadline=None)
@given(
    a=st.tuples(*[st.floats(0.5, 3.0)] * 6, st.integers(0, 400), st.integers(0, 9)),
    b=st.tuples(*[st.floats(0.5, 3.0)] * 6, st.integers(0, 400), st.integers(0, 9)),
)
def test_score_is_monotone(a: tuple[Any, ...], b: tuple[Any, ...]) -> None:
    """Pure: a candidate at least as good on every criterion never scores lower."""
    from parkgis.schemas.matching import MatchRequest

    req = MatchRequest.model_validate(
        {
            "floor_area_m2": {"min": 3000, "max": 6000},
            "clear_height_m": 8.0,
            "floor_load_t_m2": 3.0,
            "power_kva": 1250.0,
            "max_rent_cny_m2_month": 25.0,
            "near": {"lon": 112.7, "lat": 23.3, "max_distance_m": 5000},
            "industry_chain": "batteries",
            "available_by": "2027-03-01",
        }
    )
    sc = Scorer.build("space", req, MatchSettings(), today=TODAY, has_point=True, has_chain=True)

    def row(t: tuple[Any, ...]) -> tuple[dict[str, Any], int]:
        return {
            "area_m2": 3000 * t[0],
            "clear_height_m": 8 * t[1],
            "floor_load_t_m2": 3 * t[2],
            "power_kva": 1250 * t[3],
            "rent_cny_m2_month": 10 * t[4],
            "distance_m": 2000 * t[5],
            "available_from": TODAY + timedelta(days=t[6]),
        }, t[7]

    (ra, na), (rb, nb) = row(a), row(b)
    ga, gb = sc.goodness(ra, na), sc.goodness(rb, nb)
    sa = sc.score(sc.base_numerator(sc.base_parts(ra)), na)
    sb = sc.score(sc.base_numerator(sc.base_parts(rb)), nb)
    assert 0 <= sa <= 1
    if all(x >= y for x, y in zip(ga, gb, strict=True)):
        assert sa >= sb


def test_sql_score_matches_python(conn: Connection, session: Session, settings: Settings) -> None:
    make_zone(conn, today=TODAY)
    lon, lat = POINTS[0]
    req = {
        "floor_area_m2": {"min": 1500, "max": 7000},
        "clear_height_m": 5.0,
        "max_rent_cny_m2_month": 28.0,
        "near": {"lon": lon, "lat": lat},
        "industry_chain": "batteries",
    }
    out = match(session, req, ADMIN, settings, today=TODAY, save=False, limit=100)
    sc = Scorer.build(
        "space", parse_request(req), settings.match, today=TODAY, has_point=True, has_chain=True
    )
    assert out["features"]
    for f in out["features"]:
        p = f["properties"]
        row = dict(p)
        if p["available_from"]:
            row["available_from"] = date.fromisoformat(p["available_from"])
        parts = sc.base_parts(row)
        assert {k: round(v, 4) for k, v in parts.items()} == {
            k: v for k, v in p["score_parts"].items() if k != "affinity"
        }
        assert p["score"] == round(sc.score(sc.base_numerator(parts), p["chain_firms_nearby"]), 4)


def test_issue_example_ranked_with_reasons(
    conn: Connection, session: Session, settings: Settings
) -> None:
    z = make_zone(conn, today=TODAY)
    lon, lat = POINTS[0]
    firm = z.enterprises[0]
    conn.execute(
        text("UPDATE enterprises SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326) WHERE id = :i"),
        {"x": lon, "y": lat, "i": firm},
    )
    req = {
        "floor_area_m2": {"min": 3000, "max": 6000},
        "ground_floor": True,
        "clear_height_m": 8,
        "floor_load_t_m2": 3,
        "power_kva": 1250,
        "max_rent_cny_m2_month": 25,
        "available_by": (TODAY + timedelta(days=100)).isoformat(),
        "enterprise_id": firm,
        "near": {"max_distance_m": 5000},
    }
    out = match(session, req, ADMIN, settings, today=TODAY)
    assert out["kind"] == "space"
    assert out["origin"]["enterprise_id"] == firm
    assert out["origin"]["lon"] == pytest.approx(lon)
    assert out["request_id"] is not None
    assert get_match(session, out["request_id"], ADMIN)["features"] == out["features"]
    assert out["considered"] >= out["matched"] >= len(out["features"])
    names = {
        "floor_area_m2",
        "ground_floor",
        "clear_height_m",
        "floor_load_t_m2",
        "power_kva",
        "max_rent_cny_m2_month",
        "available_by",
        "near.max_distance_m",
    }
    for f in out["features"] + out["near_misses"]:
        assert {c["criterion"] for c in f["properties"]["checks"]} == names
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    scores = [f["properties"]["score"] for f in out["features"]]
    assert scores == sorted(scores, reverse=True)


def test_no_criteria_is_bad_request(conn: Connection, session: Session, settings: Settings) -> None:
    for req in (
        {},
        {"kind": "space"},
        {"industry_chain": "batteries", "limit": 3},
        {"near": {"lon": 112.7, "lat": 23.3}},
        {"ground_floor": False},
    ):
        with pytest.raises(BadRequest):
            match(session, req, ADMIN, settings, today=TODAY)
    with pytest.raises(BadRequest) as exc:
        match(session, {"kind": "parcel", "clear_height_m": 8}, ADMIN, settings, today=TODAY)
    assert exc.value.field == "kind"


def test_min_over_max_names_the_field(session: Session, settings: Settings) -> None:
    with pytest.raises(InvalidInput) as exc:
        match(session, {"floor_area_m2": {"min": 6000, "max": 3000}}, ADMIN, settings)
    assert exc.value.field == "floor_area_m2"
    assert not isinstance(exc.value, BadRequest)
    with pytest.raises(InvalidInput) as exc:
        match(session, {"power_kva": "1250"}, ADMIN, settings)
    assert exc.value.field == "power_kva"
    with pytest.raises(InvalidInput) as exc:
        match(session, {"power_kva": 1250, "colour": "red"}, ADMIN, settings)
    assert exc.value.field == "colour"


def test_unknown_firm_chain_and_place(
    conn: Connection, session: Session, settings: Settings
) -> None:
    with pytest.raises(InvalidInput) as exc:
        match(session, {"power_kva": 100, "enterprise_id": 2_000_000_000}, ADMIN, settings)
    assert exc.value.field == "enterprise_id"
    with pytest.raises(InvalidInput) as exc:
        match(session, {"power_kva": 100, "industry_chain": "nope"}, ADMIN, settings)
    assert exc.value.field == "industry_chain"
    with pytest.raises(InvalidInput) as exc:
        match(session, {"power_kva": 100, "near": {"max_distance_m": 10}}, ADMIN, settings)
    assert exc.value.field == "near"


def test_roles(session: Session, settings: Settings) -> None:
    with pytest.raises(Unauthorized):
        match(session, {"power_kva": 1}, Principal(), settings)
    with pytest.raises(Forbidden):
        match(session, {"power_kva": 1}, Principal(user_id=1, name="p", role="planner"), settings)


def test_point_outside_the_zone(conn: Connection, session: Session, settings: Settings) -> None:
    make_zone(conn, today=TODAY)
    far = {"lon": 0.0, "lat": 0.0}
    out = match(
        session,
        {"power_kva": 100, "near": {**far, "max_distance_m": 5000}},
        ADMIN,
        settings,
        today=TODAY,
    )
    assert out["features"] == [] and out["matched"] == 0 and out["near_misses"] == []
    assert out["considered"] > 0
    out = match(session, {"power_kva": 100, "near": far}, ADMIN, settings, today=TODAY)
    assert out["features"]
    for f in out["features"]:
        assert f["properties"]["distance_m"] > 10_000_000
        assert f["properties"]["score_parts"]["distance"] == 0.0


def test_every_unit_held(conn: Connection, session: Session, settings: Settings) -> None:
    make_zone(conn, today=TODAY)
    conn.execute(
        text(
            "INSERT INTO reservations (space_id, holder, held_from, expires_at) "
            "SELECT id, 'all', now(), now() + interval '1 day' FROM spaces"
        )
    )
    conn.execute(
        text(
            "INSERT INTO reservations (parcel_id, holder, held_from, expires_at) "
            "SELECT id, 'all', now(), now() + interval '1 day' FROM parcels"
        )
    )
    out = match(session, {"kind": "any", "pollution_class": 1}, ADMIN, settings, today=TODAY)
    assert out["features"] == [] and out["matched"] == 0 and out["considered"] == 0
    assert out["near_misses"] == []


def test_distance_exactly_on_the_limit(
    conn: Connection, session: Session, settings: Settings
) -> None:
    make_zone(conn, today=TODAY)
    lon, lat = POINTS[1]
    base = {"kind": "parcel", "near": {"lon": lon, "lat": lat}}
    out = match(session, {**base, "pollution_class": 1}, ADMIN, settings, today=TODAY, limit=100)
    far = max(out["features"], key=lambda f: f["properties"]["distance_m"])
    d = far["properties"]["distance_m"]
    assert d > 0
    req = {**base, "near": {"lon": lon, "lat": lat, "max_distance_m": d}}
    on = match(session, req, ADMIN, settings, today=TODAY, limit=100)
    assert far["properties"]["id"] in {f["properties"]["id"] for f in on["features"]}
    req["near"]["max_distance_m"] = round(d - 0.01, 2)
    off = match(session, req, ADMIN, settings, today=TODAY, limit=100)
    assert far["properties"]["id"] not in {f["properties"]["id"] for f in off["features"]}
    missed = {f["properties"]["id"]: f for f in off["near_misses"]}
    assert missed[far["properties"]["id"]]["properties"]["failed"] == "near.max_distance_m"


def test_inside_point_is_zero_distance(
    conn: Connection, session: Session, settings: Settings
) -> None:
    z = make_zone(conn, today=TODAY)
    pid = z.parcels[0]
    lon, lat = conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM parcels "
            "WHERE id = :i) q"
        ),
        {"i": pid},
    ).one()
    conn.execute(text("UPDATE parcels SET status = 'available' WHERE id = :i"), {"i": pid})
    req = {"kind": "parcel", "near": {"lon": lon, "lat": lat, "max_distance_m": 0}}
    out = match(session, req, ADMIN, settings, today=TODAY)
    assert [f["properties"]["id"] for f in out["features"]] == [pid]
    assert out["features"][0]["properties"]["distance_m"] == 0.0


def test_expired_hold_no_longer_blocks(
    conn: Connection, session: Session, settings: Settings
) -> None:
    z = make_zone(conn, today=TODAY)
    pid = z.parcels[0]
    conn.execute(text("UPDATE parcels SET status = 'available' WHERE id = :i"), {"i": pid})
    req = {"kind": "parcel", "pollution_class": 1}
    conn.execute(text("UPDATE parcels SET land_use = '100103' WHERE id = :i"), {"i": pid})

    def ids() -> set[int]:
        out = match(session, req, ADMIN, settings, today=TODAY, save=False, limit=100)
        return {f["properties"]["id"] for f in out["features"]}

    assert pid in ids()
    hold(conn, "parcel_id", pid, "-2 days", "-1 minute")
    assert pid in ids()
    hold(conn, "parcel_id", pid, "-1 minute", "1 day")
    assert pid not in ids()


def test_kind_any_ranks_both(conn: Connection, session: Session, settings: Settings) -> None:
    make_zone(conn, today=TODAY)
    req = {"kind": "any", "pollution_class": 1, "floor_area_m2": {"min": 1000}}
    out = match(session, req, ADMIN, settings, today=TODAY, limit=100)
    kinds = {f["properties"]["kind"] for f in out["features"]}
    assert {"space", "parcel"} <= kinds
    assert (
        match(session, {"floor_area_m2": {"min": 1000}}, ADMIN, settings, today=TODAY)["kind"]
        == "space"
    )
    assert (
        match(session, {"land_area_m2": {"min": 1000}}, ADMIN, settings, today=TODAY)["kind"]
        == "parcel"
    )


def test_kind_any_plant_criteria_count_against_land(
    conn: Connection, session: Session, settings: Settings
) -> None:
    """Land cannot meet plant criteria by itself: in a mixed request it never outranks plant
    that meets every asked criterion just because it has fewer checks (issue 10)."""
    z = make_zone(conn, today=TODAY)
    add_sure_units(conn, z, seed=1)
    lon, lat = lonlat_point(500, -135)
    req = {
        "kind": "any",
        "floor_area_m2": {"min": 3000, "max": 6500},
        "clear_height_m": 7,
        "near": {"lon": lon, "lat": lat, "max_distance_m": 3000},
    }
    out = match(session, req, ADMIN, settings, today=TODAY, limit=500)
    feats = [f["properties"] for f in out["features"]]
    assert {"space", "parcel"} <= {p["kind"] for p in feats}
    sure = next(p for p in feats if p["kind"] == "space" and p["id"] == z.spaces[-2])
    best_land = max(p["score"] for p in feats if p["kind"] == "parcel")
    assert sure["score"] > best_land
    assert feats[0]["kind"] != "parcel"
