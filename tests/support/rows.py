"""Insert valid rows by SQL in tests (inside the rolled-back transaction, or committed).

Every table goes through :func:`insert`; the factories below only fill in defaults.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, text

from tests.support.firms import uscc
from tests.support.geometry import LAT0, LON0, ewkt, square

_seq = itertools.count(1)


def serial() -> int:
    """The next number of this run (for unique codes, names and positions)."""
    return next(_seq)


def insert(conn: Connection, table: str, **values: Any) -> int:
    """Insert one row and return its id.

    Shapely geometries go in as EWKT (SRID 4326), dicts as ``jsonb``; everything else as it
    is (an EWKT string works for a geometry column, a list fills an array column).
    """
    params: dict[str, Any] = {}
    placeholders = []
    for k, v in values.items():
        if hasattr(v, "geom_type"):
            params[k] = ewkt(v)
            placeholders.append(f":{k}")
        elif isinstance(v, dict):
            params[k] = json.dumps(v)
            placeholders.append(f"CAST(:{k} AS jsonb)")
        else:
            params[k] = v
            placeholders.append(f":{k}")
    sql = (
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(placeholders)}) RETURNING id"
    )
    return int(conn.execute(text(sql), params).scalar_one())


def parcel(conn: Connection, **kw: Any) -> int:
    """An available industrial parcel (override any column)."""
    n = next(_seq)
    values: dict[str, Any] = {
        "code": f"T-{n}",
        "land_use": "100102",
        "status": "available",
        "geom": MultiPolygon([square(LON0 + n * 0.002)]),
    }
    values.update(kw)
    return insert(conn, "parcels", **values)


def building(conn: Connection, parcel_id: int, **kw: Any) -> int:
    """A building on ``parcel_id``."""
    values: dict[str, Any] = {"parcel_id": parcel_id, "name": "B", "floors": 1}
    values.setdefault("geom", kw.pop("geom", square(side_m=50)))
    values.update(kw)
    return insert(conn, "buildings", **values)


def enterprise(conn: Connection, **kw: Any) -> int:
    """A firm with a valid USCC."""
    values: dict[str, Any] = {
        "name": f"测试企业{next(_seq)}有限公司",
        "uscc": uscc(),
        "geom": Point(LON0, LAT0),
    }
    values.update(kw)
    return insert(conn, "enterprises", **values)


def officer(conn: Connection, name: str | None = None, **kw: Any) -> int:
    """An officer row."""
    return insert(conn, "officers", name=name or f"官员{next(_seq)}", **kw)


def project(conn: Connection, **kw: Any) -> int:
    """A project (negotiating, CNY 100 million); pass ``milestones`` as a dict."""
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"测试项目{n}",
        "stage": "negotiating",
        "investment_cny": 1e8,
        "geom": Point(LON0 + 0.01 + n * 1e-4, LAT0 + 0.01),
    }
    values.update(kw)
    values["milestones"] = values.get("milestones") or {}
    return insert(conn, "projects", **values)
