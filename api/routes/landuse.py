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

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from starlette.responses import HTMLResponse, Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.pages import FrameDep, page_response
from api.params import bbox as bbox_param
from api.params import from_query, one_of, openapi_for, param
from api.params import lang as lang_param
from api.responses import JSONResponse
from api.routes.maps import MapQuery, map_openapi, map_query, map_response
from parkgis.errors import InvalidQuery
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
from parkgis.landuse.indicators import CHECKS
from parkgis.landuse.inefficient import TYPES
from parkgis.landuse.report import (
    landuse_report,
    report_context,
    report_html,
    report_pdf,
    report_title,
    report_xlsx,
)
from parkgis.landuse.scope import GROUP_BYS
from parkgis.maps.landuse import landuse_map
from parkgis.params import BBox
from parkgis.zonetime import zone_today

router = APIRouter(tags=["landuse"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BBOX = "minLon,minLat,maxLon,maxLat (EPSG:4326 degrees)"


@dataclass(frozen=True)
class SummaryParams:
    """``GET /api/v1/landuse/summary``."""

    by: str = param(one_of(*GROUP_BYS), default="zone", description="zone, grid, class or status")
    bbox: BBox | None = param(bbox_param, description=_BBOX)
    format: str = param(one_of("json", "xlsx"), default="json", description="json or xlsx")


@dataclass(frozen=True)
class ParcelsParams:
    """``GET /api/v1/landuse/parcels``."""

    bbox: BBox | None = param(bbox_param, description=_BBOX)
    check: str | None = param(one_of(*CHECKS), description="ok, below_minimum or no_data")


@dataclass(frozen=True)
class FirmsParams:
    """``GET /api/v1/landuse/firms``."""

    format: str = param(one_of("json", "xlsx"), default="json", description="json or xlsx")


@dataclass(frozen=True)
class IneffParams:
    """``GET /api/v1/landuse/inefficient``."""

    bbox: BBox | None = param(bbox_param, description=_BBOX)
    type: str | None = param(one_of(*TYPES), description="one type, e.g. supplied_not_used")


@dataclass(frozen=True)
class ReportParams:
    """``GET /reports/landuse``."""

    f: str = param(one_of("html", "pdf", "xlsx"), default="html", description="html, pdf, xlsx")
    lang: str | None = param(lang_param, description="zh or en")
    bbox: BBox | None = param(bbox_param, description=_BBOX)


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


SummaryQ = Annotated[SummaryParams, Depends(from_query(SummaryParams))]


@router.get(
    "/api/v1/landuse/summary",
    summary="Land use by class in m², ha and 亩; rates, intensity, references",
    openapi_extra=openapi_for(SummaryParams),
)
def summary(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: SummaryQ
) -> Response:
    """Area by land-use class (geodesic m², ha, 亩) with zone rates, intensity and
    reference figures, grouped by zone, grid area, class or status; `format=xlsx`."""
    today = zone_today(settings.zone.timezone)
    data = landuse_summary(session, principal, by=q.by, scope=Scope(bbox=q.bbox), today=today)
    if q.format == "xlsx":
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


ParcelsQ = Annotated[ParcelsParams, Depends(from_query(ParcelsParams))]


@router.get(
    "/api/v1/landuse/parcels",
    summary="Control indicators per industrial parcel",
    openapi_extra=openapi_for(ParcelsParams),
)
def parcels(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: ParcelsQ
) -> JSONResponse:
    """Plot ratio (storeys over 8 m twice) against the minimum for the holder's industry,
    and building coefficient against its floor, per industrial parcel."""
    rows = parcel_indicators(
        session, principal, settings.landuse, scope=Scope(bbox=q.bbox), check=q.check
    )
    return JSONResponse({"parcels": rows, "count": len(rows)})


FirmsQ = Annotated[FirmsParams, Depends(from_query(FirmsParams))]


@router.get(
    "/api/v1/landuse/firms",
    summary="亩均 evaluation: firms' land, indicators, scores and grades A-D",
    openapi_extra=openapi_for(FirmsParams),
)
def firms(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: FirmsQ
) -> Response:
    """Every firm with land: apportioned land in 亩, tax/output per 亩 and the other
    indicators, score against the zone average and grade (planner and admin only)."""
    data = evaluate_firms(session, principal, settings.landuse)
    if q.format == "xlsx":
        return _xlsx(firms_xlsx(data), "landuse-firms.xlsx")
    return JSONResponse(data)


IneffQ = Annotated[IneffParams, Depends(from_query(IneffParams))]


@router.get(
    "/api/v1/landuse/inefficient",
    summary="Inefficient land by type (批而未供 … 投而未达标) with idle clocks",
    openapi_extra=openapi_for(IneffParams),
)
def inefficient(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, q: IneffQ
) -> JSONResponse:
    """Each parcel in at most one of the five types, with the idle-land clock."""
    today = zone_today(settings.zone.timezone)
    data = inefficient_land(
        session, principal, settings.landuse, today=today, scope=Scope(bbox=q.bbox), kind=q.type
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


ReportQ = Annotated[ReportParams, Depends(from_query(ReportParams))]


@router.get(
    "/reports/landuse",
    summary="Printable land-use report (HTML, PDF or XLSX)",
    openapi_extra=openapi_for(ReportParams),
    response_model=None,
)
def landuse_report_page(
    session: SessionDep, frame: FrameDep, settings: SettingsDep, q: ReportQ
) -> Response:
    """The summary, the worst 20 parcels by each indicator and the inefficient land with
    its clocks (planner and admin): `f=html` in the page frame, `pdf` or `xlsx`."""
    today = zone_today(settings.zone.timezone)
    data = landuse_report(session, frame.principal, settings, today=today, scope=Scope(bbox=q.bbox))
    if q.f == "xlsx":
        return _xlsx(report_xlsx(data), f"landuse-report-{today.isoformat()}.xlsx")
    if q.f == "pdf":
        html = report_html(data, lang=frame.lang, principal=frame.principal)
        return Response(
            report_pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="landuse-report-{today}.pdf"'},
        )
    ctx = report_context(data, lang=frame.lang, principal=frame.principal)
    return page_response(
        frame, "landuse_report_page.html", title=report_title(frame.lang), printable=True, **ctx
    )
