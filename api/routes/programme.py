"""The programme's own rules under ``/api/v1/programme``.

- ``POST /programme/activities``: log a briefing, a volunteer activity or a ledger review
  (officers their own, for their own firms; admins for any officer). A repeated
  ``client_key`` answers 200 with the first activity (``duplicate``), a new one 201.
- ``GET /programme/activities?month=&officer_id=``: activities, oldest first.
- ``GET /programme/checklist?month=&officer_id=``: each officer's "五个一" for the month.
- ``GET /programme/evaluation?year=&format=json|xlsx|html&lang=`` (admin): the year's
  evaluation of every officer, a composite and a rank (:mod:`parkgis.programme.evaluation`);
  ``format=html`` is the printable page in the frame, ``xlsx`` the workbook.
- ``GET /programme/evaluation/evidence?year=&officer_id=&figure=`` (admin): the rows behind
  one officer's figure.

Roles are checked in :mod:`parkgis.programme`. Unknown query parameters are a 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api import params as qp
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.pages import FrameDep, page_response
from api.params import NoParams, from_query, param
from api.responses import JSONResponse
from parkgis.models.programme import SUMMARY_MAX_CHARS
from parkgis.programme import checklist, list_activities, log_activity
from parkgis.programme.activities import MAX_COUNT, MAX_FIRMS
from parkgis.programme.evaluation import FIGURES, evaluation, evidence
from parkgis.programme.evaluation_sheet import PART_WORDS, evaluation_xlsx, flat_row
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


@dataclass(frozen=True)
class EvaluationParams:
    """The year (default: this year), the format and the page's language."""

    year: int | None = param(
        qp.int_in(1900, 9999), description="YYYY (default: this year)", schema={"type": "integer"}
    )
    format: str = param(
        qp.one_of("json", "xlsx", "html"),
        default="json",
        description="json (default), xlsx or html (printable)",
        schema={"type": "string", "enum": ["json", "xlsx", "html"]},
    )
    lang: str | None = param(
        qp.one_of("zh", "en"),
        description="Language of the page and the workbook's headings",
        schema={"type": "string", "enum": ["zh", "en"]},
    )


@dataclass(frozen=True)
class EvidenceParams:
    """Which officer, which figure, which year."""

    officer_id: int | None = param(
        qp.int_in(), description="One officer (required)", schema=qp.ID_DOC
    )
    figure: str | None = param(
        qp.one_of(*FIGURES),
        description="The figure whose rows to list (required)",
        schema={"type": "string", "enum": list(FIGURES)},
    )
    year: int | None = param(
        qp.int_in(1900, 9999), description="YYYY (default: this year)", schema={"type": "integer"}
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/evaluation", response_model=None, openapi_extra=qp.openapi_for(EvaluationParams))
def get_evaluation(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    frame: FrameDep,
    q: Annotated[EvaluationParams, Depends(from_query(EvaluationParams))],
) -> Response | dict[str, Any]:
    """Every officer's figures for the year, each linked to its evidence, with a composite
    score (weights ``PARKGIS_PROGRAMME_WEIGHT_*``) and a rank (admin)."""
    ev = evaluation(session, principal, settings, q.year)
    if q.format == "xlsx":
        base = str(request.base_url)
        return Response(
            evaluation_xlsx(ev, lang=frame.lang, base_url=base),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="evaluation-{ev["year"]}.xlsx"'},
        )
    if q.format == "html":
        i = 0 if frame.lang == "zh" else 1
        return page_response(
            frame,
            "evaluation.html",
            title=("首席服务官年度考评 " if i == 0 else "Officers' annual evaluation ")
            + str(ev["year"]),
            printable=True,
            ev=ev,
            rows=[flat_row(o) for o in ev["officers"]],
            parts=[(k, PART_WORDS[k][i], ev["weights"][k]) for k in PART_WORDS],
            i=i,
            lang=frame.lang,
        )
    return ev


@router.get("/evaluation/evidence", openapi_extra=qp.openapi_for(EvidenceParams))
def get_evaluation_evidence(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[EvidenceParams, Depends(from_query(EvidenceParams))],
) -> dict[str, Any]:
    """The rows one officer's figure counts (the evaluation's own queries) (admin)."""
    return evidence(
        session, principal, settings, year=q.year, officer_id=q.officer_id, figure=q.figure
    )
