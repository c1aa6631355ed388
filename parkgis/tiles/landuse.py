"""The land-use map's vector tiles: parcels with the properties of the caller's themes.

``/tiles/landuse/{z}/{x}/{y}.mvt`` holds one MVT layer, ``landuse``: the parcels the caller
may read (:func:`parkgis.features.query.role_select`, the parcels items' rules) with
:data:`parkgis.landuse.themes.BASE_PROPERTIES` and what the caller's themes add
(:data:`parkgis.landuse.themes.PROPERTIES`): investment staff get the class only,
officers the plot ratio too, planners and admins the 亩均 grade and the inefficiency
type with its idle clock. Anonymous callers are refused (401), as for the map. Tax and
output never go into a tile; a grade only into a planner's or admin's.

The theme facts (:func:`parkgis.landuse.themes.theme_facts`, whole zone: grades rank every
firm) are computed once per change of the tables they read and per zone date, and kept in
a :class:`FactsCache`; each tile then takes two statements: the ids and holders of the
parcels meeting the tile, and one ``ST_AsMVT`` over the same rows joined with their facts
(passed as arrays). The ETag combines the change stamps of parcels, buildings, spaces,
enterprises and projects, the zone date and the caller's view.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.features.query import RoleSelect, role_select
from parkgis.landuse.themes import (
    BASE_PROPERTIES,
    THEMES,
    ThemeFacts,
    properties_for,
    theme_facts,
    themes_for,
)
from parkgis.settings import LanduseSettings, TileSettings
from parkgis.tiles.build import DEFAULT_TILE_SETTINGS, FORMAT_VERSION, Tile, etag_matches
from parkgis.tiles.cache import TileCache
from parkgis.tiles.layers import tile_layer
from parkgis.tiles.matrix import metres_per_pixel, parse_tile, tile_bounds_lonlat

LAYER = "landuse"
"""The MVT layer name (and the tile URL's collection segment)."""
STAMPED = ("parcels", "buildings", "spaces", "enterprises", "projects")
"""Collections whose change stamps the facts and tiles depend on."""
MIN_ZOOM = tile_layer("parcels").min_zoom
"""Below this zoom the tiles are empty (204), as the parcels' tiles are."""

_SQL_TYPES = {
    "holder": "text",
    "holder_en": "text",
    "plot_ratio": "float8",
    "min_plot_ratio": "float8",
    "building_coefficient": "float8",
    "check": "text",
    "pr": "text",
    "grade": "text",
    "ineff": "text",
    "days": "int",
    "fee_cny": "float8",
}
"""SQL types of the theme properties (passed to the tile statement as arrays)."""


class FactsCache:
    """The zone's theme facts for the last few (stamps, date, settings) keys.

    Built under a lock, so the dozen tiles of a first view wait for one computation
    instead of each running their own. Exact by construction: the key holds every change
    stamp the facts read.
    """

    def __init__(self, entries: int = 2) -> None:
        self.entries = entries
        self._items: OrderedDict[str, ThemeFacts] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, key: str, build: Callable[[], ThemeFacts]) -> ThemeFacts:
        """The facts stored under ``key``, built (and kept) when missing."""
        with self._lock:
            facts = self._items.get(key)
            if facts is not None:
                self._items.move_to_end(key)
                return facts
            facts = build()
            self.builds += 1
            self._items[key] = facts
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
            return facts


def _stamps(session: Session) -> tuple[int, ...]:
    rows = session.connection().exec_driver_sql(
        "SELECT collection, stamp FROM change_stamps WHERE collection = ANY(%(c)s)",
        {"c": list(STAMPED)},
    )
    have = {str(c): int(s) for c, s in rows}
    return tuple(have.get(n, 0) for n in STAMPED)


def _facts_key(stamps: tuple[int, ...], today: date, settings: LanduseSettings) -> str:
    return f"{stamps}|{today.isoformat()}|{settings.model_dump_json()}"


def _view_key(
    themes: tuple[str, ...], rs: RoleSelect, today: date, lu: LanduseSettings, ts: TileSettings
) -> str:
    return (
        f"{LAYER}|{themes}|{rs.key}|{today.isoformat()}|{lu.model_dump_json()}|"
        f"{ts.extent}|{ts.buffer}|{ts.simplify_px}|{ts.simplify_until}"
    )


def _etag(stamps: tuple[int, ...], view: str) -> str:
    digest = hashlib.blake2b(f"{FORMAT_VERSION}|{view}".encode(), digest_size=6).hexdigest()
    return f'W/"lu{".".join(str(s) for s in stamps)}-{digest}"'


def _envelope_params(z: int, x: int, y: int, ts: TileSettings) -> dict[str, Any]:
    w, s, e, n = tile_bounds_lonlat(z, x, y, ts.buffer / ts.extent)
    return {"w": w, "s": s, "e": e, "n": n}


_ENV = "ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)"


def _ids_in_tile(session: Session, rs: RoleSelect, env: dict[str, Any]) -> list[tuple[int, Any]]:
    holder = 'p."holder_enterprise_id"' if "holder_enterprise_id" in rs.names else "NULL"
    sql = (
        f'SELECT p."__id", {holder} FROM (SELECT '
        f"{rs.select} FROM parcels t WHERE {rs.where} AND t.geom && {_ENV}) p"
    )
    rows = session.connection().exec_driver_sql(sql, {**rs.params, **env})
    return [(int(i), h) for i, h in rows]


