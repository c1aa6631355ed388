"""Log and list the programme's activities: briefings, volunteer service, ledger reviews.

An activity is checked as a visit is (:mod:`parkgis.workbench.rules`): its zone date may
not be in the future nor before the previous month, its point is both-or-neither and in
WGS84, and the browser's ``client_key`` stores an activity queued offline once however
often it is sent.

**Who logs what.** An officer logs their own activities and may name only the firms
currently assigned to them (the rule of visits, :func:`parkgis.access.require_own_firm`);
an admin logs for any active officer (``officer_id`` required) and may name any firm.
Admin, planner and officers read activities; officers read only their own.

**The ledger.** A ``ledger_review`` records that the ledger of floating party members was
reviewed on a day and how many members it counts, nothing else: no summary, no names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_own_firm, require_role
from parkgis.audit import record, snapshot
from parkgis.errors import Conflict, Forbidden, InvalidInput
from parkgis.models.programme import ACTIVITY_KINDS, SUMMARY_MAX_CHARS, Activity, ActivityFirm
from parkgis.settings import Settings
from parkgis.workbench.rules import check_client_key, check_point, check_visit_time
from parkgis.workbench.visits import visit_instant
from parkgis.zonetime import Month, zone_today

ACTIVITY_WRITERS = ("admin", "officer")
"""Roles that log activities (officers their own, admins for any officer)."""
ACTIVITY_READERS = ("admin", "planner", "officer")
"""Roles that read activities (officers only their own)."""
MAX_FIRMS = 200
"""Most firms one activity may name."""
MAX_COUNT = 100_000
"""Largest attendance or ledger member count accepted (a typo guard)."""


@dataclass(frozen=True)
class ActivityRow:
    """One stored activity, with its firms and where it was held (EPSG:4326 degrees)."""

    id: int
    officer_id: int
    kind: str
    held_on: date
    attendance: int | None
    member_count: int | None
    summary: str | None
    lon: float | None
    lat: float | None
    enterprise_ids: list[int] = field(default_factory=list)
    duplicate: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "id": self.id,
            "officer_id": self.officer_id,
            "kind": self.kind,
            "held_on": self.held_on.isoformat(),
            "attendance": self.attendance,
            "member_count": self.member_count,
            "summary": self.summary,
            "lon": self.lon,
            "lat": self.lat,
            "enterprise_ids": self.enterprise_ids,
            "duplicate": self.duplicate,
        }


_ROWS_SQL = """
SELECT a.id, a.officer_id, a.kind, a.held_on, a.attendance, a.member_count, a.summary,
       ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat,
       coalesce((SELECT array_agg(f.enterprise_id ORDER BY f.enterprise_id)
                 FROM activity_firms f WHERE f.activity_id = a.id), '{}') AS enterprise_ids
FROM activities a
WHERE (CAST(:ids AS int[]) IS NULL OR a.id = ANY(CAST(:ids AS int[])))
  AND (CAST(:officers AS int[]) IS NULL OR a.officer_id = ANY(CAST(:officers AS int[])))
  AND (CAST(:first AS date) IS NULL OR a.held_on >= CAST(:first AS date))
  AND (CAST(:last AS date) IS NULL OR a.held_on <= CAST(:last AS date))
