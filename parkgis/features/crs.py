"""Output and bbox CRS of the read side (OGC API Features Part 2: ``crs``, ``bbox-crs``).

Data is stored in EPSG:4326 with longitude first, which is OGC CRS84. Other CRSs are
served by ``ST_Transform`` in PostGIS; coordinates follow the axis order the CRS
defines (EPSG:4326 and EPSG:4490 are latitude first, the CGCS2000 Gauss-Krüger CRSs
are northing first), as Part 2 requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from parkgis.errors import InvalidQuery

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"
BASE_EPSG = (4326, 4490, 3857, 4547)
"""EPSG codes served besides CRS84 (WGS84, CGCS2000, Web Mercator, CGCS2000 GK CM 114E)."""

_EPSG_RE = re.compile(
    r"^(?:https?://www\.opengis\.net/def/crs/EPSG/0/|\[?EPSG:)(\d{4,6})\]?$", re.IGNORECASE
)


@dataclass(frozen=True)
class OutputCRS:
    """A CRS features can be served in: its URI, SRID, axis flip and output precision."""

    uri: str
    srid: int
    flip: bool
    decimals: int


@lru_cache(maxsize=64)
def _from_epsg(code: int) -> OutputCRS:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_epsg(code)
    except CRSError as exc:
        raise InvalidQuery(f"unknown CRS EPSG:{code}", field="crs") from exc
    first = crs.axis_info[0].direction.lower() if crs.axis_info else "east"
    return OutputCRS(
        uri=EPSG_URI.format(code=code),
        srid=code,
        flip=first in ("north", "south"),
        decimals=7 if crs.is_geographic else 3,
    )


def _epsg_code(crs: str) -> int | None:
    m = re.match(r"^EPSG:(\d{4,6})$", crs, re.IGNORECASE)
    return int(m.group(1)) if m else None


def supported_crs(zone_crs: str | None = None) -> list[str]:
    """URIs of every CRS served, CRS84 first; ``zone_crs`` (e.g. ``EPSG:4547``) is added."""
    codes = list(BASE_EPSG)
    extra = _epsg_code(zone_crs) if zone_crs else None
    if extra is not None and extra not in codes:
        codes.append(extra)
    return [CRS84] + [EPSG_URI.format(code=c) for c in codes]


def parse_crs(value: str | None, *, field: str = "crs", zone_crs: str | None = None) -> OutputCRS:
    """The :class:`OutputCRS` named by a ``crs``/``bbox-crs`` parameter (CRS84 when None).

    Accepts the OGC URIs listed by :func:`supported_crs`, and ``EPSG:NNNN``.

    Raises
    ------
    InvalidQuery
        The CRS is unknown or not served, naming ``field``.
    """
    if value is None or value.strip() in ("", CRS84, "OGC:CRS84", "CRS84"):
        return OutputCRS(uri=CRS84, srid=4326, flip=False, decimals=7)
    m = _EPSG_RE.match(value.strip())
    served = supported_crs(zone_crs)
    if m is None or EPSG_URI.format(code=int(m.group(1))) not in served:
        raise InvalidQuery(
            f"CRS {value!r} is not served; use one of {', '.join(served)}", field=field
        )
    return _from_epsg(int(m.group(1)))
