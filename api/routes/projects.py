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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.deps import IfMatchVersion, PrincipalDep, SessionDep, SettingsDep
from api.responses import GeoJSONResponse, JSONResponse
from parkgis.access import require_read
from parkgis.errors import InvalidQuery
from parkgis.projects.idle_land import flag_idle_land, idle_land
from parkgis.projects.lifecycle import event_dict, history, project_state, replan, transition
from parkgis.projects.summary import project_summary, yearly_summary, yearly_summary_xlsx
from parkgis.projects.supervision import (
    FILTER_PARAMS,
    ProjectFilter,
    board_geojson,
    filter_from_query,
    project_statuses,
    reminders,
)
from parkgis.projects.timeline import project_timeline
from parkgis.zonetime import zone_today

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


@dataclass(frozen=True)
class Query:
    """A route's own parameters plus the project filter."""

    own: dict[str, str]
    filters: ProjectFilter


def project_query(*own: str) -> Callable[..., Query]:
    """Dependency: the query string split into ``own`` parameters and the filter (400s)."""

    def dep(request: Request) -> Query:
        mine: dict[str, str] = {}
        rest: dict[str, str] = {}
        for name, value in request.query_params.multi_items():
            target = mine if name in own else rest
            if name in target:
                raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
            target[name] = value
        try:
            filters = filter_from_query(rest)
        except InvalidQuery as exc:
            if exc.field in rest and exc.field not in FILTER_PARAMS:
                allowed = ", ".join([*own, *FILTER_PARAMS])
                raise InvalidQuery(
                    f"unknown query parameter {exc.field!r}; this endpoint takes: {allowed}",
                    field=exc.field,
                ) from exc
            raise
        return Query(own=mine, filters=filters)

    return dep


def _int(q: Query, name: str, default: int, lo: int, hi: int) -> int:
    raw = q.own.get(name)
    if raw is None:
        return default
    try:
        v = int(raw)
    except ValueError as exc:
        raise InvalidQuery(f"{raw!r} is not a whole number", field=name) from exc
    if not lo <= v <= hi:
        raise InvalidQuery(f"{v} is outside {lo}..{hi}", field=name)
    return v


def _lang(q: Query, default: str) -> str:
    lang = q.own.get("lang") or default
    if lang not in ("zh", "en"):
        raise InvalidQuery(f"unknown language {lang!r}; use zh or en", field="lang")
    return lang


def _doc(*own: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """``openapi_extra`` naming the route's own query parameters and the filters."""
    filters = (
        ("stage", "Current stage(s), comma list", {"type": "string"}),
        ("industry_chain", "Industry chain code(s), comma list (alias: chain)", {"type": "string"}),
        ("officer_id", "Officer id(s), comma list (alias: officer)", {"type": "string"}),
        ("overdue", "1: only projects with an overdue milestone", {"type": "string"}),
        ("bbox", "minLon,minLat,maxLon,maxLat (EPSG:4326 degrees)", {"type": "string"}),
    )
    return {
        "parameters": [
            {"name": n, "in": "query", "required": False, "description": d, "schema": sc}
            for n, d, sc in (*own, *filters)
        ]
    }


_LANG = ("lang", "zh or en", {"type": "string", "enum": ["zh", "en"]})
SummaryQuery = Annotated[Query, Depends(project_query("lang"))]
YearlyQuery = Annotated[Query, Depends(project_query("year", "format", "lang"))]
BoardQuery = Annotated[Query, Depends(project_query())]
ReminderQuery = Annotated[Query, Depends(project_query("within_days"))]


@router.get("/summary", openapi_extra=_doc(_LANG))
def summary(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: SummaryQuery
) -> dict[str, Any]:
    """Projects by stage (count, investment in CNY and 亿元), overdue, by chain, by officer,
    and this year's starts, completions and productions against the targets."""
    require_read(principal, "projects")
    today = zone_today(settings.zone.timezone)
    return project_summary(
        session,
        today=today,
        cfg=settings.projects,
        filters=q.filters,
        lang=_lang(q, settings.zone.language),
    )


@router.get(
    "/summary/yearly",
    response_model=None,
    openapi_extra=_doc(
        ("year", "Calendar year (default: this year)", {"type": "integer"}),
        ("format", "json (default) or xlsx", {"type": "string", "enum": ["json", "xlsx"]}),
        _LANG,
    ),
)
def summary_yearly(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: YearlyQuery
) -> Response | dict[str, Any]:
    """The yearly summary: milestones reached per month, targets, projects; ``format=xlsx``
    downloads it as a workbook."""
    require_read(principal, "projects")
    today = zone_today(settings.zone.timezone)
    year = _int(q, "year", today.year, 2000, today.year + 10)
    fmt = (q.own.get("format") or "json").lower()
    if fmt not in ("json", "xlsx"):
        raise InvalidQuery(f"unknown format {fmt!r}; use json or xlsx", field="format")
    data = yearly_summary(
        session,
        year=year,
        today=today,
        cfg=settings.projects,
        filters=q.filters,
        lang=_lang(q, settings.zone.language),
    )
    if fmt == "json":
        return data
    return Response(
        yearly_summary_xlsx(data),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="projects-{year}.xlsx"'},
    )


@router.get("/board", response_class=GeoJSONResponse, openapi_extra=_doc())
def board(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: BoardQuery
) -> GeoJSONResponse:
    """Every matching project as a GeoJSON point with stage, next milestone, days late."""
    require_read(principal, "projects")
    today = zone_today(settings.zone.timezone)
    rows = project_statuses(session, today=today, filters=q.filters)
    return GeoJSONResponse(board_geojson(rows))


@router.get(
    "/reminders",
    openapi_extra=_doc(("within_days", "Due-soon horizon in days", {"type": "integer"})),
)
def reminder_lists(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: ReminderQuery
) -> dict[str, Any]:
    """Milestones overdue now and due within ``within_days`` (default from the settings)."""
    require_read(principal, "projects")
    days = _int(q, "within_days", settings.projects.reminder_days, 0, 366)
    today = zone_today(settings.zone.timezone)
    return reminders(session, today=today, within_days=days, filters=q.filters)


@router.get("/idle-land")
def idle_land_list(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    """Projects whose granted land has not been built on within a year of the agreed start."""
    require_read(principal, "projects")
    today = zone_today(settings.zone.timezone)
    items = idle_land(session, today=today)
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
    require_read(principal, "projects")
    events = history(session, project_id)
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
    require_read(principal, "projects")
    tz = settings.zone.timezone
    return project_timeline(
        session, project_id, today=zone_today(tz), tz=tz, lang=lang or settings.zone.language
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
