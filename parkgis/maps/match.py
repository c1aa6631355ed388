"""The match map (``/maps/match/{request_id}``): a saved shortlist on the zone.

Candidates are drawn numbered by rank (spaces, parcels and combined units in their own
colours), near-misses in grey, the firm's current site (or the requested place) with the
distance limit, and same-chain firms nearby. Popups list the checks of each candidate.

The shortlist comes from :func:`parkgis.matching.get_match` and the firms from
:func:`parkgis.features.feature_collection` / ``get_feature``, the functions the API
uses. Every text is escaped (:mod:`parkgis.maps.safe`); the page works offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
from shapely.geometry import shape
from sqlalchemy.orm import Session

from parkgis.access import Principal, can_read
from parkgis.errors import InvalidQuery, NotFound
from parkgis.features import feature_collection, get_feature
from parkgis.geo import M2_PER_MU
from parkgis.maps.basemaps import display_lonlat
from parkgis.maps.core import LegendItem, LegendSection, ParkMap, add_geojson, base_map, finish
from parkgis.maps.i18n import Lang, register, resolve_lang, t
from parkgis.maps.parcels import address
from parkgis.maps.safe import SafePopup, popup_html, safe_text
from parkgis.matching.distance import envelope_deg
from parkgis.matching.service import get_match
from parkgis.pages.codes import code_label
from parkgis.settings import Settings

KIND_COLORS = {"space": "#1c7ed6", "space_group": "#7048e8", "parcel": "#2f9e44"}
NEAR_MISS_COLOR = "#868e96"
SITE_COLOR = "#e03131"
CHAIN_COLOR = "#f08c00"
CHAIN_SHOWN_MAX = 30
"""More same-chain firms than this are clustered and start hidden, so they never bury the
candidates."""

register(
    {
        "map.match.title": ("匹配结果 #{id}", "Match #{id}"),
        "layer.match.candidates": ("候选（按排名）", "Candidates (by rank)"),
        "layer.match.near_misses": ("接近满足", "Near-misses"),
        "layer.match.site": ("企业现址", "Firm's current site"),
        "layer.match.place": ("指定位置", "Requested place"),
        "layer.match.chain": ("同产业链企业", "Same-chain firms"),
        "legend.match": ("匹配", "Match"),
        "kind.space": ("厂房单元", "Space"),
        "kind.space_group": ("组合单元", "Combined units"),
        "kind.parcel": ("地块", "Parcel"),
        "match.score": ("得分", "Score"),
        "match.rank": ("排名", "Rank"),
        "match.distance": ("距离（m）", "Distance (m)"),
        "match.chain_firms": ("附近同链企业", "Same-chain firms nearby"),
        "match.units": ("单元", "Units"),
        "match.floor": ("楼层", "Floor"),
        "match.building": ("厂房", "Building"),
        "match.rent": ("租金（元/m²/月）", "Rent (CNY/m²/month)"),
        "match.available_from": ("可用日期", "Available from"),
        "match.criterion": ("条件", "Criterion"),
        "match.required": ("要求", "Required"),
        "match.actual": ("实际", "Actual"),
        "match.failed": ("未满足：", "Missed: "),
        "match.max_distance": ("距离上限 {m} m", "Within {m} m"),
        "match.summary": (
            "考察 {considered} 个，满足 {matched} 个",
            "{considered} considered, {matched} matched",
        ),
        "criterion.floor_area_m2": ("建筑面积（m²）", "Floor area (m²)"),
        "criterion.land_area_m2": ("用地面积（m²）", "Land area (m²)"),
        "criterion.clear_height_m": ("净高（m）", "Clear height (m)"),
        "criterion.floor_load_t_m2": ("承重（t/m²）", "Floor load (t/m²)"),
        "criterion.power_kva": ("电力（kVA）", "Power (kVA)"),
        "criterion.crane_t": ("行车（t）", "Crane (t)"),
        "criterion.ground_floor": ("首层", "Ground floor"),
        "criterion.pollution_class": ("工业用地类别", "Industrial class"),
        "criterion.max_rent_cny_m2_month": ("租金上限", "Max. rent"),
        "criterion.max_price_cny_m2": ("地价上限", "Max. land price"),
        "criterion.available_by": ("最迟可用", "Available by"),
        "criterion.near.max_distance_m": ("距离上限（m）", "Max. distance (m)"),
        "match.floor_n": ("{n} 层", "floor {n}"),
        "match.chain_hidden": (
            "附近 {n} 家同链企业已聚合并默认隐藏，可在图层控件中打开",
            "{n} same-chain firms nearby are clustered and start hidden: turn them on in the "
            "layer list",
        ),
        "yes": ("是", "Yes"),
        "no": ("否", "No"),
    }
)


def _fmt(value: Any, lang: Lang = "zh", criterion: str = "") -> str:
    """A check's required/actual value as plain (unescaped) text, in words: yes/no for
    flags, "floor 2" for a floor, whole metres for distances."""
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if criterion == "ground_floor" and isinstance(value, int):
        return t("match.floor_n", lang).format(n=value)
    if criterion.endswith("distance_m") and isinstance(value, int | float):
        return f"{value:,.0f} m"
    if isinstance(value, dict):
        lo, hi = value.get("min"), value.get("max")
        lo_s = f"{lo:,.0f}" if isinstance(lo, int | float) else ""
        hi_s = f"{hi:,.0f}" if isinstance(hi, int | float) else ""
        return f"{lo_s}–{hi_s}" if lo is not None and hi is not None else lo_s or f"≤ {hi_s}"
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


_CELL = ' style="padding:1px 10px 1px 0"'


def _checks_table(checks: list[dict[str, Any]], lang: Lang) -> str:
    head = (
        f"<tr><th{_CELL}>{safe_text(t('match.criterion', lang))}</th>"
        f"<th{_CELL}>{safe_text(t('match.required', lang))}</th>"
        f"<th{_CELL}>{safe_text(t('match.actual', lang))}</th><th></th></tr>"
    )
    rows = []
    for c in checks:
        mark = "✓" if c.get("ok") else "✗"
        crit = str(c.get("criterion"))
        style = "" if c.get("ok") else ' style="color:#c92a2a;font-weight:600"'
        rows.append(
            f"<tr{style}><td{_CELL}>"
            f"{safe_text(t('criterion.' + str(c.get('criterion')), lang))}</td>"
            f"<td{_CELL}>{safe_text(_fmt(c.get('required'), lang, crit))}</td>"
            f"<td{_CELL}>{safe_text(_fmt(c.get('actual'), lang, crit))}</td><td>{mark}</td></tr>"
        )
    return f'<table class="checks" style="margin-top:6px">{head}{"".join(rows)}</table>'


def candidate_popup(p: Mapping[str, Any], lang: Lang, *, near: bool = False) -> str:
    """Popup HTML of one candidate: what it is, its score, and every check."""
    kind = str(p.get("kind"))
    title = f"#{p.get('rank')} {t('kind.' + kind, lang)} {p.get('code') or p.get('id')}"
    area = p.get("area_m2")
    units = p.get("units") or []
    rows: list[tuple[Any, Any]] = [
        (t("match.score", lang), p.get("score")),
        (
            t("field.area", lang),
            None
            if area is None
            else f"{area:,.0f} m² ({area / M2_PER_MU:,.1f} {t('unit.mu', lang)})",
        ),
        (
            t("match.distance", lang),
            None if p.get("distance_m") is None else f"{float(p['distance_m']):,.0f}",
        ),
        (t("match.building", lang), p.get("building_name")),
        (t("match.floor", lang), p.get("floor")),
        (t("match.rent", lang), p.get("rent_cny_m2_month")),
        (t("field.price_cny_m2", lang), p.get("price_cny_m2")),
        (t("match.available_from", lang), p.get("available_from")),
        (t("match.chain_firms", lang), p.get("chain_firms_nearby")),
        (t("match.units", lang), ", ".join(str(u.get("code") or u.get("id")) for u in units)),
    ]
    if near:
        failed = p.get("failed")
        rows.insert(0, (t("match.failed", lang), t(f"criterion.{failed}", lang)))
    card = popup_html(title, rows, css_class="match-near" if near else "match")
    return card[: -len("</div>")] + _checks_table(list(p.get("checks") or []), lang) + "</div>"


def _request_id(filters: dict[str, Any]) -> int:
    raw = filters.pop("request_id", None)
    try:
        rid = int(raw) if raw is not None else None
    except (TypeError, ValueError):
        rid = None
    if rid is None or not 1 <= rid <= 2**31 - 1:
        raise InvalidQuery("request_id must be the id of a saved match", field="request_id")
    return rid


def match_map(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    filters: Mapping[str, Any] | None = None,
    basemap: str | None = None,
    lang: str | None = None,
) -> ParkMap:
    """The map of a saved match (``filters["request_id"]``), for officer/investment/admin.

    Parameters
    ----------
    filters : mapping
        ``request_id``: the saved match (``ExpansionRequest``) to draw. Nothing else.
    bbox : optional
        EPSG:4326 degrees; only the view when the match has nothing to draw.
    basemap, lang : str, optional
        Override ``PARKGIS_BASEMAP`` / ``PARKGIS_LANGUAGE``.

    Raises
    ------
    InvalidQuery
        No or bad ``request_id``, or an unknown parameter.
    NotFound, Unauthorized, Forbidden
        As :func:`parkgis.matching.get_match`.
    """
    rest = dict(filters or {})
    rid = _request_id(rest)
    if rest:
        name = next(iter(rest))
        raise InvalidQuery(f"unknown parameter {name!r}; this map takes request_id", field=name)
    result = get_match(session, rid, principal)
    lg = resolve_lang(lang, settings.zone.language)
    m = base_map(settings, basemap=basemap, lang=lg, title=t("map.match.title", lg).format(id=rid))
    feats = result.get("features", [])
    near = result.get("near_misses", [])
    add_geojson(
        m,
        {"type": "FeatureCollection", "features": near},
        kind="near_misses",
        name=t("layer.match.near_misses", lg),
        style=lambda p: {
            "color": "#495057",
            "weight": 1,
            "dashArray": "4 3",
            "fillColor": NEAR_MISS_COLOR,
            "fillOpacity": 0.35,
        },
        popup=lambda p: candidate_popup(p, lg, near=True),
        tooltip=lambda p: f"{t('match.failed', lg)}{t('criterion.' + str(p.get('failed')), lg)}",
        keep=("id", "kind", "rank"),
    )
    add_geojson(
        m,
        {"type": "FeatureCollection", "features": feats},
        kind="candidates",
        name=t("layer.match.candidates", lg),
        style=lambda p: {
            "color": "#212529",
            "weight": 2,
            "fillColor": KIND_COLORS.get(str(p.get("kind")), "#1c7ed6"),
            "fillOpacity": 0.6,
        },
        popup=lambda p: candidate_popup(p, lg),
        tooltip=lambda p: f"#{p.get('rank')} · {t('kind.' + str(p.get('kind')), lg)}",
        keep=("id", "kind", "rank"),
    )
    _rank_markers(m, feats, lg)
    _origin(session, principal, m, result, lg)
    hidden = _chain_firms(session, principal, settings, m, result, lg)
    limit = (result.get("criteria", {}).get("near") or {}).get("max_distance_m")
    circle = (
        [
            LegendItem(
                "max_distance",
                SITE_COLOR,
                t("match.max_distance", lg).format(m=f"{float(limit):,.0f}"),
                "line",
            )
        ]
        if limit and result.get("origin")
        else []
    )
    legend = [
        LegendSection(
            t("legend.match", lg),
            [
                *(LegendItem(k, c, t(f"kind.{k}", lg)) for k, c in KIND_COLORS.items()),
                LegendItem("near_misses", NEAR_MISS_COLOR, t("layer.match.near_misses", lg)),
                LegendItem("site", SITE_COLOR, t("layer.match.site", lg), "circle"),
                *circle,
                LegendItem("chain", CHAIN_COLOR, t("layer.match.chain", lg), "circle"),
            ],
        )
    ]
    summary = t("match.summary", lg).format(
        considered=result.get("considered", 0), matched=result.get("matched", 0)
    )
    notes = [summary]
    if hidden:
        notes.append(t("match.chain_hidden", lg).format(n=hidden))
    return finish(m, legend=legend, bbox=bbox if not isinstance(bbox, str) else None, notes=notes)


def _rank_markers(m: ParkMap, feats: list[dict[str, Any]], lang: Lang) -> None:
    group = folium.FeatureGroup(name=safe_text(t("match.rank", lang)))
    for f in feats:
        if not f.get("geometry"):
            continue
        p = f["properties"]
        pt = shape(f["geometry"]).representative_point()
        lon, lat = display_lonlat(pt.x, pt.y, m.basemap)
        color = KIND_COLORS.get(str(p.get("kind")), "#1c7ed6")
        html = (
            f'<div class="parkgis-rank" data-rank="{int(p["rank"])}" style="background:{color};'
            "color:#fff;border:2px solid #fff;border-radius:50%;width:24px;height:24px;"
            "line-height:20px;text-align:center;font:600 12px/20px system-ui,sans-serif;"
            f'box-shadow:0 1px 4px rgba(0,0,0,.5)">{int(p["rank"])}</div>'
        )
        marker = folium.Marker(
            [lat, lon], icon=folium.DivIcon(html=html, icon_size=(24, 24), icon_anchor=(12, 12))
        )
        marker.add_child(SafePopup(candidate_popup(p, lang)))
        marker.add_to(group)
    group.add_to(m)


def _origin(
    session: Session, principal: Principal, m: ParkMap, result: dict[str, Any], lang: Lang
) -> None:
    origin = result.get("origin")
    if not origin:
        return
    firm_id = origin.get("enterprise_id")
    site: dict[str, Any] | None = None
    if firm_id is not None and can_read(principal, "enterprises"):
        try:
            site = get_feature(session, "enterprises", principal, firm_id)
        except NotFound:
            site = None
    if site is None:
        site = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [origin["lon"], origin["lat"]]},
            "properties": {"id": firm_id, "name": t("layer.match.place", lang)},
        }
    add_geojson(
        m,
        {"type": "FeatureCollection", "features": [site]},
        kind="site",
        name=t("layer.match.site" if firm_id else "layer.match.place", lang),
        popup=lambda p: popup_html(
            (p.get("name_en") if lang == "en" else None) or p.get("name"),
            [(t("field.address", lang), address(p, lang))],
        ),
        tooltip=lambda p: p.get("name"),
        marker=folium.Marker(icon=folium.Icon(color="red", icon="star", prefix="fa")),
    )
    limit = (result.get("criteria", {}).get("near") or {}).get("max_distance_m")
    if limit:
        lon, lat = display_lonlat(float(origin["lon"]), float(origin["lat"]), m.basemap)
        folium.Circle(
            [lat, lon],
            radius=float(limit),
            color=SITE_COLOR,
            weight=1,
            dash_array="6 4",
            fill=False,
            tooltip=safe_text(t("match.max_distance", lang).format(m=f"{float(limit):,.0f}")),
        ).add_to(m)


def _chain_firms(
    session: Session,
    principal: Principal,
    settings: Settings,
    m: ParkMap,
    result: dict[str, Any],
    lang: Lang,
) -> int:
    """Same-chain firms around the candidates; when there are more than
    :data:`CHAIN_SHOWN_MAX` they are clustered and start hidden (returns how many then)."""
    chain = result.get("industry_chain")
    feats = result.get("features", [])
    if not chain or not feats or not can_read(principal, "enterprises"):
        return 0
    bounds = [shape(f["geometry"]).bounds for f in feats if f.get("geometry")]
    w, s = min(b[0] for b in bounds), min(b[1] for b in bounds)
    e, n = max(b[2] for b in bounds), max(b[3] for b in bounds)
    dx, dy = envelope_deg((s + n) / 2, settings.match.affinity_radius_m)
    firm_id = (result.get("origin") or {}).get("enterprise_id")
    fc = feature_collection(
        session,
        "enterprises",
        principal,
        bbox=(w - dx, s - dy, e + dx, n + dy),
        filters={"industry_chain": chain},
        limit=settings.api.max_limit,
        max_limit=settings.api.max_limit,
    )
    fc["features"] = [f for f in fc["features"] if f["properties"].get("id") != firm_id]
    many = len(fc["features"]) > CHAIN_SHOWN_MAX

    def firm_name(p: Mapping[str, Any]) -> Any:
        return (p.get("name_en") if lang == "en" else None) or p.get("name")

    add_geojson(
        m,
        fc,
        kind="chain_firms",
        name=t("layer.match.chain", lang),
        popup=lambda p: popup_html(
            firm_name(p),
            [(t("field.industry_chain", lang), code_label("chain", p.get("industry_chain"), lang))],
        ),
        tooltip=firm_name,
        show=not many,
        cluster=many,
        marker=folium.CircleMarker(
            radius=6,
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color=CHAIN_COLOR,
            fill_opacity=0.95,
        ),
    )
    return len(fc["features"]) if many else 0
