"""Which CRS a file's coordinates are in, checked against the numbers themselves.

Order: ``--crs`` (an EPSG code, or ``gcj02`` for lon/lat picked on AMap), else the file's
declared CRS (``.prj``, GeoPackage or GeoJSON CRS), else a guess from the coordinates:
WGS84 when they fit it, a CGCS2000 3-degree Gauss-Kruger zone when the easting carries its
zone number (38,5xx,xxx → zone 38 → EPSG:4513 + 38 − 25 = EPSG:4526), the zone's own
projected CRS setting for unprefixed Gauss-Kruger metres that land inside its area of use.
Whatever is chosen, the coordinates must lie in that CRS's area of use; if not, the file is
refused and the message names the CRS they look like. Every transform is ``always_xy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from parkgis.errors import InvalidInput
from parkgis.geo import fits_wgs84, guess_crs, wgs84_to_gcj02

GCJ02 = "gcj02"
ROUGH_DATUMS = ("Xian 1980", "Beijing 1954")
AREA_TOLERANCE_DEG = 1.0
"""How far (degrees) coordinates may stray outside a CRS's area of use."""


@dataclass
class CrsChoice:
    """The CRS used to read a file's coordinates, and why."""

    declared: str | None
    used: str
    evidence: str
    warnings: list[str] = field(default_factory=list)

    @property
    def gcj02(self) -> bool:
        """True when the input is GCJ-02 lon/lat (shifted to WGS84 on reading)."""
        return self.used == GCJ02

    def as_dict(self) -> dict[str, object]:
        """JSON-able form for the report."""
        return {
            "declared": self.declared,
            "used": self.used,
            "evidence": self.evidence,
            "warnings": self.warnings,
        }


@lru_cache(maxsize=64)
def _crs(text: str) -> CRS:
    return CRS.from_user_input(text)


def crs_name(text: str) -> str:
    """``EPSG:NNNN`` when the CRS has one (≥ 70 % confidence), else its name."""
    crs = _crs(text)
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else crs.name


@lru_cache(maxsize=64)
def _to_wgs84(src: str) -> Transformer:
    return Transformer.from_crs(_crs(src), "EPSG:4326", always_xy=True)


def _datum_warnings(crs: CRS) -> list[str]:
    datum = crs.datum.name if crs.datum else ""
    return [
        f"{crs.name} uses the {d} datum; PROJ only has a ballpark shift to WGS84 "
        "(errors of tens of metres are possible)"
        for d in ROUGH_DATUMS
        if d.lower() in datum.lower() or d.lower() in crs.name.lower()
    ]


def _fmt(b: tuple[float, float, float, float] | list[float]) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in b) + ")"


def bounds_to_wgs84(bounds: tuple[float, float, float, float], crs: str) -> list[float]:
    """The EPSG:4326 bbox of a ``crs`` bbox (edges densified; inf when out of range)."""
    if crs == GCJ02 or crs == "EPSG:4326":
        return list(bounds)
    t = _to_wgs84(crs)
    return list(t.transform_bounds(*bounds, densify_pts=21))


def check_area(bounds: tuple[float, float, float, float], crs: str, origin: str) -> None:
    """Refuse coordinates that cannot be in ``crs`` (naming the CRS they look like)."""
    if crs in (GCJ02, "EPSG:4326") or _crs(crs).is_geographic:
        if not fits_wgs84(bounds):
            raise InvalidInput(
                f"coordinates {_fmt(bounds)} are not longitude/latitude degrees as {origin} "
                f"{crs} says; they look like {guess_crs(bounds)}. Give --crs",
                field="crs",
            )
        return
    if fits_wgs84(bounds):
        raise InvalidInput(
            f"coordinates {_fmt(bounds)} look like longitude/latitude degrees, not metres of "
            f"{crs} ({origin}); give --crs EPSG:4326",
            field="crs",
        )
    aou = _crs(crs).area_of_use
    if aou is None:
        return
    try:
        lb = bounds_to_wgs84(bounds, crs)
    except Exception:  # noqa: BLE001 - PROJ refuses wildly wrong numbers
        lb = [float("inf")] * 4
    tol = AREA_TOLERANCE_DEG
    if (
        not np.isfinite(lb).all()
        or not fits_wgs84(lb)
        or lb[0] < aou.west - tol
        or lb[2] > aou.east + tol
        or lb[1] < aou.south - tol
        or lb[3] > aou.north + tol
    ):
        raise InvalidInput(
            f"coordinates {_fmt(bounds)} are outside the area of use of {crs} ({origin}, "
            f"{aou.west:g}..{aou.east:g}°E, {aou.south:g}..{aou.north:g}°N); they look like "
            f"{guess_crs(bounds)}. Give --crs",
            field="crs",
        )


