"""The land-use map (``/maps/landuse``, ``parkgis map landuse``): one parcel layer, themes
switched in the page.

Built from the same functions as the API: parcels from
:func:`parkgis.features.feature_collection`, class areas from
:func:`parkgis.landuse.landuse_summary`, and each parcel's theme facts (indicators,
grades, inefficiency types and idle clocks) from :func:`parkgis.landuse.themes.theme_facts`.

Above ``PARKGIS_TILES_MAP_THRESHOLD`` parcels in scope (the caller's parcels meeting the
bbox) the parcels are not inlined: they come from the land-use vector tiles
(``/tiles/landuse``, :mod:`parkgis.tiles.landuse`), which carry the same theme keys and
numbers per role, drawn by :mod:`parkgis.maps.landuse_tiles`; the legend's areas still
come from the summary. AMap basemaps keep the inline form (tiles cannot be shifted to
GCJ-02).

Themes (each parcel carries one colour per theme the caller may see; a small control
restyles the layer and shows that theme's legend section):

- ``class``: land-use class, in the palette of ``parkgis/data/land_use.csv`` (the usual
  hues of Chinese planning maps: residential yellow, commercial red, industrial browns
  from light class 1 to dark class 3, logistics purple, roads grey, green space green,
  water blue; the official RGB table of the 用地用海 classification could not be sourced,
  so this is a documented palette, not the standard's). The legend gives each class's
  area in 亩.
- ``plot_ratio``: industrial parcels' plot ratio against the minimum for their industry.
- ``grade``: the land holder's 亩均 grade A–D.
- ``inefficient``: the inefficiency type; land supplied but not used is coloured by its
  idle-land clock (not yet due, fee due, may be taken back).

Roles: anonymous callers get 401 (none of this map is public); investment staff see the
class theme only; officers the class and plot-ratio themes; planners and admins all four.
Popups carry each parcel's numbers, as far as the role may see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidQuery
from parkgis.features import feature_collection
from parkgis.features.params import parse_bbox
from parkgis.geo import M2_PER_MU
from parkgis.landuse.inefficient import TYPES
from parkgis.landuse.reference import land_use_classes
from parkgis.landuse.scope import Scope
from parkgis.landuse.summary import landuse_summary
from parkgis.landuse.themes import THEMES, THEMES_BY_ROLE, theme_facts, themes_for
from parkgis.maps.core import LegendItem, LegendSection, ParkMap, add_geojson, base_map, finish
from parkgis.maps.i18n import Lang, register, resolve_lang, status_label, t
from parkgis.maps.landuse_js import CSS, SCRIPT
from parkgis.maps.page import PageData
from parkgis.maps.zone_tiles import tiled_layers, zoom_note
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

__all__ = ["THEMES", "THEMES_BY_ROLE", "landuse_map", "themes_for"]

NONE_COLOR = "#e9ecef"
"""Parcels a theme says nothing about (not industrial, not graded, not inefficient)."""
PLOT_RATIO_COLORS = {
    "below_80": "#c92a2a",
    "below": "#f59f00",
    "ok": "#2f9e44",
    "no_data": "#adb5bd",
}
GRADE_COLORS = {"A": "#2b8a3e", "B": "#94d82d", "C": "#fab005", "D": "#e03131"}
INEFFICIENT_COLORS = {
    "approved_not_supplied": "#74c0fc",
    "supplied_not_used": "#ffd43b",
    "supplied_not_used.fee": "#fd7e14",
    "supplied_not_used.take_back": "#862e9c",
    "used_not_fully": "#e64980",
    "built_not_producing": "#495057",
    "producing_below_standard": "#c92a2a",
}

register(
    {
        "map.landuse.title": ("土地利用评价图", "Land-use review map"),
        "landuse.theme": ("专题", "Theme"),
        "landuse.theme.class": ("用地分类", "Land-use class"),
        "landuse.theme.plot_ratio": ("容积率对标", "Plot ratio vs minimum"),
        "landuse.theme.grade": ("亩均评价等级", "Per-mu grade"),
        "landuse.theme.inefficient": ("低效用地与闲置时钟", "Inefficient land, idle clock"),
        "landuse.layer": ("地块", "Parcels"),
        "landuse.pr.below_80": ("低于下限80%", "Below 80% of the minimum"),
        "landuse.pr.below": ("低于下限", "Below the minimum"),
        "landuse.pr.ok": ("达标", "Meets the minimum"),
        "landuse.pr.no_data": ("无数据", "No data"),
        "landuse.none": ("不适用", "Not applicable"),
        "landuse.grade": ("等级", "Grade"),
        "landuse.not_graded": ("未评价", "Not graded"),
        "landuse.ineff.fee": ("闲置满一年（征收20%闲置费）", "Idle over a year (20% fee)"),
        "landuse.ineff.take_back": (
            "闲置满两年（可无偿收回）",
            "Idle over two years (may be taken back)",
        ),
        "landuse.ineff.waiting": ("供而未用（未满一年）", "Supplied, not used (under a year)"),
        "landuse.efficient": ("未列入低效用地", "Not inefficient"),
        "landuse.plot_ratio": ("容积率", "Plot ratio"),
        "landuse.area_mu": ("面积（亩）", "Area (mu)"),
        "landuse.min_plot_ratio": ("容积率下限", "Minimum plot ratio"),
        "landuse.coefficient": ("建筑系数", "Building coefficient"),
        "landuse.check": ("控制指标", "Control indicators"),
        "landuse.check.ok": ("达标", "Met"),
        "landuse.check.below_minimum": ("未达标", "Below the minimum"),
        "landuse.check.no_data": ("无数据", "No data"),
        "landuse.simplified": (
            "离线文件：{n} 个地块已简化绘制（约 {m} 米）",
            "Offline file: {n} parcels drawn simplified (about {m} m)",
        ),
        "landuse.type": ("低效类型", "Inefficiency"),
        "landuse.clock": ("距约定开工（天）", "Days since agreed start"),
        "landuse.fee": ("闲置费（元）", "Idle fee (CNY)"),
        "landuse.truncated": (
            "地块过多，仅显示部分；请用 bbox 缩小范围",
            "Too many parcels; narrow with bbox",
        ),
    }
)


def _class_name(code: Any, lang: Lang) -> str:
    info = land_use_classes().get(str(code), {})
    name = info.get("name_zh" if lang == "zh" else "name_en") or ""
    return f"{code} {name}".strip()


def type_label(key: str, lg: Lang) -> str:
    """The name of an inefficiency colour key's type (``supplied_not_used.fee`` → 供而未用)."""
    zh, en = TYPES[key.split(".", 1)[0]]
    return zh if lg == "zh" else en


