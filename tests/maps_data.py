"""A tiny zone for map tests: one parcel per status, a building, and firms with hostile names.

:func:`make_zone` inserts it on a connection (inside a rolled-back test transaction, or
committed for tests that go through the app, see :func:`committed_zone`). Each zone sits
in its own small area so other rows in the database never fall inside its ``bbox``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from parkgis.models.base import PARCEL_STATUSES
from tests.factories import enterprise, insert, square

XSS_IMG = "<img src=x onerror=alert(1)>\"'`${x}`"
XSS_SCRIPT = "</script><script>alert(1)</script>"
XSS_FLAG = '${window.__xss=1}`;window.__xss=1;//<img src=y onerror="window.__xss=1">\\'
# Folium re-compiles element output as Jinja: template syntax must stay text (no SSTI).
XSS_TEMPLATE = "{{ 7*7 }}{% if true %}ssti{% endif %}{# c #}"
HOSTILE = (XSS_IMG, XSS_SCRIPT, XSS_FLAG, XSS_TEMPLATE)


@dataclass
class Zone:
    """Ids and the bbox (EPSG:4326 degrees) of one test zone."""

    bbox: tuple[float, float, float, float]
    parcels: dict[str, list[int]] = field(default_factory=dict)
    buildings: list[int] = field(default_factory=list)
    firms: list[int] = field(default_factory=list)
    tag: str = ""

    @property
    def bbox_param(self) -> str:
        """The bbox as a query-string value."""
        return ",".join(f"{v:.6f}" for v in self.bbox)

    @property
    def parcel_count(self) -> int:
        """All parcels of the zone."""
        return sum(len(v) for v in self.parcels.values())


def make_zone(conn: Connection) -> Zone:
    """Insert a zone: parcels of every status (two available), a building, four firms."""
    r = uuid.uuid4().int
    lon0, lat0 = 113.0 + 0.03 * (r % 64), 22.0 + 0.01 * ((r >> 8) % 128)
    tag = f"{r:032x}"[:8]
    zone = Zone(bbox=(lon0 - 0.001, lat0 - 0.001, lon0 + 0.02, lat0 + 0.005), tag=tag)
    firms = [
        enterprise(conn, name=XSS_IMG, geom=Point(lon0 + 0.0004, lat0 + 0.0004)),
        enterprise(
            conn, name=XSS_SCRIPT, name_en=XSS_FLAG, geom=Point(lon0 + 0.0034, lat0 + 0.0004)
        ),
        enterprise(
            conn, name=XSS_FLAG, name_en=XSS_TEMPLATE, geom=Point(lon0 + 0.0064, lat0 + 0.0004)
        ),
        enterprise(
            conn,
            name="正常企业有限公司",
            name_en="Normal Co.",
            geom=Point(lon0 + 0.0094, lat0 + 0.0004),
        ),
    ]
    zone.firms = firms
    statuses = [*PARCEL_STATUSES, "available"]
    for i, status in enumerate(statuses):
        granted = status in ("granted", "under_construction", "built", "idle")
        pid = insert(
            conn,
            "parcels",
            code=f"MAP-{tag}-{i}",
            land_use="100101" if i % 2 else "100102",
            status=status,
            granted_on=date(2024, 5, 1) if granted else None,
            holder_enterprise_id=firms[0] if granted else None,
            address=XSS_SCRIPT if status == "available" else f"路 {i} 号",
            price_cny_m2=420.0,
            geom=MultiPolygon([square(lon0 + 0.003 * i, lat0, side_m=150)]),
        )
        zone.parcels.setdefault(status, []).append(pid)
    built = zone.parcels["built"][0]
    zone.buildings.append(
        insert(
            conn,
            "buildings",
            parcel_id=built,
            name=XSS_IMG,
            owner=XSS_FLAG,
            floors=3,
            geom=square(lon0 + 0.003 * 4 + 0.0002, lat0 + 0.0002, side_m=60),
        )
    )
    return zone


def drop_zone(conn: Connection, zone: Zone) -> None:
    """Delete the zone's rows."""
    ids = [i for v in zone.parcels.values() for i in v]
    conn.execute(text("DELETE FROM buildings WHERE id = ANY(:ids)"), {"ids": zone.buildings})
    conn.execute(text("DELETE FROM parcels WHERE id = ANY(:ids)"), {"ids": ids})
    conn.execute(text("DELETE FROM enterprises WHERE id = ANY(:ids)"), {"ids": zone.firms})


@contextmanager
def committed_zone(engine: Engine) -> Iterator[tuple[Zone, str]]:
    """A committed zone and a planner token for it; both removed afterwards."""
    from parkgis.auth import create_token

    with engine.begin() as conn:
        zone = make_zone(conn)
    user = f"maps-test-{zone.tag}"
    with Session(engine) as s:
        token = create_token(s, role="planner", name=user)
        s.commit()
    try:
        yield zone, token
    finally:
        with engine.begin() as conn:
            drop_zone(conn, zone)
            conn.execute(
                text(
                    "DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE name = :n)"
                ),
                {"n": user},
            )
            conn.execute(text("DELETE FROM users WHERE name = :n"), {"n": user})
