"""Project supervision: each project's status on a day, reminder lists and idle land.

:func:`project_statuses` is the one query behind the project board API, the summaries and
the battle map: it reads every matching project with its firm, officer, chain and parcel,
and works out overdue milestones and the next milestone with the rules of
:mod:`parkgis.projects.milestones` (zone calendar dates, Asia/Shanghai by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from parkgis.access import Principal, require_read
from parkgis.errors import InvalidInput
from parkgis.models import Enterprise, IndustryChain, Officer, Parcel, Project, ProjectEvent
from parkgis.projects.filters import ProjectFilter
from parkgis.projects.milestones import (
    PROJECT_HOLD_STAGES,
    PROJECT_STAGES,
    Milestone,
    next_milestone,
    overdue_milestones,
    parse_milestones,
    reached_index,
)

CNY_PER_YI = 1e8
"""One 亿元 (yi yuan) in yuan."""


@dataclass
class ProjectStatus:
    """A project as supervision sees it on ``today`` (zone calendar date)."""

    id: int
    name: str
    stage: str
    stage_reason: str | None
    held_from: str | None
    investment_cny: float | None
    industry_chain: str | None
    chain_name_zh: str | None
    chain_name_en: str | None
    enterprise_id: int | None
    enterprise_name: str | None
    officer_id: int | None
    officer_name: str | None
    parcel_id: int | None
    parcel_code: str | None
    lon: float
    lat: float
    milestones: dict[str, Milestone]
    today: date
    overdue: list[tuple[Milestone, int]] = field(default_factory=list)
    next: Milestone | None = None
    parcel_geojson: str | None = None

    @property
    def is_overdue(self) -> bool:
        """Whether any milestone is overdue."""
        return bool(self.overdue)

    @property
    def days_late(self) -> int:
        """Days late of the most overdue milestone (0 when none is overdue)."""
        return max((d for _, d in self.overdue), default=0)

    @property
    def investment_yi(self) -> float | None:
        """Investment in 亿元 (1e8 CNY)."""
        return None if self.investment_cny is None else self.investment_cny / CNY_PER_YI

    def next_dict(self) -> dict[str, Any] | None:
        """The next milestone: stage, planned date, days late (0 when on time), days left."""
        m = self.next
        if m is None:
            return None
        late = (self.today - m.planned).days if m.planned and m.planned < self.today else 0
        left = (m.planned - self.today).days if m.planned and m.planned >= self.today else None
        return {
            "stage": m.stage,
            "planned": m.planned.isoformat() if m.planned else None,
            "days_late": late,
            "days_left": left,
        }

    def properties(self) -> dict[str, Any]:
        """JSON-ready properties (dates as ISO strings)."""
        return {
            "id": self.id,
            "name": self.name,
            "stage": self.stage,
            "stage_reason": self.stage_reason,
            "investment_cny": self.investment_cny,
            "investment_yi": self.investment_yi,
            "industry_chain": self.industry_chain,
            "chain_name_zh": self.chain_name_zh,
            "chain_name_en": self.chain_name_en,
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
            "officer_id": self.officer_id,
            "officer_name": self.officer_name,
            "parcel_id": self.parcel_id,
            "parcel_code": self.parcel_code,
            "next_milestone": self.next_dict(),
            "overdue": self.is_overdue,
            "days_late": self.days_late,
            "overdue_milestones": [
                {"stage": m.stage, "planned": m.planned.isoformat(), "days_late": d}  # type: ignore[union-attr]
                for m, d in self.overdue
            ],
            "milestones": {
                s: {
                    "planned": m.planned.isoformat() if m.planned else None,
                    "actual": m.actual.isoformat() if m.actual else None,
                }
                for s, m in self.milestones.items()
            },
        }


def _where(f: ProjectFilter, parcel: Any) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.ids:
        conds.append(Project.id.in_(f.ids))
    if f.stages:
        conds.append(Project.stage.in_(f.stages))
    if f.chains:
        conds.append(Project.industry_chain.in_(f.chains))
    if f.officer_ids:
        conds.append(Project.officer_id.in_(f.officer_ids))
    if f.bbox is not None:
        env = func.ST_MakeEnvelope(*f.bbox, 4326)
        conds.append(
            or_(
                func.ST_Intersects(Project.geom, env),
                and_(parcel.geom.isnot(None), func.ST_Intersects(parcel.geom, env)),
            )
        )
    return conds


def project_statuses(
    session: Session,
    principal: Principal,
    *,
    today: date,
    filters: ProjectFilter | None = None,
    with_parcels: bool = False,
    digits: int = 6,
) -> list[ProjectStatus]:
    """Every project matching ``filters`` with its supervision status on ``today``.

    Every signed-in role may read projects; anonymous callers get 401.

    Parameters
    ----------
    session : Session
    principal : Principal
        The caller.
    today : date
        The zone's calendar date (:func:`parkgis.zonetime.zone_today`).
    filters : ProjectFilter, optional
    with_parcels : bool
        Also read each project's parcel polygon as GeoJSON text (EPSG:4326).
    digits : int
        Decimal places of the parcel coordinates (5 ≈ 1 m).

    Returns
    -------
    list of ProjectStatus
        Ordered by project id; ``lon``/``lat`` are the project point in EPSG:4326 degrees.
    """
    require_read(principal, "projects")
    f = filters or ProjectFilter()
    parcel = aliased(Parcel)
    hold = (
        select(ProjectEvent.from_stage)
        .where(
            ProjectEvent.project_id == Project.id,
            ProjectEvent.kind == "transition",
            ProjectEvent.to_stage.in_(PROJECT_HOLD_STAGES),
            ProjectEvent.from_stage.in_(PROJECT_STAGES),
        )
        .order_by(ProjectEvent.at.desc(), ProjectEvent.id.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )
    cols: list[Any] = [
        Project.id,
        Project.name,
        Project.stage,
        Project.stage_reason,
        Project.investment_cny,
        Project.industry_chain,
        IndustryChain.name_zh,
        IndustryChain.name_en,
        Project.enterprise_id,
        Enterprise.name,
        Project.officer_id,
        Officer.name,
        Project.parcel_id,
        parcel.code,
        func.ST_X(Project.geom),
        func.ST_Y(Project.geom),
        Project.milestones,
        case((Project.stage.in_(PROJECT_HOLD_STAGES), hold), else_=None),
    ]
    if with_parcels:
        cols.append(func.ST_AsGeoJSON(parcel.geom, digits))
    stmt = (
        select(*cols)
        .select_from(Project)
        .outerjoin(Enterprise, Enterprise.id == Project.enterprise_id)
        .outerjoin(Officer, Officer.id == Project.officer_id)
        .outerjoin(IndustryChain, IndustryChain.code == Project.industry_chain)
        .outerjoin(parcel, parcel.id == Project.parcel_id)
        .where(*_where(f, parcel))
        .order_by(Project.id)
    )
    out: list[ProjectStatus] = []
    for row in session.execute(stmt):
        stage = row[2]
        held_from = row[17] if stage in PROJECT_HOLD_STAGES else None
        ms = parse_milestones(row[16])
        st = ProjectStatus(
            id=row[0],
            name=row[1],
            stage=stage,
            stage_reason=row[3],
            held_from=held_from,
            investment_cny=row[4],
            industry_chain=row[5],
            chain_name_zh=row[6],
            chain_name_en=row[7],
            enterprise_id=row[8],
            enterprise_name=row[9],
            officer_id=row[10],
            officer_name=row[11],
            parcel_id=row[12],
            parcel_code=row[13],
            lon=row[14],
            lat=row[15],
            milestones=ms,
            today=today,
            overdue=overdue_milestones(stage, ms, today, held_from),
            next=next_milestone(stage, ms, held_from),
            parcel_geojson=row[18] if with_parcels else None,
        )
        if f.overdue_only and not st.is_overdue:
            continue
        out.append(st)
    return out


def board_geojson(statuses: Iterable[ProjectStatus]) -> dict[str, Any]:
    """The statuses as a GeoJSON FeatureCollection of project points (EPSG:4326)."""
    feats = [
        {
            "type": "Feature",
            "id": s.id,
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": s.properties(),
        }
        for s in statuses
    ]
    return {"type": "FeatureCollection", "numberMatched": len(feats), "features": feats}


def _reminder(s: ProjectStatus, m: Milestone, **extra: Any) -> dict[str, Any]:
    return {
        "project_id": s.id,
        "project_name": s.name,
        "enterprise_name": s.enterprise_name,
        "officer_id": s.officer_id,
        "officer_name": s.officer_name,
        "current_stage": s.stage,
        "milestone": m.stage,
        "planned": m.planned.isoformat() if m.planned else None,
        **extra,
    }


def reminders(
    session: Session,
    principal: Principal,
    *,
    today: date,
    within_days: int,
    filters: ProjectFilter | None = None,
) -> dict[str, Any]:
    """The reminder lists: milestones overdue now, and milestones due within N days.

    Parameters
    ----------
    today : date
        The zone's calendar date.
    within_days : int
        Horizon of ``due_soon``: open milestones planned from ``today`` to
        ``today + within_days`` inclusive.

    Returns
    -------
    dict
        ``{"as_of", "within_days", "overdue": [...], "due_soon": [...]}``; one item per
        milestone, overdue ones most late first, due ones soonest first.
    """
    if within_days < 0:
        raise InvalidInput("within_days must be 0 or more", field="within_days")
    horizon = today + timedelta(days=within_days)
    overdue: list[dict[str, Any]] = []
    due: list[dict[str, Any]] = []
    for s in project_statuses(session, principal, today=today, filters=filters):
        overdue += [_reminder(s, m, days_late=d) for m, d in s.overdue]
        if s.stage == "cancelled":
            continue
        r = reached_index(s.stage, s.milestones, s.held_from)
        for st in PROJECT_STAGES[r + 1 :]:
            m = s.milestones[st]
            if m.actual is None and m.planned is not None and today <= m.planned <= horizon:
                due.append(_reminder(s, m, days_left=(m.planned - today).days))
    overdue.sort(key=lambda x: (-x["days_late"], x["project_id"]))
    due.sort(key=lambda x: (x["planned"], x["project_id"]))
    return {
        "as_of": today.isoformat(),
        "within_days": within_days,
        "overdue": overdue,
        "due_soon": due,
    }
