"""Service requests, the monthly visit report and the monthly draw under ``/api/v1``.

- ``POST /service_requests/{id}/transition`` ``{"to", "department"?, "note"?}``
  (``If-Match: "<version>"`` optional): open → in_progress → resolved → closed; 409 names
  the allowed moves. Officers act on their own firms only.
- ``GET /requests/overdue?officer_id=&department=``: overdue requests per officer and per
  department.
- ``GET /requests/stats?month=&officer_id=``: per category raised, resolved, median days.
- ``GET /reports/visits?month=&officer_id=&format=json|xlsx|html``: the monthly report.
- ``GET /draws?year=`` and ``POST /draws`` ``{"month", "count", "seed"?}`` (admin): who
  reports at the month's meeting; a month is drawn once (409 afterwards). Each draw lists
  the ``scores`` the caller may read (admin all, an officer their own).
- ``POST /draws/{id}/scores`` ``{"scores": [{"officer_id", "score", "comment"?}]}`` (admin):
  the drawn officers' scores, 0 to ``PARKGIS_PROGRAMME_DRAW_SCORE_MAX``; posting an officer
  again replaces their score (audited). ``GET /draws/{id}/scores`` reads them back.
- ``GET /officers/{id}/draws?year=``: the draws an officer was drawn in, with their scores
  (admin, or that officer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api import params as qp
from api.deps import IfMatchVersion, PrincipalDep, SessionDep, SettingsDep, require
from api.pages import FrameDep, page_response
from api.params import NoParams, from_query, param
from api.responses import JSONResponse
from parkgis.access import Principal
from parkgis.coverage.draws import as_dict, run_draw
from parkgis.coverage.report import monthly_report, report_xlsx
from parkgis.coverage.requests import overdue_report, request_stats, transition
from parkgis.coverage.scores import ScoreIn, draw_scores, officer_draws, record_scores
from parkgis.maps.i18n import register, t
from parkgis.pages.codes import code_label
from parkgis.programme.labels import labels as programme_labels
from parkgis.workbench.leadership import draws_with_names
from parkgis.zonetime import Month, parse_month

router = APIRouter(prefix="/api/v1", tags=["service"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class OverdueParams:
    """Narrow the overdue list to one officer or one department."""

    officer_id: int | None = param(qp.int_in(), description="One officer", schema=qp.ID_DOC)
    department: str | None = param(qp.text, description="One department, as written")


@dataclass(frozen=True)
class StatsParams:
    """One month (default: all time) and one officer (default: all the caller may see)."""

    month: Month | None = param(qp.month, description="YYYY-MM", schema=qp.MONTH_DOC)
    officer_id: int | None = param(qp.int_in(), description="One officer", schema=qp.ID_DOC)


@dataclass(frozen=True)
class ReportParams:
    """The month of the visit report (default: this month), one officer, the format."""

    month: Month | None = param(qp.month, description="YYYY-MM", schema=qp.MONTH_DOC)
    officer_id: int | None = param(qp.int_in(), description="One officer", schema=qp.ID_DOC)
    format: str = param(
        qp.one_of("json", "xlsx", "html"),
        default="json",
        description="json (default), xlsx or html",
        schema={"type": "string", "enum": ["json", "xlsx", "html"]},
    )
    lang: str | None = param(
        qp.one_of("zh", "en"),
        description="Language of the HTML page (default: the language cookie, then the zone's)",
        schema={"type": "string", "enum": ["zh", "en"]},
    )


@dataclass(frozen=True)
class DrawListParams:
    """Only the draws of one year."""

    year: int | None = param(qp.int_in(1, 9999), description="YYYY", schema={"type": "integer"})


class TransitionIn(BaseModel):
    """A status change; ``department`` hands the request to (another) department."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(description="in_progress, resolved or closed")
    department: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


