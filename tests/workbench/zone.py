"""The workbench's committed mini zone and browser helpers (fixtures: conftest.py).

Officer A (the one signed in) has four firms, officer B two; each has a project, and the
zone has one vacant space to hold. Tokens for A, B, a planner and an admin. Everything the
app commits for these rows (visits, requests, holds, events, audit) is removed afterwards.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, Engine, text

from parkgis.access import Principal
from parkgis.models.base import PROJECT_STAGES
from parkgis.zonetime import zone_today
from tests.support.firms import uscc
from tests.support.geometry import square
from tests.support.rows import insert

TZ = "Asia/Shanghai"


@dataclass
class WBZone:
    """Ids and tokens of the workbench zone (lon/lat of each firm in EPSG:4326)."""

    tag: str
    officer_a: int
    officer_b: int
    firms_a: list[int]
    firms_b: list[int]
    firm_points: dict[int, tuple[float, float]]
    project_a: int
    project_a2: int
    project_b: int
    space: int
    tokens: dict[str, str] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)
    request_b: int = 0


def _project(
    conn: Connection, name: str, officer_id: int, firm: int, at: Point, today: date
) -> int:
    ms = {
        s: {"planned": (today + timedelta(days=40 * (i - 1))).isoformat(), "actual": None}
        for i, s in enumerate(PROJECT_STAGES)
    }
    ms["negotiating"]["actual"] = (today - timedelta(days=60)).isoformat()
    ms["signed"]["planned"] = (today - timedelta(days=10)).isoformat()  # 10 days late
    return int(
        conn.execute(
            text(
                "INSERT INTO projects (name, enterprise_id, officer_id, stage, investment_cny, "
                "milestones, geom) VALUES (:n, :e, :o, 'negotiating', 2e8, CAST(:m AS jsonb), "
                "ST_GeomFromText(:g, 4326)) RETURNING id"
            ),
            {"n": name, "e": firm, "o": officer_id, "m": json.dumps(ms), "g": at.wkt},
        ).scalar_one()
    )


def make_wb_zone(conn: Connection) -> WBZone:
    """Insert the zone's rows (not committed here)."""
    r = uuid.uuid4().int
    tag = f"{r:032x}"[:8]
    lon0, lat0 = 113.6 + 0.02 * (r % 32), 22.6 + 0.01 * ((r >> 8) % 32)
    today = zone_today(TZ)
    a = insert(conn, "officers", name=f"甲官员{tag}", unit="经发局")
    b = insert(conn, "officers", name=f"乙官员{tag}", unit="招商局")
    points: dict[int, tuple[float, float]] = {}

    def firm(i: int, owner: int, name: str) -> int:
        lon, lat = lon0 + 0.003 * i, lat0
        fid = insert(
            conn,
            "enterprises",
            name=name,
            uscc=uscc(),
            geom=Point(lon, lat),
            contact_name=f"联系人{i}-{tag}",
            contact_phone=f"1380000{i:04d}",
            industry_chain="new_energy_vehicles" if i % 2 else None,
        )
        insert(conn, "assignments", officer_id=owner, enterprise_id=fid, since=date(2025, 1, 1))
        points[fid] = (lon, lat)
        return fid

    firms_a = [firm(i, a, f"甲企业{i}-{tag}") for i in range(4)]
    firms_b = [firm(10 + i, b, f"乙企业{i}-{tag}") for i in range(2)]
    # One of A's firms was visited this month already, the others never.
    insert(
        conn,
        "visits",
        officer_id=a,
        enterprise_id=firms_a[3],
        visited_at=f"{today.isoformat()}T00:00:01+08:00",  # this month, never future
        kind="visit",
        geom=Point(points[firms_a[3]][0] + 0.0004, points[firms_a[3]][1]),
    )
    parcel = insert(
        conn,
        "parcels",
        code=f"WB-{tag}",
        land_use="100102",
        status="built",
        granted_on=date(2020, 1, 1),
        geom=MultiPolygon([square(lon0, lat0 + 0.004, 120)]),
    )
    bld = insert(
        conn,
        "buildings",
        parcel_id=parcel,
        name=f"标准厂房{tag}",
        floors=2,
        geom=square(lon0 + 0.0002, lat0 + 0.0042, 60),
    )
    space = insert(
        conn,
        "spaces",
        building_id=bld,
        code=f"WB-{tag}-1F",
        floor=1,
        status="vacant",
        clear_height_m=8,
        rent_cny_m2_month=20,
        geom=square(lon0 + 0.0002, lat0 + 0.0042, 40),
    )
    project_a = _project(conn, f"甲项目{tag}", a, firms_a[0], Point(lon0, lat0 + 0.002), today)
    project_a2 = _project(conn, f"甲二项目{tag}", a, firms_a[1], Point(lon0, lat0 + 0.0025), today)
    project_b = _project(conn, f"乙项目{tag}", b, firms_b[0], Point(lon0, lat0 + 0.003), today)
    request_b = insert(
        conn,
        "service_requests",
        enterprise_id=firms_b[0],
        officer_id=b,
        category="labour",
        title=f"乙的诉求{tag}",
        status="open",
        opened_on=today,
    )
    return WBZone(
        tag,
        a,
        b,
        firms_a,
        firms_b,
        points,
        project_a,
        project_a2,
        project_b,
        space,
        request_b=request_b,
    )


