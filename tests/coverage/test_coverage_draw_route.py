"""The monthly draw, rebalancing suggestions and the 2-opt visit route."""

from __future__ import annotations

import hashlib
import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.draws import get_draw, list_draws, pick, run_draw, verify
from parkgis.coverage.rebalance import Move, apply_moves, suggest
from parkgis.coverage.route import nearest_neighbour, tour_length, two_opt, visit_route
from parkgis.errors import Conflict, Forbidden, InvalidInput, NotFound
from parkgis.settings import Settings
from parkgis.zonetime import Month
from tests.coverage.layout import Layout

ADMIN = Principal(user_id=None, name="admin", role="admin")
PLANNER = Principal(user_id=None, name="planner", role="planner")

# --- the draw -------------------------------------------------------------------------


def test_pick_is_the_documented_hash_ranking() -> None:
    ids = [5, 3, 9, 1, 7]
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"abc:{i}".encode()).hexdigest())
    assert pick("abc", ids, [], 2) == ranked[:2]
    assert pick("abc", list(reversed(ids)), [], 2) == ranked[:2]  # order does not matter
    assert pick("abc", ids, ranked[:1], 2) == ranked[1:3]
    with pytest.raises(InvalidInput):
        pick("abc", ids, [], 6)
    with pytest.raises(InvalidInput):
        pick("abc", ids, [], 0)


