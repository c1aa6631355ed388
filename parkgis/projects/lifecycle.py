"""Project lifecycle: stage transitions, re-plans and the event log.

Transition rules
----------------
- Forward, one stage at a time, in the order of :data:`PROJECT_STAGES`
  (negotiating → signed → land_granted → construction_started → topped_out → completed →
  in_production). Skipping is refused: every stage gets its own actual date and event, so
  the slips stay visible. Going back is refused too.
- Any active stage (not ``in_production``) may be put on hold: → ``stalled`` or
  → ``cancelled``, each with a mandatory reason.
- ``stalled`` → the stage it was in before (read from the event log), or → ``cancelled``.
- ``cancelled`` and ``in_production`` are terminal.

An illegal move raises :class:`~parkgis.errors.Conflict` (HTTP 409) whose ``allowed``
detail lists the legal targets. Every transition writes a :class:`ProjectEvent` (actor,
UTC timestamp) and a forward move sets that stage's actual date: the zone's today, or an
earlier date the caller gives (not in the future, not before the previous stage's actual).
A re-plan changes planned dates and logs the old and new plan as a ``replan`` event.
Officers may move and re-plan their own projects only; planners and admins any
(:func:`parkgis.access.require_own_project`). Both also write the audit log
(``transition`` and ``update`` rows) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_own_project, require_read
from parkgis.audit import record
from parkgis.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from parkgis.models import Parcel, Project, ProjectEvent
from parkgis.models.base import ALL_PROJECT_STAGES
from parkgis.projects.idle_land import audit_parcel_change
from parkgis.projects.milestones import (
    PROJECT_HOLD_STAGES,
    PROJECT_STAGES,
    Milestone,
    parse_milestones,
)
from parkgis.zonetime import zone_today

TERMINAL_STAGES = ("cancelled", "in_production")


def held_from(session: Session, project_id: int) -> str | None:
    """The stage a project was in when it was last put on hold (None if never held)."""
    row = session.execute(
        select(ProjectEvent.from_stage)
        .where(
            ProjectEvent.project_id == project_id,
            ProjectEvent.kind == "transition",
            ProjectEvent.to_stage.in_(PROJECT_HOLD_STAGES),
            ProjectEvent.from_stage.in_(PROJECT_STAGES),
        )
        .order_by(ProjectEvent.at.desc(), ProjectEvent.id.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


def resume_stage(stage: str, milestones: Mapping[str, Milestone], before: str | None) -> str:
    """Where a stalled project resumes: ``before`` (from the log), else its last actual stage.

    A stalled project with neither (e.g. imported that way) resumes at ``negotiating``.
    """
    if before in PROJECT_STAGES:
        return before
    done = [s for s in PROJECT_STAGES if milestones[s].actual is not None]
    return done[-1] if done else PROJECT_STAGES[0]


def allowed_transitions(stage: str, resume_to: str | None = None) -> list[str]:
    """The stages a project in ``stage`` may move to next.

    Parameters
    ----------
    stage : str
        The current stage.
    resume_to : str, optional
        For ``stalled``: the stage it resumes to (:func:`resume_stage`).
    """
    if stage in TERMINAL_STAGES:
        return []
    if stage == "stalled":
        return ([resume_to] if resume_to else []) + ["cancelled"]
    i = PROJECT_STAGES.index(stage)
    return [PROJECT_STAGES[i + 1], "stalled", "cancelled"]


def _load(session: Session, project_id: int, expected_version: int | None) -> Project:
    project = session.get(Project, project_id, with_for_update=True)
    if project is None:
        raise NotFound(f"project {project_id} does not exist", field="id")
    if expected_version is not None and project.version != expected_version:
        raise PreconditionFailed(
            f"project {project_id} is at version {project.version}, not {expected_version}; "
            "reload it and try again",
            field="If-Match",
            current_version=project.version,
        )
    return project


def _event(
    project: Project, kind: str, principal: Principal, now: datetime, **kw: Any
) -> ProjectEvent:
    return ProjectEvent(project_id=project.id, kind=kind, actor=principal.name, at=now, **kw)


def transition(
    session: Session,
    project_id: int,
    to_stage: str,
    *,
    principal: Principal,
    tz: str,
    now: datetime | None = None,
    reason: str | None = None,
    on: date | None = None,
    expected_version: int | None = None,
) -> ProjectEvent:
    """Move a project to ``to_stage`` and log it.

    Parameters
    ----------
    session : Session
        Flushed, not committed: the caller commits.
    project_id : int
    to_stage : str
        The next stage, ``stalled``, ``cancelled``, or (from ``stalled``) the stage to resume.
    principal : Principal
        Who does it (officers: their own projects only).
    tz : str
        The zone's time zone; "today" and the actual date are taken there.
    now : datetime, optional
        The instant of the transition (default: the current time).
    reason : str, optional
        Mandatory for ``stalled`` and ``cancelled``; kept on the project and the event.
    on : date, optional
        The actual date of a forward move when it happened before today (zone date).
    expected_version : int, optional
        The ``If-Match`` version; a mismatch raises :class:`PreconditionFailed`.

    Returns
    -------
    ProjectEvent
        The new event (``data`` holds the actual date, or the stage held from / resumed to).

    Raises
    ------
    InvalidInput
        Unknown stage, missing reason, or a bad ``on`` date.
    Conflict
        The move is not allowed from the current stage (``allowed`` lists the legal ones).
    """
    now = now or datetime.now(UTC)
    if to_stage not in ALL_PROJECT_STAGES:
        raise InvalidInput(
            f"unknown stage {to_stage!r}; stages are {', '.join(ALL_PROJECT_STAGES)}",
            field="to",
        )
    project = _load(session, project_id, expected_version)
    require_own_project(principal, project.officer_id)
    ms = parse_milestones(project.milestones)
    before = held_from(session, project.id) if project.stage == "stalled" else None
    resume_to = resume_stage(project.stage, ms, before) if project.stage == "stalled" else None
    allowed = allowed_transitions(project.stage, resume_to)
    if to_stage not in allowed:
        what = "it is final" if not allowed else f"allowed: {', '.join(allowed)}"
        raise Conflict(
            f"project {project.id} is {project.stage} and cannot move to {to_stage}; {what}",
            field="to",
            allowed=allowed,
            stage=project.stage,
        )
    reason = (reason or "").strip() or None
    today = zone_today(tz, now)
    data: dict[str, Any]
    if to_stage in PROJECT_HOLD_STAGES:
        if reason is None:
            raise InvalidInput(f"a reason is required to mark a project {to_stage}", field="reason")
        if on is not None:
            raise InvalidInput("'on' dates forward moves only", field="on")
        data = {"held_from": resume_to or project.stage}
        project.stage_reason = reason
    elif project.stage == "stalled":
        if on is not None:
            raise InvalidInput("'on' dates forward moves only", field="on")
        data = {"resumed_to": to_stage}
        project.stage_reason = None
    else:
        actual = _actual_date(ms, to_stage, on, today)
        milestones = {k: dict(v) for k, v in (project.milestones or {}).items()}
        entry = milestones.setdefault(to_stage, {"planned": None})
        entry["actual"] = actual.isoformat()
        project.milestones = milestones
        project.stage_reason = None
        data = {"actual": actual.isoformat(), "planned": _iso(ms[to_stage].planned)}
        _touch_parcel(session, project, to_stage, principal)
    event = _event(
        project,
        "transition",
        principal,
        now,
        from_stage=project.stage,
        to_stage=to_stage,
        reason=reason,
        data=data,
    )
    was = {"stage": project.stage, "version": project.version}
    project.stage = to_stage
    session.add(event)
    session.flush()
    after = {"stage": to_stage, "stage_reason": reason, **data, "version": project.version}
    record(session, principal, "transition", "projects", project.id, before=was, after=after)
    return event


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _actual_date(ms: Mapping[str, Milestone], stage: str, on: date | None, today: date) -> date:
    if on is None:
        return today
    if on > today:
        raise InvalidInput(f"{on} is in the future (today is {today} in the zone)", field="on")
    i = PROJECT_STAGES.index(stage)
    prev = next((ms[s].actual for s in reversed(PROJECT_STAGES[:i]) if ms[s].actual), None)
    if prev is not None and on < prev:
        raise InvalidInput(f"{on} is before the previous stage's actual date {prev}", field="on")
    return on


def _touch_parcel(session: Session, project: Project, stage: str, principal: Principal) -> None:
    """An idle-flagged parcel whose construction starts is under construction again.

    The ``idle_flagged_on`` date stays: it is the record that the land was once idle. The
    change is audited like any other change of the parcel (its status before and after).
    """
    if stage != "construction_started" or project.parcel_id is None:
        return
    parcel = session.get(Parcel, project.parcel_id)
    if parcel is not None and parcel.status == "idle":
        parcel.status = "under_construction"
        audit_parcel_change(
            session,
            principal,
            parcel,
            {"status": "idle"},
            f"construction of project {project.id} started",
        )


def replan(
    session: Session,
    project_id: int,
    planned: Mapping[str, date],
    *,
    principal: Principal,
    now: datetime | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> ProjectEvent:
    """Change the planned dates of some stages; the event keeps the old plan.

    Parameters
    ----------
    planned : mapping of stage → date
        New planned dates (zone calendar dates) for stages not reached yet. The plan must
        stay in stage order: a stage may not be planned before an earlier stage's plan.
    principal, now, reason, expected_version
        As in :func:`transition`.

    Returns
    -------
    ProjectEvent
        ``kind="replan"`` with ``data = {"before": {stage: old}, "after": {stage: new}}``.

    Raises
    ------
    InvalidInput
        No dates, an unknown stage, or a plan out of stage order (``field`` names the stage).
    Conflict
        The project is cancelled or in production, or a stage already has its actual date.
    """
    now = now or datetime.now(UTC)
    if not planned:
        raise InvalidInput("give at least one stage's new planned date", field="planned")
    for s in planned:
        if s not in PROJECT_STAGES:
            raise InvalidInput(
                f"unknown stage {s!r}; milestones are {', '.join(PROJECT_STAGES)}",
                field=f"planned.{s}",
            )
    project = _load(session, project_id, expected_version)
    require_own_project(principal, project.officer_id)
    if project.stage in TERMINAL_STAGES:
        raise Conflict(
            f"project {project.id} is {project.stage}; its plan is closed",
            field="planned",
            stage=project.stage,
        )
    ms = parse_milestones(project.milestones)
    for s in planned:
        if ms[s].actual is not None:
            raise Conflict(
                f"{s} was reached on {ms[s].actual}; its plan is history",
                field=f"planned.{s}",
            )
    new_plan = {s: planned.get(s, ms[s].planned) for s in PROJECT_STAGES}
    _check_order(new_plan, set(planned))
    milestones = {k: dict(v) for k, v in (project.milestones or {}).items()}
    before: dict[str, str | None] = {}
    for s, d in planned.items():
        entry = milestones.setdefault(s, {"actual": None})
        before[s] = entry.get("planned")
        entry["planned"] = d.isoformat()
    project.milestones = milestones
    new = {s: d.isoformat() for s, d in planned.items()}
    event = _event(
        project,
        "replan",
        principal,
        now,
        from_stage=project.stage,
        to_stage=project.stage,
        reason=(reason or "").strip() or None,
        data={"before": before, "after": new},
    )
    version = project.version
    session.add(event)
    session.flush()
    record(
        session,
        principal,
        "update",
        "projects",
        project.id,
        before={"planned": before, "version": version},
        after={"planned": new, "version": project.version},
    )
    return event


def _check_order(plan: Mapping[str, date | None], changed: set[str]) -> None:
    dated = [(s, d) for s, d in plan.items() if d is not None]
    for (s1, d1), (s2, d2) in zip(dated, dated[1:], strict=False):
        if d2 < d1 and (s1 in changed or s2 in changed):
            bad = s2 if s2 in changed else s1
            raise InvalidInput(
                f"{s2} would be planned on {d2}, before {s1} on {d1}; keep the stage order",
                field=f"planned.{bad}",
            )


def history(session: Session, principal: Principal, project_id: int) -> list[ProjectEvent]:
    """Every event of a project, oldest first (any signed-in role may read it).

    Raises
    ------
    NotFound
        The project does not exist.
    """
    require_read(principal, "projects")
    if session.get(Project, project_id) is None:
        raise NotFound(f"project {project_id} does not exist", field="id")
    return list(
        session.scalars(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == project_id)
            .order_by(ProjectEvent.at, ProjectEvent.id)
        )
    )


def project_state(session: Session, project_id: int) -> dict[str, Any]:
    """A project's id, stage, hold reason, milestones and version (for answers to writes)."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"project {project_id} does not exist", field="id")
    return {
        "id": project.id,
        "stage": project.stage,
        "stage_reason": project.stage_reason,
        "milestones": project.milestones,
        "version": project.version,
    }


def event_dict(ev: ProjectEvent, tz: str) -> dict[str, Any]:
    """An event as JSON-ready values; ``at`` in UTC and ``on`` as the zone's date."""
    at = ev.at if ev.at.tzinfo else ev.at.replace(tzinfo=UTC)
    return {
        "id": ev.id,
        "project_id": ev.project_id,
        "at": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "on": zone_today(tz, at).isoformat(),
        "kind": ev.kind,
        "from_stage": ev.from_stage,
        "to_stage": ev.to_stage,
        "actor": ev.actor,
        "reason": ev.reason,
        "data": ev.data or {},
    }


def record_created(
    session: Session, project: Project, *, actor: str, now: datetime | None = None
) -> ProjectEvent:
    """Log the ``created`` event of a new project (for writers that insert projects)."""
    ev = ProjectEvent(
        project_id=project.id,
        kind="created",
        to_stage=project.stage,
        actor=actor,
        at=now or datetime.now(UTC),
    )
    session.add(ev)
    session.flush()
    return ev
