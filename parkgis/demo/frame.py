"""The demo zone's local metric frame and its conversion to lon/lat.

The generator lays the zone out in metres on a local grid (x along the streets running
roughly east, y roughly north), rotated by a few degrees and anchored in the zone's
projected CRS (CGCS2000 / 3-degree Gauss-Kruger CM 114E, EPSG:4547). Output coordinates
are EPSG:4326 rounded to 1e-7 degrees (about 1 cm), which keeps the files small.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from parkgis.geo import WGS84, transformer

ZONE_CRS = "EPSG:4547"
CENTRE_LON = 112.705
CENTRE_LAT = 23.334
"""Centre of the scale-1 zone (Zhaoqing high-tech zone, Dawang), 0.6 km from 23.33°N 112.70°E."""
ROTATION_DEG = 9.0
DECIMALS = 7


class Frame:
    """Maps local zone metres to EPSG:4326.

    Parameters
    ----------
    centre_lon, centre_lat : float
        Where local (0, 0) lies, in degrees (EPSG:4326).
    rotation_deg : float
        Counter-clockwise rotation of the local grid against grid north, in degrees.
    """

    def __init__(
        self,
        centre_lon: float = CENTRE_LON,
        centre_lat: float = CENTRE_LAT,
        rotation_deg: float = ROTATION_DEG,
    ) -> None:
        self.x0, self.y0 = transformer(WGS84, ZONE_CRS).transform(centre_lon, centre_lat)
        a = math.radians(rotation_deg)
        self.cos, self.sin = math.cos(a), math.sin(a)
        self._inverse = transformer(ZONE_CRS, WGS84)

    def _lonlat(self, xy: Any, dx: float = 0.0, dy: float = 0.0) -> Any:
        u, v = xy[:, 0] + dx, xy[:, 1] + dy
        x = self.x0 + u * self.cos - v * self.sin
        y = self.y0 + u * self.sin + v * self.cos
        lon, lat = self._inverse.transform(x, y)
        return np.round(np.column_stack([lon, lat]), DECIMALS)

    def to_lonlat(self, geoms: Any, offset: tuple[float, float] = (0.0, 0.0)) -> Any:
        """Convert local-metre shapely geometries (array or single) to rounded lon/lat.

        ``offset`` (metres) is added to the local coordinates first (a tile's position).
        """
        dx, dy = offset
        return shapely.transform(geoms, lambda xy: self._lonlat(xy, dx, dy))

    def wkb(self, geoms: list[Any], offset: tuple[float, float] = (0.0, 0.0)) -> list[Any]:
        """Local-metre geometries (or None) → ISO WKB bytes of their lon/lat version."""
        arr = np.empty(len(geoms), dtype=object)
        arr[:] = geoms
        out = shapely.to_wkb(self.to_lonlat(arr, offset))
        return [None if b is None else bytes(b) for b in out]
