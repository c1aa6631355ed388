"""A project's timeline (planned vs actual per stage, with slips) and month-by-month stages.

Dates are zone calendar dates (``PARKGIS_TIMEZONE``). A *slip* is ``actual − planned`` in
days for a reached stage, and ``today − planned`` for an overdue one (still growing).
The *original plan* of a stage is its planned date before the first re-plan (from the
``replan`` events), so re-planned slips stay visible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import NotFound
from parkgis.models import ProjectEvent
from parkgis.projects.lifecycle import event_dict, history
from parkgis.projects.milestones import (
    PROJECT_HOLD_STAGES,
    PROJECT_STAGES,
    STAGE_CODES,
    STAGE_COLORS,
    month_ends,
    reached_index,
    stage_codes,
    stage_label,
)
from parkgis.projects.supervision import ProjectFilter, ProjectStatus, project_statuses
from parkgis.zonetime import zone_today


def _original_plan(events: Sequence[dict[str, Any]]) -> dict[str, str | None]:
    first: dict[str, str | None] = {}
    for ev in events:
        if ev["kind"] == "replan":
            for s, old in (ev["data"].get("before") or {}).items():
                first.setdefault(s, old)
    return first


def project_timeline(
    session: Session,
    principal: Principal,
    project_id: int,
    *,
    today: date,
    tz: str,
    lang: str = "zh",
) -> dict[str, Any]:
    """Everything the timeline page shows for one project (any signed-in role).

    Returns
    -------
    dict
        ``project`` (its board properties), ``stages`` (one row per stage: planned,
        original planned, actual, slip in days, state, colour, and the bar positions in %
        of ``axis``), ``events`` (the log, oldest first) and ``axis`` (``start``, ``end``,
        ``today_pct``, ``ticks``).

    Raises
    ------
    NotFound
        The project does not exist.
    """
    rows = project_statuses(
        session, principal, today=today, filters=ProjectFilter(ids=(project_id,))
    )
    if not rows:
        raise NotFound(f"project {project_id} does not exist", field="id")
    st = rows[0]
    events = [event_dict(e, tz) for e in history(session, principal, project_id)]
    original = _original_plan(events)
    overdue = {m.stage: d for m, d in st.overdue}
    reached = reached_index(st.stage, st.milestones, st.held_from)
    stages: list[dict[str, Any]] = []
    for i, s in enumerate(PROJECT_STAGES):
        m = st.milestones[s]
        slip = None
        if m.actual and m.planned:
            slip = (m.actual - m.planned).days
        elif s in overdue:
            slip = overdue[s]
        if s in overdue:
            state = "overdue"
        elif m.actual is not None:
            state = "late" if slip and slip > 0 else "done"
        elif i <= reached:
            state = "done"
        else:
            state = "open"
        orig = original.get(s, m.planned.isoformat() if m.planned else None)
        stages.append(
            {
                "stage": s,
                "label": stage_label(s, lang),
                "color": STAGE_COLORS[s],
                "planned": m.planned.isoformat() if m.planned else None,
                "original_planned": orig,
                "replanned": orig != (m.planned.isoformat() if m.planned else None),
                "actual": m.actual.isoformat() if m.actual else None,
                "slip_days": slip,
                "state": state,
            }
        )
    axis = _axis(stages, today)
    for row in stages:
        row["planned_pct"] = _pct(row["planned"], axis)
        row["original_pct"] = _pct(row["original_planned"], axis)
        row["actual_pct"] = _pct(
            row["actual"] or (today.isoformat() if row["state"] == "overdue" else None), axis
        )
    return {
        "project": st.properties(),
        "as_of": today.isoformat(),
        "stage_label": stage_label(st.stage, lang),
        "stage_color": STAGE_COLORS[st.stage],
        "stages": stages,
        "events": events,
        "axis": {k: v for k, v in axis.items() if k != "_span"},
    }


def _axis(stages: list[dict[str, Any]], today: date) -> dict[str, Any]:
    dates = [today] + [
        date.fromisoformat(r[k])
        for r in stages
        for k in ("planned", "original_planned", "actual")
        if r[k]
    ]
    start = min(dates).replace(day=1)
    last = max(dates)
    end = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    span = max((end - start).days, 1)
    ticks = []
    d = start
    while d <= end:
        ticks.append({"date": d.isoformat(), "pct": round((d - start).days * 100 / span, 2)})
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    if len(ticks) > 13:  # at most about a dozen labels: keep every n-th month
        n = -(-len(ticks) // 12)
        ticks = ticks[::n]
    axis = {"start": start.isoformat(), "end": end.isoformat(), "ticks": ticks, "_span": span}
    axis["today_pct"] = _pct(today.isoformat(), axis)
    return axis


def _pct(value: str | None, axis: dict[str, Any]) -> float | None:
    if value is None:
        return None
    start = date.fromisoformat(axis["start"])
    return round((date.fromisoformat(value) - start).days * 100 / axis["_span"], 2)


def stage_frames(
    session: Session,
    rows: Sequence[ProjectStatus],
    *,
    today: date,
    tz: str,
    months: int = 24,
) -> tuple[list[str], dict[int, str]]:
    """The stage of each project at the end of each of the last ``months`` months.

    Parameters
    ----------
    rows : sequence of ProjectStatus
        From :func:`parkgis.projects.supervision.project_statuses`.
    today : date
        The zone's calendar date; the last frame is this month, as of today, and always
        shows the current stage.

    Returns
    -------
    (labels, codes)
        ``labels``: ``"YYYY-MM"`` per frame, oldest first. ``codes``: per project id, one
        character per frame from :data:`parkgis.projects.milestones.STAGE_CODES` (``-`` = not in
        the pipeline yet).
    """
    ends = month_ends(today, months)
    ids = {r.id for r in rows}
    holds: dict[int, list[tuple[date, str | None, str | None]]] = defaultdict(list)
    created: dict[int, tuple[date, str | None]] = {}
    stmt = (
        select(
            ProjectEvent.project_id,
            ProjectEvent.at,
            ProjectEvent.kind,
            ProjectEvent.from_stage,
            ProjectEvent.to_stage,
        )
        .where(
            or_(
                ProjectEvent.kind == "created",
                (ProjectEvent.kind == "transition")
                & or_(
                    ProjectEvent.to_stage.in_(PROJECT_HOLD_STAGES),
                    ProjectEvent.from_stage.in_(PROJECT_HOLD_STAGES),
                ),
            )
        )
        .order_by(ProjectEvent.project_id, ProjectEvent.at, ProjectEvent.id)
    )
    if len(ids) <= 500:
        stmt = stmt.where(ProjectEvent.project_id.in_(ids))
    for pid, at, kind, frm, to in session.execute(stmt):
        if pid not in ids:
            continue
        on = zone_today(tz, at)
        if kind == "created":
            created.setdefault(pid, (on, to))
        else:
            holds[pid].append((on, frm, to))
    codes: dict[int, str] = {}
    for r in rows:
        past = stage_codes(
            ends[:-1],
            stage=r.stage,
            milestones=r.milestones,
            holds=holds.get(r.id, ()),
            created=created.get(r.id),
        )
        codes[r.id] = past + STAGE_CODES[r.stage]
    return [f"{d.year:04d}-{d.month:02d}" for d in ends], codes
