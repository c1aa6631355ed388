"""The zone map (``/maps/parcels``): parcels coloured by status, buildings and firms.

Data comes from :func:`parkgis.features.feature_collection`, the query the API uses, so
the map shows exactly what the caller could read there: anonymous callers see available
parcels with public fields only, and no buildings or firms.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import folium
from sqlalchemy.orm import Session

from parkgis.access import Principal, can_read
from parkgis.db.seed import read_csv
from parkgis.features import feature_collection
from parkgis.features.params import parse_bbox
from parkgis.geo import M2_PER_MU
from parkgis.maps.controls import FilterControl, add_filter_controls
from parkgis.maps.core import LegendItem, LegendSection, ParkMap, add_geojson, base_map, finish
from parkgis.maps.i18n import Lang, register, resolve_lang, status_label, t
from parkgis.maps.safe import popup_html
from parkgis.maps.zone_tiles import add_zone_tiled, tiled_layers, zoom_note
from parkgis.models.base import PARCEL_STATUSES
from parkgis.pages.codes import address_en, code_choices, code_label
from parkgis.settings import Settings

STATUS_COLORS: dict[str, str] = {
    "planned": "#a5b4fc",
    "available": "#2f9e44",
    "granted": "#f59f00",
    "under_construction": "#fd7e14",
    "built": "#1c7ed6",
    "idle": "#e03131",
}
"""Fill colour of each parcel status, in :data:`PARCEL_STATUSES` order."""

BUILDING_COLOR = "#495057"
FIRM_COLOR = "#436978"  # awesome-markers "cadetblue"
CLUSTER_FIRMS_FROM = 100
"""From this many firms on the map, their markers merge into counted clusters."""

register(
    {
        "truncated": (
            "仅显示部分要素，请用 bbox 缩小范围",
            "Not all features shown; narrow with bbox",
        ),
        "field.on_hold": ("预留中", "On hold"),
        "field.held_until": ("预留至", "Held until"),
        "field.industry_code": ("行业", "Industry"),
        "yes": ("是", "Yes"),
        "no": ("否", "No"),
        "filtered_firms_off": (
            "已按地块筛选：企业图层默认关闭，可在图层控件中打开",
            "Parcels are filtered: the firm layer starts hidden (turn it on in the layer list)",
        ),
    }
)


@lru_cache(maxsize=1)
def _land_use_names() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["name_zh"], r["name_en"]) for r in read_csv("land_use.csv")}


@lru_cache(maxsize=1)
def _chain_names() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["name_zh"], r["name_en"]) for r in read_csv("industry_chains.csv")}


def _named(code: Any, names: dict[str, tuple[str, str]], lang: Lang) -> str | None:
    """The code's name (Chinese pages add the code, English pages never show it)."""
    if code is None:
        return None
    pair = names.get(str(code))
    if pair is None:
        return str(code)
    return f"{pair[0]}（{code}）" if lang == "zh" else pair[1]


def yes_no(value: Any, lang: Lang) -> str | None:
    """A flag in words."""
    if value is None:
        return None
    return t("yes" if value else "no", lang)


def hold_rows(props: Mapping[str, Any], lang: Lang) -> list[tuple[str, Any]]:
    """Popup rows saying that a unit is on hold, and until which day."""
    if not props.get("on_hold"):
        return []
    until = str(props.get("held_until") or "")[:10] or None
    return [(t("field.on_hold", lang), t("yes", lang)), (t("field.held_until", lang), until)]


def address(props: Mapping[str, Any], lang: Lang) -> Any:
    """The address in ``lang`` (English pages: the English form when it can be made)."""
    raw = props.get("address")
    if lang == "en":
        return address_en(raw) or raw
    return raw


def _area(props: Mapping[str, Any], lang: Lang, key: str = "area_m2") -> str | None:
    m2 = props.get(key)
    if m2 is None:
        return None
    return f"{m2:,.0f} {t('unit.m2', lang)} ({m2 / M2_PER_MU:,.1f} {t('unit.mu', lang)})"


def _parcel_popup(props: Mapping[str, Any], lang: Lang, firms: Mapping[Any, str]) -> str:
    holder = props.get("holder_enterprise_id")
    rows = [
        (t("field.status", lang), status_label(str(props.get("status")), lang)),
        *hold_rows(props, lang),
        (t("field.land_use", lang), _named(props.get("land_use"), _land_use_names(), lang)),
        (t("field.area", lang), _area(props, lang)),
        (t("field.max_far", lang), props.get("max_far")),
        (t("field.price_cny_m2", lang), props.get("price_cny_m2")),
        (t("field.holder", lang), firms.get(holder, holder) if holder is not None else None),
        (t("field.granted_on", lang), props.get("granted_on")),
        (t("field.address", lang), address(props, lang)),
    ]
    return popup_html(props.get("code"), rows, css_class="parcel")


