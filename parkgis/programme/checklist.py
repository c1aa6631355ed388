"""The monthly "五个一" checklist: each officer's five items for a month, with evidence.

The programme's published rule, for every officer, every month:

1. ``contact_firms``: contact each assigned firm at least once. This is the coverage
   figure (:func:`parkgis.coverage.territories.territories`, what ``/api/v1/coverage``
   serves): done when ``not_visited_ids`` is empty, i.e. every current firm had a visit or
   a reception by that officer in the month. An officer with no assigned firms has nothing
   to contact, so the item is done.
2. ``ledger``: keep the ledger of floating party members (流动党员台账) up to date: at
   least one ``ledger_review`` activity in the month.
3. ``briefing``: hold one policy briefing (宣讲): a ``briefing`` activity.
4. ``volunteer``: hold one volunteer-service activity: a ``volunteer`` activity.
5. ``requests``: solve a batch of firms' urgent problems (急难愁盼): at least
   :attr:`parkgis.settings.ProgrammeSettings.requests_resolved_min` service requests the
   officer answers for (:data:`parkgis.coverage.requests.REQUEST_OFFICERS_SQL`, as the
   monthly report counts them) resolved in the month.

Months and dates are the zone's calendar (:mod:`parkgis.zonetime`). Officers read their
own checklist; admin and planner (the leadership pages' roles) everyone's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.coverage.requests import REQUEST_OFFICERS_SQL
from parkgis.coverage.territories import Coverage, territories
from parkgis.errors import Forbidden, NotFound
from parkgis.programme.activities import activities_of
from parkgis.settings import Settings
from parkgis.zonetime import Month, zone_today

CHECKLIST_READERS = ("admin", "planner", "officer")
"""Roles that read checklists (officers only their own)."""

ITEMS: tuple[tuple[str, str, str], ...] = (
    ("contact_firms", "走访联系每一家包联企业", "Contact each assigned firm at least once"),
    ("ledger", "更新一本流动党员台账", "Keep the floating party members' ledger up to date"),
    ("briefing", "开展一次政策宣讲", "Hold one policy briefing"),
    ("volunteer", "开展一次志愿服务", "Hold one volunteer-service activity"),
    ("requests", "解决一批急难愁盼问题", "Solve a batch of firms' urgent problems"),
)
"""The five items in the rule's order: key, Chinese and English wording."""

ACTIVITY_ITEM = {"ledger_review": "ledger", "briefing": "briefing", "volunteer": "volunteer"}
"""Activity kind → the checklist item it counts for."""

_RESOLVED_SQL = f"""
WITH who AS ({REQUEST_OFFICERS_SQL})
SELECT who.officer_id, array_agg(DISTINCT r.id ORDER BY r.id) AS ids
FROM service_requests r
JOIN who ON who.request_id = r.id
WHERE r.resolved_on >= :first AND r.resolved_on <= :last
  AND who.officer_id = ANY(CAST(:ids AS int[]))
GROUP BY who.officer_id
"""


@dataclass(frozen=True)
class ChecklistItem:
    """One item for one officer and month: done or not, the count against what is needed.

    ``evidence`` holds the ids behind the count and ``link``, the API query that lists them.
    """

    number: int
    key: str
    done: bool
    count: int
    required: int
    evidence: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "number": self.number,
            "key": self.key,
            "done": self.done,
            "count": self.count,
            "required": self.required,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class OfficerChecklist:
    """One officer's five items for a month (zone calendar)."""

    officer_id: int
    name: str
    unit: str | None
    month: Month
    month_over: bool
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def all_done(self) -> bool:
        """Whether all five items are done."""
        return all(i.done for i in self.items)

    @property
    def missing(self) -> list[str]:
        """Keys of the items not done, in the rule's order."""
        return [i.key for i in self.items if not i.done]

    def item(self, key: str) -> ChecklistItem:
        """One item by key (``contact_firms``, ``ledger``, ``briefing``, ``volunteer``,
        ``requests``)."""
        return next(i for i in self.items if i.key == key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "officer_id": self.officer_id,
            "name": self.name,
            "unit": self.unit,
            "month": str(self.month),
            "month_over": self.month_over,
            "all_done": self.all_done,
            "done_count": sum(1 for i in self.items if i.done),
            "missing": self.missing,
            "items": [i.as_dict() for i in self.items],
        }

    def as_row(self) -> dict[str, Any]:
        """One flat row: the report's sheet and table (:data:`REPORT_COLUMNS`)."""
        by = {i.key: i for i in self.items}
        return {
            "officer_id": self.officer_id,
            "name": self.name,
            "unit": self.unit,
            "items_done": sum(1 for i in self.items if i.done),
            "missing": ", ".join(self.missing),
            "contact_firms_done": by["contact_firms"].done,
            "firms_contacted": by["contact_firms"].count,
            "firms_assigned": by["contact_firms"].required,
            "ledger_done": by["ledger"].done,
            "ledger_reviews": by["ledger"].count,
            "ledger_members": by["ledger"].evidence.get("member_count"),
            "briefing_done": by["briefing"].done,
            "briefings": by["briefing"].count,
            "volunteer_done": by["volunteer"].done,
            "volunteer_activities": by["volunteer"].count,
            "requests_done": by["requests"].done,
            "requests_resolved": by["requests"].count,
            "requests_needed": by["requests"].required,
        }