def officer(z: WBZone, which: str = "a") -> Principal:
    oid = z.officer_a if which == "a" else z.officer_b
    firms = z.firms_a if which == "a" else z.firms_b
    return Principal(
        user_id=None,
        name=f"officer-{which}",
        role="officer",
        officer_id=oid,
        own_enterprise_ids=frozenset(firms),
    )


def drop_wb_zone(engine: Engine, z: WBZone) -> None:
    """Delete every row the zone and the app made for it."""
    firms = z.firms_a + z.firms_b
    with engine.begin() as conn:
        p = {"o": [z.officer_a, z.officer_b], "f": firms, "u": z.users, "s": z.space}
        conn.execute(text("DELETE FROM draws WHERE created_by = ANY(:u)"), p)
        conn.execute(
            text(
                "DELETE FROM reservations WHERE space_id = :s OR user_id IN "
                "(SELECT id FROM users WHERE name = ANY(:u))"
            ),
            p,
        )
        conn.execute(
            text(
                "DELETE FROM project_events WHERE project_id IN "
                "(SELECT id FROM projects WHERE officer_id = ANY(:o))"
            ),
            p,
        )
        conn.execute(text("DELETE FROM projects WHERE officer_id = ANY(:o)"), p)
        conn.execute(text("DELETE FROM visits WHERE enterprise_id = ANY(:f)"), p)
        conn.execute(text("DELETE FROM service_requests WHERE enterprise_id = ANY(:f)"), p)
        conn.execute(text("DELETE FROM assignments WHERE enterprise_id = ANY(:f)"), p)
        conn.execute(text("DELETE FROM users WHERE name = ANY(:u)"), p)
        conn.execute(
            text("DELETE FROM spaces WHERE id = :s RETURNING building_id"),
            p,
        )
        conn.execute(text("DELETE FROM buildings WHERE name = :n"), {"n": f"标准厂房{z.tag}"})
        conn.execute(text("DELETE FROM parcels WHERE code = :c"), {"c": f"WB-{z.tag}"})
        conn.execute(text("DELETE FROM enterprises WHERE id = ANY(:f)"), p)
        conn.execute(text("DELETE FROM officers WHERE id = ANY(:o)"), p)


SHOTS = Path(os.environ.get("PARKGIS_SCREENSHOTS") or tempfile.gettempdir()) / (
    "parkgis-workbench-shots"
)
PHONE = {"width": 390, "height": 844}


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/login?next=/me&lang=en")
    page.fill("#token", token)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}/me*")
