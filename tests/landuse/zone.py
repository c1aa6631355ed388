"""A small land-use zone with known numbers, in its own spot (EPSG:4326, built in metres).

Parcels are 150 m squares 300 m apart in the zone's Gauss-Kruger CRS (EPSG:4547); each
one's purpose is in :data:`PLAN`. :func:`make_zone` inserts it on a connection (rolled back
by the test, or committed by :func:`committed_zone` for tests through the app).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shapely.geometry import MultiPolygon, Point, Polygon, box
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from parkgis.geo import to_crs
from tests.support.rows import enterprise, insert

TODAY = date(2026, 12, 1)
CANARY_TAX = 987654321.0
"""A firm's tax in the zone: it must never reach investment or anonymous callers."""
CANARY_OUTPUT = 876543219.0
HOSTILE_NAME = "<img src=x onerror=alert(1)>{{ 7*7 }}`${x}`"


@dataclass
class LuZone:
    """Ids, geometries (EPSG:4326) and the bbox of one test zone."""

    bbox: tuple[float, float, float, float]
    parcels: dict[str, int] = field(default_factory=dict)
    parcel_geoms: dict[str, Polygon] = field(default_factory=dict)
    parcel_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    buildings: dict[str, int] = field(default_factory=dict)
    building_geoms: dict[str, Polygon] = field(default_factory=dict)
    building_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    spaces: list[int] = field(default_factory=list)
    space_geoms: dict[int, Polygon] = field(default_factory=dict)
    firms: dict[str, int] = field(default_factory=dict)
    tag: str = ""

    @property
    def bbox_param(self) -> str:
        """The bbox as a query-string value."""
        return ",".join(f"{v:.6f}" for v in self.bbox)


class Local:
    """Metric rectangles around an origin (EPSG:4547), returned in EPSG:4326."""

    def __init__(self, lon: float, lat: float) -> None:
        self.x0, self.y0 = to_crs(Point(lon, lat), "EPSG:4326", "EPSG:4547").coords[0]

    def rect(self, x: float, y: float, w: float, h: float) -> Polygon:
        """The w × h m rectangle whose south-west corner is (x, y) m from the origin."""
        g = box(self.x0 + x, self.y0 + y, self.x0 + x + w, self.y0 + y + h)
        return to_crs(g, "EPSG:4547", "EPSG:4326")


# code: (land_use, status, holder key, extra parcel columns)
PLAN: dict[str, tuple[str, str, str | None, dict[str, Any]]] = {
    "ok": ("100102", "built", "pharma", {"structures_yard_m2": 1500.0}),
    "low": ("100101", "built", "food", {}),
    "park": ("100102", "built", None, {}),
    "logistics": ("1101", "built", "logistics", {}),
    "granted_idle": ("100103", "granted", "waiting", {"price_cny_m2": 500.0}),
    "idle_old": ("100103", "idle", "waiting", {"price_cny_m2": 400.0}),
    "available": ("100101", "available", None, {"price_cny_m2": 450.0}),
    "granted_new": ("100102", "granted", "waiting", {"price_cny_m2": 480.0}),
    "green": ("1401", "planned", None, {}),
    "silent": ("100101", "built", "silent", {}),
}
START_DAYS = {"granted_idle": 400, "idle_old": 800, "granted_new": 100}
"""Days between the agreed construction start and :data:`TODAY`."""

FIRMS: dict[str, dict[str, Any]] = {
    "pharma": {"industry_code": "C2710", "employees": 200, "output_cny": 3e8, "tax_cny": 1.2e7},
    "food": {"industry_code": "C1495", "employees": 80, "output_cny": 6e7, "tax_cny": 2e6},
    "logistics": {"industry_code": "G5941", "employees": 30, "output_cny": 1e7, "tax_cny": 4e5},
    "waiting": {"industry_code": "C3311", "employees": 10, "output_cny": 0.0, "tax_cny": 0.0},
    "silent": {"industry_code": "C3981", "employees": 5, "output_cny": 0.0, "tax_cny": 0.0},
    "tenant_a": {
        "industry_code": "C3981",
        "employees": 120,
        "output_cny": CANARY_OUTPUT,
        "tax_cny": CANARY_TAX,
        "energy_tce": 900.0,
        "rnd_cny": 2e7,
    },
    "tenant_b": {"industry_code": "C3360", "employees": 60, "output_cny": 5e7, "tax_cny": 1.5e6},
}

# building key: (parcel, x, y, w, h, floors, storey heights or None, height_m)
BUILDINGS: dict[str, tuple[str, float, float, float, float, int, list[float] | None, float]] = {
    "ok_plant": ("ok", 20, 20, 100, 60, 2, [9.0, 5.0], 14.0),
    "low_shed": ("low", 20, 20, 60, 60, 1, None, 7.0),
    "park_a": ("park", 20, 20, 80, 50, 3, [9.0, 6.0, 4.5], 19.5),
    "logistics_shed": ("logistics", 20, 20, 100, 100, 1, [12.0], 12.0),
    "silent_plant": ("silent", 20, 20, 110, 110, 1, None, 10.0),
}


