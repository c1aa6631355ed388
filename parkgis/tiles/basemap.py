"""The zone basemap as vector tiles: grid areas, streets and context layers in one MVT.

Three layers, each built like a collection tile (:mod:`parkgis.tiles.build`) and only when
the caller may read its source, so the basemap shows no more than the items would:

- ``grid_areas``: the park's grid areas (``id``, ``code``, ``name``);
- ``streets``: the demo's street grid, i.e. parcels of land use ``1207`` (roads), as bare
  outlines (no properties); anonymous callers see only available parcels, so no streets;
- ``context``: roads, rail, metro, water and landmarks (``kind``, ``subtype``, ``name``,
  ``name_en``), public.

The ETag combines the three collections' stamps.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from parkgis.access import Principal, can_read
from parkgis.settings import TileSettings
from parkgis.tiles.build import (
    DEFAULT_TILE_SETTINGS,
    Tile,
    TileRequest,
    build_tile,
    etag_matches,
    prepare,
)
from parkgis.tiles.matrix import parse_tile

STREET_LAND_USE = "1207"
"""Land-use code of road parcels (城镇道路用地), the demo's street grid."""

BASEMAP_LAYERS: tuple[tuple[str, str, dict[str, str] | None, tuple[str, ...]], ...] = (
    ("grid_areas", "grid_areas", None, ("id", "code", "name")),
    ("streets", "parcels", {"land_use": STREET_LAND_USE}, ()),
    ("context", "context", None, ("id", "kind", "subtype", "name", "name_en")),
)
"""(MVT layer, collection, filters, properties), drawn bottom to top."""


def _requests(
    principal: Principal, z: str | int, x: str | int, y: str | int, ts: TileSettings
) -> list[TileRequest]:
    zi, xi, yi = parse_tile(z, x, y)
    return [
        prepare(coll, principal, zi, xi, yi, filters=f, properties=p, settings=ts, layer_name=n)
        for n, coll, f, p in BASEMAP_LAYERS
        if can_read(principal, coll)
    ]


def _etag(session: Session, reqs: list[TileRequest]) -> str:
    names = [r.layer.name for r in reqs]
    rows = session.connection().exec_driver_sql(
        "SELECT collection, stamp FROM change_stamps WHERE collection = ANY(%(c)s)",
        {"c": names},
    )
    stamps: dict[str, int] = {str(c): int(s) for c, s in rows}
    key = "|".join(r.key for r in reqs)
    digest = hashlib.blake2b(key.encode(), digest_size=6).hexdigest()
    return f'W/"b{".".join(str(stamps.get(n, 0)) for n in names)}-{digest}"'


def basemap_tile(
    session: Session,
    principal: Principal,
    z: str | int,
    x: str | int,
    y: str | int,
    *,
    if_none_match: str | None = None,
    settings: TileSettings | None = None,
) -> Tile | None:
    """The zone basemap tile ``z/x/y`` (WebMercatorQuad) for ``principal``.

    Returns
    -------
    Tile or None
        None when ``if_none_match`` names the current ETag; else the MVT bytes (empty when
        nothing falls in the tile) of the layers in :data:`BASEMAP_LAYERS`.

    Raises
    ------
    InvalidQuery
        ``z``, ``x`` or ``y`` outside the matrix (naming it).
    """
    ts = settings or DEFAULT_TILE_SETTINGS
    reqs = _requests(principal, z, x, y, ts)
    etag = _etag(session, reqs)
    if if_none_match and etag_matches(if_none_match, etag):
        return None
    data = b"".join(build_tile(session, r, ts).data for r in reqs)
    zi, xi, yi = parse_tile(z, x, y)
    return Tile("basemap", zi, xi, yi, data, etag, 0)
