"""Hand-made layouts for the coverage tests: officers, firms at metre offsets, assignments,
visits and requests, inserted inside the rolled-back ``conn`` transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from shapely.geometry import Point, Polygon
from sqlalchemy import Connection, text

from parkgis.geo import to_crs
from parkgis.settings import Settings
from parkgis.uscc import check_char

ORIGIN = (112.70, 23.33)
"""Lon/lat of the layout's (0, 0); positions are metres east/north of it in EPSG:4547."""


def _xy0() -> tuple[float, float]:
    x, y = to_crs(Point(*ORIGIN), "EPSG:4326", "EPSG:4547").coords[0]
    return x, y


def lonlat(east_m: float, north_m: float) -> Point:
    """The EPSG:4326 point ``east_m``/``north_m`` metres from :data:`ORIGIN`."""
    x0, y0 = _xy0()
    return to_crs(Point(x0 + east_m, y0 + north_m), "EPSG:4547", "EPSG:4326")


def square(east_m: float, north_m: float, side_m: float) -> Polygon:
    """An EPSG:4326 square, ``side_m`` metres wide, with its SW corner at the offset."""
    x0, y0 = _xy0()
    x, y = x0 + east_m, y0 + north_m
    sq = Polygon([(x, y), (x + side_m, y), (x + side_m, y + side_m), (x, y + side_m)])
    return to_crs(sq, "EPSG:4547", "EPSG:4326")


class Layout:
    """Insert rows by SQL on one connection; every id is returned for assertions."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._n = secrets.randbelow(10**8)

    def _id(self, sql: str, **params: Any) -> int:
        return int(self.conn.execute(text(sql), params).scalar_one())

    def _uscc(self) -> str:
        self._n += 1
        body = f"9144{self._n % 10**4:04d}{self._n % 10**9:09d}"
        return body + check_char(body)

    def officer(
        self, name: str = "官员", *, office: tuple[float, float] | None = None, active: bool = True
    ) -> int:
        geom = f"SRID=4326;{lonlat(*office).wkt}" if office else None
        return self._id(
            "INSERT INTO officers (name, active, office_geom) "
            "VALUES (:n, :a, ST_GeomFromEWKT(:g)) RETURNING id",
            n=name,
            a=active,
            g=geom,
        )

    def firm(
        self,
        east_m: float,
        north_m: float,
        *,
        name: str | None = None,
        above_scale: bool = False,
        output_cny: float | None = None,
    ) -> int:
        return self._id(
            "INSERT INTO enterprises (name, uscc, above_scale, output_cny, geom) "
            "VALUES (:n, :u, :a, :o, ST_GeomFromEWKT(:g)) RETURNING id",
            n=name or f"企业{self._n}",
            u=self._uscc(),
            a=above_scale,
            o=output_cny,
            g=f"SRID=4326;{lonlat(east_m, north_m).wkt}",
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
        return self._id(
            "INSERT INTO visits (officer_id, enterprise_id, visited_at, kind) "
            "VALUES (:o, :e, CAST(:t AS timestamptz), :k) RETURNING id",
            o=officer_id,
            e=firm_id,
            t=at if isinstance(at, str) else at.isoformat(),
            k=kind,
        )

    def grid(self, officer_id: int | None, polygon: Polygon) -> int:
        self._n += 1
        return self._id(
            "INSERT INTO grid_areas (code, name, officer_id, geom) "
            "VALUES (:c, :n, :o, ST_GeomFromEWKT(:g)) RETURNING id",
            c=f"G-{self._n}",
            n=f"网格{self._n}",
            o=officer_id,
            g=f"SRID=4326;{polygon.wkt}",
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
        return self._id(
            "INSERT INTO service_requests (enterprise_id, officer_id, category, title, "
            "status, opened_on, resolved_on, department) "
            "VALUES (:e, :o, :c, :t, :s, :op, :r, :d) RETURNING id",
            e=firm_id,
            o=officer_id,
            c=category,
            t=f"{category} request",
            s=status,
            op=opened_on,
            r=resolved_on,
            d=department,
        )

    def project(self, officer_id: int, stage: str, east_m: float = 0, north_m: float = 0) -> int:
        return self._id(
            "INSERT INTO projects (name, officer_id, stage, geom) "
            "VALUES (:n, :o, :s, ST_GeomFromEWKT(:g)) RETURNING id",
            n=f"项目{stage}",
            o=officer_id,
            s=stage,
            g=f"SRID=4326;{lonlat(east_m, north_m).wkt}",
        )


@pytest.fixture
def layout(conn: Connection) -> Iterator[Layout]:
    """A layout builder on the rolled-back connection. Other rows may exist in the test
    database (the demo, API tests): tests scope their queries to the officers they made."""
    yield Layout(conn)


@pytest.fixture
def cov_settings(settings: Settings) -> Settings:
    """Test settings with a 100 m buffer and the default concave ratio."""
    s = settings.model_copy(deep=True)
    s.coverage.buffer_m = 100.0
    return s
