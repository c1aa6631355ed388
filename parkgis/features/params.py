"""Parse and validate the query parameters of the read side (no web framework here).

Every error is :class:`parkgis.errors.InvalidQuery` (HTTP 400) naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from parkgis.errors import InvalidQuery
from parkgis.features.allowed import check_value
from parkgis.features.crs import CRS84, OutputCRS, parse_crs
from parkgis.features.registry import Collection, Column
from parkgis.params import check_bbox as shared_check_bbox
from parkgis.params import parse_date, parse_flag, parse_int, parse_number, split_bbox

Op = Literal["eq", "in", "ge", "le", "lt"]

PAGING_PARAMS = ("limit", "offset", "bbox", "bbox-crs", "crs")
"""Parameters every list endpoint takes besides the collection's filters."""


@dataclass(frozen=True)
class Filter:
    """One condition ``column op value`` parsed from parameter ``param``."""

    param: str
    column: Column
    op: Op
    value: Any


@dataclass(frozen=True)
class ItemsQuery:
    """A validated list request: bbox (x/y order of ``bbox_crs``), paging, filters, CRS."""

    limit: int
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: OutputCRS = field(default_factory=lambda: parse_crs(None))
    crs: OutputCRS = field(default_factory=lambda: parse_crs(None))
    filters: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


def parse_bbox(value: str, crs: OutputCRS | None = None) -> tuple[float, float, float, float]:
    """Parse ``bbox=minx,miny,maxx,maxy`` (6 numbers: heights are ignored).

    Parameters
    ----------
    value : str
        Comma-separated numbers. In CRS84 (the default) these are longitude/latitude
        degrees, EPSG:4326 lon/lat; with ``bbox-crs`` they are in that CRS's axis order.
    crs : OutputCRS, optional
        The ``bbox-crs``; CRS84 when None.

    Returns
    -------
    tuple of float
        (minx, miny, maxx, maxy) in x/y (easting/longitude first) order of ``crs``.

    Raises
    ------
    InvalidQuery
        Not 4 or 6 finite numbers, min greater than max, or degrees out of range.
    """
    a0, a1, b0, b1 = split_bbox(value)
    if crs is not None and crs.flip:
        a0, a1, b0, b1 = a1, a0, b1, b0
    return check_bbox((a0, a1, b0, b1), crs)


def check_bbox(
    box: tuple[float, ...] | list[float], crs: OutputCRS | None = None
) -> tuple[float, float, float, float]:
    """Validate an x/y-ordered ``(minx, miny, maxx, maxy)`` (degrees unless ``crs`` is metric).

    Raises
    ------
    InvalidQuery
        Not 4 finite numbers, min greater than max, or degrees out of range (``bbox``).
    """
    geographic = crs is None or crs.uri == CRS84 or crs.srid in (4326, 4490)
    checked = shared_check_bbox(box, degrees=geographic)
    if crs is not None and not geographic:
        from shapely.geometry import box as make_box

        from parkgis.errors import InvalidGeometry
        from parkgis.geo import check_in_area_of_use

        try:
            check_in_area_of_use(make_box(*checked), f"EPSG:{crs.srid}", field="bbox")
        except InvalidGeometry as exc:
            raise InvalidQuery(exc.message, field="bbox") from exc
    return checked


def parse_limit(value: str | int | None, default: int, maximum: int) -> int:
    """Page size: ``default`` when absent; values above ``maximum`` are clamped to it.

    Clamping rather than refusing follows OGC API Features (a server may return fewer
    features than asked); the page's ``numberReturned`` and ``next`` link say so.
    """
    if value is None:
        return min(default, maximum)
    n = value if isinstance(value, int) else parse_int(value, "limit", lo=1)
    if n < 1:
        raise InvalidQuery(f"must be at least 1, got {n}", field="limit")
    return min(n, maximum)


_DT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ][\d:.]+(?:[Zz]|[+-]\d{2}:?\d{2})?)?$")


def parse_datetime(value: str) -> str:
    """Validate an OGC ``datetime`` (instant, or interval ``a/b`` with ``..`` open ends)."""
    parts = value.split("/")
    if len(parts) > 2 or not value.strip():
        raise InvalidQuery("datetime must be an instant or an interval start/end", field="datetime")
    for p in parts:
        if p in ("..", "") and len(parts) == 2:
            continue
        if not _DT_RE.match(p):
            raise InvalidQuery(f"{p!r} is not an RFC 3339 date or date-time", field="datetime")
        try:
            datetime.fromisoformat(p.replace("z", "Z"))
        except ValueError:
            raise InvalidQuery(f"{p!r} is not a valid date-time", field="datetime") from None
    return value