@router.post("/service_requests/{request_id}/transition")
def request_transition(
    request_id: int,
    body: TransitionIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    expected: IfMatchVersion = None,
) -> JSONResponse:
    """Move a service request along its life cycle, stamping the day and the department."""
    req = transition(
        session,
        principal,
        settings,
        request_id,
        body.to,
        department=body.department,
        note=body.note,
        expected_version=expected,
    )
    session.commit()
    out = {
        c: getattr(req, c)
        for c in [
            "id",
            "enterprise_id",
            "officer_id",
            "category",
            "title",
            "department",
            "status",
            "opened_on",
            "in_progress_on",
            "resolved_on",
            "closed_on",
            "version",
        ]
    }
    return JSONResponse(out, headers={"ETag": f'"{req.version}"'})


@router.get("/requests/overdue", openapi_extra=qp.openapi_for(OverdueParams))
def requests_overdue(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[OverdueParams, Depends(from_query(OverdueParams))],
) -> dict[str, Any]:
    """Requests past their working-day deadline, per officer and per department."""
    return overdue_report(
        session,
        principal,
        settings,
        officer_id=q.officer_id,
        department=q.department,
    )


@router.get("/requests/stats", openapi_extra=qp.openapi_for(StatsParams))
def requests_stats(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[StatsParams, Depends(from_query(StatsParams))],
) -> dict[str, Any]:
    """Per category: raised, resolved, median days to resolve (all time without month)."""
    return request_stats(
        session,
        principal,
        settings,
        month=q.month,
        officer_id=q.officer_id,
    )


@router.get("/reports/visits", response_model=None, openapi_extra=qp.openapi_for(ReportParams))
def visits_report(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[ReportParams, Depends(from_query(ReportParams))],
    frame: FrameDep,
) -> Response | dict[str, Any]:
    """The monthly visit report as JSON, an XLSX download or a printable HTML page
    (in the page frame, ``lang=zh|en``)."""
    fmt = q.format
    month = q.month or parse_month(None, settings.zone.timezone)
    report = monthly_report(session, principal, settings, month, officer_id=q.officer_id)
    suffix = f"-officer-{report['officer_id']}" if report["officer_id"] else ""
    name = f"visits-{report['month']}{suffix}"
    if fmt == "xlsx":
        return Response(
            report_xlsx(report),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    if fmt == "html":
        lang = frame.lang
        return page_response(
            frame,
            "visit_report.html",
            title=f"{t('report.title', lang)} {report['month']}",
            printable=True,
            r=report,
            labels={k: v[0 if lang == "zh" else 1] for k, v in REPORT_LABELS.items()},
            C=programme_labels(lang),
            code=lambda vocabulary, value: code_label(vocabulary, value, lang),
        )
    return report


REPORT_LABELS: dict[str, tuple[str, str]] = {
    "title": ("月度走访报告", "Monthly visit report"),
    "officer": ("服务官", "Officer"),
    "as_of": ("统计截至", "As of"),
    "summary": ("汇总", "Summary"),
    "officers": ("服务官", "Officers"),
    "firms": ("服务企业", "Firms served"),
    "visits": ("走访", "Visits"),
    "receptions": ("接待", "Receptions"),
    "firms_visited": ("已走访企业", "Firms visited"),
    "firms_not_visited": ("未走访企业", "Firms not visited"),
    "visit_rate": ("走访率", "Visit rate"),
    "raised": ("新增诉求", "Requests raised"),
    "resolved": ("办结诉求", "Requests resolved"),
    "overdue": ("超期诉求", "Overdue requests"),
    "unassigned": ("无服务官企业", "Firms with no officer"),
    "by_week": ("按周", "By week"),
    "week": ("周", "Week"),
    "dates": ("起止", "Dates"),
    "by_officer": ("按服务官", "By officer"),
    "name": ("姓名", "Name"),
    "unit": ("单位", "Unit"),
    "firms_short": ("企业", "Firms"),
    "not_visited": ("未走访", "Not visited"),
    "raised_short": ("新增诉求", "Raised"),
    "resolved_short": ("办结", "Resolved"),
    "overdue_short": ("超期", "Overdue"),
    "none": ("无", "None"),
    "not_visited_title": ("本月未走访企业", "Firms not visited this month"),
    "firm_id": ("企业编号", "Firm ID"),
    "firm": ("企业", "Firm"),
    "category": ("类别", "Category"),
    "matter": ("事项", "Matter"),
    "department": ("承办部门", "Department"),
    "opened": ("提出", "Opened"),
    "deadline": ("期限", "Deadline"),
    "days_late": ("超期工作日", "Working days late"),
    "calls": ("登门招商", "Investment calls"),
    "calls_short": ("招商", "Calls"),
    "calls_title": (
        "登门招商（区外客商，单独统计，不计入走访）",
        "Investment calls (prospects outside the zone, counted apart from visits)",
    ),
    "day": ("日期", "Date"),
    "prospect": ("客商", "Prospect"),
    "city": ("城市", "City"),
    "shortlist": ("推介清单", "Shortlist"),
    "call_summary": ("摘要", "Summary"),
}
register({"report.title": REPORT_LABELS["title"]})


class DrawIn(BaseModel):
    """A draw: the month, how many officers, and optionally a seed fixed in advance."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-12"])
    count: int = Field(ge=1, le=1000)
    seed: str | None = Field(default=None, min_length=1, max_length=200)


@router.get("/draws", openapi_extra=qp.openapi_for(DrawListParams))
def draws(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[DrawListParams, Depends(from_query(DrawListParams))],
) -> dict[str, Any]:
    """Every stored draw, newest first, each re-verified from its seed, with the drawn
    officers' ``names`` and the ``scores`` the caller may read (admin all, officers their
    own, planners none)."""
    items = draws_with_names(session, principal, year=q.year)
    return {"numberReturned": len(items), "items": items}


@router.post("/draws", status_code=201)
def draw_create(
    body: DrawIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(require("admin"))],
) -> dict[str, Any]:
    """Draw the officers who report at the month's meeting and store the result."""
    month = parse_month(body.month, settings.zone.timezone)
    draw = run_draw(
        session,
        month,
        body.count,
        seed=body.seed,
        created_by=principal.name,
        tz=settings.zone.timezone,
    )
    session.commit()
    return as_dict(draw)


