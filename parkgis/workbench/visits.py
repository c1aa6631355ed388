"""Log a visit from a phone: zone-today by default, a check-in point, at most once per key.

The same path logs an investment call (登门招商, ``kind="investment_call"``): a call on a
prospect outside the zone, with the prospect's name (required), city and shortlist, and
no zone firm (:mod:`parkgis.coverage.calls`; never counted as a firm contact).

The write is :func:`parkgis.writes.core.create` on ``visits`` (the path of
``POST /api/v1/visits``: role and own-firm checks, the visit date rule, audit). What this
module adds is the browser's idempotency key: a visit queued offline may be sent again
when the connection returns, and a second arrival of the same ``client_key`` returns the
visit stored the first time instead of a new row (``visits.client_key`` is unique).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_own_firm, require_write
from parkgis.errors import Conflict, Forbidden
from parkgis.models import Visit
from parkgis.settings import Settings
from parkgis.workbench.rules import check_client_key, check_point, check_visit_time
from parkgis.writes.core import create
from parkgis.zonetime import zone_today

NOON = time(12, 0)


@dataclass(frozen=True)
class LoggedVisit:
    """The stored visit, whether this call was a repeat, and the check-in distance (m)."""

    id: int
    enterprise_id: int | None
    visited_at: datetime
    kind: str
    duplicate: bool
    distance_m: int | None
    prospect_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "id": self.id,
            "enterprise_id": self.enterprise_id,
            "visited_at": self.visited_at.isoformat(),
            "kind": self.kind,
            "duplicate": self.duplicate,
            "distance_m": self.distance_m,
            "prospect_name": self.prospect_name,
        }


def _checkin_distance(session: Session, visit_id: int) -> int | None:
    d = session.scalar(
        text(
            "SELECT round(ST_Distance(v.geom::geography, e.geom::geography)::numeric, 0) "
            "FROM visits v JOIN enterprises e ON e.id = v.enterprise_id "
            "WHERE v.id = :id AND v.geom IS NOT NULL"
        ),
        {"id": visit_id},
    )
    return None if d is None else int(d)


def _existing(session: Session, principal: Principal, key: str) -> LoggedVisit | None:
    v = session.scalar(select(Visit).where(Visit.client_key == key))
    if v is None:
        return None
    if v.officer_id != principal.officer_id:
        raise Conflict("this client_key belongs to another officer's visit", field="client_key")
    return LoggedVisit(
        v.id,
        v.enterprise_id,
        v.visited_at,
        v.kind,
        True,
        _checkin_distance(session, v.id),
        v.prospect_name,
    )


def visit_instant(visited_on: date | None, tz: str, *, now: datetime | None = None) -> datetime:
    """When a visit logged for ``visited_on`` happened: now for today, else noon that day.

    ``visited_on`` is a zone calendar date (None means today).
    """
    now = now or datetime.now(UTC)
    if visited_on is None or visited_on == zone_today(tz, now):
        return now
    return datetime.combine(visited_on, NOON, tzinfo=ZoneInfo(tz))


def log_visit(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    enterprise_id: int | None = None,
    kind: str = "visit",
    summary: str | None = None,
    visited_on: date | None = None,
    lon: float | None = None,
    lat: float | None = None,
    client_key: str | None = None,
    now: datetime | None = None,
    prospect_name: str | None = None,
    prospect_city: str | None = None,
    shortlist_id: int | None = None,
) -> LoggedVisit:
    """Log the caller's visit to (or reception of) one of their firms, or an investment call.

    Parameters
    ----------
    enterprise_id : int, optional
        A firm currently assigned to the calling officer (required for a visit or a
        reception; none for an investment call).
    kind : {"visit", "reception", "investment_call"}
    prospect_name, prospect_city, shortlist_id : optional
        An investment call's prospect (name required), city, and shortlist (one the
        caller made).
    visited_on : date, optional
        Zone date; default today. Future dates and dates before the previous month are
        refused (the rule of :func:`parkgis.workbench.rules.check_visit_time`).
    lon, lat : float, optional
        The phone's check-in point, EPSG:4326 degrees (both or neither).
    client_key : str, optional
        The browser's idempotency key; a repeat returns the first visit (``duplicate``).

    Returns
    -------
    LoggedVisit
        ``distance_m``: geodesic metres from the check-in point to the firm's point.

    Raises
    ------
    Forbidden, InvalidInput, Conflict
        Not an officer / not their firm; a bad date, kind, point or key; a key another
        officer used.
    """
    require_write(principal, "visits")
    if principal.officer_id is None:
        raise Forbidden("only an officer logs visits here", field="officer_id")
    key = check_client_key(client_key)
    if key is not None:
        seen = _existing(session, principal, key)
        if seen is not None:
            return seen
    if enterprise_id is not None:
        require_own_firm(principal, enterprise_id)
    check_point(lon, lat, field="lon")
    tz = settings.zone.timezone
    at = visit_instant(visited_on, tz, now=now)
    check_visit_time(at, tz, now=now, field="visited_on")
    body: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "visited_at": at.isoformat(),
        "kind": kind,
        "summary": (summary or "").strip() or None,
        "client_key": key,
    }
    if kind == "investment_call" or prospect_name or prospect_city or shortlist_id:
        body.update(
            prospect_name=(prospect_name or "").strip() or None,
            prospect_city=(prospect_city or "").strip() or None,
            shortlist_id=shortlist_id,
        )
    if lon is not None:
        body["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
    try:
        with session.begin_nested():
            written = create(session, "visits", principal, body, zone_tz=tz)
    except Conflict:
        # The same key arrived twice at once: the other request stored it first.
        seen = _existing(session, principal, key) if key else None
        if seen is None:
            raise
        return seen
    row = written.row
    return LoggedVisit(
        row.id,
        row.enterprise_id,
        row.visited_at,
        row.kind,
        False,
        _checkin_distance(session, row.id),
        row.prospect_name,
    )
