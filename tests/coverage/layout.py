"""Hand-made layouts for the coverage tests: officers, firms at metre offsets, assignments,
visits and requests, inserted inside the rolled-back ``conn`` transaction.

Positions are metres east/north of :data:`tests.support.geometry.LON0`/``LAT0`` in EPSG:4547
(:func:`tests.support.geometry.point`, :func:`~tests.support.geometry.square` with
``east_m``/``north_m``). The ``layout`` fixture is in ``tests/coverage/conftest.py``.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from shapely.geometry import Polygon
from sqlalchemy import Connection, text

from tests.support.firms import uscc
from tests.support.geometry import point
from tests.support.rows import insert


class Layout:
    """Insert rows on one connection (via :func:`tests.support.rows.insert`); every id is
    returned for assertions."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._n = secrets.randbelow(10**8)

    def officer(
        self, name: str = "官员", *, office: tuple[float, float] | None = None, active: bool = True
    ) -> int:
        geom = point(*office) if office else None
        return insert(self.conn, "officers", name=name, active=active, office_geom=geom)

    def firm(
        self,
        east_m: float,
        north_m: float,
        *,
        name: str | None = None,
        above_scale: bool = False,
        output_cny: float | None = None,
    ) -> int:
        return insert(
            self.conn,
            "enterprises",
            name=name or f"企业{self._n}",
            uscc=uscc(),
            above_scale=above_scale,
            output_cny=output_cny,
            geom=point(east_m, north_m),
        )

    def assign(
        self,
        officer_id: int,
        *firm_ids: int,
        since: date = date(2024, 1, 1),
        until: date | None = None,
    ) -> None:
        for fid in firm_ids:
            self.conn.execute(
                text(
                    "INSERT INTO assignments (officer_id, enterprise_id, since, until) "
                    "VALUES (:o, :e, :s, :u)"
                ),
                {"o": officer_id, "e": fid, "s": since, "u": until},
            )

    def visit(self, officer_id: int, firm_id: int, at: datetime | str, kind: str = "visit") -> int:
        return insert(
            self.conn,
            "visits",
            officer_id=officer_id,
            enterprise_id=firm_id,
            visited_at=at if isinstance(at, str) else at.isoformat(),
            kind=kind,
        )

    def grid(self, officer_id: int | None, polygon: Polygon) -> int:
        self._n += 1
        return insert(
            self.conn,
            "grid_areas",
            code=f"G-{self._n}",
            name=f"网格{self._n}",
            officer_id=officer_id,
            geom=polygon,
        )

    def request(
        self,
        firm_id: int,
        category: str,
        opened_on: date,
        *,
        status: str = "open",
        officer_id: int | None = None,
        resolved_on: date | None = None,
        department: str | None = None,
    ) -> int:
        return insert(
            self.conn,
            "service_requests",
            enterprise_id=firm_id,
            officer_id=officer_id,
            category=category,
            title=f"{category} request",
            status=status,
            opened_on=opened_on,
            resolved_on=resolved_on,
            department=department,
        )

    def project(self, officer_id: int, stage: str, east_m: float = 0, north_m: float = 0) -> int:
        return insert(
            self.conn,
            "projects",
            name=f"项目{stage}",
            officer_id=officer_id,
            stage=stage,
            geom=point(east_m, north_m),
        )
