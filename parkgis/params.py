"""Value parsers shared by the API's query strings and the command line.

Each parser takes the raw text of one parameter and the parameter's name, and returns a
typed value or raises :class:`~parkgis.errors.InvalidQuery` naming the parameter and the
reason. A flag, a bbox or a month therefore means the same on every endpoint and command.

Examples
--------
>>> parse_flag("on", "download")
True
>>> parse_ids("3, 5", "officer_id")
(3, 5)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date

from parkgis.errors import InvalidInput, InvalidQuery
from parkgis.zonetime import Month, parse_month

__all__ = [
    "BBox",
    "check_bbox",
    "parse_bbox",
    "parse_choice",
    "parse_date",
    "parse_flag",
    "parse_ids",
    "parse_int",
    "parse_lang",
    "parse_month_param",
    "parse_number",
]

BBox = tuple[float, float, float, float]
"""``(min_lon, min_lat, max_lon, max_lat)`` in EPSG:4326 degrees (or x/y of a stated CRS)."""

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")
LANGUAGES = ("zh", "en")


def parse_flag(value: str | None, field: str, default: bool = False) -> bool:
    """A yes/no parameter: ``1/true/yes/on`` or ``0/false/no/off`` (or empty), any case.

    ``None`` (the parameter is absent) gives ``default``.
    """
    if value is None:
        return default
    low = value.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise InvalidQuery(
        f"{value!r} is not a yes/no value; use 1/0, true/false or on/off", field=field
    )


def parse_number(value: str, field: str) -> float:
    """A finite decimal number."""
    try:
        v = float(value)
    except ValueError:
        raise InvalidQuery(f"{value!r} is not a number", field=field) from None
    if not math.isfinite(v):
        raise InvalidQuery(f"{value!r} is not a finite number", field=field)
    return v


_INT_RE = re.compile(r"\s*[+-]?\d+\s*")


def parse_int(value: str, field: str, lo: int = 1, hi: int = 2**31 - 1) -> int:
    """A whole number in ``lo..hi`` (both inclusive; the default fits an id column)."""
    if not _INT_RE.fullmatch(value):
        raise InvalidQuery(f"{value!r} is not a whole number", field=field)
    n = int(value)
    if n < lo:
        raise InvalidQuery(f"must be at least {lo}, got {n}", field=field)
    if n > hi:
        raise InvalidQuery(f"must be at most {hi}, got {n}", field=field)
    return n


def parse_ids(value: str, field: str) -> tuple[int, ...]:
    """A comma list of ids (whole numbers >= 1), e.g. ``3,5,8``; empty items are ignored."""
    return tuple(parse_int(v, field) for v in value.split(",") if v.strip())


def parse_choice(value: str, field: str, options: Sequence[str]) -> str:
    """One of ``options``, exactly."""
    if value not in options:
        raise InvalidQuery(f"{value!r} is not one of: {', '.join(options)}", field=field)
    return value


def parse_lang(value: str, field: str = "lang") -> str:
    """A display language: ``zh`` or ``en``."""
    return parse_choice(value.strip().lower(), field, LANGUAGES)


def parse_date(value: str, field: str) -> date:
    """An ISO calendar date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidQuery(f"{value!r} is not an ISO date (YYYY-MM-DD)", field=field) from None


def parse_month_param(value: str, tz: str, field: str = "month") -> Month:
    """A calendar month ``YYYY-MM`` (see :func:`parkgis.zonetime.parse_month`)."""
    try:
        return parse_month(value, tz, field=field)
    except InvalidInput as exc:
        raise InvalidQuery(exc.message, field=field) from exc


def check_bbox(box: Sequence[float], field: str = "bbox", *, degrees: bool = True) -> BBox:
    """Validate ``(minx, miny, maxx, maxy)``: lon/lat in EPSG:4326 degrees by default.

    With ``degrees=False`` the numbers are metres of a projected CRS, and only their
    form is checked here (the caller checks the CRS's area of use).

    Raises
    ------
    InvalidQuery
        Not four finite numbers, min greater than max, or outside -180..180 / -90..90.
    """
    if len(box) != 4:
        raise InvalidQuery(f"{field} needs 4 numbers minx,miny,maxx,maxy", field=field)
    a0, a1, b0, b1 = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (a0, a1, b0, b1)):
        raise InvalidQuery(f"{field} numbers must be finite", field=field)
    if a0 > b0 or a1 > b1:
        raise InvalidQuery(
            f"{field} minimum is greater than its maximum; give minx,miny,maxx,maxy "
            "(boxes across the antimeridian are not supported)",
            field=field,
        )
    if degrees and not (-180 <= a0 <= b0 <= 180 and -90 <= a1 <= b1 <= 90):
        raise InvalidQuery(
            f"{field} is outside longitude -180..180 / latitude -90..90; give WGS84 "
            "degrees (lon,lat order) or set bbox-crs",
            field=field,
        )
    return (a0, a1, b0, b1)


def split_bbox(value: str, field: str = "bbox") -> list[float]:
    """The numbers of ``minx,miny,maxx,maxy`` (or 6 with heights, which are dropped)."""
    parts = [p.strip() for p in value.split(",")]
    if len(parts) not in (4, 6):
        raise InvalidQuery(
            f"{field} needs 4 numbers minx,miny,maxx,maxy (or 6 with heights), got {len(parts)}",
            field=field,
        )
    nums = [parse_number(p, field) for p in parts]
    return [nums[0], nums[1], nums[3], nums[4]] if len(nums) == 6 else nums


def parse_bbox(value: str, field: str = "bbox") -> BBox:
    """``min_lon,min_lat,max_lon,max_lat`` in EPSG:4326 degrees, checked."""
    return check_bbox(split_bbox(value, field), field)
