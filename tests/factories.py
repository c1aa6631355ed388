"""Small helpers to insert valid rows by SQL in tests (inside the rolled-back transaction)."""

from __future__ import annotations

import itertools
from typing import Any

from shapely.geometry import MultiPolygon, Point, Polygon, box
from sqlalchemy import Connection, text

from parkgis.uscc import check_char

_seq = itertools.count(1)

LON0, LAT0 = 112.70, 23.33


def square(lon: float = LON0, lat: float = LAT0, side_m: float = 100.0) -> Polygon:
    """A ``side_m`` metre square (in the zone's Gauss-Kruger CRS) at lon/lat, in EPSG:4326."""
    from parkgis.geo import to_crs

    x, y = to_crs(Point(lon, lat), "EPSG:4326", "EPSG:4547").coords[0]
    return to_crs(box(x, y, x + side_m, y + side_m), "EPSG:4547", "EPSG:4326")


def uscc(n: int | None = None) -> str:
    """A valid, unique USCC."""
    n = next(_seq) if n is None else n
    body = f"91441200{n:09d}"
    return body + check_char(body)


def ewkt(geom: Any) -> str:
    """EWKT in SRID 4326."""
    return f"SRID=4326;{geom.wkt}"


def insert(conn: Connection, table: str, **values: Any) -> int:
    """Insert one row and return its id; geometries may be shapely objects."""
    cols, params = [], {}
    for k, v in values.items():
        cols.append(k)
        params[k] = ewkt(v) if hasattr(v, "geom_type") else v
    placeholders = ", ".join(f":{c}" for c in cols)
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders}) RETURNING id"
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
