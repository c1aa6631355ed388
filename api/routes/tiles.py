"""Vector tiles: ``/tiles/{collection}/{z}/{x}/{y}.mvt``, TileJSON, and the OGC Tiles form.

Each tile holds what the caller could read from the collection's OGC items (rows and
properties, by role). ``ETag`` comes from the collection's change stamp and the caller's
view; ``If-None-Match`` gives 304, an empty tile 204. The query string takes
``properties`` (a comma list of the visible properties to keep) and the collection's API
filters; anything else is a 400 naming it. z/x/y outside WebMercatorQuad are a 400 naming
the parameter, an unknown collection a 404.

``/tiles/basemap/...`` (the zone basemap) and ``/tiles/landuse/...`` (the land-use map's
parcels with the caller's theme properties, :mod:`parkgis.tiles.landuse`) are fixed paths
before the collections'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.params import plain_query
from api.responses import JSONResponse
from parkgis.access import Principal
from parkgis.errors import InvalidQuery
from parkgis.settings import Settings
from parkgis.tiles import (
    MVT_MEDIA_TYPE,
    TILE_LAYERS,
    TMS_ID,
    Tile,
    fetch_tile,
    prepare,
    tile_layer,
    tilejson,
)
from parkgis.tiles.basemap import basemap_tile
from parkgis.tiles.cache import TileCache
from parkgis.tiles.landuse import FactsCache, landuse_tile
from parkgis.zonetime import zone_today

router = APIRouter(tags=["vector tiles"])


@dataclass(frozen=True)
class TileQuery:
    """A tile request's query string: kept properties and the collection's filters."""

    properties: tuple[str, ...] | None = None
    filters: dict[str, str] = field(default_factory=dict)


def tile_query(request: Request) -> TileQuery:
    """Dependency: ``properties`` and filters (checked against the collection later)."""
    seen: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in seen:
            raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
        seen[name] = value
    props = seen.pop("properties", None)
    kept = None if props is None else tuple(p.strip() for p in props.split(",") if p.strip())
    return TileQuery(kept, seen)


TileQueryDep = Annotated[TileQuery, Depends(tile_query)]


def _cache_control(principal: Principal, settings: Settings) -> str:
    scope = "public" if principal.anonymous else "private"
    age = settings.tiles.max_age_s
    return f"{scope}, max-age={age}" if age else f"{scope}, no-cache"


def _tile(
    collection: str,
    z: str,
    x: str,
    y: str,
    request: Request,
    session: Any,
    principal: Principal,
    settings: Settings,
    q: TileQuery,
) -> Response:
    req = prepare(
        collection,
        principal,
        z,
        x,
        y,
        filters=q.filters,
        properties=q.properties,
        settings=settings.tiles,
        tz=settings.zone.timezone,
    )
    inm = request.headers.get("if-none-match")
    t = fetch_tile(session, req, inm, settings.tiles, _cache(request, settings))
    return _respond(t, inm, principal, settings)


def _cache(request: Request, settings: Settings) -> TileCache:
    """The app's tile cache (one per server process, made on first use)."""
    cache: TileCache | None = getattr(request.app.state, "tile_cache", None)
    if cache is None:
        cache = TileCache(settings.tiles.cache_mb * 1024 * 1024)
        request.app.state.tile_cache = cache
    return cache


def _respond(t: Tile | None, inm: str | None, principal: Principal, settings: Settings) -> Response:
    headers = {
        "Cache-Control": _cache_control(principal, settings),
        "Vary": "Authorization, Cookie",
    }
    if t is None:
        return Response(status_code=304, headers={**headers, "ETag": inm or ""})
    headers["ETag"] = t.etag
    if not t.data:
        return Response(status_code=204, headers=headers)
    return Response(t.data, media_type=MVT_MEDIA_TYPE, headers=headers)


_TILE_DOC = {
    "200": {"description": "A Mapbox Vector Tile", "content": {MVT_MEDIA_TYPE: {}}},
    "204": {"description": "No feature in this tile"},
    "304": {"description": "Not modified (If-None-Match)"},
}