class ScoreItem(BaseModel):
    """One drawn officer's score (0 to the scale setting, one decimal) and a comment."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    officer_id: int = Field(ge=1, le=2**31 - 1)
    score: float = Field(examples=[88.5])
    comment: str | None = Field(default=None, max_length=2000)


class ScoresIn(BaseModel):
    """The scores given at the meeting; each officer at most once."""

    model_config = ConfigDict(extra="forbid")

    scores: list[ScoreItem] = Field(min_length=1, max_length=100)


@router.post("/draws/{draw_id}/scores")
def draw_scores_post(
    draw_id: int,
    body: ScoresIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[NoParams, Depends(from_query(NoParams))],
) -> dict[str, Any]:
    """Record the drawn officers' scores (admin); an officer scored again is replaced, and
    the audit log keeps the earlier score. Officers not drawn in this draw are refused."""
    items = record_scores(
        session,
        principal,
        settings,
        draw_id,
        [ScoreIn(s.officer_id, s.score, s.comment) for s in body.scores],
    )
    session.commit()
    return {"draw_id": draw_id, "scores": items}


@router.get("/draws/{draw_id}/scores")
def draw_scores_get(
    draw_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[NoParams, Depends(from_query(NoParams))],
) -> dict[str, Any]:
    """The draw's scores the caller may read: all for an admin, an officer's own."""
    items = draw_scores(session, principal, draw_id)
    return {"draw_id": draw_id, "numberReturned": len(items), "items": items}


@router.get("/officers/{officer_id}/draws", openapi_extra=qp.openapi_for(DrawListParams))
def officer_draw_list(
    officer_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[DrawListParams, Depends(from_query(DrawListParams))],
) -> dict[str, Any]:
    """The draws an officer was drawn in, newest first, with their score (admin, or the
    officer themself)."""
    return officer_draws(session, principal, officer_id, year=q.year)
