"""The OGC API's own OpenAPI 3.0 definition (``/ogc/api``), built from the registry.

The whole app's ``/openapi.json`` is OpenAPI 3.1 (FastAPI); OGC API Features clients
and its test suite expect 3.0 with the OGC parameter definitions (``bbox`` as an array
of 4 or 6 numbers, ``style: form``, ``explode: false``), so the OGC root links here as
``service-desc``. Self-contained: every ``$ref`` is local.
"""

from __future__ import annotations

from typing import Any

from parkgis.features.crs import CRS84, supported_crs
from parkgis.features.registry import COLLECTIONS, OGC_COLLECTIONS, Column

_TYPES: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "text": {"type": "string"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
    "json": {"type": "object"},
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _q(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "style": "form",
        "explode": False,
    }


def filter_parameters(columns: tuple[Column, ...]) -> list[dict[str, Any]]:
    """OpenAPI query parameters of a collection's filters (shared with the REST routes)."""
    out: list[dict[str, Any]] = []
    for c in columns:
        if c.filter:
            if c.multi:
                schema = {"type": "string"}
                desc = f"{c.description}: equal to this value, or one of a comma-separated list"
            else:
                schema, desc = dict(_TYPES[c.kind]), f"{c.description}: equal to this value"
            out.append(_q(c.name, schema, desc))
        if c.range:
            for bound, word in (("min", "at least"), ("max", "at most")):
                out.append(
                    _q(f"{bound}_{c.name}", dict(_TYPES[c.kind]), f"{c.description}: {word}")
                )
    return out


def common_parameters(
    default_limit: int | None, max_limit: int | None, zone_crs: str | None
) -> dict[str, Any]:
    """The shared OGC query parameters (bbox, limit, offset, datetime, crs, bbox-crs, f).

    ``default_limit``/``max_limit`` None leave the limit's default and maximum to the
    settings (``PARKGIS_DEFAULT_LIMIT``/``PARKGIS_MAX_LIMIT``) without naming them.
    """
    crs_enum = supported_crs(zone_crs)
    limit_schema: dict[str, Any] = {"type": "integer", "minimum": 1}
    if max_limit is not None:
        limit_schema["maximum"] = max_limit
    if default_limit is not None:
        limit_schema["default"] = default_limit
    cap = max_limit if max_limit is not None else "PARKGIS_MAX_LIMIT"
    return {
        "bbox": _q(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            "Only features whose geometry intersects minx,miny,maxx,maxy (longitude/latitude "
            "in CRS84 unless bbox-crs is given; 6 numbers: heights ignored).",
        ),
        "bbox-crs": _q(
            "bbox-crs",
            {"type": "string", "format": "uri", "enum": crs_enum, "default": CRS84},
            "CRS of bbox (coordinates in that CRS's axis order).",
        ),
        "crs": _q(
            "crs",
            {"type": "string", "format": "uri", "enum": crs_enum, "default": CRS84},
            "CRS of the returned geometries (axis order of that CRS).",
        ),
        "datetime": _q(
            "datetime",
            {"type": "string"},
            "Instant or interval (RFC 3339, '..' for open ends). These collections have no "
            "temporal geometry, so every feature matches a valid value.",
        ),
        "limit": _q("limit", limit_schema, f"Page size; larger values are reduced to {cap}."),
        "offset": _q(
            "offset", {"type": "integer", "minimum": 0, "default": 0}, "Features to skip."
        ),
        "f": _q(
            "f",
            {"type": "string", "enum": ["json", "geojson", "html"]},
            "Output format (default JSON, or HTML when the Accept header prefers it).",
        ),
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "Feature id",
            "schema": {"type": "integer"},
        },
    }


def _schemas() -> dict[str, Any]:
    link = {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {k: {"type": "string"} for k in ("href", "rel", "type", "title")},
    }
    links = {"type": "array", "items": _ref("schemas", "link")}
    geometry = {
        "type": "object",
        "nullable": True,
        "required": ["type", "coordinates"],
        "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
    }
    feature = {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": _ref("schemas", "geometryGeoJSON"),
            "properties": {"type": "object", "nullable": True},
            "links": links,
        },
    }
    fc = {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
            "links": links,
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    }
    collection = {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": links,
            "extent": {"type": "object"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"},
        },
    }
    return {
        "link": link,
        "geometryGeoJSON": geometry,
        "featureGeoJSON": feature,
        "featureCollectionGeoJSON": fc,
        "collection": collection,
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": {"type": "array", "items": _ref("schemas", "collection")},
            },
        },
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {"title": {"type": "string"}, "links": links},
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "exception": {
            "type": "object",
            "required": ["code"],
            "properties": {k: {"type": "string"} for k in ("code", "description", "field")},
        },
    }


def _op(summary: str, op_id: str, schema: str, media: str, params: list | None = None) -> dict:
    ok = {"description": summary, "content": {media: {"schema": _ref("schemas", schema)}}}
    err = {
        "description": "Error",
        "content": {"application/json": {"schema": _ref("schemas", "exception")}},
    }
    return {
        "get": {
            "summary": summary,
            "operationId": op_id,
            "parameters": params or [_ref("parameters", "f")],
            "responses": {"200": ok, "400": err, "401": err, "403": err, "404": err},
        }
    }


def openapi_doc(
    base: str,
    *,
    title: str,
    version: str,
    default_limit: int,
    max_limit: int,
    zone_crs: str | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.0 definition of the OGC API served at ``base``."""
    paths: dict[str, Any] = {
        "/": _op("Landing page", "getLandingPage", "landingPage", "application/json"),
        "/conformance": _op(
            "Conformance classes", "getConformance", "confClasses", "application/json"
        ),
        "/collections": _op("Collections", "getCollections", "collections", "application/json"),
    }
    common = [
        _ref("parameters", n)
        for n in ("bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "f")
    ]
    for name in OGC_COLLECTIONS:
        coll = COLLECTIONS[name]
        p = f"/collections/{name}"
        paths[p] = _op(
            f"{coll.title}: metadata", f"describe_{name}", "collection", "application/json"
        )
        paths[f"{p}/items"] = _op(
            f"{coll.title}: features",
            f"getFeatures_{name}",
            "featureCollectionGeoJSON",
            "application/geo+json",
            common + filter_parameters(coll.columns),
        )
        paths[f"{p}/items/{{featureId}}"] = _op(
            f"{coll.title}: one feature",
            f"getFeature_{name}",
            "featureGeoJSON",
            "application/geo+json",
            [_ref("parameters", n) for n in ("featureId", "crs", "f")],
        )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{title} OGC API Features",
            "version": version,
            "description": "Parcels, buildings, leasable spaces, firms and projects as OGC API "
            "Features. Send `Authorization: Bearer <token>` to see more than public data.",
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {
            "parameters": common_parameters(default_limit, max_limit, zone_crs),
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"bearer": []}],
    }