def check_label(key: str, lg: Lang) -> str:
    """The words of a control-indicator check (``ok``, ``below_minimum``, ``no_data``)."""
    return t(f"landuse.check.{key}", lg)


def _info(p: Mapping[str, Any], lg: Lang, facts: Mapping[str, Any]) -> list[Any]:
    """One parcel's popup values for the page script: code, class, status, 亩, then (when
    the role may see them) holder, plot ratio, minimum, coefficient, check, grade, type,
    days since the agreed start and the idle fee. ``facts`` are the parcel's
    :meth:`~parkgis.landuse.themes.ThemeFacts.properties`. Text reaches the page via
    js_literal and is shown with textContent."""
    m2 = p.get("area_m2")
    out: list[Any] = [
        p.get("code"),
        _class_name(p.get("land_use"), lg),
        status_label(str(p.get("status")), lg),
        round(m2 / M2_PER_MU, 1) if isinstance(m2, int | float) else None,
    ]
    if "check" in facts:
        out += [
            facts.get("holder_en" if lg == "en" else "holder"),
            facts.get("plot_ratio"),
            facts.get("min_plot_ratio"),
            facts.get("building_coefficient"),
            check_label(facts["check"], lg),
        ]
    if "grade" in facts or "ineff" in facts:
        out += [None] * (9 - len(out))
        out += [
            facts.get("grade"),
            type_label(facts["ineff"], lg) if "ineff" in facts else None,
            facts.get("days"),
            facts.get("fee_cny"),
        ]
    while out and out[-1] is None:
        out.pop()
    return out


def _round_coords(geom: dict[str, Any], digits: int = 6) -> None:
    """Round a GeoJSON geometry's lon/lat in place (6 decimals ≈ 0.1 m)."""

    def walk(c: Any) -> Any:
        if c and isinstance(c[0], int | float):
            return [round(float(v), digits) for v in c]
        return [walk(x) for x in c]

    if geom and "coordinates" in geom:
        geom["coordinates"] = walk(geom["coordinates"])