@hsettings(max_examples=200, deadline=None)
@given(
    seed=st.text(min_size=1, max_size=20),
    n=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_pick_never_repeats_unless_unavoidable(seed: str, n: int, data: st.DataObject) -> None:
    eligible = list(range(100, 100 + n))
    count = data.draw(st.integers(min_value=1, max_value=n))
    previous = data.draw(st.lists(st.sampled_from(eligible), max_size=n, unique=True))
    chosen = pick(seed, eligible, previous, count)
    assert chosen == pick(seed, eligible, previous, count)  # reproducible
    assert len(chosen) == len(set(chosen)) == count and set(chosen) <= set(eligible)
    repeats = set(chosen) & set(previous)
    fresh = n - len(previous)
    assert len(repeats) == max(0, count - fresh)


def test_monthly_draw_is_stored_and_never_repeats(layout: Layout, session: Session) -> None:
    # Months far in the future, so the test database's own draws are not in the way.
    m1, m2 = Month(2301, 12), Month(2302, 1)
    for _ in range(4):
        layout.officer()
    d1 = run_draw(session, m1, 2, created_by="test")
    assert d1.seed and len(d1.officer_ids) == 2 and verify(d1)
    d2 = run_draw(session, m2, 2, seed="meeting-2302-01")
    assert d2.previous_ids == d1.officer_ids
    assert not set(d2.officer_ids) & set(d1.officer_ids)
    assert d2.officer_ids == pick("meeting-2302-01", d2.eligible_ids, d1.officer_ids, 2)
    with pytest.raises(Conflict) as err:
        run_draw(session, m2, 2)
    assert err.value.detail["draw"]["officer_ids"] == d2.officer_ids
    assert get_draw(session, m2) is not None
    listed = [d for d in list_draws(session, year=2302)]
    assert [d["month"] for d in listed] == ["2302-01"] and listed[0]["verified"]
    with pytest.raises(InvalidInput):
        run_draw(session, Month(2303, 1), 10**6)
    # Tampering with the stored result is detected.
    session.execute(
        text("UPDATE draws SET officer_ids = :ids WHERE id = :id"),
        {"ids": list(reversed(d2.officer_ids)), "id": d2.id},
    )
    session.expire_all()
    assert not verify(get_draw(session, m2))


# --- rebalancing ----------------------------------------------------------------------


def _unbalanced(layout: Layout) -> tuple[int, int, int]:
    busy, quiet, far = layout.officer("busy"), layout.officer("quiet"), layout.officer("far")
    layout.assign(busy, *(layout.firm(x * 300, 0, above_scale=x < 2) for x in range(8)))
    layout.assign(quiet, layout.firm(2600, 300), layout.firm(2900, 300))
    layout.assign(far, layout.firm(40000, 0))
    return busy, quiet, far


def test_rebalance_evens_out_without_worsening_the_maximum(
    layout: Layout, session: Session, settings: Settings
) -> None:
    busy, quiet, far = _unbalanced(layout)
    before = session.execute(text("SELECT count(*) FROM assignments")).scalar()
    s = suggest(session, PLANNER, settings, officer_ids=[busy, quiet, far])
    # busy: 8 firms, 2 above scale = 10; quiet: 2; far: 1. Moving busy's eastern firms to
    # quiet (within 2.5 km) while quiet + 1 stays below busy: 10/2 -> 9/3 -> 8/4 -> 7/5 -> 6/6.
    assert s["before"]["max_workload"] == 10 and s["after"]["max_workload"] == 6
    assert s["after"]["stdev_workload"] < s["before"]["stdev_workload"]
    ours = s["moves"]
    assert len(ours) == 4 and all(m["from_officer_id"] == busy for m in ours)
    # Busy's eastern end goes, nearest first: x = 2100 (583 m from quiet's firm at
    # 2600/300), then 1800, 1500, 1200, each 300 m from the firm moved before it.
    assert [m["distance_m"] for m in ours] == pytest.approx([583.1, 300, 300, 300], abs=0.5)
    assert all(m["to_officer_id"] == quiet for m in ours)  # `far` is too far away
    assert all(m["distance_m"] <= settings.coverage.rebalance_max_distance_m for m in ours)
    assert s["workload_after"][busy] < s["workload_before"][busy]
    # Nothing was written.
    assert session.execute(text("SELECT count(*) FROM assignments")).scalar() == before
    with pytest.raises(Forbidden):
        suggest(
            session, Principal(user_id=None, name="o", role="officer", officer_id=busy), settings
        )


@hsettings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 3000),
            st.integers(0, 3000),
            st.booleans(),
        ),
        min_size=1,
        max_size=14,
    )
)
def test_rebalance_never_worsens_the_maximum(
    engine, settings: Settings, firms: list[tuple[int, int, int, bool]]
) -> None:
    with engine.connect() as conn, conn.begin() as trans:
        layout = Layout(conn)
        officers = [layout.officer() for _ in range(4)]
        for who, x, y, big in firms:
            layout.assign(officers[who], layout.firm(x, y, above_scale=big))
        with Session(bind=conn) as session:
            s = suggest(session, PLANNER, settings, officer_ids=officers)
        trans.rollback()
    assert s["after"]["max_workload"] <= s["before"]["max_workload"]
    assert s["after"]["stdev_workload"] <= s["before"]["stdev_workload"]
    total = sum(1 + settings.coverage.above_scale_weight * big for *_, big in firms)
    assert s["after"]["mean_workload"] == pytest.approx(total / 4, abs=1e-3)


def test_apply_is_explicit_and_checked(
    layout: Layout, session: Session, settings: Settings
) -> None:
    busy, quiet, far = _unbalanced(layout)
    s = suggest(session, PLANNER, settings, officer_ids=[busy, quiet, far])
    moves = [Move(**m) for m in s["moves"]]
    mine = [m for m in moves if m.from_officer_id == busy][:1]
    with pytest.raises(Forbidden):
        apply_moves(session, PLANNER, settings, mine)
    done = apply_moves(session, ADMIN, settings, mine, today=date(2026, 11, 20))
    firm = mine[0].enterprise_id
    rows = session.execute(
        text("SELECT officer_id, until FROM assignments WHERE enterprise_id = :e ORDER BY id"),
        {"e": firm},
    ).all()
    assert [tuple(r) for r in rows] == [(busy, date(2026, 11, 20)), (quiet, None)]
    assert done[0]["assignment_id"]
    audit = session.execute(
        text("SELECT count(*) FROM audit_log WHERE action = 'apply' AND entity_id = :i"),
        {"i": done[0]["assignment_id"]},
    ).scalar()
    assert audit == 1
    with pytest.raises(Conflict):  # stale: the firm has moved already
        apply_moves(session, ADMIN, settings, mine)