def _timestamp(text: str, param: str, tz: str, upper: bool) -> tuple[datetime, bool]:
    """A timestamp bound; a bare date as an upper bound means "before the next day"."""
    t = text.strip()
    if len(t) == 10:
        d = parse_date(t, param)
        start = datetime.combine(d + timedelta(days=1) if upper else d, time(), ZoneInfo(tz))
        return start, upper
    try:
        v = datetime.fromisoformat(t.replace("z", "Z"))
    except ValueError:
        raise InvalidQuery(f"{text!r} is not an ISO date or date-time", field=param) from None
    return (v if v.tzinfo else v.replace(tzinfo=ZoneInfo(tz))), False


def _scalar(col: Column, text: Any, param: str) -> Any:
    if not isinstance(text, str):
        return text
    match col.kind:
        case "int":
            n = parse_int(text, param, lo=-(2**31))
            if n >= 2**31:
                raise InvalidQuery(f"{n} is too large for an integer", field=param)
            return n
        case "float":
            return parse_number(text, param)
        case "bool":
            return parse_flag(text, param)
        case "date":
            return parse_date(text, param)
    return text


def parse_filters(
    coll: Collection, raw: Mapping[str, Any], *, tz: str = "Asia/Shanghai"
) -> list[Filter]:
    """Turn ``{param: value}`` into typed :class:`Filter` s for ``coll``.

    Values may be strings (from a query string) or already typed. Naive date-times
    and bare dates of timestamp columns are in zone time ``tz``.

    Raises
    ------
    InvalidQuery
        An unknown parameter (the message lists the known ones), a malformed value, or a
        code the column never takes (the message lists the allowed ones, see
        :mod:`parkgis.features.allowed`).
    """
    out: list[Filter] = []
    for param, value in raw.items():
        prefix, _, rest = param.partition("_")
        col = coll.by_name.get(param)
        if col is not None and col.filter:
            if col.multi and isinstance(value, str) and "," in value:
                vals = [_scalar(col, v.strip(), param) for v in value.split(",") if v.strip()]
                for v in vals:
                    check_value(coll.name, col.name, param, v)
                out.append(Filter(param, col, "in", vals))
            else:
                one = _scalar(col, value, param)
                check_value(coll.name, col.name, param, one)
                out.append(Filter(param, col, "eq", one))
            continue
        col = coll.by_name.get(rest) if prefix in ("min", "max") else None
        if col is None or not col.range:
            known = ", ".join(coll.filter_names())
            raise InvalidQuery(
                f"unknown query parameter {param!r} for {coll.name}; filters are: {known}",
                field=param,
            )
        op: Op = "ge" if prefix == "min" else "le"
        if col.kind == "timestamp" and isinstance(value, str):
            ts, exclusive = _timestamp(value, param, tz, upper=prefix == "max")
            out.append(Filter(param, col, "lt" if exclusive else op, ts))
        else:
            out.append(Filter(param, col, op, _scalar(col, value, param)))
    return out


def parse_items_query(
    coll: Collection,
    params: Iterable[tuple[str, str]],
    *,
    default_limit: int,
    max_limit: int,
    zone_crs: str | None = None,
    extra: tuple[str, ...] = (),
) -> ItemsQuery:
    """Validate a list request's query string for ``coll``.

    Parameters
    ----------
    params : iterable of (name, value)
        The query string's items, repeated names included (they are refused).
    extra : tuple of str
        Further parameters the endpoint handles itself (e.g. ``f``, ``datetime``);
        they are returned in :attr:`ItemsQuery.extra`.

    Raises
    ------
    InvalidQuery
        A parameter given twice, unknown, or malformed.
    """
    seen: dict[str, str] = {}
    for name, value in params:
        if name in seen:
            raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
        seen[name] = value
    bbox_crs = parse_crs(seen.pop("bbox-crs", None), field="bbox-crs", zone_crs=zone_crs)
    crs = parse_crs(seen.pop("crs", None), field="crs", zone_crs=zone_crs)
    bbox_text = seen.pop("bbox", None)
    if bbox_crs.uri != CRS84 and bbox_text is None:
        raise InvalidQuery("bbox-crs is given without bbox", field="bbox-crs")
    if bbox_text is not None and coll.geometry is None:
        raise InvalidQuery(f"{coll.name} have no geometry to filter by bbox", field="bbox")
    bbox = parse_bbox(bbox_text, bbox_crs) if bbox_text is not None else None
    limit = parse_limit(seen.pop("limit", None), default_limit, max_limit)
    off = seen.pop("offset", None)
    offset = parse_int(off, "offset", lo=0) if off is not None else 0
    ext = {k: seen.pop(k) for k in extra if k in seen}
    if "datetime" in ext:
        parse_datetime(ext["datetime"])
    # Validate filter names and values now, so errors name the parameter before any SQL.
    parse_filters(coll, seen)
    return ItemsQuery(
        limit=limit, offset=offset, bbox=bbox, bbox_crs=bbox_crs, crs=crs, filters=seen, extra=ext
    )
