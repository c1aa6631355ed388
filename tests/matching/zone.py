"""A small random zone for the matching tests, inserted by SQL on a test connection.

Parcels sit on a grid of 220 m cells (EPSG:4547 metres around 112.70°E 23.33°N).
Built parcels carry one building, and most buildings are standard factories: each
floor is split into side-by-side units (contiguous walls), repeated on every floor
(stacked units). Attributes are random, with gaps (None), so that the rules about
missing values, holds and statuses are exercised. Everything is deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from parkgis.access import Principal
from tests.support.firms import uscc
from tests.support.geometry import ewkt, point, square
from tests.support.rows import insert

LAND_USES = ("100101", "100102", "100103", "1001", "1101")
CHAINS = ("new_energy_vehicles", "batteries", "electronics")
ADMIN = Principal(user_id=None, name="test-admin", role="admin")
TODAY = date(2026, 11, 21)


def lonlat_box(x0: float, y0: float, x1: float, y1: float) -> str:
    """EWKT of a local-metre box (relative to the zone origin) in EPSG:4326."""
    return ewkt(square(east_m=x0, north_m=y0, side_m=x1 - x0, height_m=y1 - y0))


def lonlat_point(x: float, y: float) -> tuple[float, float]:
    """Lon/lat (EPSG:4326) of a local-metre point."""
    p = point(x, y)
    return p.x, p.y


def hold(conn: Connection, col: str, uid: int, start: str, end: str) -> None:
    """A reservation of ``col`` (``space_id``/``parcel_id``) ``uid`` from ``now() + start``
    to ``now() + end`` (PostgreSQL intervals such as ``'-1 day'``)."""
    conn.execute(
        text(
            f"INSERT INTO reservations ({col}, holder, held_from, expires_at) "
            f"VALUES (:u, 'x', now() + CAST(:s AS interval), now() + CAST(:e AS interval))"
        ),
        {"u": uid, "s": start, "e": end},
    )


@dataclass
class Zone:
    """Ids of what :func:`make_zone` created."""

    parcels: list[int] = field(default_factory=list)
    buildings: list[int] = field(default_factory=list)
    spaces: list[int] = field(default_factory=list)
    enterprises: list[int] = field(default_factory=list)
    today: date = date(2026, 11, 21)


def make_zone(
    conn: Connection,
    *,
    seed: int = 7,
    cells: int = 6,
    today: date = date(2026, 11, 21),
    firms: int = 12,
) -> Zone:
    """Insert a ``cells`` × ``cells`` grid of parcels with buildings, units and firms."""
    rnd = random.Random(seed)
    z = Zone(today=today)
    n = 0
    for i in range(cells):
        for j in range(cells):
            n += 1
            x, y = i * 220.0, j * 220.0
            w = rnd.choice((120.0, 160.0, 200.0))
            status = rnd.choice(("available", "available", "built", "built", "built", "granted"))
            pid = insert(
                conn,
                "parcels",
                code=f"MZ-{seed}-{n}",
                land_use=rnd.choice(LAND_USES),
                status=status,
                granted_on=None if status == "available" else today - timedelta(days=900),
                price_cny_m2=rnd.choice((None, 600.0, 750.0, 820.0, 900.0, 1000.0)),
                geom=lonlat_box(x, y, x + w, y + 200).replace("POLYGON", "MULTIPOLYGON(") + ")",
            )
            z.parcels.append(pid)
            if status != "built":
                continue
            floors = rnd.choice((1, 2, 3))
            std = rnd.random() < 0.75
            bid = insert(
                conn,
                "buildings",
                parcel_id=pid,
                name=f"Plant {n}",
                floors=floors,
                standard_factory=std,
                geom=lonlat_box(x + 10, y + 10, x + 110, y + 70),
            )
            z.buildings.append(bid)
            parts = rnd.choice((1, 2, 3, 4))
            width = 100.0 / parts
            for f in range(1, floors + 1):
                for k in range(parts):
                    z.spaces.append(_unit(conn, rnd, bid, f, x + 10 + k * width, y, width, today))
    for e in range(firms):
        x, y = rnd.uniform(0, cells * 220), rnd.uniform(0, cells * 220)
        lon, lat = lonlat_point(x, y)
        eid = insert(
            conn,
            "enterprises",
            name=f"<b>测试</b> firm {seed}-{e} & co",
            uscc=uscc(seed * 1000 + e),
            industry_chain=rnd.choice(CHAINS),
            geom=f"SRID=4326;POINT({lon} {lat})",
        )
        z.enterprises.append(eid)
    return z


def _unit(
    conn: Connection,
    rnd: random.Random,
    bid: int,
    floor: int,
    x: float,
    y: float,
    width: float,
    today: date,
) -> int:
    def maybe(v: Any, p: float = 0.12) -> Any:
        return None if rnd.random() < p else v

    status = rnd.choice(("vacant", "vacant", "vacant", "occupied", "reserved"))
    avail = rnd.choice((None, None, -30, 20, 60, 120, 200))
    return insert(
        conn,
        "spaces",
        building_id=bid,
        code=f"U{bid}-{floor}-{int(x)}",
        floor=floor,
        clear_height_m=maybe(rnd.choice((4.5, 6.0, 7.5, 8.0, 9.0, 10.0, 12.0))),
        floor_load_t_m2=maybe(rnd.choice((0.8, 1.5, 2.5, 3.0, 3.5, 5.0))),
        power_kva=maybe(rnd.choice((200.0, 500.0, 800.0, 1100.0, 1250.0, 1600.0, 2000.0))),
        crane_t=maybe(rnd.choice((5.0, 10.0, 16.0, 20.0)), 0.5),
        status=status,
        rent_cny_m2_month=maybe(rnd.choice((14.0, 18.0, 21.0, 23.5, 25.0, 27.0, 30.0))),
        available_from=None if avail is None else today + timedelta(days=avail),
        geom=lonlat_box(x, y + 10, x + width, y + 70),
    )


def add_sure_units(conn: Connection, z: Zone, seed: int) -> None:
    """One vacant 5,000 m² ground-floor unit with 8 m clear height, and one with 6.5 m.

    Whatever the random zone holds, a request for 3,000–6,500 m² at 7 m within 1.5 km of
    any firm (or 3 km of the zone's middle) then has a match and a near-miss (7% short).
    They sit just south of the grid and are added to ``z`` so cleanup removes them.
    """
    pid = insert(
        conn,
        "parcels",
        code=f"MZ-{seed}-sure",
        land_use="100102",
        status="built",
        granted_on=z.today - timedelta(days=900),
        geom=lonlat_box(380, -180, 620, -40).replace("POLYGON", "MULTIPOLYGON(") + ")",
    )
    bid = insert(
        conn,
        "buildings",
        parcel_id=pid,
        name="Sure plant",
        floors=1,
        geom=lonlat_box(390, -170, 610, -50),
    )
    z.parcels.append(pid)
    z.buildings.append(bid)
    for k, height in enumerate((8.0, 6.5)):
        x0 = 395 + k * 105
        z.spaces.append(
            insert(
                conn,
                "spaces",
                building_id=bid,
                code=f"SURE-{seed}-{k}",
                floor=1,
                clear_height_m=height,
                status="vacant",
                geom=lonlat_box(x0, -160, x0 + 100, -110),
            )
        )


def drop_zone(engine: Engine, zone: Zone, user_ids: list[int], officer: int) -> None:
    """Delete a committed zone, its officer, users, holds, expansion requests and audit rows."""
    with engine.begin() as c:
        p = {"s": zone.spaces, "p": zone.parcels, "u": user_ids}
        c.execute(
            text(
                "DELETE FROM audit_log WHERE user_id = ANY(:u) OR (entity = 'spaces' AND "
                "entity_id = ANY(:s))"
            ),
            p,
        )
        c.execute(
            text("DELETE FROM reservations WHERE space_id = ANY(:s) OR parcel_id = ANY(:p)"), p
        )
        c.execute(text("DELETE FROM expansion_requests WHERE user_id = ANY(:u)"), p)
        c.execute(text("DELETE FROM users WHERE id = ANY(:u)"), p)
        c.execute(text("DELETE FROM officers WHERE id = :o"), {"o": officer})
        c.execute(text("DELETE FROM spaces WHERE id = ANY(:s)"), p)
        c.execute(text("DELETE FROM buildings WHERE id = ANY(:b)"), {"b": zone.buildings})
        c.execute(text("DELETE FROM parcels WHERE id = ANY(:p)"), p)
        c.execute(text("DELETE FROM enterprises WHERE id = ANY(:e)"), {"e": zone.enterprises})