@router.get(
    "/tiles/basemap/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses=_TILE_DOC,  # type: ignore[arg-type]
    summary="The zone basemap: grid areas, streets and context layers in one vector tile",
)
def basemap(
    z: str,
    x: str,
    y: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    params: Annotated[dict[str, str], Depends(plain_query(()))],
) -> Response:
    """MVT layers `grid_areas`, `streets` and `context`, each as the caller may read it."""
    inm = request.headers.get("if-none-match")
    t = basemap_tile(session, principal, z, x, y, if_none_match=inm, settings=settings.tiles)
    return _respond(t, inm, principal, settings)


def _facts_cache(request: Request) -> FactsCache:
    """The app's cache of land-use theme facts (one per server process)."""
    cache: FactsCache | None = getattr(request.app.state, "landuse_facts", None)
    if cache is None:
        cache = FactsCache()
        request.app.state.landuse_facts = cache
    return cache


@router.get(
    "/tiles/landuse/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses=_TILE_DOC,  # type: ignore[arg-type]
    summary="The land-use map's parcels with the properties of the caller's themes",
)
def landuse(
    z: str,
    x: str,
    y: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    params: Annotated[dict[str, str], Depends(plain_query(()))],
) -> Response:
    """MVT layer `landuse`: class code for every signed-in role; plot ratio and its check
    for officers; 亩均 grade, inefficiency type and idle clock for planners and admins.
    Anonymous callers get 401."""
    inm = request.headers.get("if-none-match")
    t = landuse_tile(
        session,
        principal,
        z,
        x,
        y,
        landuse=settings.landuse,
        today=zone_today(settings.zone.timezone),
        settings=settings.tiles,
        if_none_match=inm,
        cache=_cache(request, settings),
        facts_cache=_facts_cache(request),
    )
    return _respond(t, inm, principal, settings)


@router.get(
    "/tiles/{collection}/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses=_TILE_DOC,  # type: ignore[arg-type]
    summary="One vector tile (WebMercatorQuad) of a collection, as the caller may see it",
)
def mvt(
    collection: str,
    z: str,
    x: str,
    y: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: TileQueryDep,
) -> Response:
    """Collections: parcels, buildings, spaces, enterprises, projects, grid_areas, context.

    `properties=status,code` keeps only those properties; the collection's API filters
    (`status=available,idle`, `min_area_m2=5000`, ...) limit the rows.
    """
    return _tile(collection, z, x, y, request, session, principal, settings, q)


@router.get(
    "/ogc/collections/{collection_id}/tiles/{tms}/{z}/{x}/{y}",
    response_class=Response,
    responses=_TILE_DOC,  # type: ignore[arg-type]
    summary="OGC API Tiles: one vector tile of a collection",
)
def ogc_tile(
    collection_id: str,
    tms: str,
    z: str,
    x: str,
    y: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: TileQueryDep,
) -> Response:
    """The same tile as `/tiles/{collection}/{z}/{x}/{y}.mvt`; `tms` is `WebMercatorQuad`."""
    if tms != TMS_ID:
        raise InvalidQuery(f"tile matrix set {tms!r} is not served; use {TMS_ID}", field="tms")
    return _tile(collection_id, z, x, y, request, session, principal, settings, q)


@router.get(
    "/tiles/{collection}.json",
    response_class=JSONResponse,
    summary="TileJSON of a tiled collection (bounds, zooms, fields) for the caller",
)
def tile_json(
    collection: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: TileQueryDep,
) -> JSONResponse:
    """TileJSON 3.0; filters in the query string are carried into the tile URL."""
    if q.properties is not None:
        raise InvalidQuery("TileJSON takes filters only, not properties", field="properties")
    tile_layer(collection)
    doc = tilejson(
        session,
        collection,
        principal,
        str(request.base_url),
        filters=q.filters,
        tz=settings.zone.timezone,
    )
    return JSONResponse(doc, headers={"Cache-Control": "no-cache", "Vary": "Authorization, Cookie"})


@router.get("/tiles", response_class=JSONResponse, summary="The tiled collections")
def tiled_collections(request: Request) -> JSONResponse:
    """Each tiled collection's TileJSON link and minimum zoom."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "collections": [
                {
                    "id": name,
                    "title": layer.spec.title,
                    "minzoom": layer.min_zoom,
                    "tilejson": f"{base}/tiles/{name}.json",
                }
                for name, layer in TILE_LAYERS.items()
            ]
        }
    )
