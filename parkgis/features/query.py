"""Feature collections assembled in PostGIS, with the caller's role applied in SQL.

One statement per page: the page of rows, its GeoJSON text (``ST_AsGeoJSON`` and
``to_json`` per value, concatenated and ``string_agg``-ed in PostgreSQL, see
:func:`_object_sql`) and ``numberMatched`` (counted only when the page does not
already tell). Python only splices the bytes into the envelope. Values always travel
as bind parameters; the SQL text depends only on the registry, the caller's role shape
and which filters are present, and is cached, so psycopg prepares it after a few uses.

Role rules come from :mod:`parkgis.access` only: :func:`~parkgis.access.require_read`
for the collection, :data:`~parkgis.access.PUBLIC_ROWS` for anonymous rows,
:func:`~parkgis.access.visible_fields` for the columns, and for the "own" sensitive
scope a per-row ``CASE WHEN <own row> THEN <field> END`` so an officer reads the
sensitive fields of their own firms only (others come back as null).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from parkgis.access import (
    PUBLIC_ROWS,
    SENSITIVE_FIELDS,
    Principal,
    require_read,
    sensitive_scope,
    visible_fields,
)
from parkgis.errors import Forbidden, InvalidQuery, NotFound, Unauthorized
from parkgis.features.crs import CRS84, OutputCRS, parse_crs
from parkgis.features.params import Filter, check_bbox, parse_bbox, parse_filters, parse_limit
from parkgis.features.registry import COLLECTIONS, Collection
from parkgis.settings import APISettings

_OPS = {"eq": "= {p}", "in": "= ANY({p})", "ge": ">= {p}", "le": "<= {p}", "lt": "< {p}"}

for _coll in COLLECTIONS.values():
    if SENSITIVE_FIELDS.get(_coll.name) and _coll.own_sql is None:
        raise RuntimeError(f"collection {_coll.name} has sensitive fields but no own_sql")
    # Names go into SQL text as JSON keys and identifiers: keep them plain.
    if not all(re.fullmatch(r"[a-z_][a-z0-9_]*", c.name) for c in _coll.columns):
        raise RuntimeError(f"collection {_coll.name} has a column name that is not plain")


DEFAULT_LIMIT: int = APISettings.model_fields["default_limit"].default
"""Page size when a caller gives none (``PARKGIS_DEFAULT_LIMIT``'s default)."""
DEFAULT_MAX_LIMIT: int = APISettings.model_fields["max_limit"].default
"""Largest page when a caller gives no cap (``PARKGIS_MAX_LIMIT``'s default)."""


def collection_spec(name: str) -> Collection:
    """The registry entry of collection ``name``.

    Raises
    ------
    NotFound
        No such collection (the message lists them).
    """
    coll = COLLECTIONS.get(name)
    if coll is None:
        raise NotFound(
            f"unknown collection {name!r}; collections are {', '.join(COLLECTIONS)}",
            field="collection",
        )
    return coll


@dataclass(frozen=True)
class Page:
    """One page of a collection: counts and the JSON array of features (or items)."""

    collection: str
    spatial: bool
    number_matched: int
    number_returned: int
    features: bytes

    def to_json(self, **members: Any) -> bytes:
        """The page as a GeoJSON FeatureCollection (or ``{"items": …}``), plus ``members``."""
        head: dict[str, Any] = {"type": "FeatureCollection"} if self.spatial else {}
        head["numberMatched"] = self.number_matched
        head["numberReturned"] = self.number_returned
        head.update(members)
        key = b'"features":' if self.spatial else b'"items":'
        return orjson.dumps(head)[:-1] + b"," + key + self.features + b"}"


def _role_shape(coll: Collection, p: Principal) -> tuple[tuple[str, ...], bool, bool]:
    names = tuple(visible_fields(p, coll.name, [c.name for c in coll.columns]))
    own = sensitive_scope(p) == "own" and bool(SENSITIVE_FIELDS.get(coll.name))
    public = p.anonymous and coll.name in PUBLIC_ROWS
    return names, own, public


def _column_sql(coll: Collection, name: str, own: bool) -> str:
    expr = coll.by_name[name].expr
    if own and name in SENSITIVE_FIELDS.get(coll.name, ()):
        return f"CASE WHEN {coll.own_sql} THEN {expr} END"
    return expr


def _geojson(crs: OutputCRS) -> str:
    """GeoJSON text of ``p.__geom`` in ``crs`` (``null`` without a geometry)."""
    g = 'p."__geom"'
    if crs.uri == CRS84:
        return f"coalesce(ST_AsGeoJSON({g}, 7, 0), 'null')"
    g = f"ST_Transform({g}, %(crs_srid)s::int)"
    if crs.flip:
        g = f"ST_FlipCoordinates({g})"
    return f"coalesce(ST_AsGeoJSON({g}, %(crs_decimals)s::int, 0), 'null')"


def _members(names: tuple[str, ...]) -> str:
    """``"name":<json>`` text members of columns ``p.<name>``, joined by commas."""
    return " || ',' || ".join(
        f"'\"{n}\":' || coalesce(to_json(p.\"{n}\")::text, 'null')" for n in names
    )


def _object_sql(coll: Collection, names: tuple[str, ...], crs: OutputCRS) -> str:
    """SQL text expression of one feature (or item) as JSON.

    Assembled by concatenation: ``to_json`` per value and ``ST_AsGeoJSON`` text need no
    re-parsing, which makes a 1000-feature page about 35% faster than
    ``json_build_object(..., ST_AsGeoJSON(...)::json)`` and the output compact.
    """
    props = _members(names) if names else "''"
    if coll.spatial:
        return (
            '\'{"type":"Feature","id":\' || p."__id" || \',"geometry":\' || '
            f"{_geojson(crs)} || ',\"properties\":{{' || {props} || '}}}}'"
        )
    geom = f" || ',\"geometry\":' || {_geojson(crs)}" if coll.geometry else ""
    return f"'{{' || {props}{geom} || '}}'"


def _inner_sql(
    coll: Collection,
    shape: tuple[tuple[str, ...], bool, bool],
    filters: tuple[tuple[str, str, str], ...],
    bbox_srid: int | None,
    extra_select: str = "",
) -> tuple[str, str]:
    """(select list, where clause) over ``coll.table t``."""
    names, own, public = shape
    sel = [f't.{coll.id_column} AS "__id"']
    if coll.geometry:
        sel.append(f't.{coll.geometry} AS "__geom"')
    sel += [f'{_column_sql(coll, n, own)} AS "{n}"' for n in names]
    if extra_select:
        sel.append(extra_select)
    conds = ["TRUE"]
    if public:
        conds.append(f"t.{PUBLIC_ROWS[coll.name][0]} = %(public_value)s")
    if bbox_srid is not None:
        env = "ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, 4326)"
        if bbox_srid != 4326:
            env = (
                "ST_Transform(ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, "
                "%(bbox_srid)s::int), 4326)"
            )
        g = f"t.{coll.geometry}"
        conds.append(f"{g} && {env} AND ST_Intersects({g}, {env})")
    for param, col, op in filters:
        conds.append(f"{_column_sql(coll, col, own)} {_OPS[op].format(p=f'%({param})s')}")
    return ", ".join(sel), " AND ".join(conds)


@lru_cache(maxsize=512)
def _page_sql(
    coll_name: str,
    shape: tuple[tuple[str, ...], bool, bool],
    filters: tuple[tuple[str, str, str], ...],
    bbox_srid: int | None,
    crs: OutputCRS,
) -> str:
    coll = COLLECTIONS[coll_name]
    select, where = _inner_sql(coll, shape, filters, bbox_srid)
    obj = _object_sql(coll, shape[0], crs)
    return (
        f"WITH page AS (SELECT {select} FROM {coll.table} t WHERE {where} "
        f"ORDER BY t.{coll.id_column} LIMIT %(limit)s OFFSET %(offset)s), "
        f"agg AS (SELECT count(*) AS n, string_agg({obj}, ',' ORDER BY p.\"__id\") AS fs "
        "FROM page p) "
        "SELECT CASE WHEN (agg.n > 0 AND agg.n < %(limit)s) OR (agg.n = 0 AND %(offset)s = 0) "
        f"THEN agg.n + %(offset)s ELSE (SELECT count(*) FROM {coll.table} t WHERE {where}) END, "
        "agg.n, '[' || coalesce(agg.fs, '') || ']' FROM agg"
    )


@lru_cache(maxsize=256)
def _one_sql(coll_name: str, shape: tuple[tuple[str, ...], bool, bool], crs: OutputCRS) -> str:
    coll = COLLECTIONS[coll_name]
    select, where = _inner_sql(coll, shape, (), None, 't.version AS "__version"')
    obj = _object_sql(coll, shape[0], crs)
    return (
        f'SELECT {obj}, p."__version" FROM (SELECT {select} FROM {coll.table} t '
        f"WHERE t.{coll.id_column} = %(fid)s AND {where}) p"
    )


def _role_params(p: Principal, shape: tuple[tuple[str, ...], bool, bool], coll: str) -> dict:
    params: dict[str, Any] = {}
    if shape[1]:
        params["own_ids"] = sorted(p.own_enterprise_ids)
        params["officer_id"] = p.officer_id
    if shape[2]:
        params["public_value"] = PUBLIC_ROWS[coll][1]
    return params


def _check_visible(p: Principal, coll: Collection, f: Filter, names: tuple[str, ...]) -> None:
    if f.column.name in names:
        return
    if p.anonymous:
        raise Unauthorized(
            f"filter {f.param!r} uses a field that is not public; send a bearer token",
            field=f.param,
        )
    raise Forbidden(f"role {p.role!r} may not filter {coll.name} by {f.column.name}", field=f.param)


def fetch_page(
    session: Session,
    collection: str,
    principal: Principal,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    limit: int | None = None,
    offset: int = 0,
    filters: Mapping[str, Any] | None = None,
    crs: OutputCRS | str | None = None,
    bbox_crs: OutputCRS | str | None = None,
    tz: str = "Asia/Shanghai",
    max_limit: int | None = None,
) -> Page:
    """One page of ``collection`` as the caller may see it, built in one SQL statement.

    Parameters are as for :func:`feature_collection`; ``crs``/``bbox_crs`` are an
    :class:`~parkgis.features.crs.OutputCRS` or a CRS URI (default CRS84 lon/lat).
    ``max_limit`` caps ``limit``: callers pass the settings' values; without them the
    documented defaults of :class:`~parkgis.settings.APISettings` apply (the environment is
    never read here). ``tz`` is the zone time of naive date-time filters.
    """
    coll = collection_spec(collection)
    require_read(principal, coll.name)
    crs_o = crs if isinstance(crs, OutputCRS) else parse_crs(crs)
    bbox_o = bbox_crs if isinstance(bbox_crs, OutputCRS) else parse_crs(bbox_crs, field="bbox-crs")
    if isinstance(bbox, str):
        bbox = parse_bbox(bbox, bbox_o)
    elif bbox is not None:
        bbox = check_bbox(bbox, bbox_o)
    if bbox is not None and coll.geometry is None:
        raise InvalidQuery(f"{coll.name} have no geometry to filter by bbox", field="bbox")
    if offset < 0:
        raise InvalidQuery(f"must be at least 0, got {offset}", field="offset")
    max_limit = DEFAULT_MAX_LIMIT if max_limit is None else max_limit
    lim = parse_limit(limit, DEFAULT_LIMIT, max_limit)
    shape = _role_shape(coll, principal)
    params = _role_params(principal, shape, coll.name)
    parsed = parse_filters(coll, filters or {}, tz=tz)
    keys: list[tuple[str, str, str]] = []
    for i, f in enumerate(parsed):
        _check_visible(principal, coll, f, shape[0])
        params[f"f{i}"] = f.value
        keys.append((f"f{i}", f.column.name, f.op))
    if bbox is not None:
        params.update(zip(("minx", "miny", "maxx", "maxy"), bbox, strict=True))
        params["bbox_srid"] = bbox_o.srid
    params.update(limit=lim, offset=offset, crs_srid=crs_o.srid, crs_decimals=crs_o.decimals)
    sql = _page_sql(coll.name, shape, tuple(keys), bbox_o.srid if bbox is not None else None, crs_o)
    matched, returned, body = session.connection().exec_driver_sql(sql, params).one()
    return Page(coll.name, coll.spatial, int(matched), int(returned), body.encode())


@dataclass(frozen=True)
class RoleSelect:
    """The rows and columns of a collection a caller may read, as SQL over alias ``t``.

    ``select`` lists ``t.<id> AS "__id"``, ``t.<geometry> AS "__geom"`` and each visible
    column as ``"<name>"`` (sensitive ones blanked per row for the "own" scope);
    ``where`` holds the public-row rule and the filters, with ``params`` its binds.
    ``key`` names the role shape and the filters (for caches and ETags).
    """

    collection: Collection
    select: str
    where: str
    params: dict[str, Any]
    names: tuple[str, ...]
    key: str


def role_select(
    collection: str | Collection,
    principal: Principal,
    filters: Mapping[str, Any] | None = None,
    *,
    tz: str = "Asia/Shanghai",
) -> RoleSelect:
    """What ``principal`` may read of ``collection``, for other read paths (vector tiles).

    The same rules as :func:`fetch_page`: :func:`~parkgis.access.require_read`, public
    rows for anonymous callers, visible fields, per-row sensitive fields, and the API's
    filters (a filter on a hidden field is refused the same way).

    Raises
    ------
    Unauthorized, Forbidden
        The caller may not read the collection or filter by a hidden field.
    InvalidQuery
        A bad or unknown filter (naming the parameter).
    NotFound
        Unknown collection.
    """
    coll = collection if isinstance(collection, Collection) else collection_spec(collection)
    require_read(principal, coll.name)
    shape = _role_shape(coll, principal)
    params = _role_params(principal, shape, coll.name)
    keys: list[tuple[str, str, str]] = []
    for i, f in enumerate(parse_filters(coll, filters or {}, tz=tz)):
        _check_visible(principal, coll, f, shape[0])
        params[f"f{i}"] = f.value
        keys.append((f"f{i}", f.column.name, f.op))
    select, where = _inner_sql(coll, shape, tuple(keys), None)
    own = sorted(principal.own_enterprise_ids) if shape[1] else []
    key = repr((coll.name, shape, own, principal.officer_id if shape[1] else None, keys))
    key += repr(sorted((k, repr(v)) for k, v in params.items() if k.startswith("f")))
    return RoleSelect(coll, select, where, params, shape[0], key)


def get_feature(
    session: Session,
    collection: str,
    principal: Principal,
    fid: int | str,
    *,
    crs: OutputCRS | str | None = None,
) -> dict[str, Any]:
    """One feature (or item) of ``collection`` with its row ``version`` for the ETag.

    Parameters
    ----------
    fid : int or str
        The row id.
    crs : OutputCRS or str, optional
        Output CRS of the geometry (default CRS84, EPSG:4326 lon/lat).

    Returns
    -------
    dict
        A GeoJSON Feature (spatial collections) or a plain item, as the caller may see it,
        with a top-level ``"version"`` member (the ETag is ``"<version>"``).

    Raises
    ------
    Unauthorized, Forbidden
        The caller may not read the collection.
    NotFound
        No such row, or a row the caller may not see.
    """
    coll = collection_spec(collection)
    require_read(principal, coll.name)
    try:
        ident = int(fid)
    except (TypeError, ValueError):
        raise NotFound(f"{coll.name} has no item {fid!r}", field="id") from None
    if not -(2**31) <= ident < 2**31:
        raise NotFound(f"{coll.name} has no item {fid!r}", field="id")
    crs_o = crs if isinstance(crs, OutputCRS) else parse_crs(crs)
    shape = _role_shape(coll, principal)
    params = _role_params(principal, shape, coll.name)
    params.update(fid=ident, crs_srid=crs_o.srid, crs_decimals=crs_o.decimals)
    row = session.connection().exec_driver_sql(_one_sql(coll.name, shape, crs_o), params).first()
    if row is None:
        raise NotFound(f"{coll.name} has no item {ident}", field="id")
    out: dict[str, Any] = orjson.loads(row[0])
    out["version"] = int(row[1])
    return out


def spatial_extents(
    session: Session, principal: Principal, names: list[str]
) -> dict[str, list[float] | None]:
    """The EPSG:4326 lon/lat bounding box of the rows ``principal`` sees, per collection.

    Returns ``{name: [minx, miny, maxx, maxy] | None}`` (None: no rows or no geometry).
    """
    parts: list[str] = []
    params: dict[str, Any] = {}
    for i, name in enumerate(names):
        coll = collection_spec(name)
        require_read(principal, name)
        if coll.geometry is None:
            continue
        cond = "TRUE"
        shape = _role_shape(coll, principal)
        if shape[2]:
            cond = f"t.{PUBLIC_ROWS[name][0]} = %(pv{i})s"
            params[f"pv{i}"] = PUBLIC_ROWS[name][1]
        parts.append(
            f"SELECT %(n{i})s::text, ST_Extent(t.{coll.geometry})::geometry "
            f"FROM {coll.table} t WHERE {cond}"
        )
        params[f"n{i}"] = name
    out: dict[str, list[float] | None] = dict.fromkeys(names)
    if not parts:
        return out
    sql = (
        "SELECT n, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM ("
        + " UNION ALL ".join(parts)
        + ") s(n, e)"
    )
    for n, *box in session.connection().exec_driver_sql(sql, params):
        if box[0] is not None:  # rounded outwards, so the box still covers every row
            lo = [math.floor(float(v) * 1e7) / 1e7 for v in box[:2]]
            out[n] = lo + [math.ceil(float(v) * 1e7) / 1e7 for v in box[2:]]
    return out
