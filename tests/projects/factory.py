"""Hand-made projects for the project tests (inside the rolled-back transaction).

Rows themselves come from :mod:`tests.support.rows` (``officer``, ``project``, ``parcel``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection

from parkgis.access import Principal
from parkgis.models.base import PROJECT_STAGES
from tests.support.geometry import LAT0, LON0, square
from tests.support.hostile import XSS_FLAG, XSS_IMG, XSS_SCRIPT, XSS_TEMPLATE
from tests.support.rows import enterprise, officer, parcel, project, serial
from tests.support.zones import drop_rows, spot

PLANNER = Principal(user_id=None, name="planner-t", role="planner")
INVESTMENT = Principal(user_id=None, name="invest-t", role="investment")
TZ = "Asia/Shanghai"


def officer_principal(officer_id: int) -> Principal:
    """A principal with the officer role for ``officer_id``."""
    return Principal(
        user_id=None, name=f"officer-{officer_id}", role="officer", officer_id=officer_id
    )


def plan(
    start: date, *, step_days: int = 60, actual_upto: int = -1, late_days: int = 0
) -> dict[str, dict[str, str | None]]:
    """Milestones planned every ``step_days`` from ``start``; stages up to index
    ``actual_upto`` have actual dates ``late_days`` after their plan."""
    out: dict[str, dict[str, str | None]] = {}
    for i, s in enumerate(PROJECT_STAGES):
        p = start + timedelta(days=i * step_days)
        a = p + timedelta(days=late_days) if i <= actual_upto else None
        out[s] = {"planned": p.isoformat(), "actual": a.isoformat() if a else None}
    return out


def milestones(**stages: tuple[date | None, date | None]) -> dict[str, dict[str, str | None]]:
    """Milestones from ``stage=(planned, actual)``; stages not named have no dates."""
    out: dict[str, dict[str, str | None]] = {
        s: {"planned": None, "actual": None} for s in PROJECT_STAGES
    }
    for s, (p, a) in stages.items():
        out[s] = {"planned": p.isoformat() if p else None, "actual": a.isoformat() if a else None}
    return out


def granted_parcel(conn: Connection, *, granted_on: date, agreed_start_on: date, **kw: Any) -> int:
    """A parcel granted on ``granted_on`` with an agreed construction start."""
    n = serial()
    return parcel(
        conn,
        status=kw.pop("status", "granted"),
        granted_on=granted_on,
        agreed_start_on=agreed_start_on,
        geom=MultiPolygon([square(LON0 + 0.05 + n * 0.003, LAT0 + 0.05)]),
        **kw,
    )


@dataclass
class BoardZone:
    """A few projects in their own small area (so a bbox isolates them)."""

    bbox: tuple[float, float, float, float]
    tag: str
    officers: list[int] = field(default_factory=list)
    firms: list[int] = field(default_factory=list)
    parcels: list[int] = field(default_factory=list)
    projects: dict[str, int] = field(default_factory=dict)

    @property
    def bbox_param(self) -> str:
        """The bbox as a query-string value."""
        return ",".join(f"{v:.6f}" for v in self.bbox)


def make_board_zone(conn: Connection, today: date) -> BoardZone:
    """Projects of several stages with hostile names; two overdue, one on a parcel.

    ``projects`` keys: ``late`` (negotiating, overdue, hostile name, on a parcel),
    ``signed`` (on time), ``building`` (construction, overdue topping-out),
    ``stalled`` and ``cancelled`` (overdue dates, never counted for cancelled),
    ``done`` (in production).
    """
    where = spot(100.0, 30.0)
    lon0, lat0, tag = where.lon, where.lat, where.tag
    z = BoardZone(bbox=(lon0 - 0.001, lat0 - 0.001, lon0 + 0.03, lat0 + 0.01), tag=tag)
    z.officers = [officer(conn, f"{tag} {XSS_IMG}"), officer(conn, f"{tag} 王五")]
    z.firms = [
        enterprise(conn, name=f"{tag} {XSS_SCRIPT}", geom=Point(lon0, lat0)),
        enterprise(conn, name=f"{tag} 正常企业", geom=Point(lon0, lat0)),
    ]
    par = parcel(
        conn,
        code=f"PB-{tag}",
        status="granted",
        granted_on=today - timedelta(days=800),
        agreed_start_on=today - timedelta(days=700),
        geom=MultiPolygon([square(lon0 + 0.002, lat0 + 0.002, side_m=120)]),
    )
    z.parcels = [par]
    old = today - timedelta(days=600)

    def add(key: str, n: int, **kw: Any) -> None:
        values: dict[str, Any] = {
            "name": f"{tag} project {key}",
            "geom": Point(lon0 + 0.004 * n, lat0 + 0.001 * n),
            "officer_id": z.officers[n % 2],
            "enterprise_id": z.firms[n % 2],
            "industry_chain": "batteries" if n % 2 else "electronics",
            "investment_cny": 1e8 * (n + 1),
        }
        values.update(kw)
        z.projects[key] = project(conn, **values)

    add("late", 0, name=f"{tag} {XSS_FLAG}", parcel_id=par, milestones=plan(old, actual_upto=0))
    add(
        "signed",
        1,
        name=f"{tag} {XSS_TEMPLATE}",
        stage="signed",
        milestones=plan(today - timedelta(days=61), actual_upto=1),
    )
    add(
        "building",
        2,
        stage="construction_started",
        milestones=plan(today - timedelta(days=300), step_days=50, actual_upto=3),
    )
    add("stalled", 3, stage="stalled", stage_reason=XSS_IMG, milestones=plan(old, actual_upto=1))
    add("cancelled", 4, stage="cancelled", stage_reason="撤资", milestones=plan(old, actual_upto=1))
    add("done", 5, stage="in_production", milestones=plan(old, step_days=30, actual_upto=6))
    return z


def drop_board_zone(conn: Connection, z: BoardZone) -> None:
    """Delete the zone's rows (events go with their projects)."""
    drop_rows(
        conn,
        [
            ("projects", z.projects.values()),
            ("parcels", z.parcels),
            ("enterprises", z.firms),
            ("officers", z.officers),
        ],
    )
