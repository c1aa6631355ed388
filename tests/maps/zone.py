"""A tiny zone for map tests: one parcel per status, a building, and firms with hostile names.

:func:`make_zone` inserts it on a connection (inside a rolled-back test transaction, or
committed for tests that go through the app, see :func:`committed_zone`). Each zone sits
in its own small area so other rows in the database never fall inside its ``bbox``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, Engine

from parkgis.models.base import PARCEL_STATUSES
from tests.support.geometry import square
from tests.support.hostile import XSS_FLAG, XSS_IMG, XSS_SCRIPT, XSS_TEMPLATE
from tests.support.rows import enterprise, insert
from tests.support.zones import committed, drop_rows, spot


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
    where = spot(113.0, 22.0)
    lon0, lat0, tag = where.lon, where.lat, where.tag
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
    parcels = [i for v in zone.parcels.values() for i in v]
    drop_rows(
        conn, [("buildings", zone.buildings), ("parcels", parcels), ("enterprises", zone.firms)]
    )


@contextmanager
def committed_zone(engine: Engine) -> Iterator[tuple[Zone, str]]:
    """A committed zone and a planner token for it; both removed afterwards."""
    with committed(
        engine, make_zone, drop_zone, lambda z: f"maps-test-{z.tag}", {"planner": None}
    ) as (zone, tokens):
        yield zone, tokens["planner"]
