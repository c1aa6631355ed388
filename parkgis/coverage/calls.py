"""Door-to-door investment calls (登门招商): visits to prospects outside the zone.

A call is a row of ``visits`` with ``kind = 'investment_call'``: it names a prospect
(``prospect_name``, ``prospect_city``, optionally the prospect's ``shortlist_id``) and no
zone firm. It is logged through the visit write path (``POST /api/v1/visits``,
``POST /me/visits``), but it is **never a firm contact**: coverage, the visit gaps, the
workbench's counts and the report's visit figures count only
:data:`parkgis.models.base.FIRM_VISIT_KINDS`. The monthly report and the evaluation
list the calls apart, with the functions here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal

CALL_KIND = "investment_call"

_CALLS_SQL = text(
    """
    SELECT v.id, v.officer_id, o.name AS officer_name, v.visited_at,
           CAST(v.visited_at AT TIME ZONE :tz AS date) AS day,
           v.prospect_name, v.prospect_city, v.shortlist_id, v.summary
    FROM visits v JOIN officers o ON o.id = v.officer_id
    WHERE v.kind = 'investment_call' AND v.visited_at >= :start AND v.visited_at < :end
      AND (CAST(:ids AS int[]) IS NULL OR v.officer_id = ANY(CAST(:ids AS int[])))
    ORDER BY v.visited_at, v.id
    """
)


@dataclass(frozen=True)
class InvestmentCall:
    """One call on a prospect; ``day`` is the zone date of ``visited_at``."""

    id: int
    officer_id: int
    officer_name: str
    visited_at: datetime
    day: date
    prospect_name: str
    prospect_city: str | None
    shortlist_id: int | None
    summary: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values (``visited_at`` as ISO 8601)."""
        out = asdict(self)
        out["visited_at"] = self.visited_at.isoformat()
        return out


def calls_between(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    tz: str,
    officer_ids: list[int] | None = None,
) -> list[InvestmentCall]:
    """The investment calls made in ``[start, end)``, oldest first.

    Parameters
    ----------
    start, end : datetime
        Instants (timezone-aware), e.g. :func:`parkgis.zonetime.month_bounds`.
    tz : str
        The zone's time zone, for each call's ``day``.
    officer_ids : list of int, optional
        Only these officers' calls (default: everyone's). The caller checks the role.
    """
    rows = session.execute(
        _CALLS_SQL, {"tz": tz, "start": start, "end": end, "ids": officer_ids}
    ).mappings()
    return [InvestmentCall(**r) for r in rows]


def count_by_officer(calls: list[InvestmentCall]) -> dict[int, int]:
    """How many calls each officer made."""
    out: dict[int, int] = {}
    for c in calls:
        out[c.officer_id] = out.get(c.officer_id, 0) + 1
    return out


@dataclass(frozen=True)
class Lead:
    """A shortlist the caller made for a prospect, offered as an investment call's lead."""

    id: int
    prospect: str
    created_on: date


def my_leads(session: Session, principal: Principal, *, tz: str, limit: int = 50) -> list[Lead]:
    """The caller's own shortlists, newest first (the leads a call of theirs may link).

    Anonymous callers and users with no id get none. ``created_on`` is a zone date.
    """
    if principal.user_id is None:
        return []
    rows = session.execute(
        text(
            "SELECT id, prospect, CAST(created_at AT TIME ZONE :tz AS date) AS created_on "
            "FROM shortlists WHERE user_id = :u ORDER BY created_at DESC, id DESC LIMIT :n"
        ),
        {"u": principal.user_id, "tz": tz, "n": limit},
    ).mappings()
    return [Lead(**r) for r in rows]