def _building_popup(props: Mapping[str, Any], lang: Lang) -> str:
    rows = [
        (t("field.floors", lang), props.get("floors")),
        (t("field.gross_floor_area_m2", lang), props.get("gross_floor_area_m2")),
        (t("field.area", lang), _area(props, lang, "footprint_m2")),
        (t("field.owner", lang), props.get("owner")),
    ]
    return popup_html(props.get("name"), rows, css_class="building")


def _firm_name(props: Mapping[str, Any], lang: Lang) -> Any:
    return (props.get("name_en") if lang == "en" else None) or props.get("name")


def _firm_popup(props: Mapping[str, Any], lang: Lang) -> str:
    other = props.get("name") if lang == "en" and props.get("name_en") else props.get("name_en")
    rows = [
        (t("field.name", lang), other),
        (
            t("field.industry_chain", lang),
            _named(props.get("industry_chain"), _chain_names(), lang),
        ),
        (
            t("field.industry_code", lang),
            code_label("industry_code", props.get("industry_code"), lang) or None,
        ),
        (t("field.employees", lang), props.get("employees")),
        (t("field.above_scale", lang), yes_no(props.get("above_scale"), lang)),
        (t("field.address", lang), address(props, lang)),
    ]
    return popup_html(_firm_name(props, lang), rows, css_class="firm")


