"""The investment map (``/maps/prospect``): what is on offer, around it, and why here.

Public-safe for every caller (it is shown to prospects): land and plant come from
:func:`parkgis.features.feature_collection` read as an anonymous caller (available parcels,
vacant spaces, public fields only), whoever asks. Land is drawn in green and plant in
blue, darker for larger size classes in mu (亩). Roads, rail and landmarks come from
``context_features`` (the demo street grid and demo landmarks when it is empty). Industry
clusters are aggregates (chain and firm count) shown only from
``PARKGIS_PROSPECT_CLUSTER_MIN_FIRMS`` firms; only public-anchor firms are named. An
optional map approval number (审图号) is shown bottom-left.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import shapely
from branca.element import Element
from shapely.geometry import mapping, shape
from sqlalchemy.orm import Session

from parkgis.access import ANONYMOUS, Principal
from parkgis.features import feature_collection
from parkgis.features.params import parse_bbox
from parkgis.geo import M2_PER_MU
from parkgis.maps.core import LegendItem, LegendSection, ParkMap, add_geojson, base_map, finish
from parkgis.maps.i18n import Lang, resolve_lang, t
from parkgis.maps.safe import popup_html, safe_text
from parkgis.prospect.clusters import chain_clusters, public_anchors
from parkgis.prospect.context import context_lines, landmarks
from parkgis.prospect.labels import SIZE_CLASSES_MU, size_class
from parkgis.prospect.sites import zone_srid
from parkgis.settings import Settings

LAND_COLORS = ("#b2f2bb", "#69db7c", "#37b24d", "#1b5e20")
PLANT_COLORS = ("#a5d8ff", "#4dabf7", "#1c7ed6", "#0b3d91")
PLANT_RADII = (5, 7, 9, 12)
ROAD_COLOR = "#868e96"
RAIL_COLOR = "#5f3dc4"
LANDMARK_COLOR = "#1c3d5a"
CLUSTER_COLOR = "#f08c00"
ANCHOR_COLOR = "#c2255c"


def _mu(m2: Any, lang: Lang) -> str | None:
    if m2 is None:
        return None
    return (
        f"{float(m2):,.0f} {t('unit.m2', lang)} ({float(m2) / M2_PER_MU:,.1f} {t('unit.mu', lang)})"
    )


def _sheet_link(kind: str, p: Mapping[str, Any], lang: Lang) -> str:
    label = safe_text(t("pr.find.sheet", lang))
    return f'<a class="sheet-link" href="/sites/{kind}/{int(p["id"])}?lang={lang}">{label}</a>'


def _land_popup(p: Mapping[str, Any], lang: Lang) -> str:
    rows = [
        (t("pr.f.area", lang), _mu(p.get("area_m2"), lang)),
        (t("pr.f.land_use", lang), p.get("land_use")),
        (t("pr.f.price", lang), p.get("price_cny_m2")),
        (t("pr.f.max_far", lang), p.get("max_far")),
        (t("pr.f.address", lang), p.get("address")),
    ]
    link = _sheet_link("parcel", p, lang)
    return popup_html(p.get("code"), rows, css_class="land") + link


def _plant_popup(p: Mapping[str, Any], lang: Lang) -> str:
    rows = [
        (t("pr.f.area", lang), _mu(p.get("area_m2"), lang)),
        (t("pr.f.floor", lang), p.get("floor")),
        (t("pr.f.clear_height_m", lang), p.get("clear_height_m")),
        (t("pr.f.floor_load_t_m2", lang), p.get("floor_load_t_m2")),
        (t("pr.f.power_kva", lang), p.get("power_kva")),
        (t("pr.f.rent", lang), p.get("rent_cny_m2_month")),
        (t("pr.f.available_from", lang), p.get("available_from")),
    ]
    link = _sheet_link("space", p, lang)
    return popup_html(p.get("code"), rows, css_class="plant") + link


def _as_points(fc: dict[str, Any]) -> dict[str, Any]:
    """The same features with each geometry replaced by a point inside it (EPSG:4326)."""
    feats = []
    for f in fc.get("features", []):
        g = f.get("geometry")
        if not g:
            continue
        pt = shapely.point_on_surface(shape(g))
        feats.append({**f, "geometry": mapping(pt)})
    return {"type": "FeatureCollection", "features": feats}


def _size_items(colors: tuple[str, ...], lang: Lang, key: str, shape_: str) -> list[LegendItem]:
    unit = t("unit.mu", lang)
    return [
        LegendItem(f"{key}-{i}", colors[i], f"{label} {unit}", shape_)
        for i, (_, _, label) in enumerate(SIZE_CLASSES_MU)
    ]


def prospect_map(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    filters: Mapping[str, Any] | None = None,
    basemap: str | None = None,
    lang: str | None = None,
) -> ParkMap:
    """The public-safe investment map.

    Parameters
    ----------
    session : Session
        Read only.
    principal : Principal
        Not used for the data: the map always shows what anonymous callers may see.
    settings : Settings
        Basemap, language, ``settings.prospect`` (cluster threshold, 审图号).
    bbox : (min lon, min lat, max lon, max lat) or "a,b,c,d", optional
        EPSG:4326 degrees; land, plant and roads are limited to it.
    filters : mapping, optional
        Unused (the map takes no filters).
    basemap, lang : str, optional
        Override ``PARKGIS_BASEMAP`` / ``PARKGIS_LANGUAGE``.
    """
    del principal, filters  # public-safe: the same map for everyone
    box = parse_bbox(bbox) if isinstance(bbox, str) else bbox
    lg = resolve_lang(lang, settings.zone.language)
    srid = zone_srid(settings)
    m = base_map(settings, basemap=basemap, lang=lg, title=t("map.prospect.title", lg))
    limit = settings.api.max_limit
    land = feature_collection(
        session,
        "parcels",
        ANONYMOUS,
        bbox=box,
        limit=limit,
        max_limit=limit,
        filters={"status": "available"},
    )
    plant = feature_collection(
        session,
        "spaces",
        ANONYMOUS,
        bbox=box,
        limit=limit,
        max_limit=limit,
        filters={"status": "vacant"},
    )
    roads, demo_roads = context_lines(session, box)
    add_geojson(
        m,
        roads,
        kind="context",
        name=t("map.prospect.roads", lg),
        style=lambda p: {
            "color": RAIL_COLOR if p.get("kind") in ("rail", "metro") else ROAD_COLOR,
            "weight": 1 if demo_roads else 3,
            "fillColor": "#ffffff",
            "fillOpacity": 0.5,
        },
        tooltip=lambda p: (p.get("name_en") if lg == "en" else None) or p.get("name"),
        keep=(),
    )
    add_geojson(
        m,
        land,
        kind="land",
        name=t("map.prospect.land", lg),
        style=lambda p: {
            "color": "#2b8a3e",
            "weight": 1,
            "fillColor": LAND_COLORS[size_class(_area_mu(p))],
            "fillOpacity": 0.75,
        },
        popup=lambda p: _land_popup(p, lg),
        tooltip=lambda p: f"{p.get('code')} · {_area_mu(p) or 0:,.1f} {t('unit.mu', lg)}",
    )
    add_geojson(
        m,
        _as_points(plant),
        kind="plant",
        name=t("map.prospect.plant", lg),
        marker=folium.CircleMarker(radius=6, weight=1, fill=True),
        style=lambda p: {
            "color": "#0b3d91",
            "weight": 1,
            "fillColor": PLANT_COLORS[size_class(_area_mu(p))],
            "fillOpacity": 0.9,
            "radius": PLANT_RADII[size_class(_area_mu(p))],
        },
        popup=lambda p: _plant_popup(p, lg),
        tooltip=lambda p: f"{p.get('code')} · {p.get('area_m2') or 0:,.0f} {t('unit.m2', lg)}",
    )
    marks = landmarks(session, srid)
    marks_fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [mk.lon, mk.lat]},
                "properties": {"label": f"{t('pr.lm.' + mk.subtype, lg)} · {mk.label(lg)}"},
            }
            for mk in marks
        ],
    }
    add_geojson(
        m,
        marks_fc,
        kind="landmarks",
        name=t("map.prospect.landmarks", lg),
        marker=folium.Marker(icon=folium.Icon(color="darkblue", icon="location-dot", prefix="fa")),
        tooltip=lambda p: p.get("label"),
        keep=(),
    )
    if marks:  # a far airport or port must not zoom the view out of the zone
        m.data_bounds.pop()
    ps = settings.prospect
    clusters = chain_clusters(session, srid=srid, min_firms=ps.cluster_min_firms)
    add_geojson(
        m,
        clusters,
        kind="clusters",
        name=t("map.prospect.chains", lg),
        marker=folium.CircleMarker(radius=14, weight=2, fill=True),
        style=lambda p: {
            "color": CLUSTER_COLOR,
            "weight": 2,
            "fillColor": CLUSTER_COLOR,
            "fillOpacity": 0.25,
            "radius": min(22, 8 + int(p.get("firms") or 0) // 10),
        },
        tooltip=lambda p: (
            f"{p.get('name_en') if lg == 'en' else p.get('name_zh')} · "
            f"{int(p.get('firms') or 0)} {t('pr.u.firms', lg)}"
        ),
        keep=(),
    )
    anchors = public_anchors(session)
    add_geojson(
        m,
        anchors,
        kind="anchors",
        name=t("map.prospect.anchors", lg),
        marker=folium.Marker(icon=folium.Icon(color="red", icon="star", prefix="fa")),
        tooltip=lambda p: (p.get("name_en") if lg == "en" else None) or p.get("name"),
        keep=(),
    )
    legend = [
        LegendSection(
            f"{t('map.prospect.land', lg)} · {t('map.prospect.size', lg)}",
            _size_items(LAND_COLORS, lg, "land", "square"),
        ),
        LegendSection(
            f"{t('map.prospect.plant', lg)} · {t('map.prospect.size', lg)}",
            _size_items(PLANT_COLORS, lg, "plant", "circle"),
        ),
        LegendSection(
            t("map.prospect.context", lg),
            [
                LegendItem("roads", ROAD_COLOR, t("map.prospect.roads", lg), "line"),
                LegendItem("landmarks", LANDMARK_COLOR, t("map.prospect.landmarks", lg), "circle"),
                LegendItem("clusters", CLUSTER_COLOR, t("map.prospect.chains", lg), "circle"),
                LegendItem("anchors", ANCHOR_COLOR, t("map.prospect.anchors", lg), "circle"),
            ],
        ),
    ]
    notes = [t("map.prospect.cluster_note", lg).replace("{n}", str(ps.cluster_min_firms))]
    if demo_roads or any(mk.demo for mk in marks):
        notes.append(t("map.prospect.demo_context", lg))
    finish(m, legend=legend, bbox=box, notes=notes)
    if ps.approval_number:
        label = safe_text(f"{t('pr.sheet.approval', lg)}: {ps.approval_number}")
        m.get_root().html.add_child(  # type: ignore[attr-defined]
            Element(
                '<div id="parkgis-approval" style="position:absolute;left:10px;bottom:2px;'
                "z-index:1001;font:11px sans-serif;background:rgba(255,255,255,.85);"
                f'padding:0 4px">{label}</div>'
            )
        )
    return m


def _area_mu(p: Mapping[str, Any]) -> float | None:
    v = p.get("area_mu")
    if v is not None:
        return float(v)
    m2 = p.get("area_m2")
    return float(m2) / M2_PER_MU if m2 is not None else None
