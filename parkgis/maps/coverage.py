"""The coverage map (``/maps/coverage``, ``parkgis map coverage``): officer territories,
firms coloured by this month's visit status, gaps highlighted, a filter by officer, and
(``officer_id=…&route=1``) the suggested visiting route.

Data: :func:`parkgis.coverage.coverage_for` (what ``GET /api/v1/coverage`` returns),
:func:`parkgis.features.feature_collection` for the firm points and
:func:`parkgis.coverage.route.visit_route` (``GET /api/v1/officers/{id}/route``); no SQL here.
"""

from __future__ import annotations

import colorsys
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import folium
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.route import visit_route
from parkgis.coverage.territories import Coverage, OfficerCoverage, Overlap, coverage_for
from parkgis.errors import InvalidInput, InvalidQuery
from parkgis.features import feature_collection
from parkgis.features.params import parse_bbox
from parkgis.maps.basemaps import display_lonlat
from parkgis.maps.core import LegendItem, LegendSection, ParkMap, add_geojson, base_map, finish
from parkgis.maps.coverage_js import CSS, SCRIPT
from parkgis.maps.i18n import Lang, register, resolve_lang, t
from parkgis.maps.page import PageData
from parkgis.maps.safe import popup_html, safe_text
from parkgis.settings import Settings
from parkgis.zonetime import parse_month

register(
    {
        "map.coverage.title": ("服务覆盖图", "Officer coverage"),
        "layer.territories": ("服务片区", "Territories"),
        "layer.cov_firms": ("企业走访状态", "Firms by visit status"),
        "layer.route": ("走访路线", "Visit route"),
        "layer.route_order": ("走访顺序", "Visiting order"),
        "cov.start.office": ("起点：办公地点", "Start: the office"),
        "cov.start.centroid": ("起点：企业中心（无办公地点）", "Start: centre of the firms"),
        "legend.visit_status": ("本月走访", "Visited this month"),
        "legend.territory": ("每位官员一种颜色", "One colour per officer"),
        "cov.visited": ("已走访", "Visited"),
        "cov.not_visited": ("本月未走访", "Not visited this month"),
        "cov.unassigned": ("无服务官员", "No officer"),
        "cov.officer": ("服务官员", "Officer"),
        "cov.all": ("全部官员", "All officers"),
        "cov.filter": ("按官员筛选", "Filter by officer"),
        "cov.firms": ("企业数", "Firms"),
        "cov.above": ("规上企业", "Above designated size"),
        "cov.projects": ("在建项目", "Projects in flight"),
        "cov.open": ("未办结诉求", "Open requests"),
        "cov.overdue": ("超期诉求", "Overdue requests"),
        "cov.spread": ("片区跨度 (km)", "Spread (km)"),
        "cov.visits": ("本月走访/接待", "Visits / receptions"),
        "cov.missed": ("本月未走访企业", "Firms not visited"),
        "cov.source": ("片区来源", "Territory from"),
        "cov.source.grid": ("网格", "grid areas"),
        "cov.source.hull": ("企业分布", "firm locations"),
        "cov.month": ("月份：{m}", "Month: {m}"),
        "cov.gaps": ("{n} 家企业无服务官员", "{n} firms without an officer"),
        "cov.overlaps": (
            "服务重叠 {n} 处：{firms} 对官员同时服务同一企业，{areas} 对片区重叠超过 {ha} 公顷"
            "（仅相邻或略有交叠的片区不计）",
            "{n} service overlaps: {firms} pairs of officers serve the same firm, {areas} pairs "
            "share more than {ha} ha of territory (territories that only touch or graze are "
            "not counted)",
        ),
        "cov.stop": ("第 {n} 站", "Stop {n}"),
        "cov.route_len": ("路线 {km} km，{n} 站", "Route {km} km, {n} stops"),
        "cov.no_route": ("本月企业均已走访，无需路线", "All firms visited: no route needed"),
        "cov.route_link": ("查看此官员的走访路线", "Show this officer's visit route"),
    }
)

