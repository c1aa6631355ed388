"""TileJSON 3.0 documents of the tiled collections, and the change stamps behind ETags."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.features.query import role_select
from parkgis.settings import TileSettings
from parkgis.tiles.layers import TILE_LAYERS, tile_layer
from parkgis.tiles.matrix import MAX_ZOOM

_MVT_TYPES = {
    "int": "Number",
    "float": "Number",
    "bool": "Boolean",
    "text": "String",
    "date": "String",
    "timestamp": "String",
    "json": "String",
}


def change_stamp(session: Session, collection: str) -> int:
    """The current change stamp of ``collection`` (0 before its first change).

    Every statement that writes the collection's table (insert, update, delete, COPY,
    truncate) sets it to a new, larger value in the same transaction.
    """
    stamp = (
        session.connection()
        .exec_driver_sql(
            "SELECT stamp FROM change_stamps WHERE collection = %(c)s",
            {"c": tile_layer(collection).name},
        )
        .scalar()
    )
    return int(stamp or 0)


def change_stamps(session: Session) -> dict[str, int]:
    """Every tiled collection's change stamp."""
    rows = session.connection().exec_driver_sql("SELECT collection, stamp FROM change_stamps")
    have = {str(c): int(s) for c, s in rows}
    return {name: have.get(name, 0) for name in TILE_LAYERS}


def visible_extent(
    session: Session,
    collection: str,
    principal: Principal,
    *,
    filters: Mapping[str, str] | None = None,
    tz: str = "Asia/Shanghai",
    bbox: tuple[float, float, float, float] | None = None,
) -> tuple[float, float, float, float] | None:
    """EPSG:4326 (west, south, east, north) of the rows ``principal`` sees; None if none.

    ``bbox`` (EPSG:4326 degrees) limits the rows to those whose box meets it. The result
    is rounded outwards to 1e-6°.
    """
    layer = tile_layer(collection)
    rs = role_select(layer.spec, principal, filters, tz=tz)
    where, params = rs.where, dict(rs.params)
    if bbox is not None:
        where += (
            f" AND t.{layer.spec.geometry} && ST_MakeEnvelope(%(bw)s, %(bs)s, %(be)s, %(bn)s, 4326)"
        )
        params.update(zip(("bw", "bs", "be", "bn"), bbox, strict=True))
    sql = (
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
        f"ST_Extent(t.{layer.spec.geometry})::geometry AS e FROM {layer.spec.table} t "
        f"WHERE {where}) s"
    )
    box = session.connection().exec_driver_sql(sql, params).one()
    if box[0] is None:
        return None
    w, s = (math.floor(float(v) * 1e6) / 1e6 for v in box[:2])
    e, n = (math.ceil(float(v) * 1e6) / 1e6 for v in box[2:])
    return w, s, e, n


def tilejson(
    session: Session,
    collection: str,
    principal: Principal,
    base_url: str,
    *,
    filters: Mapping[str, str] | None = None,
    settings: TileSettings | None = None,
    tz: str = "Asia/Shanghai",
) -> dict[str, Any]:
    """The TileJSON 3.0 document of ``collection`` as ``principal`` sees it.

    Parameters
    ----------
    base_url : str
        The app's root URL (``http://host:port``); tile URLs are under ``/tiles``.
    filters : mapping, optional
        The collection's API filters; they are carried into the tile URL template.

    Returns
    -------
    dict
        ``tilejson``, ``name``, ``tiles`` (the URL template), ``minzoom``/``maxzoom``,
        ``bounds`` (EPSG:4326 lon/lat of the rows the caller sees; the world when none),
        ``center`` and ``vector_layers`` with the visible ``fields``.

    Raises
    ------
    NotFound, InvalidQuery, Unauthorized, Forbidden
        Unknown collection, bad filter, or a caller who may not read it.
    """
    layer = tile_layer(collection)
    rs = role_select(layer.spec, principal, filters, tz=tz)
    box = visible_extent(session, collection, principal, filters=filters, tz=tz)
    bounds = list(box) if box is not None else [-180.0, -85.0511, 180.0, 85.0511]
    query = f"?{urlencode(dict(filters))}" if filters else ""
    center_zoom = max(layer.min_zoom, 14 if box is not None else layer.min_zoom)
    fields = {
        n: _MVT_TYPES[layer.spec.by_name[n].kind]
        + (f": {layer.spec.by_name[n].description}" if layer.spec.by_name[n].description else "")
        for n in rs.names
    }
    return {
        "tilejson": "3.0.0",
        "name": layer.spec.title,
        "description": layer.spec.description,
        "scheme": "xyz",
        "tiles": [f"{base_url.rstrip('/')}/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.mvt{query}"],
        "minzoom": layer.min_zoom,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, center_zoom],
        "vector_layers": [
            {
                "id": layer.name,
                "description": layer.spec.description,
                "minzoom": layer.min_zoom,
                "maxzoom": MAX_ZOOM,
                "fields": fields,
            }
        ],
    }
