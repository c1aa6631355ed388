"""Holds under ``/api/v1/reservations`` (roles: officer, investment, admin).

- ``POST /api/v1/reservations`` ``{space_id | parcel_id, holder, days, request_id?}``:
  201 with the hold, or 409 naming who holds the unit and until when.
- ``GET /api/v1/reservations[?space_id=|parcel_id=]``: holds active now.
- ``GET /api/v1/reservations/{id}``: one hold, active or not.
- ``DELETE /api/v1/reservations/{id}``: release a hold (its owner or an admin).
- ``POST /api/v1/reservations/{id}/lease`` ``{enterprise_id}``: the firm takes the unit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.responses import JSONResponse
from parkgis.access import WRITERS, Principal
from parkgis.matching.reservations import active_holds, get_hold, hold, hold_json, lease, release
from parkgis.schemas.matching import HoldRequest, LeaseRequest

router = APIRouter(prefix="/api/v1/reservations", tags=["reservations"])

Holder = Annotated[Principal, Depends(require(*WRITERS["reservations"]))]
ReservationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
UnitId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


@router.post("", status_code=201)
def post_hold(
    body: HoldRequest, session: SessionDep, settings: SettingsDep, principal: Holder
) -> JSONResponse:
    """Hold a space or a parcel; 409 when someone else holds it."""
    r = hold(
        session,
        space_id=body.space_id,
        parcel_id=body.parcel_id,
        holder=body.holder,
        days=body.days,
        request_id=body.request_id,
        principal=principal,
        settings=settings,
    )
    session.commit()
    return JSONResponse(
        hold_json(r), status_code=201, headers={"Location": f"/api/v1/reservations/{r.id}"}
    )


@router.get("")
def list_holds(
    session: SessionDep,
    principal: PrincipalDep,
    space_id: UnitId = None,
    parcel_id: UnitId = None,
) -> dict[str, Any]:
    """Holds active now, soonest to expire first."""
    rows = active_holds(session, principal, space_id=space_id, parcel_id=parcel_id)
    items = [hold_json(r) for r in rows]
    return {"numberReturned": len(items), "items": items}


@router.get("/{reservation_id}")
def read_hold(
    reservation_id: ReservationId, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """One hold, active or not."""
    return hold_json(get_hold(session, reservation_id, principal))


@router.delete("/{reservation_id}")
def delete_hold(
    reservation_id: ReservationId, session: SessionDep, principal: Holder
) -> dict[str, Any]:
    """Release a hold now (its owner or an admin)."""
    r = release(session, reservation_id, principal)
    session.commit()
    return hold_json(r)


@router.post("/{reservation_id}/lease")
def lease_hold(
    reservation_id: ReservationId,
    body: LeaseRequest,
    session: SessionDep,
    settings: SettingsDep,
    principal: Holder,
) -> dict[str, Any]:
    """Turn a hold into a lease: the space is occupied by the firm (audit-logged)."""
    r = lease(
        session,
        reservation_id,
        enterprise_id=body.enterprise_id,
        principal=principal,
        settings=settings,
    )
    session.commit()
    return hold_json(r)
