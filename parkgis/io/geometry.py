"""Geometry of imported features: 2-D, the target's type, valid, in EPSG:4326.

Z and M are dropped; single parts are promoted to the column's multi type (and one-part
multis demoted where the column is single); empty and null geometries are refused;
invalid ones are refused with shapely's reason and the location it names, unless
``repair`` is set, in which case ``make_valid`` fixes them and the change is reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.validation import explain_validity

from parkgis.io.crs import CrsChoice, transform_to_wgs84
from parkgis.io.fields import Problem
from parkgis.io.targets import Target

POLYGONAL = ("Polygon", "MultiPolygon")
_WHERE = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")


@dataclass
class GeometryStats:
    """Counts over the whole file, for the report."""

    types: Counter[str] = field(default_factory=Counter)
    empty: int = 0
    invalid: int = 0
    repaired: int = 0
    repairs: list[dict[str, Any]] = field(default_factory=list)
    bounds: list[float] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for the report."""
        return {
            "types": dict(self.types),
            "empty": self.empty,
            "invalid": self.invalid,
            "repaired": self.repaired,
            "repairs": self.repairs[:20],
        }

    def grow(self, b: np.ndarray) -> None:
        """Extend the EPSG:4326 bbox with ``b`` (minx, miny, maxx, maxy)."""
        if not np.isfinite(b).all():
            return
        if self.bounds is None:
            self.bounds = [float(v) for v in b]
        else:
            self.bounds = [
                min(self.bounds[0], b[0]),
                min(self.bounds[1], b[1]),
                max(self.bounds[2], b[2]),
                max(self.bounds[3], b[3]),
            ]


def _polygonal(g: Any) -> Any:
    if g.geom_type in POLYGONAL:
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else g


def _coerce(g: Any, kind: str) -> Any:
    t = g.geom_type
    if kind == "MultiPolygon" and t == "Polygon":
        return shapely.MultiPolygon([g])
    if kind == "Polygon" and t == "MultiPolygon" and len(g.geoms) == 1:
        return g.geoms[0]
    if kind == "Point" and t == "MultiPoint" and len(g.geoms) == 1:
        return g.geoms[0]
    return g


_TYPE_IDS = {"Point": 0, "Polygon": 3, "MultiPolygon": 6}
_TYPE_NAMES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)
"""``geom_type`` by shapely type id (:func:`shapely.get_type_id`)."""


def _coerce_all(g: np.ndarray, keep: np.ndarray, kind: str) -> np.ndarray:
    """:func:`_coerce` for a whole array, vectorised for the common Polygon → MultiPolygon.

    Returns the positions that changed.
    """
    ids = np.full(len(g), -1)
    ids[keep] = shapely.get_type_id(g[keep])
    if kind == "MultiPolygon":
        polys = np.flatnonzero(ids == 3)
        if len(polys):
            g[polys] = shapely.multipolygons(g[polys], indices=np.arange(len(polys)))
        return polys
    single = {"Polygon": 6, "Point": 4}[kind]
    changed = []
    for j in np.flatnonzero(ids == single):
        before = g[j]
        g[j] = _coerce(before, kind)
        if g[j] is not before:
            changed.append(j)
    return np.array(changed, dtype=int)


def _lonlat(choice: CrsChoice, x: float, y: float) -> list[float]:
    p = transform_to_wgs84(np.array([shapely.Point(x, y)], dtype=object), choice)[0]
    return [round(p.x, 7), round(p.y, 7)]


