"""The evaluation's raw figures per officer over a period: the rows behind every number.

Each function returns, for a set of officers and a period of instants ``[start, end)`` on
the zone's clock (or the zone dates ``first..last``), the rows that a figure of
:mod:`parkgis.programme.evaluation` counts, keyed by officer id. The same rows are the
figure's evidence (``GET /api/v1/programme/evaluation/evidence``), so a number and the
list behind it cannot disagree. No role is checked here: the evaluation checks it.

- :func:`resolved_requests`: requests resolved in the period that the officer answers for
  (:data:`parkgis.coverage.requests.REQUEST_OFFICERS_SQL`, as the monthly report and the
  checklist count them), with the working days each took (:mod:`parkgis.coverage.workdays`).
- :func:`stage_advances`: forward stage moves, in the period, of the projects the officer
  now cares for (``projects.officer_id``); stages gained per move.
- :func:`leases_through_holds`: holds of the officer's users (``users.officer_id``) that
  ended in a lease or a grant in the period.
- :func:`draw_scores_of`: the officer's scores in the draws of the period's months.
- investment calls are :func:`parkgis.coverage.calls.calls_between`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.coverage.requests import REQUEST_OFFICERS_SQL
from parkgis.coverage.workdays import WorkCalendar
from parkgis.models.base import PROJECT_STAGES

_RESOLVED_SQL = f"""
WITH who AS ({REQUEST_OFFICERS_SQL})
SELECT DISTINCT who.officer_id, r.id, r.enterprise_id, e.name AS enterprise_name, r.category,
       r.title, r.opened_on, r.resolved_on
FROM service_requests r
JOIN who ON who.request_id = r.id
JOIN enterprises e ON e.id = r.enterprise_id
WHERE r.resolved_on >= :first AND r.resolved_on <= :last
  AND who.officer_id = ANY(CAST(:ids AS int[]))
ORDER BY who.officer_id, r.resolved_on, r.id
"""

_ADVANCES_SQL = """
SELECT p.officer_id, p.id AS project_id, p.name AS project_name, ev.id AS event_id, ev.at,
       ev.from_stage, ev.to_stage
FROM project_events ev
JOIN projects p ON p.id = ev.project_id
WHERE ev.kind = 'transition' AND ev.at >= :start AND ev.at < :end
  AND ev.from_stage = ANY(CAST(:stages AS text[])) AND ev.to_stage = ANY(CAST(:stages AS text[]))
  AND p.officer_id = ANY(CAST(:ids AS int[]))
ORDER BY p.officer_id, ev.at, ev.id
"""

_LEASES_SQL = """
SELECT u.officer_id, r.id AS reservation_id, r.space_id, r.parcel_id, r.outcome,
       r.released_at, r.lease_enterprise_id, e.name AS enterprise_name,
       coalesce(s.code, p.code) AS unit_code, coalesce(s.area_m2, p.area_m2) AS area_m2
FROM reservations r
JOIN users u ON u.id = r.user_id
LEFT JOIN enterprises e ON e.id = r.lease_enterprise_id
LEFT JOIN spaces s ON s.id = r.space_id
LEFT JOIN parcels p ON p.id = r.parcel_id
WHERE r.outcome IN ('leased', 'granted') AND r.released_at >= :start AND r.released_at < :end
  AND u.officer_id = ANY(CAST(:ids AS int[]))
ORDER BY u.officer_id, r.released_at, r.id
"""

_SCORES_SQL = """
SELECT s.officer_id, d.id AS draw_id, d.month, s.score, s.scale, s.comment
FROM draw_scores s JOIN draws d ON d.id = s.draw_id
WHERE d.month >= :first_month AND d.month <= :last_month
  AND s.officer_id = ANY(CAST(:ids AS int[]))
ORDER BY s.officer_id, d.month
"""


def _by_officer(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        oid = r.pop("officer_id")
        out.setdefault(oid, []).append(r)
    return out


def resolved_requests(
    session: Session,
    officer_ids: list[int],
    first: date,
    last: date,
    calendar: WorkCalendar,
) -> dict[int, list[dict[str, Any]]]:
    """Requests resolved on zone dates ``first..last`` that each officer answers for.

    Each row carries ``working_days``: working days from ``opened_on`` to ``resolved_on``
    (:meth:`parkgis.coverage.workdays.WorkCalendar.working_days_between`).
    """
    rows = session.execute(
        text(_RESOLVED_SQL), {"first": first, "last": last, "ids": officer_ids}
    ).mappings()
    out = []
    for r in rows:
        row = dict(r)
        row["working_days"] = calendar.working_days_between(r["opened_on"], r["resolved_on"])
        out.append(row)
    return _by_officer(out)


def stage_advances(
    session: Session, officer_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Forward moves between the seven stages in ``[start, end)`` of each officer's projects.

    ``stages_gained`` of a move is how many stages it went forward (one under the
    lifecycle's rules). Moves to or from ``stalled``/``cancelled`` gain nothing and are
    left out.
    """
    rows = session.execute(
        text(_ADVANCES_SQL),
        {"start": start, "end": end, "stages": list(PROJECT_STAGES), "ids": officer_ids},
    ).mappings()
    out = []
    for r in rows:
        gained = PROJECT_STAGES.index(r["to_stage"]) - PROJECT_STAGES.index(r["from_stage"])
        if gained > 0:
            out.append(dict(r) | {"stages_gained": gained})
    return _by_officer(out)


def leases_through_holds(
    session: Session, officer_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Units leased (spaces) or granted (parcels) in ``[start, end)`` through holds placed
    by users linked to each officer (areas in m²)."""
    rows = session.execute(
        text(_LEASES_SQL), {"start": start, "end": end, "ids": officer_ids}
    ).mappings()
    out = []
    for r in rows:
        row = dict(r)
        row["area_m2"] = None if row["area_m2"] is None else float(row["area_m2"])
        out.append(row)
    return _by_officer(out)


def draw_scores_of(
    session: Session, officer_ids: list[int], first_month: str, last_month: str
) -> dict[int, list[dict[str, Any]]]:
    """Each officer's scores in the draws of months ``first_month..last_month`` (YYYY-MM).

    The caller may read them (the evaluation is for admins; see
    :mod:`parkgis.coverage.scores`). ``share`` is ``score / scale`` (0-1).
    """
    rows = session.execute(
        text(_SCORES_SQL),
        {"first_month": first_month, "last_month": last_month, "ids": officer_ids},
    ).mappings()
    out = []
    for r in rows:
        row = dict(r)
        row["score"] = float(row["score"])
        row["share"] = row["score"] / row["scale"]
        out.append(row)
    return _by_officer(out)
