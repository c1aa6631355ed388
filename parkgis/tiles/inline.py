"""Simplified GeoJSON of a tiled layer, for offline (downloaded) maps of large zones.

A downloaded map cannot fetch tiles, so it inlines the layer instead: the same rows as the
tiles (:func:`parkgis.features.query.role_select`), geometries simplified in PostGIS
(``ST_SimplifyPreserveTopology`` by a tolerance in metres) and only a few properties.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.features.query import role_select
from parkgis.tiles.layers import tile_layer

M_PER_DEGREE = 111_320.0


def simplified_collection(
    session: Session,
    collection: str,
    principal: Principal,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    filters: Mapping[str, Any] | None = None,
    properties: Iterable[str] = ("id",),
    tolerance_m: float = 2.0,
    tz: str = "Asia/Shanghai",
) -> dict[str, Any]:
    """The rows ``principal`` may read of ``collection``, simplified, as GeoJSON.

    Parameters
    ----------
    bbox : (min lon, min lat, max lon, max lat), optional
        EPSG:4326 degrees; rows whose box meets it.
    properties : iterable of str
        Visible properties to keep (others, and hidden ones, are left out).
    tolerance_m : float
        Simplification tolerance in metres (converted to degrees at 111,320 m/°).

    Returns
    -------
    dict
        A FeatureCollection in EPSG:4326 (6 decimals) with ``numberReturned``.
    """
    layer = tile_layer(collection)
    rs = role_select(layer.spec, principal, filters, tz=tz)
    names = [n for n in properties if n in rs.names]
    members = ", ".join(f"'{n}', p.\"{n}\"" for n in names)
    params = dict(rs.params, tol=tolerance_m / M_PER_DEGREE)
    where = rs.where
    if bbox is not None:
        where += (
            f" AND t.{layer.spec.geometry} && ST_MakeEnvelope(%(bw)s, %(bs)s, %(be)s, %(bn)s, 4326)"
        )
        params.update(zip(("bw", "bs", "be", "bn"), bbox, strict=True))
    geom = 'p."__geom"'
    if layer.simplify and tolerance_m > 0:
        geom = f"ST_SimplifyPreserveTopology({geom}, %(tol)s)"
    sql = (
        "SELECT count(*), coalesce(string_agg(json_build_object('type', 'Feature', 'id', "
        f"p.\"__id\", 'geometry', ST_AsGeoJSON({geom}, 6)::json, 'properties', "
        f"json_build_object({members}))::text, ',' ORDER BY p.\"__id\"), '') "
        f"FROM (SELECT {rs.select} FROM {layer.spec.table} t WHERE {where}) p"
    )
    n, body = session.connection().exec_driver_sql(sql, params).one()
    text = f'{{"type":"FeatureCollection","numberReturned":{int(n)},"features":[{body}]}}'
    out: dict[str, Any] = orjson.loads(text)
    return out
