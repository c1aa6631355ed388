"""Coordinate systems, true areas in m² and mu, geometry validation, and WGS84 → GCJ-02.

Storage is always EPSG:4326 (lon/lat degrees). Areas and distances are computed on the
ellipsoid (``pyproj.Geod``, WGS84), or in the zone's projected CRS where noted, never in
Web Mercator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid

from parkgis.errors import InvalidGeometry

M2_PER_MU = 10000.0 / 15.0
"""One mu (亩) in square metres (≈ 666.67 m²)."""

WGS84 = "EPSG:4326"
_GEOD = Geod(ellps="WGS84")


def m2_to_mu(area_m2: float) -> float:
    """Convert square metres to mu (1 mu = 10000/15 m²)."""
    return area_m2 / M2_PER_MU


def geodesic_area_m2(geom: BaseGeometry) -> float:
    """True area of a lon/lat geometry in square metres.

    Parameters
    ----------
    geom : shapely geometry
        Polygon or MultiPolygon in EPSG:4326 (x = longitude, y = latitude, degrees).

    Returns
    -------
    float
        Area on the WGS84 ellipsoid in m² (always >= 0), the same figure PostGIS gives
        for ``ST_Area(geom::geography)``.
    """
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area)


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> Transformer:
    """A cached, always-x/y (lon/lat) transformer between two CRS."""
    return Transformer.from_crs(src, dst, always_xy=True)


def to_crs(geom: BaseGeometry, src: str, dst: str) -> BaseGeometry:
    """Reproject a shapely geometry from ``src`` to ``dst`` (both ``EPSG:NNNN`` strings)."""
    if src == dst:
        return geom
    t = transformer(src, dst)
    return shapely.transform(geom, lambda xy: _stack(t.transform(xy[:, 0], xy[:, 1])))


def _stack(xy: tuple[Any, Any]) -> Any:
    import numpy as np

    return np.column_stack(xy)


def fits_wgs84(bounds: Iterable[float]) -> bool:
    """True when (minx, miny, maxx, maxy) are plausible longitude/latitude degrees."""
    minx, miny, maxx, maxy = bounds
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def guess_crs(bounds: Iterable[float]) -> str:
    """Name the CRS that coordinates with these bounds most likely use, for error hints."""
    minx, miny, maxx, maxy = bounds
    if fits_wgs84((minx, miny, maxx, maxy)):
        return "EPSG:4326 (longitude/latitude degrees)"
    if fits_wgs84((miny, minx, maxy, maxx)):
        return "latitude/longitude degrees in the wrong order (GeoJSON is [longitude, latitude])"
    if max(abs(minx), abs(maxx)) <= 360 and max(abs(miny), abs(maxy)) <= 360:
        return "degrees, but latitude must be within -90..90 and longitude within -180..180"
    if 25_000_000 <= minx <= 46_000_000 and 0 <= miny <= 6_000_000:
        return "a CGCS2000 3-degree Gauss-Kruger zone with zone prefix (EPSG:4513-4533)"
    if abs(minx) <= 20037509 and abs(maxx) <= 20037509 and abs(maxy) <= 20048967:
        if 300_000 <= minx <= 800_000 and 0 <= miny <= 6_000_000:
            return "a projected CRS in metres such as CGCS2000 Gauss-Kruger (EPSG:4534-4554) or UTM"
        return "EPSG:3857 (Web Mercator metres)"
    return "an unknown projected CRS"


@lru_cache(maxsize=64)
def area_of_use(crs: str) -> tuple[float, float, float, float] | None:
    """The WGS84 bounds (west, south, east, north) where ``crs`` is meant to be used."""
    aou = CRS.from_user_input(crs).area_of_use
    if aou is None:
        return None
    return (aou.west, aou.south, aou.east, aou.north)


def check_in_area_of_use(geom: BaseGeometry, crs: str, *, field: str = "geometry") -> None:
    """Refuse coordinates that cannot be in ``crs``.

    Parameters
    ----------
    geom : shapely geometry
        The geometry as given, in ``crs``.
    crs : str
        The CRS the caller declared, e.g. ``EPSG:4326`` or ``EPSG:3857``.

    Raises
    ------
    InvalidGeometry
        With a message naming the CRS the coordinates look like.
    """
    import numpy as np

    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise InvalidGeometry("coordinates contain NaN or infinity", field=field)
    bounds = geom.bounds
    if crs == WGS84:
        if not fits_wgs84(bounds):
            raise InvalidGeometry(
                f"coordinates {_fmt_bounds(bounds)} are outside longitude/latitude range; "
                f"they look like {guess_crs(bounds)}. Declare that CRS or send degrees",
                field=field,
            )
        return
    if fits_wgs84(bounds) and CRS.from_user_input(crs).is_projected:
        raise InvalidGeometry(
            f"coordinates {_fmt_bounds(bounds)} look like longitude/latitude degrees, not "
            f"{crs} metres; leave out the CRS (or declare EPSG:4326) for degrees",
            field=field,
        )
    aou = area_of_use(crs)
    if aou is None:
        return
    lonlat = to_crs(geom, crs, WGS84)
    lb = lonlat.bounds
    west, south, east, north = aou
    tol = 1.0
    if (
        not fits_wgs84(lb)
        or lb[0] < west - tol
        or lb[2] > east + tol
        or lb[1] < south - tol
        or lb[3] > north + tol
    ):
        raise InvalidGeometry(
            f"coordinates {_fmt_bounds(bounds)} are outside the area of use of {crs}; "
            f"they look like {guess_crs(bounds)}",
            field=field,
        )


def _fmt_bounds(bounds: Iterable[float]) -> str:
    return "(" + ", ".join(f"{b:.6g}" for b in bounds) + ")"


def validate_geometry(
    geom: BaseGeometry,
    *,
    crs: str = WGS84,
    repair: bool = False,
    allowed: tuple[str, ...] | None = None,
    field: str = "geometry",
) -> BaseGeometry:
    """Check a geometry and return it in EPSG:4326.

    Parameters
    ----------
    geom : shapely geometry
        Input geometry, in ``crs``.
    crs : str, default "EPSG:4326"
        CRS of the input coordinates.
    repair : bool, default False
        Repair an invalid geometry with ``make_valid`` instead of refusing it.
    allowed : tuple of str, optional
        Accepted geometry types (``"Polygon"``, ``"MultiPolygon"``, ``"Point"``, ...).
        A Polygon is promoted to MultiPolygon when only MultiPolygon is allowed.

    Returns
    -------
    shapely geometry
        Valid, 2-D, in EPSG:4326.

    Raises
    ------
    InvalidGeometry
        Empty, NaN, out of the CRS's area of use, invalid (with shapely's
        ``explain_validity`` reason) or of a type not allowed.
    """
    if geom is None or geom.is_empty:
        raise InvalidGeometry("geometry is empty", field=field)
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    check_in_area_of_use(geom, crs, field=field)
    geom = to_crs(geom, crs, WGS84)
    if not geom.is_valid:
        if not repair:
            raise InvalidGeometry(
                f"invalid geometry: {explain_validity(geom)} (send repair=true to fix it)",
                field=field,
            )
        geom = make_valid(geom)
        if geom.geom_type == "GeometryCollection":
            polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            geom = shapely.union_all(polys) if polys else geom
    if allowed:
        if geom.geom_type == "Polygon" and "MultiPolygon" in allowed and "Polygon" not in allowed:
            geom = shapely.MultiPolygon([geom])
        if geom.geom_type not in allowed:
            raise InvalidGeometry(
                f"expected {' or '.join(allowed)}, got {geom.geom_type}", field=field
            )
    return geom


# --- WGS84 → GCJ-02 ("Mars coordinates") for AMap/Gaode tiles --------------------------

_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _tlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Shift a WGS84 lon/lat to GCJ-02, the datum of AMap/Gaode tiles.

    Points outside China are returned unchanged. The shift is roughly 300–600 m.
    """
    if _out_of_china(lon, lat):
        return lon, lat
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1 - _GCJ_EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat
