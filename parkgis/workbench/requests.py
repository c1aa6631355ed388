"""An officer's service requests: log one, list the open ones with their working-day deadline.

Status changes go through :func:`parkgis.coverage.requests.transition` (the API's function,
with its life cycle, versions and audit); logging goes through
:func:`parkgis.writes.core.create` like ``POST /api/v1/service_requests``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.requests import TRANSITIONS, calendar_for
from parkgis.coverage.workdays import DeadlineTable
from parkgis.settings import Settings
from parkgis.writes.core import create
from parkgis.zonetime import zone_today

_MINE_SQL = text(
    """
    SELECT r.id, r.enterprise_id, e.name AS enterprise_name, r.category, r.title, r.detail,
           r.status, r.department, r.opened_on, r.resolved_on, r.version
    FROM service_requests r
    JOIN enterprises e ON e.id = r.enterprise_id
    WHERE r.status IN ('open', 'in_progress', 'resolved')
      AND (r.officer_id = :oid
           OR (r.officer_id IS NULL AND EXISTS (
                SELECT 1 FROM assignments a
                WHERE a.enterprise_id = r.enterprise_id AND a.officer_id = :oid
                  AND a.until IS NULL)))
    """
)


@dataclass(frozen=True)
class MyRequest:
    """A request the officer answers for, with its deadline on the holiday calendar."""

    id: int
    enterprise_id: int
    enterprise_name: str
    category: str
    title: str
    detail: str | None
    status: str
    department: str | None
    opened_on: date
    deadline: date
    overdue: bool
    working_days_left: int
    working_days_late: int
    holidays: list[str]
    next_statuses: list[str]
    version: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def my_requests(
    session: Session, principal: Principal, settings: Settings, *, today: date | None = None
) -> list[MyRequest]:
    """The caller's open, in-progress and resolved (not yet closed) requests.

    A request is the officer's when it names them, or names nobody and its firm is assigned
    to them (as in :data:`parkgis.coverage.requests.REQUEST_OFFICERS_SQL`). Overdue ones
    come first (most late first), then by deadline. ``holidays`` names the holidays and
    make-up days between opening and the deadline, so the deadline can be read.
    """
    if principal.officer_id is None:
        return []
    today = today or zone_today(settings.zone.timezone)
    rows = session.execute(_MINE_SQL, {"oid": principal.officer_id}).mappings().all()
    if not rows:
        return []
    cal = calendar_for(settings)
    limits = settings.coverage.deadline_days
    table = DeadlineTable(cal, min(r["opened_on"] for r in rows), today, max(limits.values()))
    out = []
    for r in rows:
        due = table.deadline(r["opened_on"], limits[r["category"]])
        open_ = r["status"] in ("open", "in_progress")
        late = open_ and today > due
        span = [
            f"{d:%m-%d} {cal.names.get(d, '')}".strip()
            for d in sorted(cal.holidays | cal.workdays)
            if r["opened_on"] <= d <= due
        ]
        out.append(
            MyRequest(
                id=r["id"],
                enterprise_id=r["enterprise_id"],
                enterprise_name=r["enterprise_name"],
                category=r["category"],
                title=r["title"],
                detail=r["detail"],
                status=r["status"],
                department=r["department"],
                opened_on=r["opened_on"],
                deadline=due,
                overdue=late,
                working_days_left=table.working_days_between(today, due)
                if open_ and today <= due
                else 0,
                working_days_late=table.working_days_between(due, today) if late else 0,
                holidays=span,
                next_statuses=[s for s in TRANSITIONS[r["status"]] if s != r["status"]],
                version=r["version"],
            )
        )
    out.sort(
        key=lambda q: (
            not q.overdue,
            -q.working_days_late,
            q.status == "resolved",
            q.deadline,
            q.id,
        )
    )
    return out


def log_request(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    enterprise_id: int,
    category: str,
    title: str,
    detail: str | None = None,
    department: str | None = None,
    today: date | None = None,
) -> int:
    """Log a firm's request, opened today (zone date), through the API's create path.

    Returns
    -------
    int
        The new request's id.

    Raises
    ------
    Forbidden, InvalidInput
        Not the officer's firm; an unknown category or an empty title (naming the field).
    """
    body = {
        "enterprise_id": enterprise_id,
        "category": category,
        "title": title.strip(),
        "detail": (detail or "").strip() or None,
        "department": (department or "").strip() or None,
        "opened_on": (today or zone_today(settings.zone.timezone)).isoformat(),
    }
    return create(session, "service_requests", principal, body, zone_tz=settings.zone.timezone).id
