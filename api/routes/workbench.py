"""``/me``: the officer's workbench, and the browser's writes from it.

Every form posts with the sign-in cookie plus the CSRF token (:mod:`api.csrf`) and calls
the same library function as the API: visits and requests through
:func:`parkgis.writes.core.create`, request moves through
:func:`parkgis.coverage.requests.transition`, holds through
:mod:`parkgis.matching.reservations`, project moves through
:mod:`parkgis.projects.lifecycle`. ``POST /me/visits`` answers JSON to the offline queue
(``Accept: application/json``) and a redirect to a person.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import FileResponse, HTMLResponse, Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.pages import FrameDep
from api.responses import JSONResponse
from api.wb_pages import (
    STATIC,
    Notice,
    done,
    form_count,
    form_float,
    form_ids,
    form_int,
    notice_for,
    render,
    wants_json,
)
from parkgis.access import Principal
from parkgis.coverage.calls import my_leads
from parkgis.coverage.requests import transition as move_request
from parkgis.errors import InvalidInput, ParkGISError
from parkgis.matching import extend_hold
from parkgis.matching.reservations import lease, release
from parkgis.models.base import FIRM_VISIT_KINDS
from parkgis.pages import Frame
from parkgis.pages.codes import code_choices, code_label
from parkgis.programme import log_activity
from parkgis.programme.labels import labels as programme_labels
from parkgis.projects.lifecycle import replan
from parkgis.projects.lifecycle import transition as project_transition
from parkgis.projects.milestones import stage_label
from parkgis.settings import Settings
from parkgis.workbench import log_request, log_visit, officer_workbench
from parkgis.workbench.labels import labels

router = APIRouter(include_in_schema=False)

Str = Annotated[str | None, Form(max_length=2000)]


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", field=field) from None


def _me_page(
    frame: Frame,
    request: Request,
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    notice: Notice | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    wb = officer_workbench(session, principal, settings)
    lang = frame.lang
    words = labels(lang)
    prog = programme_labels(lang)
    done_key = request.query_params.get("done", "")
    message = (words.get(f"done.{done_key}") or prog.get(f"done.{done_key}")) if done_key else None
    distance = request.query_params.get("d", "")
    return render(
        frame,
        request,
        "me.html",
        title=words["title"],
        status_code=status_code,
        wb=wb,
        summary=wb.summary(),
        stage_label=lambda s: stage_label(s, lang),
        categories=code_choices("request_category", lang),
        departments=code_choices("department", lang),
        code=lambda vocabulary, value: code_label(vocabulary, value, lang),
        kinds=FIRM_VISIT_KINDS,
        leads=my_leads(session, principal, tz=settings.zone.timezone),
        message=message,
        distance=int(distance) if distance.isdigit() and len(distance) < 7 else None,
        notice=notice,
        principal=principal,
        max_hold_days=settings.match.max_hold_days,
        P=prog,
    )


@router.get("/me", response_class=HTMLResponse)
def me(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """The officer's month: firms (unvisited first), requests, projects, holds, the draw."""
    return _me_page(frame, request, session, principal, settings)


def _refused(
    frame: Frame,
    request: Request,
    session: Session,
    principal: Principal,
    settings: Settings,
    exc: ParkGISError,
) -> HTMLResponse:
    session.rollback()
    notice = notice_for(exc, frame.lang)
    return _me_page(
        frame, request, session, principal, settings, notice=notice, status_code=notice.status
    )


@router.post("/me/visits", response_model=None)
def post_visit(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    enterprise_id: Str = None,
    kind: Str = "visit",
    summary: Str = None,
    visited_on: Str = None,
    lon: Str = None,
    lat: Str = None,
    client_key: Str = None,
    prospect_name: Str = None,
    prospect_city: Str = None,
    shortlist_id: Str = None,
) -> Response:
    """Log a visit, or an investment call (``kind=investment_call`` with ``prospect_name``,
    ``prospect_city``, ``shortlist_id``); a repeat of ``client_key`` returns the first one
    (``duplicate``)."""
    try:
        call = kind == "investment_call"
        logged = log_visit(
            session,
            principal,
            settings,
            enterprise_id=form_int(enterprise_id, "enterprise_id", required=not call),
            prospect_name=prospect_name,
            prospect_city=prospect_city,
            shortlist_id=form_int(shortlist_id, "shortlist_id", required=False),
            kind=kind or "visit",
            summary=summary,
            visited_on=_day(visited_on, "visited_on"),
            lon=form_float(lon, "lon", -180, 180),
            lat=form_float(lat, "lat", -90, 90),
            client_key=client_key,
        )
        session.commit()
    except ParkGISError as exc:
        if wants_json(request):
            raise
        return _refused(frame, request, session, principal, settings, exc)
    if wants_json(request):
        return JSONResponse(logged.as_dict(), status_code=200 if logged.duplicate else 201)
    extra = {"d": logged.distance_m} if logged.distance_m is not None else {}
    key = "call" if logged.kind == "investment_call" else "visit"
    return done("/me", "visit_dup" if logged.duplicate else key, **extra)


