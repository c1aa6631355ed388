"""A small committed zone for the read-side API tests (the API commits in its own sessions).

It lies in a random 0.05° square far from the demo zone, so ``bbox`` isolates it from
whatever else the shared test database holds; :func:`drop_zone` deletes it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Engine

from tests.support.firms import uscc
from tests.support.geometry import square
from tests.support.rows import insert
from tests.support.zones import drop_rows, drop_users, make_tokens, spot


@dataclass
class Zone:
    """Ids, bbox and bearer tokens of the committed test zone."""

    lon: float
    lat: float
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    tag: str = ""

    @property
    def bbox(self) -> str:
        """``minx,miny,maxx,maxy`` around every row of the zone."""
        return f"{self.lon},{self.lat},{self.lon + 0.05},{self.lat + 0.05}"

    def headers(self, role: str | None) -> dict[str, str]:
        """Authorization header of ``role`` (empty for anonymous)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


def make_zone(engine: Engine) -> Zone:
    """Insert and commit the zone: 2 officers, 2 firms, parcels, a building, spaces, …"""
    where = spot(100.0, 10.0, step=(0.06, 0.06))  # cells wider than the 0.05° bbox
    z = Zone(lon=where.lon, lat=where.lat, tag=where.tag)
    lon, lat, tag = z.lon, z.lat, z.tag
    with engine.begin() as c:
        ids = z.ids
        ids["officer_own"] = insert(
            c, "officers", name=f"own-{tag}", phone="13800000001", office_geom=Point(lon, lat)
        )
        ids["officer_other"] = insert(c, "officers", name=f"other-{tag}", phone="13800000002")
        for key, x in (("firm_own", 0.01), ("firm_other", 0.02)):
            ids[key] = insert(
                c,
                "enterprises",
                name=f"{key}-{tag} <b>&</b>",
                uscc=uscc(),
                tax_cny=1_000_000.0 if key == "firm_own" else 2_000_000.0,
                output_cny=9e7,
                contact_phone="020-1234",
                employees=50,
                geom=Point(lon + x, lat + 0.03),
            )
        for who in ("own", "other"):
            ids[f"assignment_{who}"] = insert(
                c,
                "assignments",
                officer_id=ids[f"officer_{who}"],
                enterprise_id=ids[f"firm_{who}"],
                since="2024-01-01",
            )
        parcels: list[tuple[str, dict[str, Any]]] = [
            ("available", {"price_cny_m2": 300.0}),
            ("available", {"price_cny_m2": 500.0}),
            ("available", {"price_cny_m2": 700.0}),
            ("granted", {"granted_on": "2024-05-01", "holder_enterprise_id": ids["firm_own"]}),
        ]
        for i, (status, extra) in enumerate(parcels):
            ids[f"parcel_{i}"] = insert(
                c,
                "parcels",
                code=f"F-{tag}-{i}",
                land_use="100102",
                status=status,
                geom=MultiPolygon([square(lon + i * 0.005, lat, deg=0.004)]),
                **extra,
            )
        ids["building"] = insert(
            c,
            "buildings",
            parcel_id=ids["parcel_3"],
            name=f"B-{tag}",
            floors=2,
            geom=square(lon + 0.0155, lat + 0.0005, deg=0.002),
        )
        for key, status, occ in (
            ("space_vacant", "vacant", None),
            ("space_occupied", "occupied", ids["firm_own"]),
        ):
            ids[key] = insert(
                c,
                "spaces",
                building_id=ids["building"],
                code=f"{key}-{tag}",
                floor=1,
                status=status,
                clear_height_m=9.0,
                occupant_enterprise_id=occ,
                geom=square(lon + 0.0156, lat + 0.0006, deg=0.0008),
            )
        ids["project"] = insert(
            c,
            "projects",
            name=f"P-{tag}",
            enterprise_id=ids["firm_own"],
            officer_id=ids["officer_own"],
            stage="signed",
            investment_cny=5e8,
            geom=Point(lon + 0.001, lat + 0.001),
        )
        ids["visit"] = insert(
            c,
            "visits",
            officer_id=ids["officer_own"],
            enterprise_id=ids["firm_own"],
            visited_at="2026-03-15T10:00:00+08:00",
            geom=Point(lon + 0.01, lat + 0.03),
        )
        ids["request"] = insert(
            c,
            "service_requests",
            enterprise_id=ids["firm_own"],
            officer_id=ids["officer_own"],
            category="land",
            title=f"R-{tag}",
            status="open",
            opened_on="2026-03-01",
        )
        ids["grid"] = insert(
            c, "grid_areas", code=f"G-{tag}", name="grid", geom=square(lon, lat, deg=0.05)
        )
    z.tokens = make_tokens(
        engine,
        f"features-{tag}",
        {"investment": None, "officer": ids["officer_own"], "planner": None, "admin": None},
    )
    return z


def drop_zone(engine: Engine, z: Zone) -> None:
    """Delete everything :func:`make_zone` committed."""
    ids = z.ids
    with engine.begin() as c:
        drop_users(c, f"features-{z.tag}")
        drop_rows(
            c,
            [
                (table, [ids[k] for k in keys])
                for table, keys in (
                    ("visits", ["visit"]),
                    ("service_requests", ["request"]),
                    ("projects", ["project"]),
                    ("assignments", ["assignment_own", "assignment_other"]),
                    ("spaces", ["space_vacant", "space_occupied"]),
                    ("buildings", ["building"]),
                    ("enterprises", ["firm_own", "firm_other"]),
                    ("parcels", [f"parcel_{i}" for i in range(4)]),
                    ("grid_areas", ["grid"]),
                    ("officers", ["officer_own", "officer_other"]),
                )
            ],
        )


@contextmanager
def committed_zone(engine: Engine) -> Iterator[Zone]:
    """The zone, committed, and deleted again afterwards."""
    z = make_zone(engine)
    try:
        yield z
    finally:
        drop_zone(engine, z)