STATUS_COLORS = {"visited": "#2f9e44", "not_visited": "#f08c00", "unassigned": "#e03131"}
"""Fill colour of a firm by its visit status this month."""
ROUTE_COLOR = "#1864ab"
START_COLOR = "#212529"
DATA_ID = "pg-coverage-data"
MAP_FILTERS = ("officer_id", "month", "route")


def meaningful_overlaps(
    overlaps: Sequence[Overlap], min_m2: float
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Officer pairs that serve a firm twice, and pairs sharing at least ``min_m2`` of
    territory (``PARKGIS_COVERAGE_OVERLAP_MIN_M2``; m² in the zone's projected CRS)."""
    twice = [ov.officer_ids for ov in overlaps if ov.shared_enterprise_ids]
    big = [ov.officer_ids for ov in overlaps if ov.area_m2 >= min_m2]
    return twice, big


def officer_color(officer_id: int) -> str:
    """A distinct colour per officer (golden-angle hues), as ``#rrggbb``."""
    hue = (officer_id * 0.381966) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.45, 0.65)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _options(filters: Mapping[str, Any] | None, tz: str) -> tuple[int | None, Any, bool]:
    raw = {k: v for k, v in (filters or {}).items() if v is not None}
    unknown = sorted(set(raw) - set(MAP_FILTERS))
    if unknown:
        raise InvalidQuery(
            f"unknown parameter {unknown[0]!r}; the coverage map takes: "
            + ", ".join((*MAP_FILTERS, "bbox", "basemap", "lang", "download")),
            field=unknown[0],
        )
    officer_id = None
    if raw.get("officer_id") not in (None, ""):
        try:
            officer_id = int(str(raw["officer_id"]))
        except ValueError as exc:
            msg = f"{raw['officer_id']!r} is not an officer id"
            raise InvalidQuery(msg, field="officer_id") from exc
    try:
        month = parse_month(str(raw["month"]), tz) if raw.get("month") else None
    except InvalidInput as exc:
        raise InvalidQuery(exc.message, field="month") from exc
    route = str(raw.get("route", "0")).strip().lower()
    if route not in ("0", "1", "true", "false", ""):
        raise InvalidQuery(f"{route!r} is not 1/0", field="route")
    return officer_id, month, route in ("1", "true")


def _territory_popup(o: OfficerCoverage, lang: Lang) -> str:
    rows = [
        (t("cov.firms", lang), o.firms),
        (t("cov.above", lang), o.firms_above_scale),
        (t("cov.projects", lang), o.projects_in_flight),
        (t("cov.open", lang), o.open_requests),
        (t("cov.overdue", lang), o.overdue_requests),
        (t("cov.spread", lang), o.spread_km),
        (t("cov.visits", lang), f"{o.visits_this_month} / {o.receptions_this_month}"),
        (t("cov.missed", lang), o.not_visited_this_month),
        (t("cov.source", lang), t(f"cov.source.{o.source}", lang)),
    ]
    return popup_html(o.name, rows, css_class="territory")


def _firm_status(cov: Coverage, scoped: bool) -> dict[int, tuple[str, list[int]]]:
    """Firm id → (visit status, its officers); firms outside the scope are left out."""
    out: dict[int, tuple[str, list[int]]] = {}
    for o in cov.officers:
        missed = set(o.not_visited_ids)
        for e in o.enterprise_ids:
            status, officers = out.get(e, ("visited", []))
            if e in missed:
                status = "not_visited"
            out[e] = (status, [*officers, o.officer_id])
    if not scoped:
        for e in cov.unassigned_enterprises:
            out[e] = ("unassigned", [])
    return out


def coverage_map(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    filters: Mapping[str, Any] | None = None,
    basemap: str | None = None,
    lang: str | None = None,
    today: date | None = None,
) -> ParkMap:
    """The coverage map for ``principal`` (officers: their own territory and firms).

    Parameters
    ----------
    bbox : (min lon, min lat, max lon, max lat) or "a,b,c,d", optional
        EPSG:4326 degrees; firms outside it are left out (territories are kept whole).
    filters : mapping, optional
        ``officer_id`` (one officer), ``month`` (``YYYY-MM``, default this month in the
        zone) and ``route=1`` (with ``officer_id``: draw the visit route), as strings.

    Raises
    ------
    Unauthorized, Forbidden, NotFound, InvalidQuery
        As ``GET /api/v1/coverage``; ``route=1`` without ``officer_id``; bad parameters.
    """
    box = parse_bbox(bbox) if isinstance(bbox, str) else bbox
    officer_id, month, want_route = _options(filters, settings.zone.timezone)
    if principal.role == "officer" and officer_id is None:
        officer_id = principal.officer_id
    if want_route and officer_id is None:
        raise InvalidQuery("route=1 needs officer_id", field="route")
    cov = coverage_for(
        session, principal, settings, officer_id=officer_id, month=month, today=today
    )
    lg = resolve_lang(lang, settings.zone.language)
    m = base_map(settings, basemap=basemap, lang=lg, title=t("map.coverage.title", lg))
    fc = cov.feature_collection()
    by_id = cov.by_officer()
    for f in fc["features"]:
        f["properties"]["__popup_html"] = _territory_popup(by_id[f["id"]], lg)
    fc["features"] = [f for f in fc["features"] if f["geometry"] is not None]
    terr = add_geojson(
        m,
        fc,
        kind="territories",
        name=t("layer.territories", lg),
        style=lambda p: {
            "color": officer_color(int(p["officer_id"])),
            "weight": 2,
            "fillColor": officer_color(int(p["officer_id"])),
            "fillOpacity": 0.18,
        },
        popup=lambda p: p["__popup_html"],
        tooltip=lambda p: p.get("name"),
        keep=("id", "officer_id"),
    )
    status = _firm_status(cov, scoped=officer_id is not None)
    limit = settings.api.max_limit
    points = feature_collection(
        session, "enterprises", principal, bbox=box, limit=limit, max_limit=limit
    )
    points["features"] = [f for f in points["features"] if f["id"] in status]
    for f in points["features"]:
        f["properties"]["status"], f["properties"]["officer_ids"] = status[f["id"]]
    names = {o.officer_id: o.name for o in cov.officers}
    firms = add_geojson(
        m,
        points,
        kind="coverage_firms",
        name=t("layer.cov_firms", lg),
        style=lambda p: {
            "color": "#ffffff" if p["status"] != "unassigned" else "#7f0000",
            "weight": 1 if p["status"] != "unassigned" else 3,
            "fillColor": STATUS_COLORS[p["status"]],
            "fill": True,
            "fillOpacity": 0.95,
            "radius": 5 if p["status"] == "visited" else 7,
        },
        popup=lambda p: popup_html(
            p.get("name"),
            [
                (t("legend.visit_status", lg), t(f"cov.{p['status']}", lg)),
                (t("cov.officer", lg), ", ".join(names.get(o, str(o)) for o in p["officer_ids"])),
            ],
            css_class="firm",
        ),
        tooltip=lambda p: p.get("name"),
        marker=folium.CircleMarker(radius=6),
        keep=("id", "officer_ids", "status"),
    )
    notes = [t("cov.month", lg).format(m=cov.month)]
    if officer_id is None:
        notes.append(t("cov.gaps", lg).format(n=len(cov.unassigned_enterprises)))
        min_m2 = settings.coverage.overlap_min_m2
        firms_twice, big = meaningful_overlaps(cov.overlaps, min_m2)
        notes.append(
            t("cov.overlaps", lg).format(
                n=len({*firms_twice, *big}),
                firms=len(firms_twice),
                areas=len(big),
                ha=f"{min_m2 / 10_000:g}",
            )
        )
    drawn_route = False
    if want_route and officer_id is not None:
        note, drawn_route = _add_route(m, session, principal, settings, officer_id, cov, lg)
        notes.append(note)
    data = {
        "label": t("cov.filter", lg),
        "all": t("cov.all", lg),
        "officers": [{"id": o.officer_id, "name": o.name} for o in cov.officers],
        "route": t("cov.route_link", lg),
        "current": officer_id,
    }
    board = PageData(
        "OfficerFilter",
        data,
        data_id=DATA_ID,
        css=CSS,
        script=SCRIPT,
        names={"__MAP__": m, "__TERR__": terr, "__FIRMS__": firms},
    )
    m.add_child(board)
    legend = [
        LegendSection(
            t("legend.visit_status", lg),
            [
                LegendItem(k, c, t(f"cov.{k}", lg), "circle")
                for k, c in STATUS_COLORS.items()
                if k != "unassigned" or officer_id is None
            ],
        ),
        LegendSection(
            t("layer.territories", lg),
            [LegendItem("territory", "#868e96", t("legend.territory", lg))],
        ),
    ]
    if drawn_route:
        legend.append(
            LegendSection(
                t("layer.route", lg),
                [
                    LegendItem("route", ROUTE_COLOR, t("layer.route", lg), "line"),
                    LegendItem("start", START_COLOR, t("cov.start.office", lg), "circle"),
                ],
            )
        )
    return finish(m, legend=legend, bbox=box, notes=notes)


def _add_route(
    m: ParkMap,
    session: Session,
    principal: Principal,
    settings: Settings,
    officer_id: int,
    cov: Coverage,
    lg: Lang,
) -> tuple[str, bool]:
    """Draw the visit route; return the legend note and whether there was a route."""
    route = visit_route(session, principal, settings, officer_id, month=cov.month, today=cov.today)
    if not route["stops"]:
        return t("cov.no_route", lg), False
    start = route["start"]
    feats: list[dict[str, Any]] = [
        {"type": "Feature", "id": 0, "geometry": route["geometry"], "properties": {"order": 0}},
        {
            "type": "Feature",
            "id": -1,
            "geometry": {"type": "Point", "coordinates": [start["lon"], start["lat"]]},
            "properties": {"order": 0, "start": start["kind"]},
        },
    ]
    for s in route["stops"]:
        feats.append(
            {
                "type": "Feature",
                "id": s["enterprise_id"],
                "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                "properties": {"order": s["order"], "name": s["name"]},
            }
        )
    add_geojson(
        m,
        {"type": "FeatureCollection", "features": feats},
        kind="route",
        name=t("layer.route", lg),
        style=lambda p: {
            "color": "#ffffff" if p.get("start") else ROUTE_COLOR,
            "weight": 3,
            "fill": bool(p.get("start") or p["order"]),  # points only, never the line
            "fillColor": START_COLOR if p.get("start") else ROUTE_COLOR,
            "fillOpacity": 1.0,
            "radius": 8,
        },
        tooltip=lambda p: (
            f"{t('cov.stop', lg).format(n=p['order'])} · {p['name']}"
            if p["order"]
            else (t(f"cov.start.{p['start']}", lg) if p.get("start") else None)
        ),
        marker=folium.CircleMarker(radius=8, fill=True, fill_opacity=1.0),
        keep=("id", "order"),
    )
    numbers = folium.FeatureGroup(name=safe_text(t("layer.route_order", lg)))
    for s in route["stops"]:
        lon, lat = display_lonlat(s["lon"], s["lat"], m.basemap)
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=f'<div class="pg-stop">{int(s["order"])}</div>',
                icon_size=(22, 22),
                icon_anchor=(11, 30),
                class_name="pg-stop-icon",
            ),
        ).add_to(numbers)
    numbers.add_to(m)
    km = round(route["length_m"] / 1000.0, 2)
    return t("cov.route_len", lg).format(km=km, n=len(route["stops"])), True