ORDER BY a.held_on, a.id
"""


def _rows(
    session: Session,
    *,
    ids: Sequence[int] | None = None,
    officer_ids: Sequence[int] | None = None,
    month: Month | None = None,
) -> list[ActivityRow]:
    params = {
        "ids": list(ids) if ids is not None else None,
        "officers": list(officer_ids) if officer_ids is not None else None,
        "first": month.first_day if month else None,
        "last": month.last_day if month else None,
    }
    return [
        ActivityRow(
            r.id,
            r.officer_id,
            r.kind,
            r.held_on,
            r.attendance,
            r.member_count,
            r.summary,
            None if r.lon is None else round(float(r.lon), 7),
            None if r.lat is None else round(float(r.lat), 7),
            list(r.enterprise_ids),
        )
        for r in session.execute(text(_ROWS_SQL), params)
    ]


def activities_of(
    session: Session, officer_ids: Sequence[int] | None, month: Month
) -> list[ActivityRow]:
    """Activities held in ``month`` (zone dates) by these officers (all when None).

    No role check: for the library's own readers (the checklist) that checked already.
    """
    return _rows(session, officer_ids=officer_ids, month=month)


def list_activities(
    session: Session,
    principal: Principal,
    *,
    month: Month | None = None,
    officer_id: int | None = None,
) -> list[ActivityRow]:
    """The activities the caller may read, oldest first.

    Parameters
    ----------
    month : Month, optional
        Only those held in this month (zone calendar); all months when None.
    officer_id : int, optional
        Only this officer's. Officers may ask only for themselves (and get their own when
        they leave it out).

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous or investment callers; an officer asking for another officer.
    """
    require_role(principal, ACTIVITY_READERS, "read programme activities")
    if principal.role == "officer":
        if officer_id not in (None, principal.officer_id):
            raise Forbidden("officers read only their own activities", field="officer_id")
        officer_id = principal.officer_id
    ids = [officer_id] if officer_id is not None else None
    return _rows(session, officer_ids=ids, month=month)


def _existing(session: Session, officer_id: int | None, key: str) -> ActivityRow | None:
    row = session.scalar(select(Activity).where(Activity.client_key == key))
    if row is None:
        return None
    if officer_id is not None and row.officer_id != officer_id:
        raise Conflict("this client_key belongs to another officer's activity", field="client_key")
    found = _rows(session, ids=[row.id])
    return ActivityRow(**{**found[0].__dict__, "duplicate": True})


def _officer_for(session: Session, principal: Principal, officer_id: int | None) -> int:
    if principal.role == "officer":
        if principal.officer_id is None:
            raise Forbidden("this officer account is not linked to an officer", field="officer_id")
        if officer_id not in (None, principal.officer_id):
            raise Forbidden(
                f"officer_id {officer_id} is not you (officer {principal.officer_id}); "
                "officers log only their own activities",
                field="officer_id",
            )
        return principal.officer_id
    if officer_id is None:
        raise InvalidInput("officer_id is required: whose activity is it?", field="officer_id")
    active = session.scalar(text("SELECT active FROM officers WHERE id = :i"), {"i": officer_id})
    if active is None:
        raise InvalidInput(f"officer_id {officer_id}: there is no such officer", field="officer_id")
    if not active:
        raise InvalidInput(f"officer {officer_id} is no longer active", field="officer_id")
    return officer_id


def _firms(session: Session, principal: Principal, enterprise_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(enterprise_ids))
    if len(ids) > MAX_FIRMS:
        raise InvalidInput(f"name at most {MAX_FIRMS} firms", field="enterprise_ids")
    for e in ids:
        if not 1 <= e <= 2**31 - 1:
            raise InvalidInput(f"{e} is not a firm id", field="enterprise_ids")
    if principal.role == "officer":
        for e in ids:
            try:
                require_own_firm(principal, e)
            except Forbidden as exc:
                raise Forbidden(exc.message, field="enterprise_ids") from None
    known = set(
        session.scalars(text("SELECT id FROM enterprises WHERE id = ANY(:ids)"), {"ids": ids})
    )
    missing = [e for e in ids if e not in known]
    if missing:
        raise InvalidInput(
            f"no firm with id {', '.join(map(str, missing))}", field="enterprise_ids"
        )
    return ids


def _count(value: int | None, name: str, *, needed: bool) -> int | None:
    if value is None:
        if needed:
            raise InvalidInput(f"{name} is required for this kind of activity", field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number", field=name)
    if not 0 <= value <= MAX_COUNT:
        raise InvalidInput(f"{name} must be from 0 to {MAX_COUNT}", field=name)
    return value


def _shape(
    kind: str, attendance: int | None, member_count: int | None, summary: str | None
) -> tuple[int | None, int | None, str | None]:
    if kind not in ACTIVITY_KINDS:
        raise InvalidInput(
            f"kind must be one of {', '.join(ACTIVITY_KINDS)}",
            field="kind",
            allowed=list(ACTIVITY_KINDS),
        )
    text_ = (summary or "").strip() or None
    if kind == "ledger_review":
        if attendance is not None:
            raise InvalidInput(
                "a ledger review records its member_count, not an attendance", field="attendance"
            )
        if text_ is not None:
            raise InvalidInput(
                "a ledger review records only that it was reviewed and its member count; "
                "it takes no summary (the ledger's names stay out of parkgis)",
                field="summary",
            )
        return None, _count(member_count, "member_count", needed=True), None
    if member_count is not None:
        raise InvalidInput("member_count belongs to ledger reviews only", field="member_count")
    if text_ is not None and len(text_) > SUMMARY_MAX_CHARS:
        raise InvalidInput(
            f"summary is {len(text_)} characters; at most {SUMMARY_MAX_CHARS}", field="summary"
        )
    return _count(attendance, "attendance", needed=True), None, text_


def log_activity(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    kind: str,
    held_on: date | None = None,
    officer_id: int | None = None,
    enterprise_ids: Iterable[int] = (),
    attendance: int | None = None,
    member_count: int | None = None,
    summary: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    client_key: str | None = None,
    now: datetime | None = None,
) -> ActivityRow:
    """Log one activity, with an audit row, in the caller's transaction (not committed).

    Parameters
    ----------
    kind : {"briefing", "volunteer", "ledger_review"}
    held_on : date, optional
        Zone date; default today. Future dates and dates before the previous month are
        refused, as for visits (:func:`parkgis.workbench.rules.check_visit_time`).
    officer_id : int, optional
        Whose activity: an officer's own (default); required from an admin.
    enterprise_ids : iterable of int
        The firms involved (none or several). Officers may name only their assigned firms.
    attendance : int
        People present, 0 or more; required for briefings and volunteer activities.
    member_count : int
        Members on the ledger, 0 or more; required for (and only for) ledger reviews.
    summary : str, optional
        At most :data:`SUMMARY_MAX_CHARS` characters; never on a ledger review.
    lon, lat : float, optional
        Where it was held, EPSG:4326 degrees (both or neither).
    client_key : str, optional
        The browser's idempotency key; a repeat returns the first activity (``duplicate``).

    Returns
    -------
    ActivityRow

    Raises
    ------
    Unauthorized, Forbidden
        Not an officer or admin; another officer's name; a firm not assigned to the officer.
    InvalidInput, InvalidGeometry
        Naming the field: kind, held_on, counts, summary, firms, the point or the key.
    Conflict
        The ``client_key`` was used by another officer.
    """
    require_role(principal, ACTIVITY_WRITERS, "log programme activities")
    key = check_client_key(client_key)
    if key is not None and principal.role == "officer":
        seen = _existing(session, principal.officer_id, key)
        if seen is not None:
            return seen
    oid = _officer_for(session, principal, officer_id)
    if key is not None and principal.role != "officer":
        seen = _existing(session, oid, key)
        if seen is not None:
            return seen
    attendance, member_count, text_ = _shape(kind, attendance, member_count, summary)
    tz = settings.zone.timezone
    now = now or datetime.now(UTC)
    check_visit_time(visit_instant(held_on, tz, now=now), tz, now=now, field="held_on")
    point = check_point(lon, lat, field="lon")
    firms = _firms(session, principal, enterprise_ids)
    row = Activity(
        officer_id=oid,
        kind=kind,
        held_on=held_on or zone_today(tz, now),
        attendance=attendance,
        member_count=member_count,
        summary=text_,
        geom=from_shape(point, srid=4326) if point is not None else None,
        client_key=key,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
            session.add_all(ActivityFirm(activity_id=row.id, enterprise_id=e) for e in firms)
            session.flush()
    except IntegrityError:
        # The same key arrived twice at once: the other request stored it first.
        seen = _existing(session, oid, key) if key else None
        if seen is None:
            raise
        return seen
    after = snapshot(row)
    after["enterprise_ids"] = firms
    record(session, principal, "create", "activities", row.id, after=after)
    session.flush()
    return _rows(session, ids=[row.id])[0]