# --- the visit route ------------------------------------------------------------------


@hsettings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-5000, 5000), st.floats(-5000, 5000)), min_size=0, max_size=12),
    st.booleans(),
)
def test_two_opt_never_lengthens(points: list[tuple[float, float]], closed: bool) -> None:
    start = (0.0, 0.0)
    nn = nearest_neighbour(start, points)
    better = two_opt(start, points, nn, closed)
    assert sorted(better) == list(range(len(points)))
    assert (
        tour_length(start, points, better, closed) <= tour_length(start, points, nn, closed) + 1e-6
    )


def test_two_opt_untangles_a_crossing() -> None:
    pts = [(0.0, 10.0), (10.0, 0.0), (10.0, 10.0), (0.0, 0.1)]
    crossed = [0, 1, 2, 3]
    fixed = two_opt((0.0, 0.0), pts, crossed, closed=True)
    assert tour_length((0, 0), pts, fixed, True) < tour_length((0, 0), pts, crossed, True)
    assert tour_length((0, 0), pts, fixed, True) == pytest.approx(10 + 10 + 10 + 9.9 + 0.1)


def test_visit_route(layout: Layout, session: Session, settings: Settings) -> None:
    o = layout.officer(office=(0, 0))
    firms = [layout.firm(x, y) for x, y in [(1000, 0), (1000, 1000), (0, 1000), (500, 500)]]
    layout.assign(o, *firms)
    layout.visit(o, firms[3], "2026-11-05T10:00:00+08:00")
    r = visit_route(session, ADMIN, settings, o, month=Month(2026, 11))
    assert r["start"]["kind"] == "office"
    assert {s["enterprise_id"] for s in r["stops"]} == set(firms[:3])
    assert r["length_m"] == pytest.approx(4000, rel=0.002)  # the square's perimeter
    assert r["length_m"] <= r["nearest_neighbour_length_m"]
    assert r["geometry"]["type"] == "LineString" and len(r["geometry"]["coordinates"]) == 5
    assert [s["order"] for s in r["stops"]] == [1, 2, 3]
    short = visit_route(session, ADMIN, settings, o, month=Month(2026, 11), max_stops=1)
    assert len(short["stops"]) == 1 and len(short["left_for_later"]) == 2
    one_way = visit_route(
        session, ADMIN, settings, o, month=Month(2026, 11), return_to_office=False
    )
    assert one_way["length_m"] == pytest.approx(3000, rel=0.002)


def test_visit_route_empty_and_access(layout: Layout, session: Session, settings: Settings) -> None:
    done, nobody = layout.officer(), layout.officer()
    f = layout.firm(0, 0)
    layout.assign(done, f)
    layout.visit(done, f, "2026-11-05T10:00:00+08:00")
    r = visit_route(session, ADMIN, settings, done, month=Month(2026, 11))
    assert r["stops"] == [] and r["geometry"] is None and r["length_m"] == 0
    assert visit_route(session, ADMIN, settings, nobody)["stops"] == []
    me = Principal(user_id=None, name="o", role="officer", officer_id=done)
    assert visit_route(session, me, settings, done, month=Month(2026, 12))["stops"]
    with pytest.raises(Forbidden):
        visit_route(session, me, settings, nobody)
    with pytest.raises(NotFound):
        visit_route(session, ADMIN, settings, -5)
    # No office: start at the firms' centroid.
    c = visit_route(session, ADMIN, settings, done, month=Month(2026, 12))
    assert c["start"]["kind"] == "centroid"
    assert math.isclose(c["start"]["lon"], c["stops"][0]["lon"], abs_tol=1e-6)
