"""The "五个一" checklist on the hand-made fixture month (see ``tests.programme.fixture``):
each item done for officer A, and not done for officer B except the volunteer activity,
with the evidence checked by hand; who may read whose checklist; the threshold setting."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.territories import coverage_for
from parkgis.errors import Forbidden, NotFound, Unauthorized
from parkgis.programme import OfficerChecklist, checklist, missing_first
from parkgis.settings import Settings
from tests.programme.fixture import MONTH, TODAY, FixtureMonth

ADMIN = Principal(user_id=None, name="admin", role="admin")
PLANNER = Principal(user_id=None, name="planner", role="planner")


def mine(session: Session, settings: Settings, f: FixtureMonth) -> dict[int, OfficerChecklist]:
    rows = checklist(session, ADMIN, settings, MONTH, today=TODAY)
    return {c.officer_id: c for c in rows if c.officer_id in (f.a, f.b)}


def test_officer_a_does_all_five(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    a = mine(session, settings, f)[f.a]
    assert [i.number for i in a.items] == [1, 2, 3, 4, 5]
    assert a.all_done and a.missing == [] and a.month_over
    firms = a.item("contact_firms")
    # a1's visit at 00:30 on 1 October zone time is 30 September in UTC: October here.
    assert (firms.done, firms.count, firms.required) == (True, 2, 2)
    assert firms.evidence["not_contacted_ids"] == []
    assert (firms.evidence["visits"], firms.evidence["receptions"]) == (1, 1)
    assert firms.evidence["link"] == f"/api/v1/coverage?officer_id={f.a}&month=2026-10"
    ledger = a.item("ledger")
    assert ledger.done and ledger.evidence["activity_ids"] == [f.ledger_a]
    assert ledger.evidence["member_count"] == 12
    assert a.item("briefing").evidence["activity_ids"] == [f.briefing_a]
    assert a.item("volunteer").evidence["activity_ids"] == [f.volunteer_a]
    assert a.item("briefing").evidence["link"] == (
        f"/api/v1/programme/activities?month=2026-10&officer_id={f.a}"
    )
    req = a.item("requests")
    assert (req.done, req.count, req.required) == (True, 1, 1)
    assert req.evidence["request_ids"] == [f.resolved_a]


def test_officer_b_misses_four_at_the_month_edges(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    b = mine(session, settings, f)[f.b]
    assert not b.all_done
    assert b.missing == ["contact_firms", "ledger", "briefing", "requests"]
    firms = b.item("contact_firms")
    # b1 at 23:30 on 31 October counts; b2 only on 30 September.
    assert (firms.done, firms.count, firms.required) == (False, 1, 2)
    assert firms.evidence["not_contacted_ids"] == [f.b2]
    assert b.item("ledger").evidence == {
        "activity_ids": [],
        "member_count": None,
        "link": f"/api/v1/programme/activities?month=2026-10&officer_id={f.b}",
    }
    assert not b.item("briefing").done and b.item("briefing").count == 0  # 1 November
    assert b.item("volunteer").done and b.item("volunteer").evidence["activity_ids"] == [
        f.volunteer_b
    ]  # the month's last day counts
    req = b.item("requests")
    assert (req.done, req.count, req.evidence["request_ids"]) == (False, 0, [])
    # The item 1 figures are the coverage figures, read once.
    cov = coverage_for(session, ADMIN, settings, officer_id=f.b, month=MONTH, today=TODAY)
    assert cov.officers[0].not_visited_ids == firms.evidence["not_contacted_ids"]


def test_threshold_of_item_five_is_a_setting(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    two = settings.model_copy(deep=True)
    two.programme.requests_resolved_min = 2
    a = mine(session, two, f)[f.a]
    req = a.item("requests")
    assert (req.done, req.count, req.required) == (False, 1, 2)
    assert a.missing == ["requests"]


def test_the_current_month_is_not_over_and_later_activities_count_there(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    from parkgis.zonetime import Month

    rows = checklist(session, ADMIN, settings, Month(2026, 11), officer_id=f.b, today=TODAY)
    (b,) = rows
    assert b.month_over  # 1 December: November is over
    assert b.item("briefing").done and b.item("requests").done  # the 1 November ones
    (b_dec,) = checklist(session, ADMIN, settings, Month(2026, 12), officer_id=f.b, today=TODAY)
    assert not b_dec.month_over


def test_officers_read_only_their_own(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    own = checklist(session, f.officer("b"), settings, MONTH, today=TODAY)
    assert [c.officer_id for c in own] == [f.b]
    with pytest.raises(Forbidden) as e:
        checklist(session, f.officer("b"), settings, MONTH, officer_id=f.a, today=TODAY)
    assert e.value.field == "officer_id"
    planner = checklist(session, PLANNER, settings, MONTH, officer_id=f.a, today=TODAY)
    assert [c.officer_id for c in planner] == [f.a]
    with pytest.raises(Forbidden):
        checklist(session, Principal(name="inv", role="investment"), settings, MONTH)
    with pytest.raises(Unauthorized):
        checklist(session, Principal(), settings, MONTH)
    with pytest.raises(NotFound):
        checklist(session, ADMIN, settings, MONTH, officer_id=2**31 - 1, today=TODAY)


def test_missing_first_orders_the_report(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    rows = list(mine(session, settings, f).values())
    assert [c.officer_id for c in missing_first(rows)] == [f.b, f.a]
    d = missing_first(rows)[0].as_dict()
    assert d["all_done"] is False and d["done_count"] == 1 and len(d["items"]) == 5