def gk_zone_crs(bounds: tuple[float, float, float, float]) -> str | None:
    """CGCS2000 3° Gauss-Kruger CRS for eastings with a zone prefix (zones 25–45), or None."""
    minx, miny, maxx, maxy = bounds
    zone = int(minx // 1_000_000)
    if zone != int(maxx // 1_000_000) or not 25 <= zone <= 45:
        return None
    if not (0 <= miny <= maxy <= 6_000_000):
        return None
    if not (100_000 <= minx - zone * 1_000_000 <= maxx - zone * 1_000_000 <= 900_000):
        return None
    return f"EPSG:{4513 + zone - 25}"


def choose_crs(
    declared: str | None,
    bounds: tuple[float, float, float, float],
    *,
    option: str | None,
    zone_crs: str,
) -> CrsChoice:
    """Decide the CRS of coordinates with ``bounds`` (see the module docstring).

    Parameters
    ----------
    declared : str or None
        The file's own CRS (WKT, PROJ JSON or ``EPSG:NNNN``).
    bounds : tuple
        (minx, miny, maxx, maxy) of every geometry, in the file's units.
    option : str or None
        ``--crs``: ``EPSG:NNNN`` (or any PROJ string) or ``gcj02``.
    zone_crs : str
        The zone's projected CRS setting, tried for unprefixed Gauss-Kruger metres.

    Raises
    ------
    InvalidInput
        Unknown ``--crs``; coordinates outside the chosen CRS's area of use; no CRS and
        coordinates that fit none of the guesses.
    """
    dname = None
    if declared:
        try:
            dname = crs_name(declared)
        except CRSError:
            dname = None
    if option:
        if option.strip().lower() in ("gcj02", "gcj-02"):
            check_area(bounds, GCJ02, "--crs")
            return CrsChoice(dname, GCJ02, "--crs gcj02: AMap lon/lat, shifted to WGS84")
        try:
            used = crs_name(option)
        except CRSError as exc:
            raise InvalidInput(f"unknown CRS {option!r}", field="crs") from exc
        check_area(bounds, used, "--crs")
        return CrsChoice(dname, used, f"--crs {option}", _datum_warnings(_crs(used)))
    if dname:
        check_area(bounds, dname, "the file's declared CRS")
        return CrsChoice(dname, dname, "declared by the file", _datum_warnings(_crs(dname)))
    if fits_wgs84(bounds):
        return CrsChoice(None, "EPSG:4326", "no CRS declared; coordinates fit lon/lat degrees")
    gk = gk_zone_crs(bounds)
    if gk:
        zone = int(bounds[0] // 1_000_000)
        check_area(bounds, gk, "the easting's zone prefix")
        return CrsChoice(
            None, gk, f"no CRS declared; eastings carry Gauss-Kruger zone prefix {zone}"
        )
    if 0 < bounds[0] <= bounds[2] < 1_000_000 and 0 <= bounds[1] <= bounds[3] <= 6_000_000:
        try:
            check_area(bounds, zone_crs, "the zone's projected CRS setting")
        except InvalidInput as exc:
            raise InvalidInput(
                f"no CRS declared and coordinates {_fmt(bounds)} are Gauss-Kruger-like metres "
                f"outside the zone's CRS {zone_crs}; give --crs EPSG:NNNN",
                field="crs",
            ) from exc
        return CrsChoice(
            None,
            zone_crs,
            f"no CRS declared; unprefixed metres fit the zone's projected CRS {zone_crs}",
        )
    raise InvalidInput(
        f"no CRS declared and coordinates {_fmt(bounds)} look like {guess_crs(bounds)}; "
        "give --crs EPSG:NNNN",
        field="crs",
    )


def gcj02_to_wgs84(xy: np.ndarray) -> np.ndarray:
    """Shift GCJ-02 lon/lat (AMap) back to WGS84 by fixed-point iteration (< 1 cm)."""
    out = xy.astype(float).copy()
    for _ in range(8):
        fwd = np.array([wgs84_to_gcj02(float(x), float(y)) for x, y in out]).reshape(-1, 2)
        out = out - (fwd - xy)
    return out


def transform_to_wgs84(geoms: np.ndarray, choice: CrsChoice) -> np.ndarray:
    """Reproject shapely geometries from the chosen CRS to EPSG:4326 (always x/y)."""
    if choice.used == "EPSG:4326":
        return geoms
    if choice.gcj02:
        return shapely.transform(geoms, gcj02_to_wgs84)
    t = _to_wgs84(choice.used)

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)
