"""The battle map (``/maps/projects``, ``parkgis map projects``): every project on its
parcel with its stage, next milestone and days late; overdue ones ringed in red.

- Data: :func:`parkgis.projects.supervision.project_statuses` (the rows of
  ``GET /api/v1/projects/board``) and :func:`parkgis.projects.timeline.stage_frames`; no
  SQL here. Filters are the board's: ``stage``, ``industry_chain``/``chain``,
  ``officer_id``/``officer``, ``overdue`` and ``bbox``.
- Drawing: one marker per project, coloured by stage (:data:`STAGE_COLORS`, the palette of
  every page), sized by investment, clustered when zoomed out (leaflet.markercluster);
  a project with a parcel also colours the parcel polygon. Overdue: a red ring and a
  ``!`` badge on the marker, a red dashed outline on the parcel, a red count on clusters.
- Time slider: one frame per month over the last ``PARKGIS_PROJECTS_SLIDER_MONTHS`` (24)
  months, the stage at each month's end; the last frame is today.
- Size: the data is one compact JSON block (rows as arrays, coordinates rounded to
  ~0.1 m, officer names once), popups are built in the browser from texts escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import orjson
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.maps.basemaps import Basemap, display_geojson, display_lonlat, shifts_data
from parkgis.maps.controls import FilterControl, add_filter_controls
from parkgis.maps.core import LegendItem, LegendSection, ParkMap, base_map, finish
from parkgis.maps.i18n import Lang, register, resolve_lang, t
from parkgis.maps.page import PageData
from parkgis.maps.projects_js import CSS, SCRIPT
from parkgis.maps.safe import safe_text
from parkgis.pages.codes import code_choices
from parkgis.pages.contrast import readable_text
from parkgis.projects.filters import filter_from_query
from parkgis.projects.milestones import (
    ALL_PROJECT_STAGES,
    OVERDUE_COLOR,
    PROJECT_STAGES,
    STAGE_CODES,
    STAGE_COLORS,
    stage_label,
)
from parkgis.projects.supervision import ProjectStatus, project_statuses
from parkgis.projects.timeline import stage_frames
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

register(
    {
        "map.projects.title": ("项目作战图", "Project battle map"),
        "layer.projects": ("项目", "Projects"),
        "layer.project_parcels": ("项目地块", "Project parcels"),
        "legend.project_stage": ("项目阶段", "Project stage"),
        "legend.overdue": ("逾期", "Overdue"),
        "legend.overdue_ring": ("红圈 ! = 有逾期节点", "Red ring ! = overdue milestone"),
        "legend.size": ("圆点大小 = 投资额", "Dot size = investment"),
        "project.firm": ("企业", "Firm"),
        "project.investment": ("投资额", "Investment"),
        "project.stage": ("阶段", "Stage"),
        "project.reason": ("原因", "Reason"),
        "project.next": ("下一节点", "Next milestone"),
        "project.officer": ("首席服务官", "Officer"),
        "project.yi": ("亿元", "million"),
        "project.late": ("逾期 {n} 天", "{n} days late"),
        "project.left": ("还有 {n} 天", "due in {n} days"),
        "project.timeline": ("查看进度时间轴 →", "Timeline →"),
        "project.slider": ("各月末项目阶段", "Project stages at month end"),
        "project.count": ("{n} 个项目", "{n} projects"),
        "project.history": ("（历史月份不标逾期）", "(past months: no overdue marks)"),
    }
)

ROW = {
    k: i
    for i, k in enumerate(
        (
            "id",
            "lat",
            "lon",
            "name",
            "firm",
            "yi",
            "stage",
            "next",
            "planned",
            "late",
            "left",
            "overdue",
            "officer",
            "parcel",
            "hist",
            "reason",
        )
    )
}
"""Position of each value in a project row of the page data."""

DATA_ID = "pg-projects-data"

_CLUSTER_ICON = """function (cluster) {
    var ms = cluster.getAllChildMarkers(), late = 0, n = cluster.getChildCount();
    for (var k = 0; k < ms.length; k++) { if (ms[k].pgLate) { late++; } }
    return L.divIcon({
      html: '<div><span>' + n + '</span></div>' +
        (late ? '<b class="pg-cluster-late">' + late + '</b>' : ''),
      className: 'pg-cluster' + (late ? ' pg-cluster-has-late' : ''),
      iconSize: new L.Point(40, 40)
    });
}"""

_MC = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"


class ProjectMarkers(JSCSSMixin, Layer):
    """The clustered marker layer (markers are added by the ``ProjectBoard`` page data)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if ({{ this._parent.get_name() }}.options.maxZoom === undefined) {
            {{ this._parent.get_name() }}.options.maxZoom = 19;  // no tiles: cluster needs it
        }
        var {{ this.get_name() }} = L.markerClusterGroup({
            chunkedLoading: true, maxClusterRadius: 50, disableClusteringAtZoom: 17,
            showCoverageOnHover: false, iconCreateFunction: {{ this.icon_js }}
        });
        {% endmacro %}
        """
    )
    default_js = [("leaflet.markercluster", _MC + "leaflet.markercluster.js")]
    default_css = [
        ("markerclustercss", _MC + "MarkerCluster.css"),
        ("markerclusterdefault", _MC + "MarkerCluster.Default.css"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ProjectMarkers"
        self.icon_js = _CLUSTER_ICON


class ProjectParcels(Layer):
    """The layer of project parcel polygons."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        {% endmacro %}
        """
    )

    def __init__(self, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ProjectParcels"


def _round(coords: Any, nd: int) -> Any:
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), nd) for c in coords[:2]]
    return [_round(c, nd) for c in coords]


def _shapes(rows: list[ProjectStatus], basemap: Basemap) -> dict[str, Any]:
    geoms = {
        str(r.parcel_id): orjson.loads(r.parcel_geojson)["coordinates"]
        for r in rows
        if r.parcel_id is not None and r.parcel_geojson
    }
    if shifts_data(basemap):
        feats = [
            {"type": "Feature", "id": k, "geometry": {"type": "MultiPolygon", "coordinates": c}}
            for k, c in geoms.items()
        ]
        shown = display_geojson({"type": "FeatureCollection", "features": feats}, basemap)
        geoms = {f["id"]: _round(f["geometry"]["coordinates"], 6) for f in shown["features"]}
    return {k: [[_open(ring) for ring in poly] for poly in c] for k, c in geoms.items()}


def _open(ring: list[Any]) -> list[Any]:
    """A ring without its closing vertex (Leaflet closes polygons itself)."""
    return ring[:-1] if len(ring) > 3 and ring[0] == ring[-1] else ring


def _project_row(r: ProjectStatus, hist: str, basemap: Basemap) -> list[Any]:
    lon, lat = display_lonlat(r.lon, r.lat, basemap)
    nxt = r.next_dict()
    row: list[Any] = [None] * len(ROW)
    row[ROW["id"]] = r.id
    row[ROW["lat"]] = round(lat, 6)
    row[ROW["lon"]] = round(lon, 6)
    row[ROW["name"]] = safe_text(r.name)
    row[ROW["firm"]] = safe_text(r.enterprise_name) or None
    row[ROW["yi"]] = None if r.investment_yi is None else round(r.investment_yi, 2)
    row[ROW["stage"]] = STAGE_CODES[r.stage]
    if nxt is not None:
        row[ROW["next"]] = PROJECT_STAGES.index(nxt["stage"])
        row[ROW["planned"]] = nxt["planned"]
        row[ROW["late"]] = nxt["days_late"]
        row[ROW["left"]] = nxt["days_left"]
    row[ROW["overdue"]] = r.days_late
    row[ROW["officer"]] = r.officer_id
    row[ROW["parcel"]] = r.parcel_id
    row[ROW["hist"]] = hist
    row[ROW["reason"]] = safe_text(r.stage_reason) or None
    return row


def map_data(
    rows: list[ProjectStatus],
    frames: tuple[list[str], dict[int, str]],
    *,
    lang: Lang,
    basemap: Basemap,
    link_base: str = "",
) -> dict[str, Any]:
    """The battle map's page data: stages, labels, frames, officers, parcels and rows.

    Every text is escaped with :func:`safe_text`; coordinates are EPSG:4326 (GCJ-02 when
    the basemap is AMap) rounded to 6 decimals.
    """
    labels, codes = frames
    keys = "firm investment stage reason next officer yi late left timeline slider count history"
    return {
        "stages": [
            {
                "key": s,
                "code": STAGE_CODES[s],
                "label": safe_text(stage_label(s, lang)),
                "color": STAGE_COLORS[s],
                "text": readable_text(STAGE_COLORS[s]),  # WCAG AA on every chip
            }
            for s in ALL_PROJECT_STAGES
        ],
        "codes": {STAGE_CODES[s]: i for i, s in enumerate(ALL_PROJECT_STAGES)},
        "labels": {k: safe_text(t(f"project.{k}", lang)) for k in keys.split()},
        "overdue_color": OVERDUE_COLOR,
        "link_base": safe_text(link_base.rstrip("/")),
        "en": lang == "en",
        "frames": labels,
        "row": ROW,
        "officers": {
            str(r.officer_id): safe_text(r.officer_name) for r in rows if r.officer_id is not None
        },
        "parcels": _shapes(rows, basemap),
        "projects": [_project_row(r, codes[r.id], basemap) for r in rows],
    }


def projects_map(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    filters: Mapping[str, Any] | None = None,
    basemap: str | None = None,
    lang: str | None = None,
    today: date | None = None,
    link_base: str = "",
) -> ParkMap:
    """The project battle map for ``principal`` (any signed-in role; 401 for anonymous).

    Parameters
    ----------
    bbox : (min lon, min lat, max lon, max lat) or "a,b,c,d", optional
        EPSG:4326 degrees; keeps projects whose point or parcel intersects it.
    filters : mapping, optional
        ``stage``, ``industry_chain``/``chain``, ``officer_id``/``officer`` (comma lists)
        and ``overdue`` (1/0), as strings; anything else is refused (400).
    today : date, optional
        The zone's date (default: today in ``PARKGIS_TIMEZONE``).
    link_base : str
        Prefix of the timeline links in popups (e.g. the app's URL for a downloaded file).

    Raises
    ------
    Unauthorized, Forbidden
        The caller may not read projects.
    InvalidQuery
        An unknown filter or a malformed value.
    """
    params = {k: str(v) for k, v in (filters or {}).items() if v is not None}
    if bbox is not None:
        params["bbox"] = bbox if isinstance(bbox, str) else ",".join(str(v) for v in bbox)
    f = filter_from_query(params)
    tz = settings.zone.timezone
    day = today or zone_today(tz)
    rows = project_statuses(session, principal, today=day, filters=f, with_parcels=True, digits=6)
    frames = stage_frames(session, rows, today=day, tz=tz, months=settings.projects.slider_months)
    lng = resolve_lang(lang, settings.zone.language)
    m = base_map(settings, basemap=basemap, lang=lng, title=t("map.projects.title", lng))
    data = map_data(rows, frames, lang=m.lang, basemap=m.basemap, link_base=link_base)
    parcels = ProjectParcels(safe_text(t("layer.project_parcels", m.lang)))
    markers = ProjectMarkers(safe_text(t("layer.projects", m.lang)))
    parcels.add_to(m)
    markers.add_to(m)
    board = PageData(
        "ProjectBoard",
        data,
        data_id=DATA_ID,
        css=CSS,
        script=SCRIPT,
        names={"__MAP__": m, "__MARKERS__": markers, "__PARCELS__": parcels},
    )
    m.add_child(board)
    m.feature_count += len(rows)
    if rows:
        lats = [p[ROW["lat"]] for p in data["projects"]]
        lons = [p[ROW["lon"]] for p in data["projects"]]
        m.data_bounds.append((min(lons), min(lats), max(lons), max(lats)))
    add_filter_controls(m, _controls(rows, params, m.lang), m.lang)
    finish(m, legend=_legend(m.lang), bbox=f.bbox)
    return m


def _controls(rows: Sequence[Any], params: Mapping[str, str], lang: Lang) -> list[FilterControl]:
    """Stage, chain and officer drop-downs (officers: those of the projects shown)."""
    officers = sorted(
        {(str(r.officer_id), r.officer_name) for r in rows if r.officer_id is not None},
        key=lambda o: o[1] or "",
    )
    return [
        FilterControl(
            "stage",
            t("project.stage", lang),
            [(s, stage_label(s, lang)) for s in ALL_PROJECT_STAGES],
            params.get("stage", ""),
        ),
        FilterControl(
            "industry_chain",
            t("field.industry_chain", lang),
            code_choices("chain", lang),
            params.get("industry_chain", ""),
        ),
        FilterControl(
            "officer_id",
            t("project.officer", lang),
            [(i, n or i) for i, n in officers],
            params.get("officer_id", ""),
            names=True,
        ),
    ]


def _legend(lang: Lang) -> list[LegendSection]:
    stages = LegendSection(
        t("legend.project_stage", lang),
        [
            LegendItem(s, STAGE_COLORS[s], stage_label(s, lang), "circle")
            for s in ALL_PROJECT_STAGES
        ],
    )
    late = LegendSection(
        t("legend.overdue", lang),
        [
            LegendItem("overdue", OVERDUE_COLOR, t("legend.overdue_ring", lang), "circle"),
            LegendItem("size", "#777777", t("legend.size", lang), "circle"),
        ],
    )
    return [stages, late]
