"""The WebMercatorQuad tile matrix set (EPSG:3857, 256-pixel tiles, zooms 0–24).

Tile ``(z, x, y)`` has ``x`` growing east and ``y`` growing south from the north-west
corner (the XYZ / OGC 2D TMS convention). Everything here is plain arithmetic.
"""

from __future__ import annotations

import math

from parkgis.errors import InvalidQuery
from parkgis.params import parse_int

TMS_ID = "WebMercatorQuad"
MAX_ZOOM = 24
"""The deepest matrix of WebMercatorQuad in OGC 2D TMS."""
HALF_WORLD_M = 20037508.342789244
"""Half the width of the EPSG:3857 world, metres."""
MAX_LAT = 85.0511287798066


def _int(value: str | int, name: str) -> int:
    """A tile coordinate as an int; its range is checked by :func:`parse_tile`."""
    return value if isinstance(value, int) else parse_int(value, name, lo=-(2**31))


def parse_tile(z: str | int, x: str | int, y: str | int) -> tuple[int, int, int]:
    """Check a tile address of WebMercatorQuad.

    Parameters
    ----------
    z, x, y : str or int
        Zoom (0–24) and the column/row, each in ``0 … 2**z - 1``.

    Raises
    ------
    InvalidQuery
        Naming ``z``, ``x`` or ``y`` (not a whole number, or outside the matrix).
    """
    zi, xi, yi = _int(z, "z"), _int(x, "x"), _int(y, "y")
    if not 0 <= zi <= MAX_ZOOM:
        raise InvalidQuery(f"z must be 0 to {MAX_ZOOM} in {TMS_ID}, got {zi}", field="z")
    n = 1 << zi
    for name, v in (("x", xi), ("y", yi)):
        if not 0 <= v < n:
            raise InvalidQuery(f"{name} must be 0 to {n - 1} at zoom {zi}, got {v}", field=name)
    return zi, xi, yi


def tile_bounds_3857(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, ...]:
    """(minx, miny, maxx, maxy) of a tile in EPSG:3857 metres, grown by ``margin`` tiles."""
    size = 2 * HALF_WORLD_M / (1 << z)
    minx = -HALF_WORLD_M + (x - margin) * size
    maxx = -HALF_WORLD_M + (x + 1 + margin) * size
    maxy = HALF_WORLD_M - (y - margin) * size
    miny = HALF_WORLD_M - (y + 1 + margin) * size
    return minx, miny, maxx, maxy


def _lon(mx: float) -> float:
    return max(-180.0, min(180.0, mx / HALF_WORLD_M * 180.0))


def _lat(my: float) -> float:
    my = max(-HALF_WORLD_M, min(HALF_WORLD_M, my))
    return math.degrees(2 * math.atan(math.exp(my / HALF_WORLD_M * math.pi)) - math.pi / 2)


def tile_bounds_lonlat(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, ...]:
    """(west, south, east, north) of a tile in EPSG:4326 degrees, grown by ``margin`` tiles.

    Clamped to the world (±180°, ±85.05°); meridians and parallels are straight in both
    CRSs, so this box holds exactly the tile.
    """
    minx, miny, maxx, maxy = tile_bounds_3857(z, x, y, margin)
    return _lon(minx), _lat(miny), _lon(maxx), _lat(maxy)


def metres_per_pixel(z: int, tile_px: int = 256) -> float:
    """EPSG:3857 metres per pixel of a ``tile_px`` tile at zoom ``z`` (at the equator)."""
    return 2 * HALF_WORLD_M / (1 << z) / tile_px


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The (x, y) of the zoom-``z`` tile holding an EPSG:4326 lon/lat point."""
    n = 1 << z
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)
