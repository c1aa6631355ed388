"""Hand-made projects for the project tests (inside the rolled-back transaction)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, text

from parkgis.access import Principal
from parkgis.models.base import PROJECT_STAGES
from tests.factories import LAT0, LON0, enterprise, insert, parcel, square

_seq = itertools.count(1)

PLANNER = Principal(user_id=None, name="planner-t", role="planner")
INVESTMENT = Principal(user_id=None, name="invest-t", role="investment")
TZ = "Asia/Shanghai"


def officer(conn: Connection, name: str | None = None) -> int:
    """An officer row."""
    return insert(conn, "officers", name=name or f"官员{next(_seq)}")


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


def project(conn: Connection, **kw: Any) -> int:
    """A project; pass ``milestones`` as a dict (stored as JSONB)."""
    import json

    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"测试项目{n}",
        "stage": "negotiating",
        "investment_cny": 1e8,
        "geom": Point(LON0 + 0.01 + n * 1e-4, LAT0 + 0.01),
    }
    values.update(kw)
    ms = values.pop("milestones", None) or {}
    values["milestones"] = json.dumps(ms)
    cols = ", ".join(values)
    params = {
        k: (f"SRID=4326;{v.wkt}" if hasattr(v, "geom_type") else v) for k, v in values.items()
    }
    ph = ", ".join(f"CAST(:{k} AS jsonb)" if k == "milestones" else f":{k}" for k in values)
    return int(
        conn.execute(
            text(f"INSERT INTO projects ({cols}) VALUES ({ph}) RETURNING id"), params
        ).scalar_one()
    )


def granted_parcel(conn: Connection, *, granted_on: date, agreed_start_on: date, **kw: Any) -> int:
    """A parcel granted on ``granted_on`` with an agreed construction start."""
    n = next(_seq)
    return parcel(
        conn,
        status=kw.pop("status", "granted"),
        granted_on=granted_on,
        agreed_start_on=agreed_start_on,
        geom=MultiPolygon([square(LON0 + 0.05 + n * 0.003, LAT0 + 0.05)]),
        **kw,
    )


__all__ = [
    "INVESTMENT",
    "PLANNER",
    "TZ",
    "enterprise",
    "granted_parcel",
    "milestones",
    "officer",
    "officer_principal",
    "plan",
    "project",
]
