"""REST reads under ``/api/v1``: one list and one item route per collection.

- ``GET /api/v1/{collection}``: spatial collections answer a GeoJSON FeatureCollection
  (``application/geo+json``); officers, assignments, visits and service requests answer
  ``{"numberMatched", "numberReturned", "links", "items": [...]}`` (``application/json``),
  each item a plain object (visits and officers carry their optional point as
  ``geometry``). Query: ``limit``, ``offset``, ``bbox``, ``bbox-crs``, ``crs`` and the
  collection's filters; anything else is a 400.
- ``GET /api/v1/{collection}/{id}``: one Feature (or item) with ``ETag: "<version>"``;
  ``If-None-Match`` with that tag answers 304.

Routes are generated from :data:`parkgis.features.COLLECTIONS`, so the OpenAPI document
lists every collection with its own filters.
"""

from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.params import (
    fetch_items,
    items_query,
    openapi_parameters,
    output_crs,
    plain_query,
)
from api.responses import GeoJSONResponse, JSONResponse
from parkgis.features import COLLECTIONS, Collection, get_feature
from parkgis.features.ogc import GEOJSON, JSON, paging_links
from parkgis.features.params import PAGING_PARAMS, ItemsQuery
from parkgis.writes.versions import etag as make_etag

router = APIRouter(prefix="/api/v1", tags=["features"])

ItemParams = Annotated[dict[str, str], Depends(plain_query(("crs",)))]


def _list_handler(coll: Collection) -> Callable[..., Response]:
    query_dep = Annotated[ItemsQuery, Depends(items_query(coll, ogc=False))]
    media = GEOJSON if coll.spatial else JSON

    def list_items(
        request: Request,
        session: SessionDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        q: query_dep,
    ) -> Response:
        page = fetch_items(session, coll, principal, settings, q)
        url = str(request.url.remove_query_params(list(request.query_params.keys())))
        params = request.query_params.multi_items()
        links = [{"href": str(request.url), "rel": "self", "type": media}]
        links += paging_links(url, params, page, limit=q.limit, offset=q.offset, media=media)
        body = page.to_json(links=links)
        return Response(body, media_type=media)

    list_items.__doc__ = (
        f"{coll.description}\n\n"
        + (
            "A GeoJSON FeatureCollection (EPSG:4326 lon/lat unless `crs`)."
            if coll.spatial
            else "`{numberMatched, numberReturned, links, items}`."
        )
        + " Filters: `name=value` (equality; comma list where noted), `min_name`/`max_name`."
    )
    return list_items


def _item_handler(coll: Collection) -> Callable[..., Response]:
    def get_item(
        fid: int,
        request: Request,
        session: SessionDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        params: ItemParams,
    ) -> Response:
        crs = output_crs(params, settings.zone.projected_crs)
        item: dict[str, Any] = get_feature(session, coll.name, principal, fid, crs=crs)
        etag = make_etag(item["version"])
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        cls = GeoJSONResponse if coll.spatial else JSONResponse
        return cls(orjson.dumps(item), headers={"ETag": etag})

    get_item.__doc__ = (
        f'One of {coll.name} by id, with `ETag: "<version>"` for `If-Match` on writes. '
        "404 when it does not exist or the caller may not see it."
    )
    return get_item


for _coll in COLLECTIONS.values():
    _media = GEOJSON if _coll.spatial else JSON
    _ok: dict[int | str, dict[str, Any]] = {
        "200": {"description": "Success", "content": {_media: {}}}
    }
    router.add_api_route(
        f"/{_coll.name}",
        _list_handler(_coll),
        methods=["GET"],
        name=f"list_{_coll.name}",
        summary=f"List {_coll.title.lower()}",
        response_class=Response,
        responses=_ok,
        openapi_extra=openapi_parameters(_coll, PAGING_PARAMS),
    )
    router.add_api_route(
        f"/{_coll.name}/{{fid:int}}",
        _item_handler(_coll),
        methods=["GET"],
        name=f"get_{_coll.name}",
        summary=f"One of {_coll.title.lower()}",
        response_class=Response,
        responses={**_ok, "404": {"description": "No such item visible to the caller"}},
        openapi_extra=openapi_parameters(None, ("crs",)),
    )