def _legend(
    themes: tuple[str, ...], lg: Lang, class_mu: Mapping[str, float]
) -> list[LegendSection]:
    classes = land_use_classes()
    out = [
        LegendSection(
            t("landuse.theme.class", lg),
            [
                LegendItem(
                    f"class-{code}",
                    classes.get(code, {}).get("color") or "#cccccc",
                    f"{_class_name(code, lg)} · {mu:,.1f} {t('unit.mu', lg)}",
                )
                for code, mu in sorted(class_mu.items())
            ],
        )
    ]
    if "plot_ratio" in themes:
        out.append(
            LegendSection(
                t("landuse.theme.plot_ratio", lg),
                [
                    LegendItem(f"pr-{k}", c, t(f"landuse.pr.{k}", lg))
                    for k, c in PLOT_RATIO_COLORS.items()
                ]
                + [LegendItem("pr-none", NONE_COLOR, t("landuse.none", lg))],
            )
        )
    if "grade" in themes:
        out.append(
            LegendSection(
                t("landuse.theme.grade", lg),
                [LegendItem(f"grade-{g}", c, g) for g, c in GRADE_COLORS.items()]
                + [LegendItem("grade-none", NONE_COLOR, t("landuse.not_graded", lg))],
            )
        )
    if "inefficient" in themes:
        labels = {
            "supplied_not_used": t("landuse.ineff.waiting", lg),
            "supplied_not_used.fee": t("landuse.ineff.fee", lg),
            "supplied_not_used.take_back": t("landuse.ineff.take_back", lg),
        }
        items = []
        for k, c in INEFFICIENT_COLORS.items():
            base = TYPES.get(k)
            label = labels.get(k) or (base[0] if lg == "zh" else base[1]) if base else labels[k]
            items.append(LegendItem(f"ineff-{k}", c, label))
        items.append(LegendItem("ineff-none", NONE_COLOR, t("landuse.efficient", lg)))
        out.append(LegendSection(t("landuse.theme.inefficient", lg), items))
    return out


