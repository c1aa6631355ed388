"""OGC API Features under ``/ogc`` (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS).

JSON is the default; ``f=json``/``f=geojson`` force it and ``f=html`` (or a browser's
Accept header) gives HTML pages. Items are ``application/geo+json``, other documents
``application/json``. Collections the caller may not read are not listed, and direct
access to them answers 401/403. Unknown query parameters answer 400.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jinja2
import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.params import (
    fetch_items,
    items_query,
    negotiate,
    openapi_parameters,
    output_crs,
    plain_query,
)
from parkgis import __version__
from parkgis.errors import NotFound
from parkgis.features import COLLECTIONS, OGC_COLLECTIONS, Collection, get_feature
from parkgis.features import ogc as docs
from parkgis.features.ogc_openapi import openapi_doc
from parkgis.features.params import ItemsQuery
from parkgis.writes.versions import etag as make_etag

router = APIRouter(prefix="/ogc", tags=["OGC API Features"])

FormatOnly = Annotated[dict[str, str], Depends(plain_query(("f",)))]
ItemParams = Annotated[dict[str, str], Depends(plain_query(("f", "crs")))]
_F = openapi_parameters(None, ("f",))
TITLE = "parkgis"
DESCRIPTION = "Parcels, buildings, leasable spaces, firms and investment projects of the zone."


def base_url(request: Request) -> str:
    """Absolute URL of the OGC API root for this request."""
    return str(request.base_url).rstrip("/") + "/ogc"


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    root = Path(__file__).resolve().parent.parent / "templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root), autoescape=True, undefined=jinja2.StrictUndefined
    )


def _html(template: str, request: Request, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("base", base_url(request))
    return HTMLResponse(_templates().get_template(template).render(title=TITLE, **ctx))


def _json(doc: Any, media: str = docs.JSON, **headers: str) -> Response:
    return Response(orjson.dumps(doc), media_type=media, headers=headers or None)


@router.get("", summary="Landing page", response_class=Response, openapi_extra=_F)
@router.get("/", response_class=Response, include_in_schema=False)
def landing(request: Request, params: FormatOnly) -> Response:
    """Links to the API definition, the conformance classes and the collections."""
    doc = docs.landing_page(
        base_url(request),
        str(request.base_url).rstrip("/") + "/docs",
        title=TITLE,
        description=DESCRIPTION,
    )
    if negotiate(request, params.get("f")) == "html":
        return _html("ogc_landing.html", request, doc=doc)
    return _json(doc)


@router.get(
    "/conformance", summary="Conformance classes", response_class=Response, openapi_extra=_F
)
def conformance(request: Request, params: FormatOnly) -> Response:
    """The OGC conformance classes this API implements."""
    doc = docs.conformance(base_url(request))
    if negotiate(request, params.get("f")) == "html":
        return _html("ogc_conformance.html", request, doc=doc)
    return _json(doc)


@router.get("/api", summary="OpenAPI 3.0 definition of the OGC API", response_class=Response)
def api_definition(request: Request, settings: SettingsDep, params: FormatOnly) -> Response:
    """The OGC API as OpenAPI 3.0 (the whole app's definition is ``/openapi.json``).

    ``f=html`` redirects to the interactive documentation at ``/docs``.
    """
    if negotiate(request, params.get("f")) == "html":
        return Response(status_code=307, headers={"Location": str(request.base_url) + "docs"})
    doc = openapi_doc(
        base_url(request),
        title=TITLE,
        version=__version__,
        default_limit=settings.api.default_limit,
        max_limit=settings.api.max_limit,
        zone_crs=settings.zone.projected_crs,
    )
    return _json(doc, docs.OPENAPI_JSON)


@router.get("/collections", summary="Collections", response_class=Response, openapi_extra=_F)
def collections(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    params: FormatOnly,
) -> Response:
    """The collections the caller may read, with their extents and supported CRSs."""
    doc = docs.collections_doc(
        session, principal, base_url(request), zone_crs=settings.zone.projected_crs
    )
    if negotiate(request, params.get("f")) == "html":
        return _html("ogc_collections.html", request, doc=doc)
    return _json(doc)


def _collection_handler(coll: Collection) -> Callable[..., Response]:
    def describe(
        request: Request,
        session: SessionDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        params: FormatOnly,
    ) -> Response:
        doc = docs.collection_doc(
            session, principal, base_url(request), coll.name, zone_crs=settings.zone.projected_crs
        )
        if negotiate(request, params.get("f")) == "html":
            return _html("ogc_collection.html", request, doc=doc)
        return _json(doc)

    describe.__doc__ = f"{coll.title}: title, description, extent, CRSs and links."
    return describe


def _items_handler(coll: Collection) -> Callable[..., Response]:
    query_dep = Annotated[ItemsQuery, Depends(items_query(coll, ogc=True))]

    def items(
        request: Request,
        session: SessionDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        q: query_dep,
    ) -> Response:
        fmt = negotiate(request, q.extra.get("f"))
        page = fetch_items(session, coll, principal, settings, q)
        base = base_url(request)
        params = request.query_params.multi_items()
        links = docs.items_links(base, coll.name, params, page, limit=q.limit, offset=q.offset)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if fmt == "html":
            fc = orjson.loads(page.to_json(links=links, timeStamp=stamp))
            return _html("ogc_items.html", request, doc=fc, collection=coll, base=base)
        body = page.to_json(timeStamp=stamp, links=links)
        return Response(body, media_type=docs.GEOJSON, headers={"Content-Crs": f"<{q.crs.uri}>"})

    items.__doc__ = (
        f"{coll.description} GeoJSON features intersecting `bbox`, matching the filters "
        "(`name=value`, comma lists where noted, `min_name`/`max_name`), in id order."
    )
    return items


def _item_handler(coll: Collection) -> Callable[..., Response]:
    def item(
        fid: int,
        request: Request,
        session: SessionDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        params: ItemParams,
    ) -> Response:
        fmt = negotiate(request, params.get("f"))
        crs = output_crs(params, settings.zone.projected_crs)
        feature = get_feature(session, coll.name, principal, fid, crs=crs)
        etag = make_etag(feature["version"])
        base = base_url(request)
        feature["links"] = docs.item_links(base, coll.name, fid)
        if fmt == "html":
            resp: Response = _html(
                "ogc_item.html", request, doc=feature, collection=coll, base=base
            )
            resp.headers["ETag"] = etag
            return resp
        return _json(feature, docs.GEOJSON, ETag=etag, **{"Content-Crs": f"<{crs.uri}>"})

    item.__doc__ = f'One feature of {coll.name}, with `ETag: "<version>"`.'
    return item


for _name in OGC_COLLECTIONS:
    _coll = COLLECTIONS[_name]
    _p = f"/collections/{_name}"
    router.add_api_route(
        _p,
        _collection_handler(_coll),
        methods=["GET"],
        name=f"ogc_collection_{_name}",
        summary=f"{_coll.title}: metadata",
        response_class=Response,
        openapi_extra=_F,
    )
    router.add_api_route(
        f"{_p}/items",
        _items_handler(_coll),
        methods=["GET"],
        name=f"ogc_items_{_name}",
        summary=f"{_coll.title}: features",
        response_class=Response,
        responses={"200": {"description": "Features", "content": {docs.GEOJSON: {}}}},
        openapi_extra=openapi_parameters(
            _coll, ("bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "f")
        ),
    )
    router.add_api_route(
        f"{_p}/items/{{fid:int}}",
        _item_handler(_coll),
        methods=["GET"],
        name=f"ogc_item_{_name}",
        summary=f"{_coll.title}: one feature",
        response_class=Response,
        responses={"200": {"description": "Feature", "content": {docs.GEOJSON: {}}}},
        openapi_extra=openapi_parameters(None, ("crs", "f")),
    )


@router.get("/collections/{collection_id}", include_in_schema=False)
@router.get("/collections/{collection_id}/items", include_in_schema=False)
@router.get("/collections/{collection_id}/items/{fid}", include_in_schema=False)
def unknown_collection(collection_id: str) -> Response:
    """404 naming what is served (reached only when no route above matched)."""
    if collection_id in OGC_COLLECTIONS:
        raise NotFound("feature ids are whole numbers", field="featureId")
    raise NotFound(
        f"no collection {collection_id!r}; use one of {', '.join(OGC_COLLECTIONS)}",
        field="collection",
    )
