"""Mapbox Vector Tiles built in PostGIS, one statement per tile, as the caller may see them.

The rows and columns come from :func:`parkgis.features.query.role_select`, the same role
rules and filters as the OGC items of the collection. The statement selects rows whose
geometry's box meets the tile's EPSG:4326 envelope (grown by the MVT buffer) through the
table's GiST index, simplifies polygons and lines by a fraction of a pixel below
``PARKGIS_TILES_SIMPLIFY_UNTIL``, clips and quantises them with ``ST_AsMVTGeom`` and
encodes the layer with ``ST_AsMVT``; the collection's change stamp comes back in the same
statement, so the ETag and the bytes belong to one snapshot.

Property values are what the OGC items give: numbers as numbers, dates and times as the
same ISO text, JSON as its text. MVT has no null, so a null value is an absent property.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidQuery
from parkgis.features.query import RoleSelect, role_select
from parkgis.features.registry import Collection
from parkgis.settings import TileSettings
from parkgis.tiles.cache import TileCache
from parkgis.tiles.layers import TileLayer, tile_layer
from parkgis.tiles.matrix import metres_per_pixel, parse_tile, tile_bounds_lonlat

FORMAT_VERSION = "1"
"""Part of every ETag: bump it when the tile encoding changes."""
MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


@dataclass(frozen=True)
class Tile:
    """One encoded tile (``data`` empty when no feature falls in it) and its ETag."""

    collection: str
    z: int
    x: int
    y: int
    data: bytes
    etag: str
    stamp: int


DEFAULT_TILE_SETTINGS = TileSettings.model_construct()
"""The documented defaults of :class:`~parkgis.settings.TileSettings`, for callers that pass
no settings; the environment is read only where the app or CLI builds its settings."""


def _value_sql(coll: Collection, name: str) -> str:
    kind = coll.by_name[name].kind
    col = f'p."{name}"'
    if kind == "timestamp":
        return f"to_json({col}) #>> '{{}}'"  # the same ISO text as the items' JSON
    if kind == "date":
        return col  # ST_AsMVT writes a date as its ISO text, as the items' JSON does
    if kind == "json":
        return f"({col})::text"
    if kind == "float":
        return f"({col})::float8"
    return col


@lru_cache(maxsize=1024)
def _tile_sql(
    key: str, rs_sql: tuple[str, str, str], names: tuple[str, ...], simplify: bool
) -> str:
    """The statement for one (role shape, filters, property list) — cached by its key."""
    table, select, where = rs_sql
    coll_name = key.split("|", 1)[0]
    coll = tile_layer(coll_name).spec
    geom = 'ST_Transform(p."__geom", 3857)'
    if simplify:
        geom = f"ST_Simplify({geom}, %(tolerance)s, true)"
    props = "".join(f', {_value_sql(coll, n)} AS "{n}"' for n in names)
    env = "ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)"
    return (
        f"WITH p AS (SELECT {select} FROM {table} t WHERE {where} "
        f"AND t.{coll.geometry} && {env}), "
        f'q AS (SELECT p."__id"{props}, ST_AsMVTGeom({geom}, '
        'ST_TileEnvelope(%(z)s, %(x)s, %(y)s), %(extent)s, %(buffer)s, true) AS "__mvt" '
        "FROM p) "
        "SELECT (SELECT stamp FROM change_stamps WHERE collection = %(stamp_key)s), "
        f"(SELECT ST_AsMVT(q.*, %(layer)s, %(extent)s, '__mvt', '__id') FROM q "
        'WHERE q."__mvt" IS NOT NULL)'
    )


def _properties(rs: RoleSelect, wanted: Iterable[str] | None) -> tuple[str, ...]:
    if wanted is None:
        return rs.names
    out: list[str] = []
    for name in wanted:
        if name not in rs.collection.by_name:
            raise InvalidQuery(
                f"{rs.collection.name} have no property {name!r}; they have "
                f"{', '.join(c.name for c in rs.collection.columns)}",
                field="properties",
            )
        if name in rs.names and name not in out:
            out.append(name)
    return tuple(out)


def tile_etag(stamp: int, key: str) -> str:
    """A weak ETag from a change stamp and the caller's view (role shape, filters, props)."""
    digest = hashlib.blake2b(f"{FORMAT_VERSION}|{key}".encode(), digest_size=6).hexdigest()
    return f'W/"{stamp}-{digest}"'


@dataclass(frozen=True)
class TileRequest:
    """A checked tile request: the layer, the caller's view and its cache key."""

    layer: TileLayer
    z: int
    x: int
    y: int
    rs: RoleSelect
    names: tuple[str, ...]
    key: str
    mvt_layer: str


def prepare(
    collection: str,
    principal: Principal,
    z: str | int,
    x: str | int,
    y: str | int,
    *,
    filters: Mapping[str, Any] | None = None,
    properties: Iterable[str] | None = None,
    settings: TileSettings | None = None,
    tz: str = "Asia/Shanghai",
    layer_name: str | None = None,
) -> TileRequest:
    """Check a tile request (collection, role, z/x/y, filters, properties) without SQL.

    ``layer_name`` names the MVT layer (default: the collection).

    Raises
    ------
    NotFound
        Not a tiled collection (``collection``).
    InvalidQuery
        ``z``, ``x`` or ``y`` outside WebMercatorQuad, a bad filter or property.
    Unauthorized, Forbidden
        The caller may not read the collection (or filter by a hidden field).
    """
    layer = tile_layer(collection)
    zi, xi, yi = parse_tile(z, x, y)
    rs = role_select(layer.spec, principal, filters, tz=tz)
    names = _properties(rs, properties)
    ts = settings or DEFAULT_TILE_SETTINGS
    key = (
        f"{layer.name}|{rs.key}|{names}|{ts.extent}|{ts.buffer}|{ts.simplify_px}|"
        f"{ts.simplify_until}"
    )
    return TileRequest(layer, zi, xi, yi, rs, names, key, layer_name or layer.name)


