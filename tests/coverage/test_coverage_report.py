"""The monthly visit report: hand-counted figures, access, and the XLSX workbook."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.report import monthly_report, report_xlsx
from parkgis.errors import Forbidden, NotFound, Unauthorized
from parkgis.settings import Settings
from parkgis.zonetime import Month
from tests.coverage.layout import Layout

PLANNER = Principal(user_id=None, name="planner", role="planner")
DEC = Month(2026, 12)


@pytest.fixture
def december(layout: Layout) -> dict[str, int]:
    """Two officers; December 2026 hand count (Asia/Shanghai):

    - A: firms a1, a2, a3. Visits a1 on 1 Dec 00:05 and 31 Dec 23:50; reception of a2 on
      28 Dec. a3 not visited. Requests: a1 labour opened 1 Dec, resolved 4 Dec; a2
      utilities opened 20 Nov, still open (due 27 Nov: overdue on 31 Dec); a3 land opened
      15 Dec (due 14 Jan: not overdue).
    - B: firm b1, visited 30 Nov 23:59 only (November): not visited in December. Request
      b1 other opened 1 Oct, resolved 3 Dec (due 22 Oct: it was overdue until resolved).
    """
    a, b = layout.officer("甲"), layout.officer("乙")
    a1, a2, a3 = (layout.firm(i * 300, 0, name=f"=cmd{i}") for i in range(3))
    b1 = layout.firm(5000, 0)
    layout.assign(a, a1, a2, a3)
    layout.assign(b, b1)
    layout.visit(a, a1, "2026-12-01T00:05:00+08:00")
    layout.visit(a, a1, "2026-12-31T23:50:00+08:00")
    layout.visit(a, a2, "2026-12-28T09:00:00+08:00", kind="reception")
    layout.visit(b, b1, "2026-11-30T23:59:00+08:00")
    layout.request(
        a1, "labour", date(2026, 12, 1), status="resolved", resolved_on=date(2026, 12, 4)
    )
    late = layout.request(a2, "utilities", date(2026, 11, 20))
    layout.request(a3, "land", date(2026, 12, 15))
    layout.request(b1, "other", date(2026, 10, 1), status="resolved", resolved_on=date(2026, 12, 3))
    return {"a": a, "b": b, "a1": a1, "a2": a2, "a3": a3, "b1": b1, "late": late}


def _report(session: Session, s: Settings, d: dict[str, int], **kw):
    rep = monthly_report(session, PLANNER, s, DEC, today=date(2027, 1, 10), **kw)
    return rep, {r["officer_id"]: r for r in rep["officers"]}


def test_report_hand_count(december: dict[str, int], session: Session, settings: Settings) -> None:
    d = december
    rep, rows = _report(session, settings, d)
    a, b = rows[d["a"]], rows[d["b"]]
    assert rep["as_of"] == date(2026, 12, 31)
    assert (a["visits"], a["receptions"], a["firms_visited"], a["firms_not_visited"]) == (
        2,
        1,
        2,
        1,
    )
    assert (a["requests_raised"], a["requests_resolved"], a["overdue_requests"]) == (2, 1, 1)
    assert (b["visits"], b["firms_not_visited"], b["requests_resolved"]) == (0, 1, 1)
    assert b["overdue_requests"] == 0  # resolved on 3 Dec, before the report date
    assert {(n["officer_id"], n["enterprise_id"]) for n in rep["not_visited"]} >= {
        (d["a"], d["a3"]),
        (d["b"], d["b1"]),
    }
    assert [o["id"] for o in rep["overdue"] if o["officer_id"] in (d["a"], d["b"])] == [d["late"]]
    weeks = {w["week"]: w for w in rep["weeks"]}
    assert list(weeks)[0] == "2026-W49" and list(weeks)[-1] == "2026-W53"
    # Only our officers' visits are in this month in a clean database, so check ours:
    mine, _ = _report(session, settings, d, officer_id=d["a"])
    mw = {w["week"]: w for w in mine["weeks"]}
    assert (mw["2026-W49"]["visits"], mw["2026-W53"]["visits"], mw["2026-W53"]["receptions"]) == (
        1,
        1,
        1,
    )
    assert mine["zone"]["firms"] == 3 and mine["zone"]["visit_rate"] == round(2 / 3, 4)
    assert mine["zone"]["unassigned_enterprises"] is None


def test_report_during_the_month(
    december: dict[str, int], session: Session, settings: Settings
) -> None:
    # On 2 December the a1 labour request was not yet resolved nor overdue.
    rep = monthly_report(
        session, PLANNER, settings, DEC, officer_id=december["a"], today=date(2026, 12, 2)
    )
    assert rep["as_of"] == date(2026, 12, 2)
    assert rep["officers"][0]["overdue_requests"] == 1  # the November utilities request


def test_report_access(december: dict[str, int], session: Session, settings: Settings) -> None:
    me = Principal(user_id=None, name="a", role="officer", officer_id=december["a"])
    rep = monthly_report(session, me, settings, DEC)
    assert [r["officer_id"] for r in rep["officers"]] == [december["a"]]
    with pytest.raises(Forbidden):
        monthly_report(session, me, settings, DEC, officer_id=december["b"])
    with pytest.raises(Unauthorized):
        monthly_report(session, Principal(), settings, DEC)
    with pytest.raises(NotFound):
        monthly_report(session, PLANNER, settings, DEC, officer_id=-3)


def test_report_xlsx(december: dict[str, int], session: Session, settings: Settings) -> None:
    rep, _ = _report(session, settings, december, officer_id=december["a"])
    wb = load_workbook(io.BytesIO(report_xlsx(rep)))
    assert wb.sheetnames[:5] == ["summary", "officers", "weeks", "not_visited", "overdue"]
    assert "investment_calls" in wb.sheetnames  # counted apart from the firm visits
    officers = list(wb["officers"].values)
    assert officers[0][:4] == ("officer_id", "name", "unit", "firms")
    assert officers[1][0] == december["a"] and officers[1][1] == "甲"
    summary = {r[0]: r[1] for r in wb["summary"].values}
    assert summary["month"] == "2026-12" and summary["firms_not_visited"] == 1
    (cell,) = [r[2] for r in wb["not_visited"].iter_rows(min_row=2)]
    assert (cell.value, cell.data_type) == ("=cmd2", "s")  # text, not a formula