def _mvt_sql(rs: RoleSelect, extra: tuple[str, ...], simplify: bool) -> str:
    base = [n for n in BASE_PROPERTIES if n != "id" and n in rs.names]
    cols = []
    for n in base:
        if n == "area_mu":
            cols.append('round(p."area_mu"::numeric, 1)::float8 AS "area_mu"')
        else:
            cols.append(f'p."{n}"')
    cols += [f'f."{n}"' for n in extra]
    geom = 'ST_Transform(p."__geom", 3857)'
    if simplify:
        geom = f"ST_Simplify({geom}, %(tolerance)s, true)"
    facts = ""
    join = ""
    if extra:
        arrays = ", ".join(f"%(a_{n})s::{_SQL_TYPES[n]}[]" for n in extra)
        names = ", ".join(f'"{n}"' for n in extra)
        facts = f", f AS (SELECT * FROM unnest(%(a_id)s::int[], {arrays}) AS f(fid, {names}))"
        join = 'LEFT JOIN f ON f.fid = p."__id"'
    return (
        f"WITH p AS (SELECT {rs.select} FROM parcels t WHERE {rs.where} "
        f"AND t.geom && {_ENV}){facts}, "
        f'q AS (SELECT p."__id", p."__id" AS "id", {", ".join(cols)}, '
        f"ST_AsMVTGeom({geom}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), %(extent)s, "
        f'%(buffer)s, true) AS "__mvt" FROM p {join}) '
        "SELECT ST_AsMVT(q.*, %(layer)s, %(extent)s, '__mvt', '__id') FROM q "
        'WHERE q."__mvt" IS NOT NULL'
    )


def landuse_tile(
    session: Session,
    principal: Principal,
    z: str | int,
    x: str | int,
    y: str | int,
    *,
    landuse: LanduseSettings,
    today: date,
    settings: TileSettings | None = None,
    if_none_match: str | None = None,
    cache: TileCache | None = None,
    facts_cache: FactsCache | None = None,
) -> Tile | None:
    """One land-use tile (WebMercatorQuad ``z/x/y``) as ``principal`` may see it.

    Parameters
    ----------
    session : Session
        Read only.
    principal : Principal
        Signed in; the role's themes (:func:`parkgis.landuse.themes.themes_for`) decide
        the properties.
    z, x, y : str or int
        Tile of WebMercatorQuad (EPSG:3857; ``y`` from the north).
    landuse : LanduseSettings
        Coefficient floor, grading weights and cut-offs.
    today : date
        Zone date of the idle clocks.
    settings : TileSettings, optional
        Extent, buffer and simplification (default: the documented defaults).
    if_none_match : str, optional
        The request's ``If-None-Match``: a match returns None (304) before any work.
    cache, facts_cache : optional
        Encoded tiles, and the zone's theme facts, kept between requests.

    Returns
    -------
    Tile or None
        MVT layer ``landuse`` (EPSG:3857 tile coordinates; empty below zoom
        :data:`MIN_ZOOM` or when no parcel meets the tile), or None on a matching ETag.

    Raises
    ------
    Unauthorized
        Anonymous callers.
    InvalidQuery
        ``z``, ``x`` or ``y`` outside the matrix (naming it).
    """
    themes = themes_for(principal)
    zi, xi, yi = parse_tile(z, x, y)
    rs = role_select("parcels", principal)
    ts = settings or DEFAULT_TILE_SETTINGS
    stamps = _stamps(session)
    view = _view_key(themes, rs, today, landuse, ts)
    etag = _etag(stamps, view)
    if if_none_match and etag_matches(if_none_match, etag):
        return None
    if zi < MIN_ZOOM:
        return Tile(LAYER, zi, xi, yi, b"", etag, 0)
    ckey = (f"{view}|{stamps}", zi, xi, yi, 0)
    data = cache.get(ckey) if cache is not None else None
    if data is None:
        data = _build(session, rs, themes, zi, xi, yi, ts, stamps, landuse, today, facts_cache)
        if cache is not None:
            cache.put(ckey, data)
    return Tile(LAYER, zi, xi, yi, data, etag, 0)


def _build(
    session: Session,
    rs: RoleSelect,
    themes: tuple[str, ...],
    z: int,
    x: int,
    y: int,
    ts: TileSettings,
    stamps: tuple[int, ...],
    landuse: LanduseSettings,
    today: date,
    facts_cache: FactsCache | None,
) -> bytes:
    env = _envelope_params(z, x, y, ts)
    extra = tuple(n for n in properties_for(themes) if n not in BASE_PROPERTIES)
    params: dict[str, Any] = {**rs.params, **env}
    if extra:
        rows = _ids_in_tile(session, rs, env)
        if not rows:
            return b""

        def build() -> ThemeFacts:
            return theme_facts(session, landuse, today=today, themes=THEMES)

        key = _facts_key(stamps, today, landuse)
        facts = facts_cache.get(key, build) if facts_cache is not None else build()
        props = [facts.properties(themes, pid, holder) for pid, holder in rows]
        params["a_id"] = [pid for pid, _ in rows]
        for n in extra:
            params[f"a_{n}"] = [p.get(n) for p in props]
    simplify = z < ts.simplify_until and ts.simplify_px > 0
    params.update(
        z=z,
        x=x,
        y=y,
        extent=ts.extent,
        buffer=ts.buffer,
        layer=LAYER,
        tolerance=metres_per_pixel(z) * ts.simplify_px,
    )
    sql = _mvt_sql(rs, extra, simplify)
    data = session.connection().exec_driver_sql(sql, params).scalar()
    return bytes(data or b"")
