"""OGC API Features under ``/ogc`` (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS).

JSON is the default; ``f=json``/``f=geojson`` force it and ``f=html`` (or a browser's
Accept header) gives HTML pages. Items are ``application/geo+json``, other documents
``application/json``. Collections the caller may not read are not listed, and direct
access to them answers 401/403. Unknown query parameters answer 400.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.pages import Frame, FrameDep, page_response
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
from parkgis.maps.i18n import register, t
from parkgis.pages.fields import field_label, field_value
from parkgis.writes.versions import etag as make_etag

router = APIRouter(prefix="/ogc", tags=["OGC API Features"])

FormatOnly = Annotated[dict[str, str], Depends(plain_query(("f", "lang")))]
ItemParams = Annotated[dict[str, str], Depends(plain_query(("f", "crs", "lang")))]
_F = openapi_parameters(None, ("f",))
TITLE = "parkgis"
DESCRIPTION = "Parcels, buildings, leasable spaces, firms and investment projects of the zone."


def base_url(request: Request) -> str:
    """Absolute URL of the OGC API root for this request."""
    return str(request.base_url).rstrip("/") + "/ogc"


register(
    {
        "ogc.title": ("OGC 数据服务", "OGC API Features"),
        "ogc.collections": ("数据集", "Collections"),
        "ogc.collection": ("数据集", "Collection"),
        "ogc.description": ("说明", "Description"),
        "ogc.extent": ("范围（经度/纬度）", "Extent (lon/lat)"),
        "ogc.empty": ("暂无要素", "no features"),
        "ogc.browse": ("浏览要素", "Browse the features"),
        "ogc.of": ("显示 {n} / 共 {m} 个要素", "{n} of {m} features"),
        "ogc.conformance": ("符合的标准类", "Conformance classes"),
        "ogc.links": ("链接", "Links"),
        "ogc.geometry": ("几何", "Geometry"),
        "ogc.none": ("无", "none"),
        "ogc.lead": (
            "园区地块、建筑、厂房单元、企业与项目，可在 QGIS、GDAL 中直接读取。",
            "Parcels, buildings, leasable spaces, firms and investment projects of the "
            "zone, readable in QGIS and GDAL.",
        ),
        "ogc.coll.parcels": ("地块", "Parcels"),
        "ogc.coll.buildings": ("建筑", "Buildings"),
        "ogc.coll.spaces": ("厂房单元", "Leasable spaces"),
        "ogc.coll.enterprises": ("企业", "Enterprises"),
        "ogc.coll.projects": ("投资项目", "Investment projects"),
        "ogc.desc.parcels": (
            "地块：用地性质、状态、面积（m² 与亩）和地价。",
            "Land parcels with land use, status, area in m² and mu, and price.",
        ),
        "ogc.desc.buildings": (
            "建筑轮廓：层数、建筑面积与产权人。",
            "Building footprints with floors, gross floor area and owner.",
        ),
        "ogc.desc.spaces": (
            "可租厂房单元：楼层、净高、承重、电力与租金。",
            "Leasable plant units: floor, clear height, floor load, power, rent.",
        ),
        "ogc.desc.enterprises": (
            "园区企业（产值、税收与联系方式仅对规划、管理员与本企业服务官可见）。",
            "Firms in the zone (output, tax and contacts only for planners, admins and the "
            "firm's own officer).",
        ),
        "ogc.desc.projects": (
            "投资项目：阶段、投资额与节点。",
            "Investment projects with stage, investment and milestones.",
        ),
    }
)


def _html(template: str, request: Request, frame: Frame, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("base", base_url(request))
    title = ctx.pop("page_title", None) or t("ogc.title", frame.lang)
    return page_response(
        frame,
        template,
        title=title,
        field_label=field_label,
        field_value=field_value,
        **ctx,
    )


def _json(doc: Any, media: str = docs.JSON, **headers: str) -> Response:
    return Response(orjson.dumps(doc), media_type=media, headers=headers or None)


@router.get("", summary="Landing page", response_class=Response, openapi_extra=_F)
@router.get("/", response_class=Response, include_in_schema=False)
def landing(request: Request, params: FormatOnly, frame: FrameDep) -> Response:
    """Links to the API definition, the conformance classes and the collections."""
    doc = docs.landing_page(
        base_url(request),
        str(request.base_url).rstrip("/") + "/docs",
        title=TITLE,
        description=DESCRIPTION,
    )
    if negotiate(request, params.get("f")) == "html":
        return _html("ogc_landing.html", request, frame, doc=doc)
    return _json(doc)


@router.get(
    "/conformance", summary="Conformance classes", response_class=Response, openapi_extra=_F
)
def conformance(request: Request, params: FormatOnly, frame: FrameDep) -> Response:
    """The OGC conformance classes this API implements."""
    doc = docs.conformance(base_url(request))
    if negotiate(request, params.get("f")) == "html":
        return _html("ogc_conformance.html", request, frame, doc=doc)
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
    frame: FrameDep,
) -> Response:
    """The collections the caller may read, with their extents and supported CRSs."""
    doc = docs.collections_doc(
        session, principal, base_url(request), zone_crs=settings.zone.projected_crs
    )
    if negotiate(request, params.get("f")) == "html":
        return _html("ogc_collections.html", request, frame, doc=doc)
    return _json(doc)


def _collection_handler(coll: Collection) -> Callable[..., Response]:
    def describe(
        request: Request,
        session: SessionDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        params: FormatOnly,
        frame: FrameDep,
    ) -> Response:
        doc = docs.collection_doc(
            session, principal, base_url(request), coll.name, zone_crs=settings.zone.projected_crs
        )
        if negotiate(request, params.get("f")) == "html":
            return _html(
                "ogc_collection.html",
                request,
                frame,
                doc=doc,
                page_title=t(f"ogc.coll.{coll.name}", frame.lang),
            )
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
        frame: FrameDep,
    ) -> Response:
        fmt = negotiate(request, q.extra.get("f"))
        page = fetch_items(session, coll, principal, settings, q)
        base = base_url(request)
        params = request.query_params.multi_items()
        links = docs.items_links(base, coll.name, params, page, limit=q.limit, offset=q.offset)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if fmt == "html":
            fc = orjson.loads(page.to_json(links=links, timeStamp=stamp))
            return _html(
                "ogc_items.html",
                request,
                frame,
                doc=fc,
                collection=coll,
                base=base,
                page_title=t(f"ogc.coll.{coll.name}", frame.lang),
            )
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
        frame: FrameDep,
    ) -> Response:
        fmt = negotiate(request, params.get("f"))
        crs = output_crs(params, settings.zone.projected_crs)
        feature = get_feature(session, coll.name, principal, fid, crs=crs)
        etag = make_etag(feature["version"])
        base = base_url(request)
        feature["links"] = docs.item_links(base, coll.name, fid)
        if fmt == "html":
            resp: Response = _html(
                "ogc_item.html",
                request,
                frame,
                doc=feature,
                collection=coll,
                base=base,
                page_title=f"{t(f'ogc.coll.{coll.name}', frame.lang)} {fid}",
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
