"""Leadership pages: ``/reports`` (monthly visits, HTML and XLSX), overdue milestones,
the monthly draws (the admin's button that runs this month's, and the scores given at the
meeting: the admin scores, an officer sees their own, ``?officer_id=`` lists one officer's
draws), and idle land.

Each page reads through the library functions the API uses and checks the role there
(:data:`parkgis.workbench.leadership.LEADERS`; the draws as ``GET /api/v1/draws``).
The XLSX and printable HTML are ``GET /api/v1/reports/visits`` (the cookie reads).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, Response

from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.pages import FrameDep
from api.wb_pages import Notice, done, form_int, notice_for, render
from parkgis.access import Principal, require_role
from parkgis.coverage.draws import get_draw, run_draw
from parkgis.coverage.report import monthly_report
from parkgis.coverage.scores import ScoreIn, record_scores
from parkgis.errors import ParkGISError
from parkgis.pages import Frame
from parkgis.pages.codes import code_label
from parkgis.projects.milestones import stage_label
from parkgis.workbench.labels import labels
from parkgis.workbench.leadership import (
    LEADERS,
    active_officer_count,
    draws_with_names,
    idle_land_list,
    overdue_milestone_list,
)
from parkgis.zonetime import Month, parse_month, zone_today

router = APIRouter(include_in_schema=False)


@router.get("/reports", response_class=HTMLResponse)
def reports(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    month: str | None = None,
) -> HTMLResponse:
    """The monthly visit report of any month (``month=YYYY-MM``, default this month)."""
    require_role(principal, LEADERS, "open the leadership reports")
    m = parse_month(month or None, settings.zone.timezone)
    report = monthly_report(session, principal, settings, m)
    return render(
        frame,
        request,
        "reports.html",
        title=labels(frame.lang)["rp.title"],
        r=report,
        month=str(m),
        code=lambda vocabulary, value: code_label(vocabulary, value, frame.lang),
    )


@router.get("/reports/milestones", response_class=HTMLResponse)
def milestones(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """Every overdue milestone in the zone, most late first, and those due soon."""
    lists = overdue_milestone_list(session, principal, settings)
    lang = frame.lang
    return render(
        frame,
        request,
        "reports_milestones.html",
        title=labels(lang)["rp.milestones"],
        r=lists,
        stage_label=lambda s: stage_label(s, lang),
    )


@router.get("/reports/idle-land", response_class=HTMLResponse)
def idle(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """Granted land whose construction has not started a year after the agreed start."""
    rows = idle_land_list(session, principal, settings)
    lang = frame.lang
    return render(
        frame,
        request,
        "reports_idle.html",
        title=labels(lang)["rp.idle"],
        rows=rows,
        as_of=zone_today(settings.zone.timezone),
        stage_label=lambda s: stage_label(s, lang),
    )


def _draws_page(
    frame: Frame,
    request: Request,
    session: SessionDep,
    principal: Principal,
    settings: SettingsDep,
    *,
    notice: Notice | None = None,
    status_code: int = 200,
    officer_id: int | None = None,
) -> HTMLResponse:
    items = draws_with_names(session, principal, officer_id=officer_id)
    this = Month.of(zone_today(settings.zone.timezone))
    words = labels(frame.lang)
    key = request.query_params.get("done", "")
    return render(
        frame,
        request,
        "reports_draws.html",
        title=words["rp.draws"],
        status_code=status_code,
        draws=items,
        month=str(this),
        drawn=get_draw(session, this) is not None,
        can_run=principal.role == "admin",
        can_score=principal.role == "admin",
        score_max=settings.programme.draw_score_max,
        officer_id=officer_id,
        my_officer_id=principal.officer_id,
        officers=active_officer_count(session),
        message=words.get(f"done.{key}") if key else None,
        notice=notice,
    )


@router.get("/reports/draws", response_class=HTMLResponse)
def draws(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    officer_id: int | None = None,
) -> HTMLResponse:
    """Past draws with the officers' names and the scores the reader may see (admin all,
    an officer their own); ``officer_id`` lists one officer's draws. Admins get the button
    for this month's draw and the scoring forms."""
    return _draws_page(frame, request, session, principal, settings, officer_id=officer_id)


@router.post("/reports/draws", response_model=None)
def run_month_draw(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(require("admin"))],
    count: Annotated[str | None, Form(max_length=10)] = None,
    seed: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Run this month's draw (admin), as ``POST /api/v1/draws`` does."""
    try:
        month = Month.of(zone_today(settings.zone.timezone))
        run_draw(
            session,
            month,
            form_int(count, "count") or 0,
            seed=seed or None,
            created_by=principal.name,
        )
        session.commit()
    except ParkGISError as exc:
        session.rollback()
        notice = notice_for(exc, frame.lang)
        return _draws_page(
            frame, request, session, principal, settings, notice=notice, status_code=notice.status
        )
    return done("/reports/draws", "drawn")


@router.post("/reports/draws/{draw_id}/scores", response_model=None)
def score_drawn_officer(
    draw_id: int,
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    officer_id: Annotated[str | None, Form(max_length=12)] = None,
    score: Annotated[str | None, Form(max_length=20)] = None,
    comment: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Score one drawn officer (admin), as ``POST /api/v1/draws/{id}/scores`` does."""
    try:
        entry = ScoreIn(form_int(officer_id, "officer_id") or 0, (score or "").strip(), comment)
        record_scores(session, principal, settings, draw_id, [entry])
        session.commit()
    except ParkGISError as exc:
        session.rollback()
        notice = notice_for(exc, frame.lang)
        return _draws_page(
            frame, request, session, principal, settings, notice=notice, status_code=notice.status
        )
    return done("/reports/draws", "scored")
