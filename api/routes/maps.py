"""HTML maps under ``/maps`` (this file: the zone map ``/maps/parcels``).

Every map takes ``bbox``, the API filters of its main collection, ``basemap``
(osm/amap/tianditu/none), ``lang`` (zh/en) and ``download=1`` (one self-contained file
sent as an attachment). Other map routes reuse :func:`map_query` and
:func:`map_response` from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

import folium
from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.pages import remember_lang
from parkgis.access import ANONYMOUS, Principal
from parkgis.errors import InvalidQuery
from parkgis.features.params import parse_bbox, parse_filters
from parkgis.features.registry import COLLECTIONS
from parkgis.maps import render
from parkgis.maps.basemaps import content_security_policy
from parkgis.maps.core import ParkMap
from parkgis.maps.i18n import t
from parkgis.maps.parcels import zone_map
from parkgis.pages import LANG_COOKIE, Frame, add_frame_bar, make_frame, pick_lang
from parkgis.params import parse_flag

router = APIRouter(prefix="/maps", tags=["maps"])

MAP_PARAMS = ("bbox", "basemap", "lang", "download")


@dataclass(frozen=True)
class MapQuery:
    """A map request's validated query string."""

    bbox: tuple[float, float, float, float] | None = None
    filters: dict[str, str] = field(default_factory=dict)
    basemap: str | None = None
    lang: str | None = None
    download: bool = False
    frame: Frame | None = None
    safe: bool = False

    def viewer(self, principal: Principal) -> Principal:
        """Whom the map is drawn for: anonymous in a prospect-safe rendering (public layers
        and fields only, whoever asked), else the caller."""
        return ANONYMOUS if self.safe else principal


def map_query(
    collection: str | None, extra: tuple[str, ...] = (), *, safe: bool = False
) -> Callable[..., MapQuery]:
    """Dependency: bbox, basemap, lang, download and ``collection``'s API filters.

    Names in ``extra`` are passed through in ``filters`` unchecked (for the route's own
    parameters); anything else unknown is a 400 naming the parameter. ``lang`` falls back
    to the language cookie; ``frame`` is the page frame :func:`map_response` draws.

    ``safe=True``: the map has a prospect-safe rendering, asked for with ``safe=1`` (pass
    ``q.viewer(principal)`` to the builder). It is the default for downloads by the
    investment role (``safe=0`` gives the full file); the frame offers both downloads.
    """

    def dep(request: Request, settings: SettingsDep, principal: PrincipalDep) -> MapQuery:
        seen: dict[str, str] = {}
        for name, value in request.query_params.multi_items():
            if name in seen:
                raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
            seen[name] = value
        bbox_text = seen.pop("bbox", None)
        common = {k: seen.pop(k, None) for k in ("basemap", "lang", "download")}
        safe_text = seen.pop("safe", None) if safe else None
        own = {k: seen.pop(k) for k in extra if k in seen}
        if collection is not None:
            parse_filters(COLLECTIONS[collection], seen, tz=settings.zone.timezone)
        elif seen:
            name = next(iter(seen))
            raise InvalidQuery(
                f"unknown query parameter {name!r}; this map takes: {', '.join(MAP_PARAMS)}",
                field=name,
            )
        lang = pick_lang(common["lang"], request.cookies.get(LANG_COOKIE), settings.zone.language)
        download = parse_flag(common["download"], "download")
        if safe_text is not None:
            safe_map = parse_flag(safe_text, "safe")
        else:
            safe_map = safe and download and principal.role == "investment"
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "safe"]
        frame = make_frame(principal, lang, path=request.url.path, query=query, offline=download)
        if safe and not principal.anonymous:
            base = frame.url(download="1", lang=lang)
            frame = replace(
                frame,
                extra_downloads=(
                    (t("frame.download_safe", lang), base + "&safe=1"),
                    (t("frame.download_full", lang), base + "&safe=0"),
                ),
            )
        return MapQuery(
            bbox=parse_bbox(bbox_text) if bbox_text is not None else None,
            filters={**seen, **own},
            basemap=common["basemap"] or None,
            lang=lang,
            download=download,
            frame=frame,
            safe=safe_map,
        )

    return dep


def map_response(m: folium.Map, q: MapQuery, filename: str) -> HTMLResponse:
    """The rendered map in the page frame; with ``download`` one offline file sent as an
    attachment (its bar shows the title and language only)."""
    if q.frame is not None:
        title = m.parkgis_title if isinstance(m, ParkMap) else ""
        add_frame_bar(m, q.frame.titled(title or "parkgis", download=True))
    html = render(m, download=q.download)
    basemap = m.basemap if isinstance(m, ParkMap) else "none"
    headers = {
        "Content-Security-Policy": content_security_policy(basemap),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if q.download:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp = HTMLResponse(html, headers=headers)
    if q.frame is not None:
        remember_lang(resp, q.frame)
    return resp


def map_openapi(collection: str | None, *, safe: bool = False) -> dict[str, Any]:
    """``openapi_extra`` documenting the map parameters (filters are named in the text)."""

    def p(name: str, desc: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": desc,
            "schema": schema,
        }

    params = [
        p("bbox", "minLon,minLat,maxLon,maxLat (EPSG:4326 degrees)", {"type": "string"}),
        p("basemap", "osm, amap (GCJ-02), tianditu or none", {"type": "string"}),
        p("lang", "zh or en", {"type": "string", "enum": ["zh", "en"]}),
        p("download", "1: one self-contained offline HTML file", {"type": "string"}),
    ]
    if safe:
        params.append(
            p(
                "safe",
                "1: prospect-safe (public layers and fields only); default 1 for downloads "
                "by the investment role",
                {"type": "string"},
            )
        )
    if collection is not None:
        for name in COLLECTIONS[collection].filter_names():
            params.append(p(name, f"{collection} filter, as in the API", {"type": "string"}))
    return {"parameters": params}


ParcelsQuery = Annotated[MapQuery, Depends(map_query("parcels", safe=True))]


@router.get(
    "/parcels",
    response_class=HTMLResponse,
    openapi_extra=map_openapi("parcels", safe=True),
    summary="Zone map: parcels by status, buildings, firms",
)
def parcels_map(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: ParcelsQuery
) -> HTMLResponse:
    """HTML map of parcels coloured by status, buildings and firms (what the caller may read).

    Filters apply to parcels (`status=available,idle`, `land_use=100101`,
    `min_area_m2=5000`, ...); `bbox` limits every layer. `safe=1`: the prospect-safe
    rendering (public parcels and fields only); the default for `download=1` by the
    investment role.
    """
    m = zone_map(
        session,
        q.viewer(principal),
        settings,
        bbox=q.bbox,
        filters=q.filters,
        basemap=q.basemap,
        lang=q.lang,
    )
    return map_response(m, q, "parkgis-parcels.html")
