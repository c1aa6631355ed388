"""Where a land-use figure is taken: the whole zone, a bbox, or a posted polygon.

A parcel belongs to a scope when its point on surface (``ST_PointOnSurface``) lies in it,
so each parcel counts once and whole, and plot ratios stay those of whole parcels.
Grouping by grid area uses the same rule: a parcel is in the grid area that holds its
point on surface (parcels outside every grid area form the group ``null``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from parkgis.errors import InvalidGeometry, InvalidInput, InvalidQuery
from parkgis.geo import validate_geometry

GroupBy = Literal["zone", "grid", "class", "status"]
GROUP_BYS: tuple[str, ...] = ("zone", "grid", "class", "status")


@dataclass(frozen=True)
class Scope:
    """A bbox (EPSG:4326 degrees) and/or a polygon (EPSG:4326); neither = the whole zone."""

    bbox: tuple[float, float, float, float] | None = None
    polygon: BaseGeometry | None = None

    def where(self, alias: str = "p") -> tuple[str, dict[str, Any]]:
        """SQL condition on parcels ``alias`` and its bind parameters."""
        parts = ["TRUE"]
        params: dict[str, Any] = {}
        if self.bbox is not None:
            parts.append(
                f"{alias}.geom && ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 4326) AND "
                f"ST_Intersects(ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 4326), "
                f"ST_PointOnSurface({alias}.geom))"
            )
            params.update(zip(("bx0", "by0", "bx1", "by1"), self.bbox, strict=True))
        if self.polygon is not None:
            parts.append(
                f"{alias}.geom && ST_GeomFromText(:scope_wkt, 4326) AND "
                f"ST_Intersects(ST_GeomFromText(:scope_wkt, 4326), ST_PointOnSurface({alias}.geom))"
            )
            params["scope_wkt"] = self.polygon.wkt
        return " AND ".join(parts), params

    def describe(self) -> dict[str, Any]:
        """JSON-ready description (bbox as a list, polygon as GeoJSON)."""
        return {
            "bbox": list(self.bbox) if self.bbox else None,
            "polygon": shapely.geometry.mapping(self.polygon) if self.polygon else None,
        }


def polygon_from_geojson(obj: Mapping[str, Any] | None, *, field: str = "geometry") -> BaseGeometry:
    """A posted GeoJSON Polygon/MultiPolygon (geometry or Feature), checked, in EPSG:4326.

    Raises
    ------
    InvalidGeometry
        Not a polygon, invalid (with the reason), or outside EPSG:4326.
    """
    if not isinstance(obj, Mapping):
        raise InvalidInput("send a GeoJSON Polygon or MultiPolygon (EPSG:4326)", field=field)
    geom_obj = obj.get("geometry") if obj.get("type") == "Feature" else obj
    try:
        geom = shape(geom_obj)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise InvalidGeometry(f"not a GeoJSON geometry: {exc}", field=field) from exc
    return validate_geometry(geom, allowed=("Polygon", "MultiPolygon"), field=field)


def check_group_by(value: str | None) -> GroupBy:
    """``value`` if it is a known grouping (default ``zone``), else a 400 naming ``by``."""
    v = (value or "zone").strip().lower()
    if v not in GROUP_BYS:
        raise InvalidQuery(f"unknown grouping {value!r}; use {', '.join(GROUP_BYS)}", field="by")
    return v  # type: ignore[return-value]