def _stamp(session: Session, req: TileRequest) -> int:
    stamp = (
        session.connection()
        .exec_driver_sql(
            "SELECT stamp FROM change_stamps WHERE collection = %(c)s", {"c": req.layer.name}
        )
        .scalar()
    )
    return int(stamp or 0)


def current_etag(session: Session, req: TileRequest) -> str:
    """The ETag the tile of ``req`` has now (one primary-key lookup, no tile built)."""
    return tile_etag(_stamp(session, req), req.key)


def build_tile(session: Session, req: TileRequest, settings: TileSettings | None = None) -> Tile:
    """Encode the tile of ``req`` in PostGIS (one statement).

    Below the layer's minimum zoom the tile is empty without a query for rows.
    """
    ts = settings or DEFAULT_TILE_SETTINGS
    layer, z = req.layer, req.z
    simplify = layer.simplify and z < ts.simplify_until and ts.simplify_px > 0
    if z < layer.min_zoom:
        return Tile(layer.name, z, req.x, req.y, b"", "", 0)
    margin = ts.buffer / ts.extent
    w, s, e, n = tile_bounds_lonlat(z, req.x, req.y, margin)
    params: dict[str, Any] = dict(req.rs.params)
    params.update(
        w=w,
        s=s,
        e=e,
        n=n,
        z=z,
        x=req.x,
        y=req.y,
        extent=ts.extent,
        buffer=ts.buffer,
        layer=req.mvt_layer,
        stamp_key=layer.name,
        tolerance=metres_per_pixel(z) * ts.simplify_px,
    )
    rs = req.rs
    sql = _tile_sql(req.key, (rs.collection.table, rs.select, rs.where), req.names, simplify)
    stamp, data = session.connection().exec_driver_sql(sql, params).one()
    stamp = int(stamp or 0)
    return Tile(layer.name, z, req.x, req.y, bytes(data or b""), tile_etag(stamp, req.key), stamp)


def tile(
    session: Session,
    collection: str,
    principal: Principal,
    z: str | int,
    x: str | int,
    y: str | int,
    *,
    filters: Mapping[str, Any] | None = None,
    properties: Iterable[str] | None = None,
    settings: TileSettings | None = None,
    tz: str = "Asia/Shanghai",
) -> Tile:
    """One Mapbox Vector Tile of ``collection`` as ``principal`` may see it.

    Parameters
    ----------
    session : Session
        Read only.
    collection : str
        ``parcels``, ``buildings``, ``spaces``, ``enterprises``, ``projects``,
        ``grid_areas`` or ``context``; also the MVT layer name.
    principal : Principal
        The caller: the tile holds exactly the rows and properties the collection's
        OGC items give them (anonymous callers: public rows and fields only).
    z, x, y : str or int
        Tile of WebMercatorQuad (EPSG:3857; ``y`` from the north).
    filters : mapping, optional
        The collection's API filters (``status="available,idle"``, ``min_area_m2=5000``).
    properties : iterable of str, optional
        Only these of the visible properties (default: all of them).
    settings : TileSettings, optional
        Extent, buffer and simplification (default: from the environment).
    tz : str
        Zone time of naive date-time filters.

    Returns
    -------
    Tile
        ``data`` is the MVT (EPSG:3857 tile coordinates, extent ``PARKGIS_TILES_EXTENT``),
        empty when no feature falls in the tile or ``z`` is below the layer's minimum;
        ``etag`` changes whenever the collection changes.

    Raises
    ------
    NotFound, InvalidQuery, Unauthorized, Forbidden
        As :func:`prepare`.
    """
    req = prepare(
        collection,
        principal,
        z,
        x,
        y,
        filters=filters,
        properties=properties,
        settings=settings,
        tz=tz,
    )
    t = fetch_tile(session, req, None, settings)
    assert t is not None
    return t


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (weak comparison, or ``*``)."""
    if not if_none_match or not etag:
        return False
    want = etag.removeprefix("W/")
    for part in if_none_match.split(","):
        tag = part.strip()
        if tag == "*" or tag.removeprefix("W/") == want:
            return True
    return False


def fetch_tile(
    session: Session,
    req: TileRequest,
    if_none_match: str | None = None,
    settings: TileSettings | None = None,
    cache: TileCache | None = None,
) -> Tile | None:
    """The tile of ``req``, or None when ``If-None-Match`` already names its ETag.

    The collection's stamp is read first (one primary-key lookup): a matching
    ``If-None-Match`` then needs no tile, and a ``cache`` hit (same view, tile and stamp)
    no tile statement. Otherwise the tile is built and, with a cache, kept.
    """
    if if_none_match is None and cache is None:
        t = build_tile(session, req, settings)
    else:
        stamp = _stamp(session, req)
        etag = tile_etag(stamp, req.key)
        if if_none_match and etag_matches(if_none_match, etag):
            return None
        key = (req.key, req.z, req.x, req.y, stamp)
        data = cache.get(key) if cache is not None else None
        if data is not None:
            return Tile(req.layer.name, req.z, req.x, req.y, data, etag, stamp)
        t = build_tile(session, req, settings)
        if cache is not None and t.etag:
            cache.put((req.key, req.z, req.x, req.y, t.stamp), t.data)
    if not t.etag:  # below the layer's minimum zoom: empty, no query for rows
        t = Tile(t.collection, t.z, t.x, t.y, t.data, current_etag(session, req), 0)
    return t
