"""The programme's own rules under ``/api/v1/programme``.

- ``POST /programme/activities``: log a briefing, a volunteer activity or a ledger review
  (officers their own, for their own firms; admins for any officer). A repeated
  ``client_key`` answers 200 with the first activity (``duplicate``), a new one 201.
- ``GET /programme/activities?month=&officer_id=``: activities, oldest first.
- ``GET /programme/checklist?month=&officer_id=``: each officer's "五个一" for the month.

Roles are checked in :mod:`parkgis.programme`. Unknown query parameters are a 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from api import params as qp
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.params import NoParams, from_query, param
from api.responses import JSONResponse
from parkgis.models.programme import SUMMARY_MAX_CHARS
from parkgis.programme import checklist, list_activities, log_activity
from parkgis.programme.activities import MAX_COUNT, MAX_FIRMS
from parkgis.zonetime import Month, parse_month

router = APIRouter(prefix="/api/v1/programme", tags=["programme"])


@dataclass(frozen=True)
class MonthOfficerParams:
    """One month (default: all for activities, this one for the checklist), one officer."""

    month: Month | None = param(qp.month, description="YYYY-MM", schema=qp.MONTH_DOC)
    officer_id: int | None = param(qp.int_in(), description="One officer", schema=qp.ID_DOC)


Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]


class ActivityIn(BaseModel):
    """One activity. ``attendance`` for briefings and volunteer activities; ``member_count``
    (and nothing else: no summary, no names) for ledger reviews."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: Literal["briefing", "volunteer", "ledger_review"]
    held_on: date | None = Field(default=None, description="Zone date (default today)")
    officer_id: int | None = Field(default=None, ge=1, description="Required from an admin")
    enterprise_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list, max_length=MAX_FIRMS
    )
    attendance: Count | None = None
    member_count: Count | None = None
    summary: str | None = Field(default=None, max_length=SUMMARY_MAX_CHARS)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    client_key: str | None = Field(default=None, max_length=64)


@router.post("/activities", status_code=201)
def post_activity(
    body: ActivityIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[NoParams, Depends(from_query(NoParams))],
) -> JSONResponse:
    """Log one activity (201), or return the one stored for a repeated `client_key` (200)."""
    row = log_activity(session, principal, settings, **body.model_dump())
    session.commit()
    return JSONResponse(row.as_dict(), status_code=200 if row.duplicate else 201)


@router.get("/activities", openapi_extra=qp.openapi_for(MonthOfficerParams))
def get_activities(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[MonthOfficerParams, Depends(from_query(MonthOfficerParams))],
) -> dict[str, Any]:
    """Activities the caller may read (officers: their own), oldest first."""
    rows = list_activities(session, principal, month=q.month, officer_id=q.officer_id)
    return {
        "month": str(q.month) if q.month else None,
        "numberReturned": len(rows),
        "items": [r.as_dict() for r in rows],
    }


@router.get("/checklist", openapi_extra=qp.openapi_for(MonthOfficerParams))
def get_checklist(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[MonthOfficerParams, Depends(from_query(MonthOfficerParams))],
) -> dict[str, Any]:
    """Each officer's five items for the month (default this month): done, with evidence."""
    month = q.month or parse_month(None, settings.zone.timezone)
    rows = checklist(session, principal, settings, month, officer_id=q.officer_id)
    return {
        "month": str(month),
        "requests_resolved_min": settings.programme.requests_resolved_min,
        "officers": [r.as_dict() for r in rows],
    }