def prepare(
    geoms: np.ndarray,
    rows: np.ndarray,
    tgt: Target,
    choice: CrsChoice,
    *,
    repair: bool,
    stats: GeometryStats,
    problems: list[Problem],
) -> tuple[np.ndarray, np.ndarray]:
    """Checked EPSG:4326 geometries of one batch; refused ones become None.

    Parameters
    ----------
    geoms : ndarray of shapely geometries (or None)
        In the file's CRS (``choice.used``).
    rows : ndarray of int
        1-based feature numbers, for the problems.

    Returns
    -------
    (ndarray of geometries, ndarray of bool)
        The geometries in EPSG:4326, and which of them are the file's own, untouched (no
        Z/M dropped, no reprojection, no promotion, no repair): their WKB can be written as
        read.
    """
    n = len(geoms)
    ids = shapely.get_type_id(geoms)
    missing = ids < 0
    empty = missing.copy()
    empty[~missing] = shapely.is_empty(geoms[~missing])
    for t, k in enumerate(np.bincount(ids[~missing], minlength=len(_TYPE_NAMES))):
        if k:
            stats.types[_TYPE_NAMES[t]] += int(k)
    out = np.full(n, None, dtype=object)
    same = ~empty
    ok_idx = np.flatnonzero(~empty)
    stats.empty += int(empty.sum())
    if tgt.geom_required:
        for i in np.flatnonzero(empty)[:200]:
            problems.append(Problem(int(rows[i]), "geometry", "empty", "geometry is empty or null"))
    if len(ok_idx) == 0:
        return out, same
    g = geoms[ok_idx]  # a copy: the batch keeps the file's geometries for the preview
    zm = shapely.has_z(g) | shapely.has_m(g)
    if zm.any():
        g[zm] = shapely.force_2d(g[zm])
        same[ok_idx[zm]] = False
    valid = shapely.is_valid(g)
    same[ok_idx[~valid]] = False
    for j in np.flatnonzero(~valid):
        stats.invalid += 1
        reason = explain_validity(g[j])
        where = _WHERE.search(reason)
        loc = _lonlat(choice, float(where[1]), float(where[2])) if where else None
        row = int(rows[ok_idx[j]])
        if repair:
            before = g[j]
            fixed = shapely.make_valid(before)
            if tgt.geom_kind in ("MultiPolygon", "Polygon"):
                fixed = _polygonal(fixed)
            g[j] = fixed
            stats.repaired += 1
            if len(stats.repairs) < 20:
                stats.repairs.append(
                    {
                        "row": row,
                        "reason": reason,
                        "location": loc,
                        "before": before.geom_type,
                        "after": fixed.geom_type,
                        "area_before": before.area,
                        "area_after": fixed.area,
                    }
                )
        else:
            problems.append(
                Problem(
                    row,
                    "geometry",
                    "invalid",
                    f"invalid geometry: {reason} (--repair fixes it)",
                    location=loc,
                )
            )
            g[j] = None
    keep = ~shapely.is_missing(g)
    g4326 = g.copy()
    moved = choice.used != "EPSG:4326"
    if moved:
        g4326[keep] = transform_to_wgs84(g[keep], choice)
        same[ok_idx] = False
    if tgt.geom_kind != "any":
        same[ok_idx[_coerce_all(g4326, keep, tgt.geom_kind)]] = False
        types = np.full(len(g4326), -1)
        types[keep] = shapely.get_type_id(g4326[keep])
        wrong = keep & (types != _TYPE_IDS[tgt.geom_kind])
        for j in np.flatnonzero(wrong):
            problems.append(
                Problem(
                    int(rows[ok_idx[j]]),
                    "geometry",
                    "wrong_type",
                    f"expected {tgt.geom_kind}, got {g4326[j].geom_type}",
                )
            )
            g4326[j] = None
    # A transform can still bend a ring into itself: check what the database will check.
    # Without a transform the geometries are those checked above (or repaired, or a valid
    # polygon made a one-part multipolygon), so there is nothing new to check.
    keep = ~shapely.is_missing(g4326)
    bad = np.zeros(len(g4326), dtype=bool)
    if moved:
        bad[keep] = ~shapely.is_valid(g4326[keep])
    for j in np.flatnonzero(bad):
        if repair:
            g4326[j] = shapely.make_valid(g4326[j])
            if tgt.geom_kind != "any":
                g4326[j] = _coerce(_polygonal(g4326[j]), tgt.geom_kind)
            stats.repaired += 1
        else:
            problems.append(
                Problem(
                    int(rows[ok_idx[j]]),
                    "geometry",
                    "invalid",
                    f"invalid in EPSG:4326: {explain_validity(g4326[j])}",
                )
            )
            g4326[j] = None
    keep = ~shapely.is_missing(g4326)
    if keep.any():
        stats.grow(shapely.total_bounds(g4326[keep]))
    out[ok_idx] = g4326
    same &= ~shapely.is_missing(out)
    return out, same
