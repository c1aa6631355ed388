"""The monthly visit report, per officer and for the zone, as JSON-able dicts and XLSX.

It carries every officer's "五个一" checklist of the month (``checklist``, officers missing
items first), made by :func:`parkgis.programme.build_checklists` from the same coverage
figures as the visit counts.

For a month (zone calendar): visits and receptions, firms visited and not visited (the
officer's current firms, see :mod:`parkgis.coverage.territories`), service requests raised and
resolved in the month, and requests overdue on the report date: the month's last day,
or today while the month is still running. Overdue on a day D means opened by D, not
resolved by D, and D past the deadline. Investment calls on prospects outside the zone
(:mod:`parkgis.coverage.calls`) are counted apart (``investment_calls``), never as visits.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.coverage.calls import calls_between, count_by_officer
from parkgis.coverage.requests import REQUEST_OFFICERS_SQL, calendar_for
from parkgis.coverage.territories import COVERAGE_READERS, territories
from parkgis.coverage.workdays import DeadlineTable
from parkgis.errors import Forbidden, NotFound
from parkgis.models.base import FIRM_CONTACT_SQL
from parkgis.settings import Settings
from parkgis.zonetime import IsoWeek, Month, month_bounds, weeks_of_month, zone_today

_REQUESTS_SQL = f"""
WITH who AS ({REQUEST_OFFICERS_SQL})
SELECT r.id, r.enterprise_id, e.name AS enterprise_name, r.category, r.title, r.department,
       r.opened_on, r.resolved_on, who.officer_id
FROM service_requests r
JOIN enterprises e ON e.id = r.enterprise_id
JOIN who ON who.request_id = r.id
WHERE r.opened_on <= :last AND (r.resolved_on IS NULL OR r.resolved_on >= :first)
  AND (CAST(:ids AS int[]) IS NULL OR who.officer_id = ANY(CAST(:ids AS int[])))
"""

_WEEKS_SQL = f"""
SELECT CAST(v.visited_at AT TIME ZONE :tz AS date) AS day, v.kind, count(*) AS n
FROM visits v
WHERE v.visited_at >= :start AND v.visited_at < :end AND {FIRM_CONTACT_SQL}
  AND (CAST(:ids AS int[]) IS NULL OR v.officer_id = ANY(CAST(:ids AS int[])))
GROUP BY 1, 2
"""


def monthly_report(
    session: Session,
    principal: Principal,
    settings: Settings,
    month: Month,
    *,
    officer_id: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The visit report of ``month`` for one officer, or for the zone.

    Officers get their own report only; admin and planner get any officer's or the zone's.

    Returns
    -------
    dict
        ``{"month", "as_of", "officer_id", "zone": totals, "officers": [row per officer],
        "weeks": [{"week", "monday", "sunday", "visits", "receptions"}],
        "not_visited": [{"officer_id", "enterprise_id", "name"}],
        "overdue": [{"id", "officer_id", "enterprise_id", ...}],
        "investment_calls": [{"id", "officer_id", "day", "prospect_name", ...}]}``.
    """
    require_role(principal, COVERAGE_READERS, "read visit reports")
    if principal.role == "officer":
        if officer_id not in (None, principal.officer_id):
            raise Forbidden("officers see only their own report", field="officer_id")
        officer_id = principal.officer_id
    tz = settings.zone.timezone
    today = today or zone_today(tz)
    as_of = min(today, month.last_day)
    ids = [officer_id] if officer_id is not None else None
    cov = territories(session, settings, officer_ids=ids, month=month, today=today)
    if officer_id is not None and not cov.officers:
        raise NotFound(f"no active officer {officer_id}", field="officer_id")
    officer_ids = [o.officer_id for o in cov.officers]
    reqs = session.execute(
        text(_REQUESTS_SQL),
        {"first": month.first_day, "last": month.last_day, "ids": officer_ids},
    ).all()
    cal = calendar_for(settings)
    days = settings.coverage.deadline_days
    table = DeadlineTable(
        cal, min((r.opened_on for r in reqs), default=as_of), as_of, max(days.values())
    )
    raised: dict[int, int] = {}
    resolved: dict[int, int] = {}
    overdue: list[dict[str, Any]] = []
    for r in reqs:
        if month.contains(r.opened_on):
            raised[r.officer_id] = raised.get(r.officer_id, 0) + 1
        if r.resolved_on is not None and month.contains(r.resolved_on):
            resolved[r.officer_id] = resolved.get(r.officer_id, 0) + 1
        due = table.deadline(r.opened_on, days[r.category])
        if (r.resolved_on is None or r.resolved_on > as_of) and as_of > due:
            overdue.append(
                {
                    "id": r.id,
                    "officer_id": r.officer_id,
                    "enterprise_id": r.enterprise_id,
                    "enterprise_name": r.enterprise_name,
                    "category": r.category,
                    "title": r.title,
                    "department": r.department,
                    "opened_on": r.opened_on,
                    "deadline": due,
                    "working_days_late": table.working_days_between(due, as_of),
                }
            )
    start, end = month_bounds(month, tz)
    calls = calls_between(session, start, end, tz=tz, officer_ids=officer_ids)
    n_calls = count_by_officer(calls)
    late: dict[int, int] = {}
    for o in overdue:
        late[o["officer_id"]] = late.get(o["officer_id"], 0) + 1
    rows = [
        {
            "officer_id": o.officer_id,
            "name": o.name,
            "unit": o.unit,
            "firms": o.firms,
            "visits": o.visits_this_month,
            "receptions": o.receptions_this_month,
            "firms_visited": o.firms - o.not_visited_this_month,
            "firms_not_visited": o.not_visited_this_month,
            "requests_raised": raised.get(o.officer_id, 0),
            "requests_resolved": resolved.get(o.officer_id, 0),
            "overdue_requests": late.get(o.officer_id, 0),
            "investment_calls": n_calls.get(o.officer_id, 0),
        }
        for o in cov.officers
    ]
    # Imported here: parkgis.programme uses the workbench's visit rules, and the workbench
    # imports this package.
    from parkgis.programme.checklist import build_checklists, missing_first

    checklists = missing_first(build_checklists(session, settings, month, cov, today=today))
    missed = [(o.officer_id, e) for o in cov.officers for e in o.not_visited_ids]
    names = _names(session, [e for _, e in missed])
    keys = ("firms", "visits", "receptions", "firms_visited", "firms_not_visited")
    zone: dict[str, Any] = {k: sum(r[k] for r in rows) for k in keys}
    zone.update(
        officers=len(rows),
        officers_all_visited=sum(1 for r in rows if r["firms"] and not r["firms_not_visited"]),
        visit_rate=round(zone["firms_visited"] / zone["firms"], 4) if zone["firms"] else None,
        requests_raised=len({r.id for r in reqs if month.contains(r.opened_on)}),
        requests_resolved=len(
            {r.id for r in reqs if r.resolved_on is not None and month.contains(r.resolved_on)}
        ),
        overdue_requests=len({o["id"] for o in overdue}),
        unassigned_enterprises=None if officer_id else len(cov.unassigned_enterprises),
        investment_calls=len(calls),
    )
    return {
        "month": str(month),
        "as_of": as_of,
        "officer_id": officer_id,
        "zone": zone,
        "officers": rows,
        "weeks": _weeks(session, tz, month, ids),
        "not_visited": [
            {"officer_id": oid, "enterprise_id": e, "name": names.get(e, "")} for oid, e in missed
        ],
        "overdue": sorted(overdue, key=lambda o: (o["officer_id"], o["deadline"], o["id"])),
        "checklist": [c.as_row() for c in checklists],
        "investment_calls": [c.as_dict() for c in calls],
    }