REPORT_COLUMNS = [
    "officer_id",
    "name",
    "unit",
    "items_done",
    "missing",
    "contact_firms_done",
    "firms_contacted",
    "firms_assigned",
    "ledger_done",
    "ledger_reviews",
    "ledger_members",
    "briefing_done",
    "briefings",
    "volunteer_done",
    "volunteer_activities",
    "requests_done",
    "requests_resolved",
    "requests_needed",
]
"""Columns of the checklist sheet of the monthly report (:meth:`OfficerChecklist.as_row`)."""


def missing_first(rows: list[OfficerChecklist]) -> list[OfficerChecklist]:
    """Officers missing items first (most missing first), then by officer id."""
    return sorted(rows, key=lambda c: (c.all_done, -len(c.missing), c.officer_id))


def build_checklists(
    session: Session,
    settings: Settings,
    month: Month,
    cov: Coverage,
    *,
    today: date | None = None,
) -> list[OfficerChecklist]:
    """The checklists of the officers in ``cov`` (their coverage for ``month``), no role check.

    For callers that checked the role already and hold the month's coverage (the monthly
    report); others call :func:`checklist`.

    Parameters
    ----------
    cov : Coverage
        :func:`parkgis.coverage.territories.territories` for ``month``: item 1 is read
        from it, never recomputed.
    today : date, optional
        Zone date deciding whether the month is over (default: today).
    """
    today = today or zone_today(settings.zone.timezone)
    ids = [o.officer_id for o in cov.officers]
    acts: dict[tuple[int, str], list[int]] = {}
    members: dict[int, int] = {}
    for a in activities_of(session, ids, month):
        acts.setdefault((a.officer_id, ACTIVITY_ITEM[a.kind]), []).append(a.id)
        if a.kind == "ledger_review" and a.member_count is not None:
            members[a.officer_id] = a.member_count  # the latest review's count (rows in date order)
    resolved: dict[int, list[int]] = {
        r.officer_id: list(r.ids)
        for r in session.execute(
            text(_RESOLVED_SQL), {"first": month.first_day, "last": month.last_day, "ids": ids}
        )
    }
    need = settings.programme.requests_resolved_min
    m = str(month)
    out = []
    for o in cov.officers:
        oid = o.officer_id
        activities_link = f"/api/v1/programme/activities?month={m}&officer_id={oid}"
        items = [
            ChecklistItem(
                1,
                "contact_firms",
                o.not_visited_this_month == 0,
                o.firms - o.not_visited_this_month,
                o.firms,
                {
                    "firms": o.firms,
                    "visits": o.visits_this_month,
                    "receptions": o.receptions_this_month,
                    "not_contacted_ids": list(o.not_visited_ids),
                    "link": f"/api/v1/coverage?officer_id={oid}&month={m}",
                },
            )
        ]
        for number, key in ((2, "ledger"), (3, "briefing"), (4, "volunteer")):
            found = acts.get((oid, key), [])
            evidence: dict[str, Any] = {"activity_ids": found, "link": activities_link}
            if key == "ledger":
                evidence["member_count"] = members.get(oid)
            items.append(ChecklistItem(number, key, bool(found), len(found), 1, evidence))
        solved = resolved.get(oid, [])
        items.append(
            ChecklistItem(
                5,
                "requests",
                len(solved) >= need,
                len(solved),
                need,
                {
                    "request_ids": solved,
                    "link": f"/api/v1/requests/stats?month={m}&officer_id={oid}",
                },
            )
        )
        out.append(OfficerChecklist(oid, o.name, o.unit, month, today > month.last_day, items))
    return out


def checklist(
    session: Session,
    principal: Principal,
    settings: Settings,
    month: Month | None = None,
    *,
    officer_id: int | None = None,
    today: date | None = None,
) -> list[OfficerChecklist]:
    """Each active officer's "五个一" checklist for ``month``, in officer id order.

    Parameters
    ----------
    month : Month, optional
        Zone calendar month; default the current one.
    officer_id : int, optional
        Only this officer. Officers always get only their own (asking for another is 403).
    today : date, optional
        The zone's date (default: today), deciding whether the month is over.

    Returns
    -------
    list of OfficerChecklist
        Five :class:`ChecklistItem` each; ``all_done`` says whether all five are done.

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous or investment callers; an officer asking for another officer.
    NotFound
        ``officer_id`` is not an active officer.
    """
    require_role(principal, CHECKLIST_READERS, "read the programme checklist")
    if principal.role == "officer":
        if officer_id not in (None, principal.officer_id):
            raise Forbidden("officers see only their own checklist", field="officer_id")
        if principal.officer_id is None:
            return []
        officer_id = principal.officer_id
    tz = settings.zone.timezone
    today = today or zone_today(tz)
    month = month or Month.of(today)
    ids = [officer_id] if officer_id is not None else None
    cov = territories(session, settings, officer_ids=ids, month=month, today=today)
    if officer_id is not None and not cov.officers:
        raise NotFound(f"no active officer {officer_id}", field="officer_id")
    return build_checklists(session, settings, month, cov, today=today)
