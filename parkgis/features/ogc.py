"""OGC API Features documents: landing page, conformance, collections and paging links.

Pure functions of the caller, the base URL and the registry (plus one extent query).
``base`` is the absolute URL of the OGC API root, e.g. ``http://host:8000/ogc``.
Geometries and extents are in CRS84 (EPSG:4326 longitude/latitude) unless the
request names another served CRS (Part 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from parkgis.access import Principal, can_read, require_read
from parkgis.features.crs import CRS84, supported_crs
from parkgis.features.query import Page, collection_spec, spatial_extents
from parkgis.features.registry import OGC_COLLECTIONS

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
"""Conformance classes implemented (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS)."""


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def landing_page(base: str, docs_url: str, *, title: str, description: str) -> dict[str, Any]:
    """The landing page: links to itself, the API definition, conformance and data."""
    return {
        "title": title,
        "description": description,
        "links": [
            _link(base, "self", JSON, "This document"),
            _link(f"{base}?f=html", "alternate", HTML, "This document as HTML"),
            _link(f"{base}/api", "service-desc", OPENAPI_JSON, "API definition (OpenAPI 3.0)"),
            _link(docs_url, "service-doc", HTML, "API documentation"),
            _link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            _link(f"{base}/collections", "data", JSON, "Collections"),
        ],
    }


def conformance(base: str) -> dict[str, Any]:
    """The conformance declaration."""
    return {
        "conformsTo": list(CONFORMANCE),
        "links": [
            _link(f"{base}/conformance", "self", JSON, "This document"),
            _link(f"{base}/conformance?f=html", "alternate", HTML, "This document as HTML"),
        ],
    }


def visible_collections(principal: Principal) -> list[str]:
    """OGC collections ``principal`` may read (anonymous: the public ones only)."""
    return [n for n in OGC_COLLECTIONS if can_read(principal, n)]


def _collection_entry(
    base: str, name: str, extent: list[float] | None, zone_crs: str | None
) -> dict[str, Any]:
    coll = collection_spec(name)
    url = f"{base}/collections/{name}"
    doc: dict[str, Any] = {
        "id": name,
        "title": coll.title,
        "description": coll.description,
        "itemType": "feature",
        "crs": supported_crs(zone_crs),
        "storageCrs": CRS84,
        "links": [
            _link(url, "self", JSON, "This collection"),
            _link(f"{url}?f=html", "alternate", HTML, "This collection as HTML"),
            _link(f"{url}/items", "items", GEOJSON, "Features (GeoJSON)"),
            _link(f"{url}/items?f=html", "items", HTML, "Features (HTML)"),
        ],
    }
    if extent is not None:
        doc["extent"] = {"spatial": {"bbox": [extent], "crs": CRS84}}
    return doc


def collections_doc(
    session: Session, principal: Principal, base: str, *, zone_crs: str | None = None
) -> dict[str, Any]:
    """``/collections``: the collections this caller may read, with their extents."""
    names = visible_collections(principal)
    extents = spatial_extents(session, principal, names)
    return {
        "links": [
            _link(f"{base}/collections", "self", JSON, "This document"),
            _link(f"{base}/collections?f=html", "alternate", HTML, "This document as HTML"),
        ],
        "crs": supported_crs(zone_crs),
        "collections": [_collection_entry(base, n, extents[n], zone_crs) for n in names],
    }


def collection_doc(
    session: Session,
    principal: Principal,
    base: str,
    name: str,
    *,
    zone_crs: str | None = None,
) -> dict[str, Any]:
    """``/collections/{name}``, as listed in :func:`collections_doc` (401/403 if hidden)."""
    collection_spec(name)
    require_read(principal, name)
    extent = spatial_extents(session, principal, [name])[name]
    return _collection_entry(base, name, extent, zone_crs)


def _query(params: Iterable[tuple[str, str]], **override: Any) -> str:
    keep = [(k, v) for k, v in params if k not in override]
    keep += [(k, str(v)) for k, v in override.items() if v is not None]
    return urlencode(keep)


def paging_links(
    url: str,
    params: list[tuple[str, str]],
    page: Page,
    *,
    limit: int,
    offset: int,
    media: str,
) -> list[dict[str, str]]:
    """``next``/``prev`` links of a page at ``url``, keeping the rest of the query."""
    links = []
    if offset + page.number_returned < page.number_matched:
        nxt = _query(params, limit=limit, offset=offset + limit)
        links.append(_link(f"{url}?{nxt}", "next", media, "Next page"))
    if offset > 0:
        prev = _query(params, limit=limit, offset=max(0, offset - limit))
        links.append(_link(f"{url}?{prev}", "prev", media, "Previous page"))
    return links


def items_links(
    base: str,
    name: str,
    params: list[tuple[str, str]],
    page: Page,
    *,
    limit: int,
    offset: int,
) -> list[dict[str, str]]:
    """self/alternate/collection links of an items page, plus next/prev with the same query."""
    url = f"{base}/collections/{name}/items"
    plain = [(k, v) for k, v in params if k != "f"]
    self_q = _query(plain)
    return [
        _link(url + (f"?{self_q}" if self_q else ""), "self", GEOJSON, "This page"),
        _link(f"{url}?{_query(plain, f='html')}", "alternate", HTML, "This page as HTML"),
        _link(f"{base}/collections/{name}", "collection", JSON, "The collection"),
    ] + paging_links(url, params, page, limit=limit, offset=offset, media=GEOJSON)


def item_links(base: str, name: str, fid: Any) -> list[dict[str, str]]:
    """self/alternate/collection links of one feature."""
    url = f"{base}/collections/{name}/items/{fid}"
    return [
        _link(url, "self", GEOJSON, "This feature"),
        _link(f"{url}?f=html", "alternate", HTML, "This feature as HTML"),
        _link(f"{base}/collections/{name}", "collection", JSON, "The collection"),
    ]