def landuse_map(
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
    """The land-use map with its switchable themes (see the module docstring).

    Parameters
    ----------
    session : Session
        Read only.
    principal : Principal
        Signed-in caller; the role decides the themes and popup rows (401 anonymous).
    settings : Settings
        Basemap, language, page-size limit, ``PARKGIS_TILES_MAP_THRESHOLD`` (above it the
        parcels come from ``/tiles/landuse``) and the land-use settings.
    bbox : (min lon, min lat, max lon, max lat) or "a,b,c,d", optional
        EPSG:4326 degrees; parcels intersecting it (figures: parcels whose point on
        surface lies in it).
    filters : mapping, optional
        ``theme``: the theme shown first (default ``class``). Nothing else.
    basemap, lang : str, optional
        Override ``PARKGIS_BASEMAP`` / ``PARKGIS_LANGUAGE``.
    today : date, optional
        Zone date of the idle clocks (default: today in the zone).

    Raises
    ------
    Unauthorized
        Anonymous caller.
    InvalidQuery
        Unknown theme or filter, bad bbox, basemap or language.
    """
    themes = themes_for(principal)
    opts = dict(filters or {})
    first = str(opts.pop("theme", None) or "class")
    if opts:
        name = next(iter(opts))
        raise InvalidQuery(f"unknown parameter {name!r}; this map takes theme", field=name)
    if first not in THEMES:
        raise InvalidQuery(f"unknown theme {first!r}; use {', '.join(THEMES)}", field="theme")
    if first not in themes:
        first = "class"
    box = parse_bbox(bbox) if isinstance(bbox, str) else bbox
    scope = Scope(bbox=box)
    lg = resolve_lang(lang, settings.zone.language)
    day = today or zone_today(settings.zone.timezone)
    summary = landuse_summary(session, principal, by="class", scope=scope)
    class_mu = {c["code"]: c["area_mu"] for c in summary["zone"]["classes"]}
    m = base_map(settings, basemap=basemap, lang=lg, title=t("map.landuse.title", lg))
    data: dict[str, Any] = {
        "themes": [{"key": th, "label": t(f"landuse.theme.{th}", lg)} for th in themes],
        "first": first,
        "label": t("landuse.theme", lg),
        "fields": [t(k, lg) for k in FIELD_LABELS],
    }
    notes: list[str] = []
    # Above PARKGIS_TILES_MAP_THRESHOLD parcels, the parcels come from /tiles/landuse.
    tiled = tiled_layers(m, session, principal, settings, box, None, collections=("parcels",))
    if "parcels" in tiled:
        from parkgis.maps.landuse_tiles import add_landuse_tiled

        data["tiled"] = add_landuse_tiled(
            m,
            session,
            principal,
            settings,
            themes=themes,
            first=first,
            styles=theme_styles(themes),
            rows=tiled["parcels"],
            bbox=box,
            today=day,
        )
        notes.append(zoom_note("parcels", t("landuse.layer", lg), lg))
        script, names = SCRIPT.replace("__LAYER__", "null"), {"__MAP__": m}
    else:
        layer, data["info"], truncated = _inline_layer(
            m, session, principal, settings, themes, first, box, day
        )
        notes += [t("landuse.truncated", lg)] if truncated else []
        script, names = SCRIPT, {"__MAP__": m, "__LAYER__": layer}
    m.add_child(
        PageData(
            "LanduseThemes", data, data_id="pg-landuse-data", css=CSS, script=script, names=names
        )
    )
    return finish(m, legend=_legend(themes, lg, class_mu), bbox=box, notes=notes)


FIELD_LABELS = (
    "field.code",
    "field.land_use",
    "field.status",
    "landuse.area_mu",
    "field.holder",
    "landuse.plot_ratio",
    "landuse.min_plot_ratio",
    "landuse.coefficient",
    "landuse.check",
    "landuse.grade",
    "landuse.type",
    "landuse.clock",
    "landuse.fee",
)
"""Labels of the popup rows, in the order of :func:`_info`'s values."""


def theme_styles(themes: tuple[str, ...]) -> dict[str, tuple[str, dict[str, str]]]:
    """Per theme, the tile property that colours a parcel and its colour table."""
    classes = land_use_classes()
    out: dict[str, tuple[str, dict[str, str]]] = {
        "class": ("land_use", {c: v.get("color") or "#cccccc" for c, v in classes.items()}),
        "plot_ratio": ("pr", dict(PLOT_RATIO_COLORS)),
        "grade": ("grade", dict(GRADE_COLORS)),
        "inefficient": ("ineff", dict(INEFFICIENT_COLORS)),
    }
    return {th: out[th] for th in themes}


def _inline_layer(
    m: ParkMap,
    session: Session,
    principal: Principal,
    settings: Settings,
    themes: tuple[str, ...],
    first: str,
    box: tuple[float, float, float, float] | None,
    day: date,
) -> tuple[Any, dict[str, list[Any]], bool]:
    """The parcels inline as GeoJSON with one colour per theme (``c_<theme>``).

    Returns the layer, each parcel's popup values (:func:`_info`) and whether the page
    limit cut the parcels short.
    """
    lg: Lang = "en" if m.lang == "en" else "zh"
    limit = settings.api.max_limit
    fc = feature_collection(session, "parcels", principal, bbox=box, limit=limit, max_limit=limit)
    facts = theme_facts(session, settings.landuse, today=day, themes=themes, scope=Scope(bbox=box))
    styles = theme_styles(themes)
    info: dict[str, list[Any]] = {}
    for feat in fc.get("features", []):
        props = feat.get("properties") or {}
        pid, holder = int(props.get("id") or 0), props.get("holder_enterprise_id")
        own = facts.properties(themes, pid, holder if isinstance(holder, int) else None)
        values = {"land_use": str(props.get("land_use")), **own}
        for theme, (by, colors) in styles.items():
            missing = "#cccccc" if theme == "class" else NONE_COLOR
            props[f"c_{theme}"] = colors.get(str(values.get(by)), missing)
        info[str(pid)] = _info(props, lg, own)
        _round_coords(feat.get("geometry") or {})
    layer = add_geojson(
        m,
        fc,
        kind="landuse",
        name=t("landuse.layer", lg),
        style=lambda p: {
            "color": "#343a40",
            "weight": 0.6,
            "fillColor": p.get(f"c_{first}", NONE_COLOR),
            "fillOpacity": 0.75,
        },
        keep=("id", *(f"c_{th}" for th in themes)),
    )
    truncated = fc.get("numberMatched", 0) > fc.get("numberReturned", 0)
    return layer, info, truncated
