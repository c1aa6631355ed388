"""Idle land (闲置土地) of projects: granted, but construction not started within a year.

The rule is :func:`parkgis.projects.milestones.is_idle`: a project's parcel with a grant date and an
agreed construction start date is idle once ``today`` (zone date) is past the anniversary
of the agreed start and the project has not reached ``construction_started``. Cancelled
projects count too: their land is idle all the same.

Flagging marks the parcel for the planners' land-use statistics:

- ``parcels.idle_flagged_on`` is set to the day it was first found idle (kept afterwards,
  also when construction later starts: it records that the land was idle);
- a parcel whose status is ``granted`` becomes ``idle``; other statuses are left alone.
  When the project's construction starts, an ``idle`` parcel becomes
  ``under_construction`` (:func:`parkgis.projects.transition`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_read, require_role
from parkgis.audit import jsonable, record
from parkgis.models import Parcel, Project, ProjectEvent
from parkgis.models.base import PROJECT_HOLD_STAGES, PROJECT_STAGES
from parkgis.projects.milestones import idle_deadline, is_idle, parse_milestones, reached_index

_STARTED = PROJECT_STAGES.index("construction_started")


@dataclass(frozen=True)
class IdleLand:
    """A project whose granted land is idle on ``as_of`` (zone dates)."""

    project_id: int
    project_name: str
    stage: str
    parcel_id: int
    parcel_code: str
    parcel_status: str
    granted_on: date
    agreed_start_on: date
    deadline: date
    days_over: int
    idle_flagged_on: date | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def _held_from(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(ProjectEvent.project_id, ProjectEvent.from_stage)
        .where(
            ProjectEvent.project_id.in_(ids),
            ProjectEvent.kind == "transition",
            ProjectEvent.to_stage.in_(PROJECT_HOLD_STAGES),
            ProjectEvent.from_stage.in_(PROJECT_STAGES),
        )
        .order_by(ProjectEvent.project_id, ProjectEvent.at, ProjectEvent.id)
    )
    return {pid: frm for pid, frm in rows if frm}  # the last one per project wins


def idle_land(session: Session, principal: Principal, *, today: date) -> list[IdleLand]:
    """Projects whose granted parcel is idle on ``today``, most overdue first.

    Every signed-in role may read it (:func:`parkgis.access.require_read` of projects).

    Parameters
    ----------
    session : Session
    principal : Principal
        The caller.
    today : date
        The zone's calendar date (:func:`parkgis.zonetime.zone_today`).
    """
    require_read(principal, "projects")
    return idle_projects(session, today=today)


def idle_projects(session: Session, *, today: date) -> list[IdleLand]:
    """:func:`idle_land` without the role check, for callers that checked it already.

    Parameters
    ----------
    session : Session
    today : date
        The zone's calendar date (:func:`parkgis.zonetime.zone_today`).
    """
    # Plain columns, not ORM objects: at scale 100 (22,844 projects on granted land)
    # building Project and Parcel instances took about 2 s of the rule's time.
    rows = session.execute(
        select(
            Project.id,
            Project.name,
            Project.stage,
            Project.milestones,
            Parcel.id.label("parcel_id"),
            Parcel.code,
            Parcel.status,
            Parcel.granted_on,
            Parcel.agreed_start_on,
            Parcel.idle_flagged_on,
        )
        .join(Parcel, Parcel.id == Project.parcel_id)
        .where(Parcel.granted_on.isnot(None), Parcel.agreed_start_on.isnot(None))
        .order_by(Project.id)
    ).all()
    held = _held_from(session, [r.id for r in rows if r.stage in PROJECT_HOLD_STAGES])
    out: list[IdleLand] = []
    for r in rows:
        ms = parse_milestones(r.milestones)
        started = (
            ms["construction_started"].actual is not None
            or reached_index(r.stage, ms, held.get(r.id)) >= _STARTED
        )
        if not is_idle(
            granted_on=r.granted_on,
            agreed_start_on=r.agreed_start_on,
            construction_started=started,
            today=today,
        ):
            continue
        assert r.granted_on is not None and r.agreed_start_on is not None
        deadline = idle_deadline(r.agreed_start_on)
        out.append(
            IdleLand(
                project_id=r.id,
                project_name=r.name,
                stage=r.stage,
                parcel_id=r.parcel_id,
                parcel_code=r.code,
                parcel_status=r.status,
                granted_on=r.granted_on,
                agreed_start_on=r.agreed_start_on,
                deadline=deadline,
                days_over=(today - deadline).days,
                idle_flagged_on=r.idle_flagged_on,
            )
        )
    out.sort(key=lambda x: (-x.days_over, x.project_id))
    return out


def audit_parcel_change(
    session: Session,
    principal: Principal,
    parcel: Parcel,
    before: dict[str, Any],
    reason: str,
) -> None:
    """Audit what a project rule changed on a parcel: the fields of ``before``, with their
    values before and now, and why. Nothing is written when none of them changed."""
    after = {k: getattr(parcel, k) for k in before}
    if after == before:
        return
    session.flush()
    record(
        session,
        principal,
        "update",
        "parcels",
        parcel.id,
        before=jsonable(before),
        after=jsonable({**after, "reason": reason}),
    )


def flag_idle_land(session: Session, *, today: date, principal: Principal) -> list[IdleLand]:
    """Mark the parcels of idle projects for the planners and return what was found.

    Sets ``idle_flagged_on = today`` where it is empty, and ``status = 'idle'`` where the
    status is ``granted``. Flushed, not committed. Planners and admins only.

    Returns
    -------
    list of IdleLand
        Every idle project, with ``idle_flagged_on`` and ``parcel_status`` as they are now.
    """
    require_role(principal, ("admin", "planner"), "flag idle land")
    found = idle_projects(session, today=today)
    out: list[IdleLand] = []
    for item in found:
        parcel = session.get(Parcel, item.parcel_id)
        assert parcel is not None
        before = {"status": parcel.status, "idle_flagged_on": parcel.idle_flagged_on}
        if parcel.idle_flagged_on is None:
            parcel.idle_flagged_on = today
        if parcel.status == "granted":
            parcel.status = "idle"
        audit_parcel_change(
            session, principal, parcel, before, f"idle land of project {item.project_id}"
        )
        out.append(
            IdleLand(
                **{
                    **asdict(item),
                    "idle_flagged_on": parcel.idle_flagged_on,
                    "parcel_status": parcel.status,
                }
            )
        )
    session.flush()
    return out