def _names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        text("SELECT id, name FROM enterprises WHERE id = ANY(:ids)"), {"ids": ids}
    )
    return {r.id: r.name for r in rows}


def _weeks(session: Session, tz: str, month: Month, ids: list[int] | None) -> list[dict[str, Any]]:
    start, end = month_bounds(month, tz)
    counts: dict[tuple[IsoWeek, str], int] = {}
    for r in session.execute(text(_WEEKS_SQL), {"tz": tz, "start": start, "end": end, "ids": ids}):
        key = (IsoWeek.of(r.day), r.kind)
        counts[key] = counts.get(key, 0) + int(r.n)
    return [
        {
            "week": str(w),
            "monday": w.monday,
            "sunday": w.sunday,
            "visits": counts.get((w, "visit"), 0),
            "receptions": counts.get((w, "reception"), 0),
        }
        for w in weeks_of_month(month)
    ]


SHEETS = {
    "officers": [
        "officer_id",
        "name",
        "unit",
        "firms",
        "visits",
        "receptions",
        "firms_visited",
        "firms_not_visited",
        "requests_raised",
        "requests_resolved",
        "overdue_requests",
        "investment_calls",
    ],
    "weeks": ["week", "monday", "sunday", "visits", "receptions"],
    "not_visited": ["officer_id", "enterprise_id", "name"],
    "overdue": [
        "id",
        "officer_id",
        "enterprise_id",
        "enterprise_name",
        "category",
        "title",
        "department",
        "opened_on",
        "deadline",
        "working_days_late",
    ],
    "investment_calls": [
        "id",
        "officer_id",
        "officer_name",
        "day",
        "prospect_name",
        "prospect_city",
        "shortlist_id",
        "summary",
    ],
}


def report_xlsx(report: dict[str, Any]) -> bytes:
    """The report as an Excel workbook: a summary sheet, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "summary"
    ws.append(["month", report["month"]])
    ws.append(["as_of", report["as_of"]])
    ws.append(["officer_id", report["officer_id"]])
    for k, v in report["zone"].items():
        ws.append([k, v])
    from parkgis.programme.checklist import REPORT_COLUMNS  # see monthly_report

    for name, cols in {**SHEETS, "checklist": REPORT_COLUMNS}.items():
        sheet = wb.create_sheet(name)
        sheet.append(cols)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in report[name]:
            sheet.append([row.get(c) for c in cols])
            for cell in sheet[sheet.max_row]:
                # Text such as a firm called "=HYPERLINK(...)" stays text, not a formula.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
