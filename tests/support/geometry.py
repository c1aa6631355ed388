"""Test geometries in EPSG:4326 around the demo zone (112.70°E 23.33°N).

Metre offsets and sizes are measured in the zone's Gauss-Krüger CRS (EPSG:4547), so a
``side_m`` square is that many metres a side on the ground (to about 0.1%).
"""

from __future__ import annotations

from typing import Any

from shapely.geometry import Point, Polygon

from parkgis.geo import to_crs

LON0, LAT0 = 112.70, 23.33
ZONE_CRS = "EPSG:4547"


def metres(lon: float = LON0, lat: float = LAT0) -> tuple[float, float]:
    """``lon``/``lat`` in the zone's CRS (EPSG:4547 x, y metres)."""
    x, y = to_crs(Point(lon, lat), "EPSG:4326", ZONE_CRS).coords[0]
    return x, y


def point(
    east_m: float = 0.0, north_m: float = 0.0, *, lon: float = LON0, lat: float = LAT0
) -> Point:
    """The EPSG:4326 point ``east_m``/``north_m`` metres from ``lon``/``lat``."""
    x, y = metres(lon, lat)
    return to_crs(Point(x + east_m, y + north_m), ZONE_CRS, "EPSG:4326")


def square(
    lon: float = LON0,
    lat: float = LAT0,
    side_m: float = 100.0,
    *,
    east_m: float = 0.0,
    north_m: float = 0.0,
    height_m: float | None = None,
    deg: float | None = None,
) -> Polygon:
    """An EPSG:4326 square (or rectangle) with its south-west corner first, counter-clockwise.

    Parameters
    ----------
    lon, lat
        The origin (degrees).
    side_m
        Width in metres (EPSG:4547), and height too unless ``height_m`` is given.
    east_m, north_m
        Offset of the south-west corner from the origin, metres.
    height_m
        Height in metres, for a rectangle.
    deg
        Build the square in degrees instead: ``deg`` degrees a side from ``lon``/``lat``
        (about 100 m at the zone for 0.001); the metre arguments are then ignored.
    """
    if deg is not None:
        return Polygon([(lon, lat), (lon + deg, lat), (lon + deg, lat + deg), (lon, lat + deg)])
    x0, y0 = metres(lon, lat)
    x, y = x0 + east_m, y0 + north_m
    w, h = side_m, side_m if height_m is None else height_m
    sq = Polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
    return to_crs(sq, ZONE_CRS, "EPSG:4326")


def ring(geom: Polygon) -> list[list[float]]:
    """The exterior ring of ``geom`` as GeoJSON positions (closed), e.g. for request bodies."""
    return [[x, y] for x, y in geom.exterior.coords]


def ewkt(geom: Any) -> str:
    """EWKT in SRID 4326."""
    return f"SRID=4326;{geom.wkt}"
