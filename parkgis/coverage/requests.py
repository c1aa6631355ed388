"""Service requests (诉求), closed-loop: status changes, deadlines in working days, overdue lists.

Life cycle::

    open ──► in_progress ──► resolved ──► closed
      └──────────────────────► ▲   │
                   in_progress ◄───┘  (re-opened: the firm was not satisfied)

- ``in_progress`` needs the department that handles the request (given now or before);
  moving to ``in_progress`` again with another department records a hand-over.
- Each change stamps the day (``in_progress_on``, ``resolved_on``, ``closed_on``, zone
  dates) and adds a :class:`parkgis.models.RequestEvent` with the exact instant and actor.
- A request is **overdue** when it is ``open`` or ``in_progress`` and the zone's today is
  past its deadline: ``opened_on`` plus the category's working days
  (:attr:`parkgis.settings.CoverageSettings.deadline_days`), counted on the holiday
  calendar of :mod:`parkgis.coverage.workdays`.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_own_firm, require_read, require_write
from parkgis.audit import record
from parkgis.coverage.workdays import DeadlineTable, WorkCalendar, load_calendar
from parkgis.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from parkgis.models import RequestEvent, ServiceRequest
from parkgis.models.base import REQUEST_CATEGORIES, REQUEST_STATUSES
from parkgis.settings import Settings
from parkgis.zonetime import Month, zone_today

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "resolved"),
    "in_progress": ("in_progress", "resolved"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
}
"""Allowed next statuses; ``in_progress → in_progress`` is a hand-over to a department."""

OPEN_STATUSES = ("open", "in_progress")

REQUEST_OFFICERS_SQL = """
    SELECT r.id AS request_id, who.officer_id
    FROM service_requests r
    CROSS JOIN LATERAL (
        SELECT r.officer_id AS officer_id WHERE r.officer_id IS NOT NULL
        UNION ALL
        SELECT a.officer_id FROM assignments a
        WHERE r.officer_id IS NULL AND a.enterprise_id = r.enterprise_id AND a.until IS NULL
    ) who
"""
"""Who answers for each request: its ``officer_id``, else the firm's current officers."""


def calendar_for(settings: Settings) -> WorkCalendar:
    """The holiday calendar named by the settings (bundled CSV by default)."""
    return load_calendar(settings.coverage.holidays_file)


def deadline(settings: Settings, category: str, opened_on: date) -> date:
    """The last day a request of ``category`` opened on ``opened_on`` is on time (zone date).

    Examples
    --------
    A labour request (10 working days) opened on Friday 25 September 2026 (a holiday)
    runs into the National Day holiday (1-7 October, with Saturday 10 October worked)
    and is due on Thursday 15 October 2026.
    """
    days = settings.coverage.deadline_days.get(category)
    if days is None:
        raise InvalidInput(f"unknown category {category!r}", field="category")
    return calendar_for(settings).add_working_days(opened_on, days)


