"""Service requests: working-day deadlines over holidays, the life cycle, overdue lists, stats."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.requests import (
    deadline,
    open_requests,
    overdue_report,
    request_stats,
    transition,
)
from parkgis.coverage.workdays import DeadlineTable, WorkCalendar, load_calendar
from parkgis.errors import ConfigError, Conflict, Forbidden, InvalidInput, PreconditionFailed
from parkgis.models import RequestEvent, ServiceRequest
from parkgis.settings import Settings
from parkgis.zonetime import Month
from tests.coverage.layout import Layout

ADMIN = Principal(user_id=None, name="admin", role="admin")
PLANNER = Principal(user_id=None, name="planner", role="planner")


def test_bundled_calendar() -> None:
    cal = load_calendar()
    assert cal.listed_years() == [2024, 2025, 2026, 2027]
    assert not cal.is_working_day(date(2026, 10, 1))  # National Day
    assert cal.is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert not cal.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert cal.is_working_day(date(2026, 2, 14)) and not cal.is_working_day(date(2026, 2, 16))
    assert not cal.is_working_day(date(2025, 1, 29))  # Spring Festival 2025
    assert cal.is_working_day(date(2028, 1, 3))  # not listed: a plain Monday


def test_deadline_over_the_national_day_holiday(settings: Settings) -> None:
    # Opened on the Mid-Autumn holiday; 10 working days: 28-30 Sep, 8, 9, 10 (Sat, worked),
    # 12, 13, 14, 15 Oct.
    assert deadline(settings, "labour", date(2026, 9, 25)) == date(2026, 10, 15)
    # Without the calendar it would be a plain two-week count.
    plain = WorkCalendar()
    assert plain.add_working_days(date(2026, 9, 25), 10) == date(2026, 10, 9)


def test_deadline_over_spring_festival(settings: Settings) -> None:
    # utilities = 5 working days: 14 Feb (Sat, worked), then 24, 25, 26, 27 Feb.
    assert deadline(settings, "utilities", date(2026, 2, 13)) == date(2026, 2, 27)
    assert WorkCalendar().add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 20)


def test_deadline_days_are_settings(settings: Settings) -> None:
    s = settings.model_copy(deep=True)
    s.coverage.deadline_days = {**s.coverage.deadline_days, "utilities": 1}
    assert deadline(s, "utilities", date(2026, 2, 13)) == date(2026, 2, 14)
    with pytest.raises(InvalidInput):
        deadline(s, "gossip", date(2026, 2, 13))


def test_calendar_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "h.csv"
    bad.write_text("date,kind,name\n2026-13-01,holiday,x\n")
    with pytest.raises(ConfigError, match="bad date"):
        load_calendar(bad)
    bad.write_text("# comment\ndate,kind,name\n2026-10-01,party,x\n")
    with pytest.raises(ConfigError, match="kind"):
        load_calendar(bad)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_calendar(tmp_path / "missing.csv")
    good = tmp_path / "g.csv"
    good.write_text("date,kind,name\n2030-01-07,holiday,x\n2030-01-05,workday,y\n")
    cal = load_calendar(good)
    assert cal.add_working_days(date(2030, 1, 4), 2) == date(2030, 1, 8)


@hsettings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=0, max_value=25),
)
def test_deadline_table_agrees_with_walking(opened: date, days: int) -> None:
    cal = load_calendar()
    table = DeadlineTable(cal, date(2024, 1, 1), date(2027, 12, 31), 25)
    assert table.deadline(opened, days) == cal.add_working_days(opened, days)
    due = cal.add_working_days(opened, days)
    assert cal.working_days_between(opened, due) == days
    assert days == 0 or cal.is_working_day(due)


@pytest.fixture
def firm_req(layout: Layout) -> dict[str, int]:
    o = layout.officer()
    f = layout.firm(0, 0)
    layout.assign(o, f)
    return {"officer": o, "firm": f, "req": layout.request(f, "permits", date(2026, 11, 2))}


def test_life_cycle(firm_req: dict[str, int], session: Session, settings: Settings) -> None:
    rid = firm_req["req"]
    me = Principal(
        user_id=None,
        name="officer",
        role="officer",
        officer_id=firm_req["officer"],
        own_enterprise_ids=frozenset({firm_req["firm"]}),
    )
    with pytest.raises(InvalidInput) as err:
        transition(session, me, settings, rid, "in_progress", today=date(2026, 11, 3))
    assert err.value.field == "department"
    with pytest.raises(InvalidInput):
        transition(session, me, settings, rid, "done", department="x")
    r = transition(
        session, me, settings, rid, "in_progress", department="人社局", today=date(2026, 11, 3)
    )
    assert (r.status, r.department) == ("in_progress", "人社局")
    assert r.in_progress_on == date(2026, 11, 3)
    with pytest.raises(Conflict):
        transition(session, me, settings, rid, "closed", today=date(2026, 11, 4))
    with pytest.raises(Conflict):  # a hand-over needs a new department
        transition(session, me, settings, rid, "in_progress", today=date(2026, 11, 4))
    transition(session, me, settings, rid, "in_progress", department="自然资源局")
    with pytest.raises(PreconditionFailed):
        transition(session, me, settings, rid, "resolved", expected_version=1)
    r = transition(session, me, settings, rid, "resolved", today=date(2026, 11, 10))
    assert r.resolved_on == date(2026, 11, 10) and r.in_progress_on == date(2026, 11, 3)
    r = transition(session, me, settings, rid, "in_progress", today=date(2026, 11, 11))
    assert r.resolved_on is None and r.status == "in_progress"  # re-opened
    transition(session, me, settings, rid, "resolved", today=date(2026, 11, 12))
    r = transition(session, me, settings, rid, "closed", today=date(2026, 11, 13))
    assert (r.status, r.closed_on) == ("closed", date(2026, 11, 13))
    assert r.resolved_on == date(2026, 11, 12)
    with pytest.raises(Conflict):
        transition(session, me, settings, rid, "open")
    events = session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == rid).order_by(RequestEvent.id)
    ).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        ("open", "in_progress"),
        ("in_progress", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]
    assert events[1].department == "自然资源局" and all(e.actor == "officer" for e in events)


def test_officers_act_on_their_own_firms_only(
    firm_req: dict[str, int], session: Session, settings: Settings
) -> None:
    stranger = Principal(user_id=None, name="x", role="officer", officer_id=firm_req["officer"])
    with pytest.raises(Forbidden):
        transition(session, stranger, settings, firm_req["req"], "resolved")
    with pytest.raises(Forbidden):
        transition(session, PLANNER, settings, firm_req["req"], "resolved")
    r = transition(session, ADMIN, settings, firm_req["req"], "resolved", today=date(2026, 11, 2))
    assert r.in_progress_on == r.resolved_on == date(2026, 11, 2)
    assert session.get(ServiceRequest, firm_req["req"]).status == "resolved"


def test_overdue_lists(layout: Layout, session: Session, settings: Settings) -> None:
    a, b = layout.officer(), layout.officer()
    fa, fb = layout.firm(0, 0), layout.firm(100, 0)
    layout.assign(a, fa)
    layout.assign(b, fb)
    # utilities, 5 working days from Fri 13 Feb 2026: due 27 Feb (Spring Festival).
    late = layout.request(fa, "utilities", date(2026, 2, 13), department="供电局")
    on_time = layout.request(fb, "utilities", date(2026, 2, 13), status="in_progress")
    layout.request(fb, "labour", date(2026, 1, 5), status="resolved", resolved_on=date(2026, 2, 1))
    mine = layout.request(fb, "land", date(2026, 1, 5), officer_id=a)  # due 2 Feb
    by_id = {r.id: r for r in open_requests(session, settings, today=date(2026, 2, 27))}
    assert by_id[late].deadline == date(2026, 2, 27) and not by_id[late].overdue
    rep = overdue_report(session, PLANNER, settings, officer_id=a, today=date(2026, 2, 28))
    assert {r["id"] for g in rep["by_officer"] for r in g["requests"]} == {late, mine}
    assert [g["officer_id"] for g in rep["by_officer"]] == [a]
    depts = {g["department"]: [r["id"] for r in g["requests"]] for g in rep["by_department"]}
    assert depts == {"供电局": [late], None: [mine]}
    one = next(r for r in rep["by_officer"][0]["requests"] if r["id"] == late)
    assert one["working_days_late"] == 1  # Sat 28 Feb is a make-up working day
    rep_b = overdue_report(session, PLANNER, settings, officer_id=b, today=date(2026, 2, 28))
    assert {r["id"] for g in rep_b["by_officer"] for r in g["requests"]} == {on_time}
    me = Principal(user_id=None, name="b", role="officer", officer_id=b)
    assert overdue_report(session, me, settings, today=date(2026, 2, 28))["count"] == 1
    with pytest.raises(Forbidden):
        overdue_report(session, me, settings, officer_id=a)
    with pytest.raises(Forbidden):
        overdue_report(session, Principal(user_id=None, name="i", role="investment"), settings)


def test_stats_per_category(layout: Layout, session: Session, settings: Settings) -> None:
    o = layout.officer()
    f = layout.firm(0, 0)
    layout.assign(o, f)
    d = date(2026, 3, 2)
    for days in (1, 3, 10):
        layout.request(f, "labour", d, status="resolved", resolved_on=d + timedelta(days=days))
    layout.request(f, "labour", d)  # open: raised, not resolved, overdue by 31 Mar
    layout.request(f, "land", date(2026, 2, 2), status="closed", resolved_on=date(2026, 3, 3))
    stats = request_stats(
        session, PLANNER, settings, month=Month(2026, 3), officer_id=o, today=date(2026, 3, 31)
    )
    cats = {c["category"]: c for c in stats["categories"]}
    assert (cats["labour"]["raised"], cats["labour"]["resolved"]) == (4, 3)
    assert cats["labour"]["median_days_to_resolve"] == 3
    assert cats["labour"]["resolved_on_time"] == 3
    assert (cats["labour"]["open_now"], cats["labour"]["overdue_now"]) == (1, 1)
    assert (cats["land"]["raised"], cats["land"]["resolved"]) == (0, 1)
    assert cats["land"]["median_days_to_resolve"] == 29
    assert cats["permits"]["median_days_to_resolve"] is None
    assert stats["total"]["raised"] == 4 and stats["total"]["resolved"] == 4
