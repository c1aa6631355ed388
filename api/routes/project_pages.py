"""HTML pages of the projects: the battle map ``/maps/projects`` and each project's
timeline ``/projects/{id}/timeline`` (planned vs actual per stage, slips, event log).

Both read what ``/api/v1/projects/board`` and ``/api/v1/projects/{id}/timeline`` read, and
need a signed-in caller (projects are not public). The timeline page is plain HTML and
CSS (no scripts, no external files), so it also works saved to disk.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from api.csrf import csrf_token
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.pages import FrameDep, page_response
from api.routes.maps import MapQuery, map_openapi, map_query, map_response
from parkgis.maps.projects import projects_map
from parkgis.pages.contrast import readable_text
from parkgis.pages.format import money
from parkgis.projects.filters import FILTER_PARAMS
from parkgis.projects.milestones import ALL_PROJECT_STAGES, stage_label
from parkgis.projects.timeline import project_timeline
from parkgis.workbench.labels import labels as wb_labels
from parkgis.workbench.project_actions import project_actions
from parkgis.zonetime import zone_today

router = APIRouter(tags=["projects"])

ProjectsMapQuery = Annotated[
    MapQuery, Depends(map_query(None, extra=tuple(k for k in FILTER_PARAMS if k != "bbox")))
]

_OPENAPI = map_openapi(None)
_OPENAPI["parameters"] += [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": desc,
        "schema": {"type": "string"},
    }
    for name, desc in (
        ("stage", "Current stage(s), comma list"),
        ("industry_chain", "Industry chain code(s), comma list (alias: chain)"),
        ("officer_id", "Officer id(s), comma list (alias: officer)"),
        ("overdue", "1: only projects with an overdue milestone"),
    )
]


@router.get(
    "/maps/projects",
    response_class=HTMLResponse,
    openapi_extra=_OPENAPI,
    summary="Battle map: projects by stage, overdue ones ringed, monthly time slider",
)
def projects_map_page(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: ProjectsMapQuery,
) -> HTMLResponse:
    """Every project on its parcel, coloured by stage and sized by investment; overdue ones
    carry a red ring. Filters: `stage`, `industry_chain`, `officer_id`, `overdue=1`, `bbox`.
    `download=1` gives one offline file (its timeline links point back to this server)."""
    link_base = str(request.base_url).rstrip("/") if q.download else ""
    m = projects_map(
        session,
        principal,
        settings,
        bbox=q.bbox,
        filters=q.filters,
        basemap=q.basemap,
        lang=q.lang,
        link_base=link_base,
    )
    return map_response(m, q, "parkgis-projects.html")


LABELS: dict[str, tuple[str, str]] = {
    "title": ("项目进度时间轴", "Project timeline"),
    "back": ("项目作战图", "Battle map"),
    "reason": ("原因", "Reason"),
    "overdue": ("逾期", "Overdue"),
    "firm": ("企业", "Firm"),
    "investment": ("投资额", "Investment"),
    "chain": ("产业链", "Industry chain"),
    "officer": ("首席服务官", "Officer"),
    "next": ("下一节点", "Next milestone"),
    "days_late": ("逾期 {n} 天", "{n} days late"),
    "days_left": ("还有 {n} 天", "due in {n} days"),
    "as_of": ("统计日", "As of"),
    "chart": ("计划与实际", "Planned and actual"),
    "today": ("今天", "Today"),
    "planned": ("计划", "Planned"),
    "original": ("原计划", "Original plan"),
    "actual": ("实际", "Actual"),
    "slip": ("偏差（天）", "Slip (days)"),
    "slip_late": ("推迟", "Late"),
    "slip_early": ("提前", "Early"),
    "stage": ("阶段", "Stage"),
    "state": ("状态", "State"),
    "events": ("变更记录", "Event log"),
    "when": ("日期", "Date"),
    "what": ("变更", "Change"),
    "who": ("操作人", "By"),
    "replan": ("调整计划", "Re-planned"),
    "created": ("立项", "Created"),
    "no_events": ("暂无记录", "No events yet"),
}
STATES: dict[str, tuple[str, str]] = {
    "done": ("已完成", "Done"),
    "late": ("推迟完成", "Done late"),
    "overdue": ("逾期", "Overdue"),
    "open": ("未到期", "Not due yet"),
}


@router.get("/projects/{project_id}/timeline", response_class=HTMLResponse)
def timeline_page(
    project_id: int,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    frame: FrameDep,
    lang: str | None = None,
) -> HTMLResponse:
    """A project's planned and actual dates for every stage side by side, with the slips."""
    lg = frame.lang
    tz = settings.zone.timezone
    tl = project_timeline(session, principal, project_id, today=zone_today(tz), tz=tz, lang=lg)
    p = tl["project"]
    i = 0 if lg == "zh" else 1
    nxt = p["next_milestone"]
    context = {
        "L": {k: v[i] for k, v in LABELS.items()},
        "states": {k: v[i] for k, v in STATES.items()},
        "labels": {s: stage_label(s, lg) for s in ALL_PROJECT_STAGES},
        "lang": lg,
        "p": p,
        "investment": money(p["investment_cny"], lg),
        "chain": p["chain_name_zh"] if lg == "zh" else p["chain_name_en"],
        "nxt": None if nxt is None else {**nxt, "label": stage_label(nxt["stage"], lg)},
        "stage_label": tl["stage_label"],
        "stage_color": tl["stage_color"],
        "stages": tl["stages"],
        "events": tl["events"],
        "axis": tl["axis"],
        "as_of": tl["as_of"],
        # The workbench's forms (advance, stall, re-plan) for callers who may move it.
        "actions": project_actions(session, principal, project_id, today=zone_today(tz)),
        "csrf_token": csrf_token(request),
        "A": wb_labels(lg),
        "done_msg": wb_labels(lg).get("done." + request.query_params.get("done", "x")),
    }
    return page_response(
        frame,
        "project_timeline.html",
        title=str(p["name"]),
        printable=True,
        readable=readable_text,
        **context,
    )
