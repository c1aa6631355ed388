"""``/me``: everything an officer needs this month, read in a few queries.

The month's "五个一" checklist comes from :func:`parkgis.programme.checklist`, the
function ``GET /api/v1/programme/checklist`` serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.coverage.draws import get_draw
from parkgis.errors import Forbidden, NotFound
from parkgis.projects.supervision import ProjectFilter, ProjectStatus, project_statuses
from parkgis.settings import Settings
from parkgis.workbench.firms import MyFirm, my_firms
from parkgis.workbench.holds import MyHold, my_holds
from parkgis.workbench.requests import MyRequest, my_requests
from parkgis.workbench.rules import earliest_visit_day
from parkgis.zonetime import Month, zone_today

if TYPE_CHECKING:
    from parkgis.programme.checklist import OfficerChecklist

WORKBENCH_ROLES = ("officer", "admin", "planner")
"""Who may open ``/me``; it shows firms, requests and projects only for an officer's id."""


@dataclass(frozen=True)
class DrawnMe:
    """This month's draw, when the officer was drawn: the month and who else reports."""

    month: str
    officer_ids: list[int]
    names: list[str]


@dataclass
class Workbench:
    """The officer's month: firms, open requests, projects, holds and the draw (zone dates)."""

    today: date
    month: Month
    officer_id: int | None
    officer_name: str | None
    earliest_visit_day: date
    firms: list[MyFirm] = field(default_factory=list)
    requests: list[MyRequest] = field(default_factory=list)
    projects: list[ProjectStatus] = field(default_factory=list)
    holds: list[MyHold] = field(default_factory=list)
    draw: DrawnMe | None = None
    checklist: OfficerChecklist | None = None
    """The officer's "五个一" for this month (:mod:`parkgis.programme.checklist`)."""

    @property
    def unvisited(self) -> int:
        """How many of the officer's firms have no visit this month."""
        return sum(1 for f in self.firms if not f.visited_this_month)

    def firm(self, enterprise_id: int) -> MyFirm | None:
        """One of the officer's firms by id (None when it is not theirs)."""
        return next((f for f in self.firms if f.id == enterprise_id), None)

    def summary(self) -> dict[str, Any]:
        """Counts for the page header and JSON."""
        return {
            "today": self.today.isoformat(),
            "month": str(self.month),
            "officer_id": self.officer_id,
            "firms": len(self.firms),
            "unvisited": self.unvisited,
            "open_requests": sum(1 for r in self.requests if r.status != "resolved"),
            "overdue_requests": sum(1 for r in self.requests if r.overdue),
            "projects": len(self.projects),
            "late_projects": sum(1 for p in self.projects if p.is_overdue),
            "holds": len(self.holds),
            "drawn": self.draw is not None,
            "checklist_done": (
                sum(1 for i in self.checklist.items if i.done) if self.checklist else None
            ),
        }


def _drawn(session: Session, month: Month, officer_id: int) -> DrawnMe | None:
    draw = get_draw(session, month)
    if draw is None or officer_id not in draw.officer_ids:
        return None
    names: dict[int, str] = dict(
        session.execute(
            text("SELECT id, name FROM officers WHERE id = ANY(:ids)"),
            {"ids": list(draw.officer_ids)},
        ).all()
    )
    ids = list(draw.officer_ids)
    return DrawnMe(str(month), ids, [names.get(i, f"#{i}") for i in ids])


def officer_workbench(
    session: Session, principal: Principal, settings: Settings, *, today: date | None = None
) -> Workbench:
    """The caller's workbench for the zone's current month.

    Parameters
    ----------
    today : date, optional
        The zone's date (default: today on the zone's clock).

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous callers and investment staff (their page is the site finder).
    """
    require_role(principal, WORKBENCH_ROLES, "open the officer's workbench")
    tz = settings.zone.timezone
    today = today or zone_today(tz)
    month = Month.of(today)
    wb = Workbench(
        today=today,
        month=month,
        officer_id=principal.officer_id,
        officer_name=None,
        earliest_visit_day=earliest_visit_day(today),
    )
    wb.holds = my_holds(session, principal, tz=tz)
    oid = principal.officer_id
    if oid is None:
        return wb
    wb.officer_name = session.scalar(text("SELECT name FROM officers WHERE id = :i"), {"i": oid})
    wb.firms = my_firms(session, principal, tz=tz, today=today)
    wb.requests = my_requests(session, principal, settings, today=today)
    projects = project_statuses(
        session, principal, today=today, filters=ProjectFilter(officer_ids=(oid,))
    )
    projects.sort(key=lambda p: (not p.is_overdue, -p.days_late, p.name))
    wb.projects = projects
    wb.draw = _drawn(session, month, oid)
    # Imported here: parkgis.programme imports parkgis.workbench.rules (visit rules).
    from parkgis.programme.checklist import checklist

    try:
        mine = checklist(session, principal, settings, month, officer_id=oid, today=today)
    except NotFound:  # an officer no longer active has no checklist
        mine = []
    wb.checklist = mine[0] if mine else None
    return wb


def own_firm_or_403(wb: Workbench, enterprise_id: int) -> MyFirm:
    """The officer's firm ``enterprise_id`` from the workbench, else 403 (not theirs)."""
    firm = wb.firm(enterprise_id)
    if firm is None:
        raise Forbidden(f"enterprise {enterprise_id} is not assigned to you", field="enterprise_id")
    return firm
