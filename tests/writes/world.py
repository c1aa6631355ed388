"""Shared data for the write-API tests: tokens for every role, two officers and their firms.

The ``world`` and ``client`` fixtures are in ``tests/writes/conftest.py``.

API requests commit, so everything here is committed with a unique tag in its codes and
names, and deleted again (by that tag) when the module's tests are done. Audit rows stay.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from parkgis.access import Principal
from parkgis.db.engine import session_scope
from parkgis.writes import create
from parkgis.zonetime import zone_today
from tests.support.firms import uscc
from tests.support.geometry import LAT0, LON0, ring, square

D = 0.001
"""Side of the write tests' squares in degrees (about 100 m at the zone)."""
ADMIN = "admin"
ROLES = ("anonymous", "investment", "officer_own", "officer_other", "planner", "admin")


@dataclass
class World:
    """Ids and tokens the write tests share."""

    tag: str
    engine: Engine
    tokens: dict[str, str]
    principals: dict[str, Principal]
    officer_a: int
    officer_b: int
    firm_a: int
    firm_b: int
    parcel: int
    building: int
    seq: Any = field(default_factory=lambda: itertools.count(1))

    def code(self, prefix: str = "") -> str:
        """A unique code carrying this run's tag (for clean-up)."""
        return f"{self.tag}{prefix}{next(self.seq)}"

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        """Request headers for ``role`` (no Authorization for anonymous)."""
        h = dict(extra)
        if role != "anonymous":
            h["Authorization"] = f"Bearer {self.tokens[role]}"
        return h

    def make(self, entity: str, body: dict[str, Any], role: str = "admin") -> dict[str, Any]:
        """Create a row through the library (committed) and return its representation."""
        with session_scope(self.engine) as s:
            return create(s, entity, self.principals[role], body).body

    def count(self, sql: str, **params: Any) -> int:
        """``SELECT count(*) ...`` with the tag available as ``:tag``."""
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql), {"tag": self.tag + "%", **params}).scalar_one())

    def audit_rows(self) -> int:
        """Audit rows written by this run's users."""
        ids = [p.user_id for p in self.principals.values() if p.user_id is not None]
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM audit_log WHERE user_id = ANY(:ids)"), {"ids": ids}
                ).scalar_one()
            )

    def bodies(self, entity: str) -> dict[str, Any]:
        """A valid create body for ``entity`` (a Feature for spatial ones)."""
        c = self.code()
        props: dict[str, Any]
        geom: dict[str, Any] | None
        if entity == "parcels":
            props = {"code": c, "land_use": "100102", "status": "available"}
            geom = {"type": "Polygon", "coordinates": [ring(square(deg=D))]}
        elif entity == "buildings":
            props = {"name": c, "parcel_id": self.parcel, "floors": 2}
            geom = {"type": "Polygon", "coordinates": [ring(square(deg=0.0005))]}
        elif entity == "spaces":
            props = {"building_id": self.building, "floor": 1, "code": c}
            geom = None
        elif entity == "grid_areas":
            props = {"code": c, "name": c}
            geom = {"type": "Polygon", "coordinates": [ring(square(deg=0.01))]}
        elif entity == "enterprises":
            props = {"name": c, "uscc": uscc()}
            geom = {"type": "Point", "coordinates": [LON0, LAT0]}
        elif entity == "projects":
            props = {"name": c, "enterprise_id": self.firm_a, "officer_id": self.officer_a}
            geom = {"type": "Point", "coordinates": [LON0, LAT0]}
        elif entity == "officers":
            return {"name": c}
        elif entity == "assignments":
            return {
                "officer_id": self.officer_b,
                "enterprise_id": self.firm_a,
                "since": "2024-01-01",
                "until": "2024-06-30",
                "note": c,
            }
        elif entity == "visits":
            return {
                "officer_id": self.officer_a,
                "enterprise_id": self.firm_a,
                "visited_at": f"{zone_today('Asia/Shanghai')}T00:00:00+08:00",  # never future/old
                "summary": c,
            }
        elif entity == "service_requests":
            return {
                "enterprise_id": self.firm_a,
                "officer_id": self.officer_a,
                "category": "utilities",
                "title": c,
                "opened_on": "2025-03-01",
            }
        else:
            raise KeyError(entity)
        return {"type": "Feature", "geometry": geom, "properties": props}


def post(client: TestClient, world: World, entity: str, body: Any, **kw: Any) -> Any:
    """POST ``body`` to the collection as admin."""
    return client.post(f"/api/v1/{entity}", json=body, headers=world.headers(ADMIN), **kw)


def feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    """A GeoJSON Feature body."""
    return {"type": "Feature", "geometry": geometry, "properties": props}


def polygon(ring: list[list[float]]) -> dict[str, Any]:
    """A GeoJSON Polygon of one ring."""
    return {"type": "Polygon", "coordinates": [ring]}


def row(world: World, sql: str, **params: Any) -> Any:
    """The one row of ``sql`` as a mapping."""
    with world.engine.connect() as conn:
        return conn.execute(text(sql), params).mappings().one()


def make_parcel(world: World, **props: Any) -> dict[str, Any]:
    """A committed parcel (version 1) with ``props`` over the defaults."""
    body = world.bodies("parcels")
    body["properties"].update(props)
    return world.make("parcels", body)


def drop_world(engine: Engine, tag: str, user_ids: list[int]) -> None:
    """Delete every row whose code or name carries ``tag``, and the users ``user_ids``."""
    like = tag + "%"
    with engine.begin() as conn:
        # Users first: an officer's user may not outlive its officer (officer_linked).
        conn.execute(text("DELETE FROM users WHERE id = ANY(:ids)"), {"ids": user_ids})
        for sql in (
            "DELETE FROM projects WHERE name LIKE :t OR officer_id IN "
            "(SELECT id FROM officers WHERE name LIKE :t)",
            "DELETE FROM spaces WHERE code LIKE :t OR building_id IN "
            "(SELECT id FROM buildings WHERE name LIKE :t)",
            "DELETE FROM enterprises WHERE name LIKE :t",
            "DELETE FROM buildings WHERE name LIKE :t",
            "DELETE FROM grid_areas WHERE code LIKE :t",
            "DELETE FROM parcels WHERE code LIKE :t",
            "DELETE FROM officers WHERE name LIKE :t",
        ):
            conn.execute(text(sql), {"t": like})