@router.post("/me/activities", response_model=None)
def post_activity(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    kind: Str = None,
    held_on: Str = None,
    enterprise_ids: Annotated[list[str] | None, Form(max_length=2000)] = None,
    attendance: Str = None,
    member_count: Str = None,
    summary: Str = None,
    lon: Str = None,
    lat: Str = None,
    client_key: Str = None,
) -> Response:
    """Log a briefing, volunteer activity or ledger review (:mod:`parkgis.programme`); the
    offline queue gets JSON (``done_key`` says which message to show), a person a redirect."""
    try:
        row = log_activity(
            session,
            principal,
            settings,
            kind=kind or "",
            held_on=_day(held_on, "held_on"),
            enterprise_ids=form_ids(enterprise_ids, "enterprise_ids"),
            attendance=form_count(attendance, "attendance"),
            member_count=form_count(member_count, "member_count"),
            summary=summary,
            lon=form_float(lon, "lon", -180, 180),
            lat=form_float(lat, "lat", -90, 90),
            client_key=client_key,
        )
        session.commit()
    except ParkGISError as exc:
        if wants_json(request):
            raise
        return _refused(frame, request, session, principal, settings, exc)
    key = "activity_dup" if row.duplicate else "activity"
    if wants_json(request):
        body = {**row.as_dict(), "done_key": key}
        return JSONResponse(body, status_code=200 if row.duplicate else 201)
    return done("/me", key)


@router.post("/me/requests", response_model=None)
def post_request(
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    enterprise_id: Str = None,
    category: Str = None,
    title: Str = None,
    detail: Str = None,
    department: Str = None,
) -> Response:
    """Log a firm's request, opened today."""
    try:
        log_request(
            session,
            principal,
            settings,
            enterprise_id=form_int(enterprise_id, "enterprise_id") or 0,
            category=category or "",
            title=title or "",
            detail=detail,
            department=department,
        )
        session.commit()
    except ParkGISError as exc:
        return _refused(frame, request, session, principal, settings, exc)
    return done("/me", "request")


@router.post("/me/requests/{request_id}/move", response_model=None)
def post_request_move(
    request_id: int,
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    to: Str = None,
    department: Str = None,
    note: Str = None,
    version: Str = None,
) -> Response:
    """Move a request along its life cycle (the version read is checked: 412 if stale)."""
    try:
        move_request(
            session,
            principal,
            settings,
            request_id,
            to or "",
            department=department or None,
            note=note or None,
            expected_version=form_int(version, "version", required=False),
        )
        session.commit()
    except ParkGISError as exc:
        return _refused(frame, request, session, principal, settings, exc)
    return done("/me", "moved")


@router.post("/me/holds/{reservation_id}/{action}", response_model=None)
def post_hold_action(
    reservation_id: int,
    action: str,
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    days: Str = None,
    enterprise_id: Str = None,
) -> Response:
    """Release, extend (``days``) or lease (``enterprise_id``) one of my holds."""
    try:
        if action == "release":
            release(session, reservation_id, principal)
        elif action == "extend":
            n = form_int(days, "days") or 0
            extend_hold(session, reservation_id, days=n, principal=principal, settings=settings)
        elif action == "lease":
            firm = form_int(enterprise_id, "enterprise_id") or 0
            lease(
                session, reservation_id, enterprise_id=firm, principal=principal, settings=settings
            )
        else:
            raise InvalidInput("action must be release, extend or lease", field="action")
        session.commit()
    except ParkGISError as exc:
        return _refused(frame, request, session, principal, settings, exc)
    key = {"release": "released", "extend": "extended", "lease": "leased"}[action]
    return done("/me", key)


@router.get("/static/workbench/{name}")
def static_js(name: str) -> Response:
    """The workbench's own scripts (the offline queue)."""
    files = {"me.js": "text/javascript", "project.js": "text/javascript"}
    if name not in files:
        return Response(status_code=404)
    return FileResponse(
        STATIC / name,
        media_type=files[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


def _project_refused(
    frame: Frame, request: Request, session: Session, project_id: int, exc: ParkGISError
) -> HTMLResponse:
    session.rollback()
    lang = frame.lang
    notice = notice_for(exc, lang)
    return render(
        frame,
        request,
        "wb_error.html",
        title=notice.headline,
        message=None,
        status_code=notice.status,
        notice=notice,
        back=f"/projects/{project_id}/timeline?lang={lang}",
        stage_label=lambda s: stage_label(s, lang),
    )


@router.post("/projects/{project_id}/stage", response_model=None)
def post_project_stage(
    project_id: int,
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    to: Str = None,
    on: Str = None,
    reason: Str = None,
    version: Str = None,
) -> Response:
    """Advance (with the actual date ``on``), stall, cancel or resume a project."""
    try:
        project_transition(
            session,
            project_id,
            to or "",
            principal=principal,
            tz=settings.zone.timezone,
            reason=reason or None,
            on=_day(on, "on"),
            expected_version=form_int(version, "version", required=False),
        )
        session.commit()
    except ParkGISError as exc:
        return _project_refused(frame, request, session, project_id, exc)
    return done(f"/projects/{project_id}/timeline", "project", lang=frame.lang)


@router.post("/projects/{project_id}/replan", response_model=None)
def post_project_replan(
    project_id: int,
    frame: FrameDep,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    stage: Str = None,
    planned: Str = None,
    reason: Str = None,
    version: Str = None,
) -> Response:
    """Move one stage's planned date (the old plan stays in the event log)."""
    try:
        new = _day(planned, "planned")
        if new is None:
            raise InvalidInput("give the new planned date", field="planned")
        replan(
            session,
            project_id,
            {stage or "": new},
            principal=principal,
            reason=reason or None,
            expected_version=form_int(version, "version", required=False),
        )
        session.commit()
    except ParkGISError as exc:
        return _project_refused(frame, request, session, project_id, exc)
    return done(f"/projects/{project_id}/timeline", "project", lang=frame.lang)