def transition(
    session: Session,
    principal: Principal,
    settings: Settings,
    request_id: int,
    to: str,
    *,
    department: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> ServiceRequest:
    """Move a service request to status ``to``, stamping the day and recording an event.

    Parameters
    ----------
    to : str
        ``in_progress``, ``resolved`` or ``closed`` (see :data:`TRANSITIONS`).
    department : str, optional
        The department handling it; required when it first goes ``in_progress``.
    expected_version : int, optional
        The ``version`` the caller last saw (``If-Match``); a mismatch raises 412.
    today : date, optional
        The zone date to stamp; defaults to today in the zone's time zone.

    Raises
    ------
    NotFound, Forbidden, InvalidInput, Conflict, PreconditionFailed
        No such request; an officer acting on another officer's firm; an unknown status
        or a missing department; a move the life cycle does not allow; a stale version.
    """
    require_write(principal, "service_requests")
    req = session.get(ServiceRequest, request_id, with_for_update=True)
    if req is None:
        raise NotFound(f"service request {request_id} does not exist", field="id")
    require_own_firm(principal, req.enterprise_id)
    if expected_version is not None and req.version != expected_version:
        raise PreconditionFailed(
            f"service request {request_id} is at version {req.version}, not {expected_version}"
        )
    if to not in REQUEST_STATUSES:
        raise InvalidInput(
            f"unknown status {to!r}; use one of {', '.join(REQUEST_STATUSES)}", field="to"
        )
    department = department.strip() if department else None
    allowed = TRANSITIONS[req.status]
    handover = to == req.status == "in_progress"
    if to not in allowed or (handover and (not department or department == req.department)):
        hint = ", ".join(a for a in allowed if a != req.status) or "none: it is closed"
        raise Conflict(
            f"a {req.status} request cannot become {to}"
            + ("; a hand-over names a new department" if handover else "")
            + f"; allowed: {hint}",
            field="to",
            allowed=list(allowed),
        )
    day = today or zone_today(settings.zone.timezone)
    if day < req.opened_on:
        raise InvalidInput(f"the request opens on {req.opened_on}, after {day}", field="to")
    if to == "in_progress" and not (department or req.department):
        raise InvalidInput("name the department that will handle it", field="department")
    before, department_before = req.status, req.department
    if department:
        req.department = department
    if to == "in_progress":
        if before == "resolved":
            req.resolved_on = None
        req.in_progress_on = req.in_progress_on or day
    elif to == "resolved":
        req.in_progress_on = req.in_progress_on or day
        req.resolved_on = day
    elif to == "closed":
        req.closed_on = day
    req.status = to
    record(
        session,
        principal,
        "transition",
        "service_requests",
        req.id,
        before={"status": before, "department": department_before},
        after={"status": to, "department": req.department},
    )
    session.add(
        RequestEvent(
            request_id=req.id,
            from_status=before,
            to_status=to,
            department=req.department,
            actor=principal.name,
            note=note,
        )
    )
    session.flush()
    return req


@dataclass(frozen=True)
class DueRequest:
    """An unresolved request with its deadline (zone dates)."""

    id: int
    enterprise_id: int
    enterprise_name: str
    officer_ids: list[int]
    category: str
    title: str
    status: str
    department: str | None
    opened_on: date
    deadline: date
    overdue: bool
    working_days_late: int

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


def open_requests(
    session: Session, settings: Settings, *, today: date | None = None
) -> list[DueRequest]:
    """Every ``open``/``in_progress`` request with its deadline and whether it is overdue.

    One query; deadlines come from a precomputed working-day table.
    """
    today = today or zone_today(settings.zone.timezone)
    rows = session.execute(
        text(
            f"""
            WITH who AS ({REQUEST_OFFICERS_SQL})
            SELECT r.id, r.enterprise_id, e.name AS enterprise_name, r.category, r.title,
                   r.status, r.department, r.opened_on,
                   coalesce(array_agg(who.officer_id ORDER BY who.officer_id)
                            FILTER (WHERE who.officer_id IS NOT NULL), '{{}}') AS officer_ids
            FROM service_requests r
            JOIN enterprises e ON e.id = r.enterprise_id
            LEFT JOIN who ON who.request_id = r.id
            WHERE r.status IN ('open', 'in_progress')
            GROUP BY r.id, e.name
            ORDER BY r.opened_on, r.id
            """
        )
    ).all()
    if not rows:
        return []
    cal = calendar_for(settings)
    days = settings.coverage.deadline_days
    table = DeadlineTable(cal, min(r.opened_on for r in rows), today, max(days.values()))
    out = []
    for r in rows:
        due = table.deadline(r.opened_on, days[r.category])
        late = table.working_days_between(due, today) if today > due else 0
        out.append(
            DueRequest(
                id=r.id,
                enterprise_id=r.enterprise_id,
                enterprise_name=r.enterprise_name,
                officer_ids=list(r.officer_ids),
                category=r.category,
                title=r.title,
                status=r.status,
                department=r.department,
                opened_on=r.opened_on,
                deadline=due,
                overdue=today > due,
                working_days_late=late,
            )
        )
    return out


def overdue_report(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    officer_id: int | None = None,
    department: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Overdue requests grouped per officer and per department.

    Officers see only their own; admin and planner see all (and may filter).

    Returns
    -------
    dict
        ``{"today", "count", "by_officer": [{"officer_id", "requests": [...]}],
        "by_department": [{"department", "requests": [...]}]}``; a request with two
        officers appears under both, and ``department`` null means not yet assigned.
    """
    require_read(principal, "service_requests")
    if principal.role == "officer":
        if officer_id not in (None, principal.officer_id):
            raise Forbidden("officers see only their own overdue requests", field="officer_id")
        officer_id = principal.officer_id
    today = today or zone_today(settings.zone.timezone)
    late = [r for r in open_requests(session, settings, today=today) if r.overdue]
    if officer_id is not None:
        late = [r for r in late if officer_id in r.officer_ids]
    if department is not None:
        late = [r for r in late if r.department == department]
    by_officer: dict[int, list[dict[str, Any]]] = {}
    by_dept: dict[str | None, list[dict[str, Any]]] = {}
    for r in late:
        for oid in r.officer_ids:
            by_officer.setdefault(oid, []).append(r.as_dict())
        by_dept.setdefault(r.department, []).append(r.as_dict())
    return {
        "today": today,
        "count": len(late),
        "by_officer": [{"officer_id": k, "requests": v} for k, v in sorted(by_officer.items())],
        "by_department": [
            {"department": k, "requests": v}
            for k, v in sorted(by_dept.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        ],
    }


def request_stats(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    month: Month | None = None,
    officer_id: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Per category: requests raised and resolved, and how long resolving took.

    Parameters
    ----------
    month : Month, optional
        Count requests raised, and requests resolved, in this month; all time when None.
    officer_id : int, optional
        Only requests this officer answers for (see :data:`REQUEST_OFFICERS_SQL`).

    Returns
    -------
    dict
        ``{"month", "categories": [{"category", "raised", "resolved",
        "median_days_to_resolve", "median_working_days_to_resolve", "resolved_on_time",
        "open_now", "overdue_now", "deadline_working_days"}], "total": {...}}``. Medians
        are over the requests resolved in the period (calendar days from ``opened_on`` to
        ``resolved_on``), null when none was resolved.
    """
    require_read(principal, "service_requests")
    today = today or zone_today(settings.zone.timezone)
    lo = month.first_day if month else date.min
    hi = month.last_day if month else date.max
    rows = session.execute(
        text(
            f"""
            SELECT r.id, r.category, r.status, r.opened_on, r.resolved_on
            FROM service_requests r
            WHERE (CAST(:officer AS int) IS NULL OR r.id IN (
                      SELECT request_id FROM ({REQUEST_OFFICERS_SQL}) w
                      WHERE w.officer_id = :officer))
              AND ((r.opened_on BETWEEN :lo AND :hi)
                   OR (r.resolved_on BETWEEN :lo AND :hi)
                   OR r.status IN ('open', 'in_progress'))
            """
        ),
        {"officer": officer_id, "lo": lo, "hi": hi},
    ).all()
    cal = calendar_for(settings)
    limits = settings.coverage.deadline_days
    now_open = {r.id: r for r in open_requests(session, settings, today=today)}
    cats: dict[str, dict[str, Any]] = {}
    for cat in REQUEST_CATEGORIES:
        mine = [r for r in rows if r.category == cat]
        solved = [r for r in mine if r.resolved_on is not None and lo <= r.resolved_on <= hi]
        days = [(r.resolved_on - r.opened_on).days for r in solved]
        wdays = [cal.working_days_between(r.opened_on, r.resolved_on) for r in solved]
        cats[cat] = {
            "category": cat,
            "deadline_working_days": limits[cat],
            "raised": sum(1 for r in mine if lo <= r.opened_on <= hi),
            "resolved": len(solved),
            "resolved_on_time": sum(1 for w in wdays if w <= limits[cat]),
            "median_days_to_resolve": statistics.median(days) if days else None,
            "median_working_days_to_resolve": statistics.median(wdays) if wdays else None,
            "open_now": sum(1 for r in mine if r.id in now_open),
            "overdue_now": sum(1 for r in mine if r.id in now_open and now_open[r.id].overdue),
        }
    keys = ("raised", "resolved", "resolved_on_time", "open_now", "overdue_now")
    total = {k: sum(c[k] for c in cats.values()) for k in keys}
    return {
        "month": str(month) if month else None,
        "today": today,
        "officer_id": officer_id,
        "categories": list(cats.values()),
        "total": total,
    }