def make_zone(conn: Connection, *, today: date = TODAY) -> LuZone:
    """Insert the zone; returns its ids and geometries."""
    r = uuid.uuid4().int
    lon0, lat0 = 113.2 + 0.02 * (r % 80), 22.2 + 0.01 * ((r >> 8) % 100)
    local = Local(lon0, lat0)
    tag = f"{r:032x}"[:8]
    zone = LuZone(bbox=(0, 0, 0, 0), tag=tag)
    for key, values in FIRMS.items():
        hostile = key in ("tenant_a", "pharma")
        name = HOSTILE_NAME if hostile else f"地块测试{key}{tag}有限公司"
        zone.firms[key] = enterprise(conn, name=name, geom=Point(lon0, lat0), **values)
    for i, (key, (use, status, holder, extra)) in enumerate(PLAN.items()):
        geom = local.rect(300.0 * i, 0.0, 150.0, 150.0)
        row: dict[str, Any] = {"land_use": use, "status": status, **extra}
        if status in ("granted", "built", "idle"):
            row["granted_on"] = today - timedelta(days=900)
        if key in START_DAYS:
            row["agreed_start_on"] = today - timedelta(days=START_DAYS[key])
        if holder:
            row["holder_enterprise_id"] = zone.firms[holder]
        zone.parcels[key] = insert(
            conn, "parcels", code=f"LU-{tag}-{key}", geom=MultiPolygon([geom]), **row
        )
        zone.parcel_geoms[key] = geom
        zone.parcel_rows[key] = row
        zone.parcel_rows[key]["x"] = 300.0 * i
    for key, (pk, x, y, w, h, floors, heights, height) in BUILDINGS.items():
        px = zone.parcel_rows[pk]["x"]
        geom = local.rect(px + x, y, w, h)
        row = {"floors": floors, "height_m": height}
        if heights is not None:
            row["storey_heights_m"] = json.dumps(heights)
        zone.buildings[key] = insert(
            conn, "buildings", parcel_id=zone.parcels[pk], name=f"楼{key}", geom=geom, **row
        )
        zone.building_geoms[key] = geom
        zone.building_rows[key] = row
    # The park's building has two 40 x 50 m units on each of its three floors.
    px = zone.parcel_rows["park"]["x"]
    occupants = {(1, 0): "tenant_a", (2, 0): "tenant_b", (3, 0): "tenant_b"}
    for floor in (1, 2, 3):
        for col in (0, 1):
            geom = local.rect(px + 20 + 40 * col, 20, 40, 50)
            who = occupants.get((floor, col))
            sid = insert(
                conn,
                "spaces",
                building_id=zone.buildings["park_a"],
                floor=floor,
                status="occupied" if who else "vacant",
                occupant_enterprise_id=zone.firms[who] if who else None,
                geom=geom,
            )
            zone.spaces.append(sid)
            zone.space_geoms[sid] = geom
    # Firms sit on their first parcel (the summary counts them there).
    for key, pk in (("pharma", "ok"), ("food", "low"), ("silent", "silent")):
        conn.execute(
            text("UPDATE enterprises SET parcel_id = :p WHERE id = :f"),
            {"p": zone.parcels[pk], "f": zone.firms[key]},
        )
    for key in ("tenant_a", "tenant_b"):
        conn.execute(
            text("UPDATE enterprises SET parcel_id = :p, building_id = :b WHERE id = :f"),
            {"p": zone.parcels["park"], "b": zone.buildings["park_a"], "f": zone.firms[key]},
        )
    w, s, e, n = MultiPolygon(list(zone.parcel_geoms.values())).bounds
    zone.bbox = (w - 0.0005, s - 0.0005, e + 0.0005, n + 0.0005)
    return zone


def drop_zone(conn: Connection, zone: LuZone) -> None:
    """Delete the zone's rows."""
    conn.execute(text("DELETE FROM spaces WHERE id = ANY(:ids)"), {"ids": zone.spaces})
    conn.execute(
        text("DELETE FROM buildings WHERE id = ANY(:ids)"), {"ids": list(zone.buildings.values())}
    )
    conn.execute(
        text("UPDATE enterprises SET parcel_id = NULL, building_id = NULL WHERE id = ANY(:ids)"),
        {"ids": list(zone.firms.values())},
    )
    conn.execute(
        text("DELETE FROM parcels WHERE id = ANY(:ids)"), {"ids": list(zone.parcels.values())}
    )
    conn.execute(
        text("DELETE FROM enterprises WHERE id = ANY(:ids)"), {"ids": list(zone.firms.values())}
    )


@contextmanager
def committed_zone(engine: Engine) -> Iterator[tuple[LuZone, dict[str, str]]]:
    """A committed zone and a token per role (``admin``, ``planner``, ``investment``);
    all removed afterwards."""
    from parkgis.auth import create_token
    from parkgis.zonetime import zone_today

    with engine.begin() as conn:
        zone = make_zone(conn, today=zone_today("Asia/Shanghai"))
    names = {role: f"lu-test-{role}-{zone.tag}" for role in ("admin", "planner", "investment")}
    tokens: dict[str, str] = {}
    with Session(engine) as s:
        for role, name in names.items():
            tokens[role] = create_token(s, role=role, name=name)
        s.commit()
    try:
        yield zone, tokens
    finally:
        with engine.begin() as conn:
            drop_zone(conn, zone)
            for name in names.values():
                conn.execute(
                    text(
                        "DELETE FROM api_tokens WHERE user_id IN "
                        "(SELECT id FROM users WHERE name = :n)"
                    ),
                    {"n": name},
                )
                conn.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})
