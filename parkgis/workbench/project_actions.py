"""What a caller may do to one project from its timeline page: advance, stall, re-plan.

The moves themselves are :func:`parkgis.projects.lifecycle.transition` and
:func:`parkgis.projects.lifecycle.replan` (the API's functions, with their rules, versions
and audit); this only tells the page which buttons to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from parkgis.access import Principal, require_own_project
from parkgis.errors import Forbidden, NotFound, Unauthorized
from parkgis.models import Project
from parkgis.models.base import PROJECT_HOLD_STAGES, PROJECT_STAGES
from parkgis.projects.lifecycle import (
    TERMINAL_STAGES,
    allowed_transitions,
    held_from,
    resume_stage,
)
from parkgis.projects.milestones import parse_milestones


@dataclass(frozen=True)
class ProjectActions:
    """The moves open to the caller on ``today`` (zone date) and the version they read."""

    project_id: int
    version: int
    stage: str
    forward: list[str]
    holds: list[str]
    replannable: list[str]
    today: date


def project_actions(
    session: Session, principal: Principal, project_id: int, *, today: date
) -> ProjectActions | None:
    """The caller's possible moves on a project, or None when they may not move it.

    ``forward`` are stages to advance (or resume) to, ``holds`` are ``stalled``/``cancelled``
    when open, ``replannable`` the stages without an actual date (empty once the project is
    cancelled or in production).
    """
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"project {project_id} does not exist", field="id")
    try:
        require_own_project(principal, project.officer_id)
    except (Forbidden, Unauthorized):
        return None
    ms = parse_milestones(project.milestones)
    resume = None
    if project.stage == "stalled":
        resume = resume_stage(project.stage, ms, held_from(session, project.id))
    allowed = allowed_transitions(project.stage, resume)
    return ProjectActions(
        project_id=project.id,
        version=project.version,
        stage=project.stage,
        forward=[s for s in allowed if s not in PROJECT_HOLD_STAGES],
        holds=[s for s in allowed if s in PROJECT_HOLD_STAGES],
        replannable=[]
        if project.stage in TERMINAL_STAGES
        else [s for s in PROJECT_STAGES if ms[s].actual is None],
        today=today,
    )
