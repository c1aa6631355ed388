"""Holds on a space or a parcel while an officer negotiates, never double-promised.

A hold is a :class:`~parkgis.models.Reservation` row covering
``tstzrange(held_from, expires_at)``, with ``held_from = now()`` (server time). The
exclusion constraints ``no_double_space_hold`` / ``no_double_parcel_hold`` (GiST on the
unit id and that range) make two overlapping holds on one unit impossible, whatever the
number of officers asking at once: PostgreSQL lets one insert through and answers the
others with SQLSTATE 23P01, which becomes :class:`~parkgis.errors.Conflict` naming the
holder and the end of their hold. Nothing is checked-then-inserted in Python.

A hold is *active* while its range contains ``now()``. It expires by itself: once
``expires_at`` has passed the range no longer overlaps a new hold, and the match no
longer treats the unit as held, with no job to run. Releasing sets ``expires_at`` (and
``released_at``) to now. Converting a hold into a lease occupies the space (or grants the
parcel) to the firm, ends the hold with outcome ``leased``/``granted``, and writes the
audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_read, require_write
from parkgis.audit import changes, record, snapshot
from parkgis.errors import Conflict, Forbidden, InvalidInput, NotFound
from parkgis.models import Enterprise, ExpansionRequest, Parcel, Reservation, Space
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

EXCLUSION_VIOLATION = "23P01"

_BLOCKER = {
    unit: text(
        "SELECT r.id, r.holder, r.user_id, r.held_from, r.expires_at, "
        "o.name AS officer_name, u.name AS user_name FROM reservations r "
        "LEFT JOIN users u ON u.id = r.user_id LEFT JOIN officers o ON o.id = u.officer_id "
        f"WHERE r.{unit}_id = :uid AND tstzrange(r.held_from, r.expires_at) && "
        "tstzrange(now(), now() + make_interval(days => :days)) "
        "ORDER BY r.expires_at DESC LIMIT 1"
    )
    for unit in ("space", "parcel")
}


def hold_json(r: Reservation, now: datetime | None = None) -> dict[str, Any]:
    """A reservation as JSON values, with ``active`` as of ``now`` (default: UTC now)."""
    now = now or datetime.now(UTC)
    return {
        "id": r.id,
        "space_id": r.space_id,
        "parcel_id": r.parcel_id,
        "request_id": r.request_id,
        "holder": r.holder,
        "user_id": r.user_id,
        "days": r.days,
        "held_from": r.held_from.isoformat(),
        "expires_at": r.expires_at.isoformat(),
        "released_at": r.released_at.isoformat() if r.released_at else None,
        "outcome": r.outcome,
        "lease_enterprise_id": r.lease_enterprise_id,
        "active": r.held_from <= now < r.expires_at,
    }


def hold(
    session: Session,
    *,
    space_id: int | None = None,
    parcel_id: int | None = None,
    holder: str,
    days: int,
    request_id: int | None = None,
    principal: Principal,
    settings: Settings,
) -> Reservation:
    """Hold one space or one parcel, whole, for ``days`` days from now.

    Parameters
    ----------
    space_id, parcel_id : int
        Exactly one: the unit to hold. A space must be ``vacant``, a parcel ``available``.
    holder : str
        Who the unit is held for (firm or officer's note), shown to other officers.
    days : int
        Length of the hold, 1 to ``PARKGIS_MATCH_MAX_HOLD_DAYS``.
    request_id : int, optional
        The saved match (``ExpansionRequest``) the hold belongs to.

    Returns
    -------
    Reservation
        The new hold (flushed; the caller commits).

    Raises
    ------
    Conflict
        The unit is already held (details: ``held_by``, ``expires_at``,
        ``reservation_id``), or is not vacant/available.
    InvalidInput, NotFound, Forbidden, Unauthorized
        Bad fields, unknown unit, or a caller who may not hold units.
    """
    require_write(principal, "reservations")
    if (space_id is None) == (parcel_id is None):
        raise InvalidInput("give exactly one of space_id and parcel_id", field="space_id")
    holder = (holder or "").strip()
    if not holder or len(holder) > 500 or "\x00" in holder:
        raise InvalidInput("holder must be 1 to 500 characters", field="holder")
    max_days = settings.match.max_hold_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= max_days:
        raise InvalidInput(f"days must be a whole number from 1 to {max_days}", field="days")
    unit, uid = ("space", space_id) if space_id is not None else ("parcel", parcel_id)
    assert uid is not None
    _check_unit_open(session, unit, uid)
    if request_id is not None and session.get(ExpansionRequest, request_id) is None:
        raise InvalidInput(f"match request {request_id} does not exist", field="request_id")
    params = {
        "uid": uid,
        "request_id": request_id,
        "holder": holder,
        "user_id": principal.user_id,
        "days": days,
    }
    try:
        with session.begin_nested():
            rid = session.execute(
                text(
                    f"INSERT INTO reservations ({unit}_id, request_id, holder, user_id, days, "
                    "held_from, expires_at) VALUES (:uid, :request_id, :holder, :user_id, "
                    ":days, now(), now() + make_interval(days => :days)) RETURNING id"
                ),
                params,
            ).scalar_one()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        raise _held_conflict(session, unit, uid, days) from None
    row = session.get(Reservation, rid)
    assert row is not None
    record(session, principal, "hold", "reservations", rid, after=snapshot(row))
    return row


def _check_unit_open(session: Session, unit: str, uid: int) -> None:
    # FOR SHARE: a concurrent lease (which updates the row) cannot slip in between this
    # check and the insert; holds on one unit still run side by side.
    if unit == "space":
        space = session.get(Space, uid, with_for_update={"read": True})
        if space is None:
            raise NotFound(f"space {uid} does not exist", field="space_id")
        if space.status != "vacant":
            raise Conflict(f"space {uid} is {space.status}, not vacant", field="space_id")
    else:
        parcel = session.get(Parcel, uid, with_for_update={"read": True})
        if parcel is None:
            raise NotFound(f"parcel {uid} does not exist", field="parcel_id")
        if parcel.status != "available":
            raise Conflict(f"parcel {uid} is {parcel.status}, not available", field="parcel_id")


def _held_conflict(session: Session, unit: str, uid: int, days: int) -> Conflict:
    """The 409 for a refused hold, naming the officer (or user) who holds the unit and until
    when; never the firm it is held for (that is the holder's business)."""
    row = session.execute(_BLOCKER[unit], {"uid": uid, "days": days}).mappings().first()
    if row is None:  # the blocking hold ended between the refusal and this query
        return Conflict(f"{unit} {uid} was being held; try again", field=f"{unit}_id")
    until = row["expires_at"].isoformat()
    if row["officer_name"]:
        who = f"officer {row['officer_name']}"
    elif row["user_name"]:
        who = f"user {row['user_name']}"
    else:
        who = "another user"
    return Conflict(
        f"{unit} {uid} is held by {who} until {until}; ask them to release it",
        field=f"{unit}_id",
        held_by=row["officer_name"] or row["user_name"] or None,
        held_by_user_id=row["user_id"],
        expires_at=until,
        reservation_id=row["id"],
    )


def _active_for_update(session: Session, reservation_id: int, principal: Principal) -> Reservation:
    r = session.get(Reservation, reservation_id, with_for_update=True)
    if r is None:
        raise NotFound(f"reservation {reservation_id} does not exist", field="reservation_id")
    active = session.scalar(
        select(
            func.tstzrange(Reservation.held_from, Reservation.expires_at).op("@>")(func.now())
        ).where(Reservation.id == reservation_id)
    )
    if not active:
        ended = (r.released_at or r.expires_at).isoformat()
        raise Conflict(
            f"reservation {reservation_id} is no longer active (ended {ended}"
            + (f", {r.outcome}" if r.outcome else ", expired")
            + ")",
            field="reservation_id",
        )
    if principal.role != "admin" and r.user_id != principal.user_id:
        raise Forbidden(
            f"reservation {reservation_id} was placed by another user; only they or an admin "
            "may end it"
        )
    return r


def release(session: Session, reservation_id: int, principal: Principal) -> Reservation:
    """End an active hold now (outcome ``released``); only its owner or an admin may.

    Raises
    ------
    NotFound
        No such reservation.
    Conflict
        The hold has already ended (expired, released or leased).
    Forbidden
        Someone else's hold.
    """
    require_write(principal, "reservations")
    r = _active_for_update(session, reservation_id, principal)
    before = snapshot(r)
    r.expires_at = func.now()
    r.released_at = func.now()
    r.outcome = "released"
    session.flush()
    session.refresh(r)
    b, a = changes(before, snapshot(r))
    record(session, principal, "release", "reservations", r.id, before=b, after=a)
    return r


def lease(
    session: Session,
    reservation_id: int,
    *,
    enterprise_id: int,
    principal: Principal,
    settings: Settings,
) -> Reservation:
    """Turn an active hold into a lease (space) or a grant (parcel) to ``enterprise_id``.

    The space becomes ``occupied`` with the firm as occupant (a parcel becomes
    ``granted`` to the firm, granted today in the zone's time zone); the hold ends with
    outcome ``leased``/``granted``; both changes are written to the audit log.

    Raises
    ------
    NotFound, Conflict, Forbidden, InvalidInput
        Unknown reservation, hold no longer active or unit no longer open, someone else's
        hold, unknown firm.
    """
    require_write(principal, "reservations")
    r = _active_for_update(session, reservation_id, principal)
    if session.get(Enterprise, enterprise_id) is None:
        raise InvalidInput(f"enterprise {enterprise_id} does not exist", field="enterprise_id")
    hold_before = snapshot(r)
    if r.space_id is not None:
        space = session.get(Space, r.space_id, with_for_update=True)
        assert space is not None
        if space.status != "vacant":
            raise Conflict(f"space {space.id} is {space.status}, not vacant", field="space_id")
        before = snapshot(space)
        space.status = "occupied"
        space.occupant_enterprise_id = enterprise_id
        space.available_from = None
        unit: Any = space
        entity, outcome = "spaces", "leased"
    else:
        parcel = session.get(Parcel, r.parcel_id, with_for_update=True)
        assert parcel is not None
        if parcel.status != "available":
            raise Conflict(
                f"parcel {parcel.id} is {parcel.status}, not available", field="parcel_id"
            )
        before = snapshot(parcel)
        parcel.status = "granted"
        parcel.holder_enterprise_id = enterprise_id
        parcel.granted_on = zone_today(settings.zone.timezone)
        unit, entity, outcome = parcel, "parcels", "granted"
    r.outcome = outcome
    r.lease_enterprise_id = enterprise_id
    r.released_at = func.now()
    r.expires_at = func.now()
    session.flush()
    session.refresh(r)
    session.refresh(unit)
    b, a = changes(before, snapshot(unit))
    record(session, principal, "lease", entity, unit.id, before=b, after=a)
    b, a = changes(hold_before, snapshot(r))
    record(session, principal, "lease", "reservations", r.id, before=b, after=a)
    return r


def extend_hold(
    session: Session,
    reservation_id: int,
    *,
    days: int,
    principal: Principal,
    settings: Settings,
) -> Reservation:
    """Push an active hold's end ``days`` days later, within the maximum hold from now.

    Parameters
    ----------
    days : int
        1 to ``settings.match.max_hold_days``; the new end is at most that many days from
        now.

    Raises
    ------
    NotFound, Conflict, Forbidden, InvalidInput
        Unknown hold; ended already or overlapping another hold; someone else's hold; a
        bad ``days`` or an end too far ahead.
    """
    require_write(principal, "reservations")
    max_days = settings.match.max_hold_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= max_days:
        raise InvalidInput(f"days must be a whole number from 1 to {max_days}", field="days")
    r = _active_for_update(session, reservation_id, principal)
    if r.expires_at + timedelta(days=days) > datetime.now(UTC) + timedelta(days=max_days):
        raise InvalidInput(
            f"a hold may run at most {max_days} days from now; extend by fewer days",
            field="days",
        )
    before = snapshot(r)
    try:
        with session.begin_nested():
            session.execute(
                text(
                    "UPDATE reservations SET expires_at = expires_at + make_interval(days => :d), "
                    "days = coalesce(days, 0) + :d WHERE id = :id"
                ),
                {"d": days, "id": r.id},
            )
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        raise Conflict(
            "the unit is promised to someone else after this hold", field="days"
        ) from None
    session.refresh(r)
    b, a = changes(before, snapshot(r))
    record(session, principal, "hold", "reservations", r.id, before=b, after=a)  # re-hold
    return r


def active_holds(
    session: Session,
    principal: Principal,
    *,
    space_id: int | None = None,
    parcel_id: int | None = None,
) -> list[Reservation]:
    """Holds active now, soonest to expire first (optionally of one unit)."""
    require_read(principal, "reservations")
    q = select(Reservation).where(
        func.tstzrange(Reservation.held_from, Reservation.expires_at).op("@>")(func.now())
    )
    if space_id is not None:
        q = q.where(Reservation.space_id == space_id)
    if parcel_id is not None:
        q = q.where(Reservation.parcel_id == parcel_id)
    return list(session.scalars(q.order_by(Reservation.expires_at, Reservation.id)))


def get_hold(session: Session, reservation_id: int, principal: Principal) -> Reservation:
    """One reservation, active or not."""
    require_read(principal, "reservations")
    r = session.get(Reservation, reservation_id)
    if r is None:
        raise NotFound(f"reservation {reservation_id} does not exist", field="reservation_id")
    return r
