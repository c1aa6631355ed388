"""A small prospect zone with a planted canary firm, for the privacy and page tests.

The firm ``canary`` has a hostile HTML name, is a public anchor (so maps name it) and
carries canary values in ``tax_cny``, ``output_cny`` and every contact field; five more
firms of its chain sit close by, so the zone has one chain cluster of six. Land: two
available parcels with 标准地 terms and one granted parcel with a building holding two
vacant spaces and one occupied space.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, Engine, text

from tests.support.firms import uscc
from tests.support.geometry import square
from tests.support.hostile import XSS_IMG, XSS_SCRIPT
from tests.support.rows import enterprise, insert

CANARY_TAX = 987654321.0
CANARY_OUTPUT = 876543219.0
CANARY_NAME = "CANARYCONTACT"
CANARY_PHONE = "13988776655"
CANARY_EMAIL = "canarymail@leak.example"
CANARIES = (
    "987654321",
    "876543219",
    "98765432",
    "87654321",
    CANARY_NAME,
    CANARY_PHONE,
    "canarymail",
    "9.87654321",
    "8.76543219",
)
"""Strings that must never appear in anything served to the public, investment or links."""
HOSTILE_NAME = XSS_IMG + XSS_SCRIPT
CHAIN = "new_energy_vehicles"


@dataclass
class ProspectZone:
    """Ids and place of one test zone (EPSG:4326 degrees)."""

    lon: float
    lat: float
    tag: str
    land: list[int] = field(default_factory=list)
    granted: int = 0
    spaces: list[int] = field(default_factory=list)
    occupied: int = 0
    canary: int = 0
    firms: list[int] = field(default_factory=list)

    @property
    def bbox_param(self) -> str:
        """A bbox around the zone for map queries."""
        box = (self.lon - 0.004, self.lat - 0.004, self.lon + 0.012, self.lat + 0.008)
        return ",".join(f"{v:.6f}" for v in box)


def make_zone(conn: Connection) -> ProspectZone:
    """Insert the zone on ``conn`` (caller commits or rolls back)."""
    r = uuid.uuid4().int
    lon, lat = 114.2 + 0.02 * (r % 40), 24.6 + 0.01 * ((r >> 8) % 60)
    z = ProspectZone(lon, lat, f"{r:032x}"[:8])
    base = 100_000_000 + (r >> 16) % 800_000_000
    z.canary = enterprise(
        conn,
        uscc=uscc(base),
        name=HOSTILE_NAME,
        name_en=XSS_SCRIPT,
        industry_chain=CHAIN,
        tax_cny=CANARY_TAX,
        output_cny=CANARY_OUTPUT,
        contact_name=CANARY_NAME,
        contact_phone=CANARY_PHONE,
        contact_email=CANARY_EMAIL,
        public_anchor=True,
        geom=Point(lon + 0.0005, lat + 0.0005),
    )
    z.firms = [z.canary] + [
        enterprise(
            conn,
            uscc=uscc(base + i),
            industry_chain=CHAIN,
            tax_cny=CANARY_TAX,
            output_cny=CANARY_OUTPUT,
            contact_phone=CANARY_PHONE,
            geom=Point(lon + 0.0004 * i, lat + 0.0012),
        )
        for i in range(1, 6)
    ]
    for i, (side, inv, tax) in enumerate(((180, 300.0, 25.0), (80, 200.0, 15.0))):
        z.land.append(
            insert(
                conn,
                "parcels",
                code=f"PR-{z.tag}-L{i}",
                land_use="100101",
                status="available",
                price_cny_m2=380.0 + i,
                max_far=2.5,
                min_far=1.2,
                investment_wan_cny_mu=inv,
                tax_wan_cny_mu=tax,
                address=f"兴业路 {i + 1} 号",
                geom=MultiPolygon([square(lon + 0.003 + 0.0025 * i, lat, side_m=side)]),
            )
        )
    z.granted = insert(
        conn,
        "parcels",
        code=f"PR-{z.tag}-G",
        land_use="100102",
        status="granted",
        granted_on="2024-05-01",
        holder_enterprise_id=z.canary,
        address="创新大道 8 号",
        geom=MultiPolygon([square(lon, lat, side_m=120)]),
    )
    b = insert(
        conn,
        "buildings",
        parcel_id=z.granted,
        name=HOSTILE_NAME,
        owner=HOSTILE_NAME,
        floors=2,
        geom=square(lon + 0.0001, lat + 0.0001, side_m=90),
    )
    for i, (floor, side, status) in enumerate(
        ((1, 60, "vacant"), (2, 45, "vacant"), (1, 30, "occupied"))
    ):
        sid = insert(
            conn,
            "spaces",
            building_id=b,
            code=f"PR-{z.tag}-S{i}",
            floor=floor,
            clear_height_m=9.0 - i,
            floor_load_t_m2=3.0,
            power_kva=1250.0,
            crane_t=10.0 if i == 0 else 0.0,
            status=status,
            rent_cny_m2_month=22.0 + i,
            occupant_enterprise_id=z.canary if status == "occupied" else None,
            geom=square(lon + 0.0001 + 0.0003 * i, lat + 0.0001, side_m=side),
        )
        if status == "vacant":
            z.spaces.append(sid)
        else:
            z.occupied = sid
    return z


def drop_zone(conn: Connection, z: ProspectZone) -> None:
    """Delete the zone's rows (and shortlists naming its sites)."""
    conn.execute(
        text("DELETE FROM shortlists WHERE sites @> ANY(CAST(:s AS jsonb[]))"),
        {
            "s": [f'[{{"kind": "parcel", "id": {i}}}]' for i in z.land]
            + [f'[{{"kind": "space", "id": {i}}}]' for i in z.spaces]
        },
    )
    conn.execute(
        text("DELETE FROM reservations WHERE space_id = ANY(:s) OR parcel_id = ANY(:p)"),
        {"s": z.spaces + [z.occupied], "p": z.land},
    )
    conn.execute(text("DELETE FROM spaces WHERE code LIKE :t"), {"t": f"PR-{z.tag}-%"})
    conn.execute(text("DELETE FROM buildings WHERE parcel_id = :g"), {"g": z.granted})
    conn.execute(text("DELETE FROM parcels WHERE code LIKE :t"), {"t": f"PR-{z.tag}-%"})
    conn.execute(text("DELETE FROM enterprises WHERE id = ANY(:f)"), {"f": z.firms})


@contextmanager
def committed_zone(engine: Engine) -> Iterator[ProspectZone]:
    """A zone committed for tests that go through the app; deleted afterwards."""
    with engine.begin() as conn:
        z = make_zone(conn)
    try:
        yield z
    finally:
        with engine.begin() as conn:
            drop_zone(conn, z)


@dataclass
class Api:
    """The client, the zone and a bearer header per role."""

    client: TestClient
    zone: ProspectZone
    tokens: dict[str, str]

    def auth(self, role: str | None) -> dict[str, str]:
        """``Authorization`` header of ``role`` (none for anonymous)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