def _all(
    session: Session,
    collection: str,
    principal: Principal,
    settings: Settings,
    bbox: tuple[float, float, float, float] | None,
    filters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    limit = settings.api.max_limit
    return feature_collection(
        session, collection, principal, bbox=bbox, limit=limit, filters=filters, max_limit=limit
    )


def zone_map(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    filters: Mapping[str, Any] | None = None,
    basemap: str | None = None,
    lang: str | None = None,
) -> ParkMap:
    """The zone map: parcels by status, buildings, and firms with their names in popups.

    Parameters
    ----------
    session : Session
        Read only.
    principal : Principal
        The caller; what each layer holds follows :mod:`parkgis.access` (anonymous: only
        available parcels, public fields, no buildings or firms).
    settings : Settings
        Basemap, language, page-size limit.
    bbox : (min lon, min lat, max lon, max lat) or "a,b,c,d", optional
        EPSG:4326 degrees; every layer is limited to features intersecting it.
    filters : mapping, optional
        Parcel filters as in the API (``status="available,idle"``, ``land_use=100101``,
        ``min_area_m2=5000``, ...).
    basemap, lang : str, optional
        Override ``PARKGIS_BASEMAP`` / ``PARKGIS_LANGUAGE``.

    Returns
    -------
    ParkMap
        Pass it to :func:`parkgis.maps.render`.

    Raises
    ------
    InvalidQuery
        Bad bbox, unknown filter, basemap or language (the message names it).
    """
    box = parse_bbox(bbox) if isinstance(bbox, str) else bbox
    lg = resolve_lang(lang, settings.zone.language)
    m = base_map(settings, basemap=basemap, lang=lg, title=t("map.parcels.title", lg))
    # Layers above PARKGIS_TILES_MAP_THRESHOLD rows come from vector tiles (zone_tiles).
    tiled = tiled_layers(m, session, principal, settings, box, filters)
    parcels = (
        None if "parcels" in tiled else _all(session, "parcels", principal, settings, box, filters)
    )
    buildings = (
        _all(session, "buildings", principal, settings, box)
        if can_read(principal, "buildings") and "buildings" not in tiled
        else None
    )
    firms = (
        _all(session, "enterprises", principal, settings, box)
        if can_read(principal, "enterprises") and "enterprises" not in tiled
        else None
    )
    firm_names = {
        f["properties"].get("id"): _firm_name(f["properties"], lg)
        for f in (firms or {}).get("features", [])
    }
    if parcels is None:
        add_zone_tiled(
            m,
            session,
            principal,
            settings,
            "parcels",
            tiled["parcels"],
            style={"color": "#343a40", "weight": 1, "fill": True, "fillOpacity": 0.55},
            by="status",
            colors=STATUS_COLORS,
            bbox=box,
            filters={k: str(v) for k, v in (filters or {}).items()},
            label=t("layer.parcels", lg),
        )
    else:
        add_geojson(
            m,
            parcels,
            kind="parcels",
            name=t("layer.parcels", lg),
            style=lambda p: {
                "color": "#343a40",
                "weight": 1,
                "fillColor": STATUS_COLORS.get(str(p.get("status")), "#cccccc"),
                "fillOpacity": 0.55,
            },
            popup=lambda p: _parcel_popup(p, lg, firm_names),
            tooltip=lambda p: f"{p.get('code')} · {status_label(str(p.get('status')), lg)}",
            keep=("id", "status"),
        )
    counts: dict[str, int] | None = None
    if parcels is not None:
        counts = {}
        for f in parcels.get("features", []):
            st = str(f["properties"].get("status"))
            counts[st] = counts.get(st, 0) + 1
    statuses: tuple[str, ...] = ("available",) if principal.anonymous else PARCEL_STATUSES
    asked = str((filters or {}).get("status") or "")
    if asked:
        statuses = tuple(s for s in statuses if s in asked.split(","))

    def counted(label: str, n: int | None) -> str:
        return label if n is None else f"{label} ({n:,})"

    legend = [
        LegendSection(
            t("legend.parcel_status", lg),
            [
                LegendItem(
                    s,
                    STATUS_COLORS[s],
                    counted(status_label(s, lg), None if counts is None else counts.get(s, 0)),
                )
                for s in statuses
            ],
        )
    ]
    add_filter_controls(m, _controls(principal, filters or {}, lg), lg)
    parcel_filter = bool(filters)
    notes: list[str] = []
    if "buildings" in tiled:
        add_zone_tiled(
            m,
            session,
            principal,
            settings,
            "buildings",
            tiled["buildings"],
            style={"color": BUILDING_COLOR, "weight": 1, "fill": True, "fillOpacity": 0.7},
            bbox=box,
            label=t("layer.buildings", lg),
        )
    elif buildings is not None:
        add_geojson(
            m,
            buildings,
            kind="buildings",
            name=t("layer.buildings", lg),
            style=lambda p: {
                "color": BUILDING_COLOR,
                "weight": 1,
                "fillColor": "#868e96",
                "fillOpacity": 0.7,
            },
            popup=lambda p: _building_popup(p, lg),
            tooltip=lambda p: p.get("name"),
        )
    if buildings is not None or "buildings" in tiled:
        legend.append(
            LegendSection(
                t("legend.buildings", lg),
                [LegendItem("buildings", BUILDING_COLOR, t("layer.buildings", lg))],
            )
        )
    if "enterprises" in tiled:
        add_zone_tiled(
            m,
            session,
            principal,
            settings,
            "enterprises",
            tiled["enterprises"],
            style={"color": "#ffffff", "weight": 1, "fillColor": FIRM_COLOR, "fillOpacity": 0.9},
            bbox=box,
            label=t("layer.enterprises", lg),
        )
    elif firms is not None:
        add_geojson(
            m,
            firms,
            kind="enterprises",
            name=t("layer.enterprises", lg),
            popup=lambda p: _firm_popup(p, lg),
            tooltip=lambda p: _firm_name(p, lg),
            marker=folium.Marker(icon=folium.Icon(color="cadetblue", icon="industry", prefix="fa")),
            cluster=len(firms.get("features", [])) >= CLUSTER_FIRMS_FROM,
            show=not parcel_filter,  # filtered parcels are not buried under firm markers
        )
        if parcel_filter:
            notes.append(t("filtered_firms_off", lg))
    if firms is not None or "enterprises" in tiled:
        legend.append(
            LegendSection(
                t("legend.enterprises", lg),
                [
                    LegendItem(
                        "enterprises",
                        FIRM_COLOR,
                        counted(
                            t("layer.enterprises", lg),
                            None if firms is None else len(firms.get("features", [])),
                        ),
                        "circle",
                    )
                ],
            )
        )
    truncated = any(
        fc is not None and fc.get("numberMatched", 0) > fc.get("numberReturned", 0)
        for fc in (parcels, buildings, firms)
    )
    notes += [t("truncated", lg)] if truncated else []
    notes += [zoom_note(c, t(f"layer.{c}", lg), lg) for c in tiled]
    return finish(m, legend=legend, bbox=box, notes=notes)


def _controls(principal: Principal, filters: Mapping[str, Any], lang: Lang) -> list[FilterControl]:
    """Status and land-use drop-downs (anonymous callers see available parcels only)."""
    controls = [
        FilterControl(
            "land_use",
            t("field.land_use", lang),
            code_choices("land_use", lang),
            str(filters.get("land_use") or ""),
        )
    ]
    if not principal.anonymous:
        statuses = [(s, status_label(s, lang)) for s in PARCEL_STATUSES]
        controls.insert(
            0,
            FilterControl(
                "status", t("field.status", lang), statuses, str(filters.get("status") or "")
            ),
        )
    return controls
