"""The planners' land-use review (issue 13): one router for the API, map and report.

- ``GET /api/v1/landuse/summary?by=zone|grid|class|status&bbox=…&format=json|xlsx``;
  ``POST /api/v1/landuse/summary`` with ``{"geometry": <GeoJSON polygon>, "by": …}``.
- ``GET /api/v1/landuse/parcels?bbox=…&check=ok|below_minimum|no_data``: control
  indicators per industrial parcel (admin, planner, officer).
- ``GET /api/v1/landuse/firms?format=json|xlsx``: the 亩均 evaluation (admin, planner).
- ``GET /api/v1/landuse/inefficient?type=…&bbox=…``: inefficient land and idle clocks
  (admin, planner).
- ``GET /maps/landuse``: the themed map (signed-in roles; investment: the class theme).
- ``GET /reports/landuse?f=html|pdf|xlsx``: the printable report (admin, planner).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from parkgis.landuse.report import landuse_report, report_html, report_pdf, report_xlsx
from parkgis.maps.landuse import landuse_map
from starlette.responses import HTMLResponse, Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.responses import JSONResponse
from api.routes.maps import MapQuery, map_openapi, map_query, map_response
from parkgis.errors import InvalidQuery
from parkgis.features.params import parse_bbox
from parkgis.landuse import (
    Scope,
    evaluate_firms,
    firms_xlsx,
    inefficient_land,
    landuse_summary,
    parcel_indicators,
    polygon_from_geojson,
    summary_xlsx,
)
from parkgis.zonetime import zone_today

router = APIRouter(tags=["landuse"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def own_query(*names: str) -> Callable[..., dict[str, str]]:
    """Dependency: the query string, each of ``names`` at most once; anything else is a 400."""

    def dep(request: Request) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in request.query_params.multi_items():
            if name not in names:
                raise InvalidQuery(
                    f"unknown query parameter {name!r}; this endpoint takes: {', '.join(names)}",
                    field=name,
                )
            if name in out:
                raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
            out[name] = value
        return out

    return dep


def _doc(*params: tuple[str, str]) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": n,
                "in": "query",
                "required": False,
                "description": d,
                "schema": {"type": "string"},
            }
            for n, d in params
        ]
    }


_BBOX = ("bbox", "minLon,minLat,maxLon,maxLat (EPSG:4326 degrees)")
_FORMAT = ("format", "json (default) or xlsx")


def _format(
    q: dict[str, str], name: str = "format", allowed: tuple[str, ...] = ("json", "xlsx")
) -> str:
    fmt = (q.get(name) or allowed[0]).lower()
    if fmt not in allowed:
        raise InvalidQuery(f"unknown format {fmt!r}; use {' or '.join(allowed)}", field=name)
    return fmt


def _scope(q: dict[str, str]) -> Scope:
    return Scope(bbox=parse_bbox(q["bbox"]) if q.get("bbox") else None)


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


SummaryQ = Annotated[dict[str, str], Depends(own_query("by", "bbox", "format"))]


@router.get(
    "/api/v1/landuse/summary",
    summary="Land use by class in m², ha and 亩; rates, intensity, references",
    openapi_extra=_doc(("by", "zone (default), grid, class or status"), _BBOX, _FORMAT),
)
def summary(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: SummaryQ
) -> Response:
    """Area by land-use class (geodesic m², ha, 亩) with zone rates, intensity and
    reference figures, grouped by zone, grid area, class or status; `format=xlsx`."""
    fmt = _format(q)
    today = zone_today(settings.zone.timezone)
    data = landuse_summary(session, principal, by=q.get("by"), scope=_scope(q), today=today)
    if fmt == "xlsx":
        return _xlsx(summary_xlsx(data), "landuse-summary.xlsx")
    return JSONResponse(data)


@router.post(
    "/api/v1/landuse/summary",
    summary="Land-use summary inside a posted polygon",
)
def summary_in_polygon(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [[112.69, 23.32], [112.72, 23.32], [112.72, 23.35], [112.69, 23.32]]
                        ],
                    },
                    "by": "class",
                }
            ]
        ),
    ],
) -> JSONResponse:
    """The summary of the parcels whose point on surface lies in `geometry` (a GeoJSON
    Polygon/MultiPolygon or Feature, EPSG:4326); `by` as in the GET."""
    unknown = set(body) - {"geometry", "by"}
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidQuery(f"unknown field {name!r}; send geometry and by", field=name)
    polygon = polygon_from_geojson(body.get("geometry"), field="geometry")
    by = body.get("by")
    if by is not None and not isinstance(by, str):
        raise InvalidQuery("by must be a string", field="by")
    today = zone_today(settings.zone.timezone)
    data = landuse_summary(session, principal, by=by, scope=Scope(polygon=polygon), today=today)
    return JSONResponse(data)


ParcelsQ = Annotated[dict[str, str], Depends(own_query("bbox", "check"))]


@router.get(
    "/api/v1/landuse/parcels",
    summary="Control indicators per industrial parcel",
    openapi_extra=_doc(_BBOX, ("check", "ok, below_minimum or no_data")),
)
def parcels(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: ParcelsQ
) -> JSONResponse:
    """Plot ratio (storeys over 8 m twice) against the minimum for the holder's industry,
    and building coefficient against its floor, per industrial parcel."""
    rows = parcel_indicators(
        session, principal, settings.landuse, scope=_scope(q), check=q.get("check")
    )
    return JSONResponse({"parcels": rows, "count": len(rows)})


FirmsQ = Annotated[dict[str, str], Depends(own_query("format"))]


@router.get(
    "/api/v1/landuse/firms",
    summary="亩均 evaluation: firms' land, indicators, scores and grades A-D",
    openapi_extra=_doc(_FORMAT),
)
def firms(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: FirmsQ
) -> Response:
    """Every firm with land: apportioned land in 亩, tax/output per 亩 and the other
    indicators, score against the zone average and grade (planner and admin only)."""
    fmt = _format(q)
    data = evaluate_firms(session, principal, settings.landuse)
    if fmt == "xlsx":
        return _xlsx(firms_xlsx(data), "landuse-firms.xlsx")
    return JSONResponse(data)


IneffQ = Annotated[dict[str, str], Depends(own_query("bbox", "type"))]


@router.get(
    "/api/v1/landuse/inefficient",
    summary="Inefficient land by type (批而未供 … 投而未达标) with idle clocks",
    openapi_extra=_doc(_BBOX, ("type", "one type key, e.g. supplied_not_used")),
)
def inefficient(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: IneffQ
) -> JSONResponse:
    """Each parcel in at most one of the five types, with the idle-land clock."""
    today = zone_today(settings.zone.timezone)
    data = inefficient_land(
        session, principal, settings.landuse, today=today, scope=_scope(q), kind=q.get("type")
    )
    return JSONResponse(data)


LanduseMapQ = Annotated[MapQuery, Depends(map_query(None, extra=("theme",)))]


@router.get(
    "/maps/landuse",
    response_class=HTMLResponse,
    openapi_extra=map_openapi(None),
    summary="Land-use map: class, plot ratio, 亩均 grade, inefficiency themes",
)
def landuse_map_page(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: LanduseMapQ
) -> HTMLResponse:
    """Parcels by land-use class (legend in 亩), and for planners the plot ratio, grade and
    inefficiency/idle-clock themes, switched in the page. Signed-in roles only."""
    m = landuse_map(
        session,
        principal,
        settings,
        bbox=q.bbox,
        filters=q.filters,
        basemap=q.basemap,
        lang=q.lang,
    )
    return map_response(m, q, "parkgis-landuse.html")


ReportQ = Annotated[dict[str, str], Depends(own_query("f", "lang", "bbox"))]


@router.get(
    "/reports/landuse",
    summary="Printable land-use report (HTML, PDF or XLSX)",
    openapi_extra=_doc(("f", "html (default), pdf or xlsx"), ("lang", "zh or en"), _BBOX),
    response_model=None,
)
def landuse_report_page(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: ReportQ
) -> Response:
    """The summary, the worst 20 parcels by each indicator and the inefficient land with
    its clocks (planner and admin)."""
    fmt = _format(q, "f", ("html", "pdf", "xlsx"))
    lang = q.get("lang") or settings.zone.language
    if lang not in ("zh", "en"):
        raise InvalidQuery(f"unknown language {lang!r}; use zh or en", field="lang")
    today = zone_today(settings.zone.timezone)
    data = landuse_report(session, principal, settings, today=today, scope=_scope(q))
    if fmt == "xlsx":
        return _xlsx(report_xlsx(data), f"landuse-report-{today.isoformat()}.xlsx")
    html = report_html(data, lang=lang, principal=principal)
    if fmt == "pdf":
        return Response(
            report_pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="landuse-report-{today}.pdf"'},
        )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
