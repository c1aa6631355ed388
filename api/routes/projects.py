"""Project supervision and lifecycle under ``/api/v1/projects``.

Fixed paths (``/summary``, ``/board``, ``/reminders``, ``/idle-land``) come before the
``/{id}`` routes of the features and writes routers: this router is mounted first.

- ``GET /summary``: by stage, overdue, by chain and officer, this year vs targets.
- ``GET /summary/yearly?year=YYYY&format=json|xlsx``: the yearly summary.
- ``GET /board``: every matching project with its stage, next milestone and days late
  (GeoJSON points, EPSG:4326); the battle map shows the same rows.
- ``GET /reminders?within_days=N``: milestones overdue now, and due within N days.
- ``GET /idle-land``, ``POST /idle-land/flag``: granted land not started within a year.
- ``GET /{id}/history``, ``GET /{id}/timeline``: the event log; planned vs actual.
- ``POST /{id}/transition``, ``POST /{id}/replan``: move a project, change its plan
  (``If-Match: "<version>"`` optional; 409 names the allowed moves).

Filters (board, summary, reminders, map): ``stage``, ``industry_chain`` (or ``chain``),
``officer_id`` (or ``officer``) as comma lists, ``overdue=1``, ``bbox``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api import params as qp
from api.deps import IfMatchVersion, PrincipalDep, SessionDep, SettingsDep
from api.params import NoParams, ProjectQuery, param, project_openapi, project_query
from api.responses import GeoJSONResponse, JSONResponse
from parkgis.projects import (
    board_geojson,
    event_dict,
    flag_idle_land,
    history,
    idle_land,
    project_state,
    project_statuses,
    project_summary,
    project_timeline,
    reminders,
    replan,
    transition,
    yearly_summary,
    yearly_summary_xlsx,
)
from parkgis.zonetime import zone_today

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


@dataclass(frozen=True)
class LangParams:
    """``lang``: zh or en (default: the zone's language)."""

    lang: str | None = param(qp.lang, description="zh or en", schema=qp.LANG_DOC)


@dataclass(frozen=True)
class YearlyParams:
    """The yearly summary's year, format and language."""

    year: int | None = param(
        qp.int_in(2000, 2100),
        description="Calendar year (default: this year)",
        schema={"type": "integer"},
    )
    format: str = param(
        qp.one_of("json", "xlsx"),
        default="json",
        description="json (default) or xlsx",
        schema={"type": "string", "enum": ["json", "xlsx"]},
    )
    lang: str | None = param(qp.lang, description="zh or en", schema=qp.LANG_DOC)


@dataclass(frozen=True)
class ReminderParams:
    """The due-soon horizon."""

    within_days: int | None = param(
        qp.int_in(0, 366), description="Due-soon horizon in days", schema={"type": "integer"}
    )


SummaryQuery = Annotated[ProjectQuery[LangParams], Depends(project_query(LangParams))]
YearlyQuery = Annotated[ProjectQuery[YearlyParams], Depends(project_query(YearlyParams))]
BoardQuery = Annotated[ProjectQuery[NoParams], Depends(project_query(NoParams))]
ReminderQuery = Annotated[ProjectQuery[ReminderParams], Depends(project_query(ReminderParams))]


@router.get("/summary", openapi_extra=project_openapi(LangParams))
def summary(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: SummaryQuery
) -> dict[str, Any]:
    """Projects by stage (count, investment in CNY and 亿元), overdue, by chain, by officer,
    and this year's starts, completions and productions against the targets."""
    return project_summary(
        session,
        principal,
        today=zone_today(settings.zone.timezone),
        cfg=settings.projects,
        filters=q.filters,
        lang=q.own.lang or settings.zone.language,
    )


@router.get("/summary/yearly", response_model=None, openapi_extra=project_openapi(YearlyParams))
def summary_yearly(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: YearlyQuery
) -> Response | dict[str, Any]:
    """The yearly summary: milestones reached per month, targets, projects; ``format=xlsx``
    downloads it as a workbook."""
    today = zone_today(settings.zone.timezone)
    year = q.own.year or today.year
    data = yearly_summary(
        session,
        principal,
        year=year,
        today=today,
        cfg=settings.projects,
        filters=q.filters,
        lang=q.own.lang or settings.zone.language,
    )
    if q.own.format == "json":
        return data
    return Response(
        yearly_summary_xlsx(data),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="projects-{year}.xlsx"'},
    )


@router.get("/board", response_class=GeoJSONResponse, openapi_extra=project_openapi(NoParams))
def board(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: BoardQuery
) -> GeoJSONResponse:
    """Every matching project as a GeoJSON point with stage, next milestone, days late."""
    today = zone_today(settings.zone.timezone)
    rows = project_statuses(session, principal, today=today, filters=q.filters)
    return GeoJSONResponse(board_geojson(rows))


@router.get("/reminders", openapi_extra=project_openapi(ReminderParams))
def reminder_lists(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: ReminderQuery
) -> dict[str, Any]:
    """Milestones overdue now and due within ``within_days`` (default from the settings)."""
    return reminders(
        session,
        principal,
        today=zone_today(settings.zone.timezone),
        within_days=settings.projects.reminder_days
        if q.own.within_days is None
        else q.own.within_days,
        filters=q.filters,
    )


@router.get("/idle-land")
def idle_land_list(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """Projects whose granted land has not been built on within a year of the agreed start."""
    today = zone_today(settings.zone.timezone)
    items = idle_land(session, principal, today=today)
    return {"as_of": today.isoformat(), "items": [x.as_dict() for x in items]}


@router.post("/idle-land/flag")
def idle_land_flag(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """Mark the idle projects' parcels for the planners (planner/admin)."""
    today = zone_today(settings.zone.timezone)
    items = flag_idle_land(session, today=today, principal=principal)
    session.commit()
    return {"as_of": today.isoformat(), "items": [x.as_dict() for x in items]}


@router.get("/{project_id}/history")
def project_history(
    project_id: int, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """The project's events (transitions, re-plans), oldest first."""
    events = history(session, principal, project_id)
    return {
        "project_id": project_id,
        "events": [event_dict(e, settings.zone.timezone) for e in events],
    }


@router.get("/{project_id}/timeline")
def project_timeline_json(
    project_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    lang: Literal["zh", "en"] | None = None,
) -> dict[str, Any]:
    """Planned (current and original) and actual dates of every stage, with slips in days."""
    tz = settings.zone.timezone
    return project_timeline(
        session,
        principal,
        project_id,
        today=zone_today(tz),
        tz=tz,
        lang=lang or settings.zone.language,
    )


class TransitionIn(BaseModel):
    """A stage move."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(description="The next stage, stalled, cancelled, or the stage to resume")
    reason: str | None = Field(default=None, description="Required for stalled and cancelled")
    on: date | None = Field(
        default=None, description="Actual date of a forward move if before today (zone date)"
    )


class ReplanIn(BaseModel):
    """New planned dates for stages not reached yet."""

    model_config = ConfigDict(extra="forbid")

    planned: dict[str, date] = Field(description="stage → new planned date (YYYY-MM-DD)")
    reason: str | None = None


def _changed(session: SessionDep, project_id: int, event: Any, tz: str) -> JSONResponse:
    session.commit()
    state = project_state(session, project_id)
    body = {"event": event_dict(event, tz), "project": state}
    return JSONResponse(body, headers={"ETag": f'"{state["version"]}"'})


@router.post("/{project_id}/transition", response_class=JSONResponse)
def project_transition(
    project_id: int,
    body: TransitionIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    expected: IfMatchVersion = None,
) -> JSONResponse:
    """Move the project one stage on, put it on hold, resume or cancel it.

    409 when the move is not allowed, with ``allowed`` listing the legal targets.
    Officers move only their own projects; planners and admins any.
    """
    tz = settings.zone.timezone
    ev = transition(
        session,
        project_id,
        body.to,
        principal=principal,
        tz=tz,
        reason=body.reason,
        on=body.on,
        expected_version=expected,
    )
    return _changed(session, project_id, ev, tz)


@router.post("/{project_id}/replan", response_class=JSONResponse)
def project_replan(
    project_id: int,
    body: ReplanIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    expected: IfMatchVersion = None,
) -> JSONResponse:
    """Change planned dates; the event log keeps the old plan."""
    ev = replan(
        session,
        project_id,
        body.planned,
        principal=principal,
        reason=body.reason,
        expected_version=expected,
    )
    return _changed(session, project_id, ev, settings.zone.timezone)
