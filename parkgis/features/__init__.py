"""The read side: collections as GeoJSON built in PostGIS, with role rules applied in SQL.

- :mod:`parkgis.features.registry`: the collections, their columns and filters;
- :mod:`parkgis.features.params`: query-parameter parsing (bbox, limit, filters, …);
- :mod:`parkgis.features.query`: the SQL (one statement per page);
- :mod:`parkgis.features.crs`: output / bbox CRS (OGC API Features Part 2);
- :mod:`parkgis.features.ogc`: OGC API Features documents (landing, collections, links).

Maps and routes call :func:`feature_collection` / :func:`feature_collection_json` /
:func:`get_feature`; they never write their own SQL for the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.features.query import Page, collection_spec, fetch_page, get_feature
from parkgis.features.registry import COLLECTIONS, OGC_COLLECTIONS, Collection, Column

__all__ = [
    "COLLECTIONS",
    "OGC_COLLECTIONS",
    "Collection",
    "Column",
    "Page",
    "collection_spec",
    "feature_collection",
    "feature_collection_json",
    "fetch_page",
    "get_feature",
]


def feature_collection_json(
    session: Session,
    collection: str,
    principal: Principal,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    limit: int | None = None,
    offset: int = 0,
    filters: Mapping[str, Any] | None = None,
    **kw: Any,
) -> bytes:
    """Like :func:`feature_collection`, as UTF-8 JSON bytes straight from PostGIS."""
    page = fetch_page(
        session,
        collection,
        principal,
        bbox=bbox,
        limit=limit,
        offset=offset,
        filters=filters,
        **kw,
    )
    return page.to_json()


def feature_collection(
    session: Session,
    collection: str,
    principal: Principal,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    limit: int | None = None,
    offset: int = 0,
    filters: Mapping[str, Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A page of ``collection`` as the caller may see it.

    Parameters
    ----------
    session : Session
        Any session; only read.
    collection : str
        ``parcels``, ``buildings``, ``spaces``, ``enterprises``, ``projects``,
        ``grid_areas`` (GeoJSON features) or ``officers``, ``assignments``, ``visits``,
        ``service_requests`` (plain items, an optional point under ``geometry``).
    principal : Principal
        The caller; anonymous callers see available parcels and vacant spaces only,
        with public fields; sensitive fields follow :func:`parkgis.access.sensitive_scope`.
    bbox : tuple of float or str, optional
        ``(minx, miny, maxx, maxy)`` in EPSG:4326 longitude/latitude degrees (or the
        ``bbox_crs`` keyword's CRS); features whose geometry intersects it are returned.
    limit : int, optional
        Page size; default ``PARKGIS_DEFAULT_LIMIT``, clamped to ``PARKGIS_MAX_LIMIT``.
    offset : int
        Rows to skip, in id order.
    filters : mapping, optional
        ``{param: value}`` as in the query string: ``status="available"``,
        ``status="vacant,reserved"``, ``min_area_m2=5000``, ``max_granted_on="2026-01-01"``.
    **kw
        ``crs`` (output CRS URI, default CRS84), ``bbox_crs``, ``tz``, ``max_limit``.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "numberMatched", "numberReturned", "features"}``
        with geometries in EPSG:4326 lon/lat (7 decimals), each feature with a
        top-level ``id`` and ``properties.id``; non-spatial collections give
        ``{"numberMatched", "numberReturned", "items"}``.

    Raises
    ------
    Unauthorized, Forbidden
        The caller may not read the collection (or filter by a hidden field).
    InvalidQuery
        Bad bbox, limit, offset, or an unknown filter (naming the parameter).
    NotFound
        Unknown collection.
    """
    result: dict[str, Any] = orjson.loads(
        feature_collection_json(
            session,
            collection,
            principal,
            bbox=bbox,
            limit=limit,
            offset=offset,
            filters=filters,
            **kw,
        )
    )
    return result
