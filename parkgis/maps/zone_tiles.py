"""The zone map's layers as vector tiles, for zones too large to inline.

:func:`tiled_layers` counts each layer's rows (the caller's rows, the same query as the
API); a layer above ``PARKGIS_TILES_MAP_THRESHOLD`` is drawn by :func:`add_zone_tiled`
with the same colours, legend and popup fields as its inline form. The view is fitted
to the extent of the rows, and downloads inline a simplified copy and say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal, can_read
from parkgis.db.seed import read_csv
from parkgis.features import fetch_page
from parkgis.maps.core import ParkMap
from parkgis.maps.i18n import Lang, status_label, t
from parkgis.maps.tiles_layer import (
    PopupSpec,
    TiledLayer,
    add_tiled,
    inline_for_download,
    inline_zone_basemap,
    simplified_note,
    use_tiles,
)
from parkgis.models.base import PARCEL_STATUSES
from parkgis.settings import Settings
from parkgis.tiles.layers import tile_layer
from parkgis.tiles.tilejson import visible_extent

Box = tuple[float, float, float, float]


def tiled_layers(
    m: ParkMap,
    session: Session,
    principal: Principal,
    settings: Settings,
    bbox: Box | None,
    filters: Mapping[str, Any] | None,
    collections: tuple[str, ...] = ("parcels", "buildings", "enterprises"),
) -> dict[str, int]:
    """``{collection: rows}`` of the layers that go to tiles on ``m`` (the caller's rows)."""
    out: dict[str, int] = {}
    for name in collections:
        if not can_read(principal, name):
            continue
        page = fetch_page(
            session,
            name,
            principal,
            bbox=bbox,
            limit=1,
            filters=filters if name == "parcels" else None,
            tz=settings.zone.timezone,
            max_limit=1,
        )
        if use_tiles(m, page.number_matched, settings.tiles.map_threshold):
            out[name] = page.number_matched
    # A downloaded map draws the zone basemap inline (a served page draws its tiles);
    # no-op unless the basemap is ``zone``, and no query unless the map is downloaded.
    inline_zone_basemap(
        m, session, principal, bbox=bbox, tolerance_m=settings.tiles.download_simplify_m
    )
    return out


@lru_cache(maxsize=4)
def _names(csv: str, lang: Lang) -> dict[str, str]:
    rows = read_csv(csv)
    return {r["code"]: r["name_zh"] if lang == "zh" else r["name_en"] for r in rows}


def _popup(collection: str, lang: Lang) -> PopupSpec:
    statuses = {s: status_label(s, lang) for s in PARCEL_STATUSES}
    if collection == "parcels":
        return PopupSpec(
            "code",
            [
                ("status", t("field.status", lang)),
                ("land_use", t("field.land_use", lang)),
                ("area_m2", t("field.area", lang) + " (m²)"),
                ("area_mu", t("field.area", lang) + f" ({t('unit.mu', lang)})"),
                ("max_far", t("field.max_far", lang)),
                ("price_cny_m2", t("field.price_cny_m2", lang)),
                ("holder_enterprise_id", t("field.holder", lang)),
                ("granted_on", t("field.granted_on", lang)),
                ("address", t("field.address", lang)),
            ],
            {"status": statuses, "land_use": _names("land_use.csv", lang)},
            css="parcel",
        )
    if collection == "buildings":
        return PopupSpec(
            "name",
            [
                ("floors", t("field.floors", lang)),
                ("gross_floor_area_m2", t("field.gross_floor_area_m2", lang)),
                ("footprint_m2", t("field.area", lang) + " (m²)"),
                ("owner", t("field.owner", lang)),
            ],
            css="building",
        )
    return PopupSpec(
        "name_en" if lang == "en" else "name",
        [
            ("name" if lang == "en" else "name_en", t("field.name", lang)),
            ("industry_chain", t("field.industry_chain", lang)),
            ("employees", t("field.employees", lang)),
            ("above_scale", t("field.above_scale", lang)),
            ("address", t("field.address", lang)),
        ],
        {"industry_chain": _names("industry_chains.csv", lang)},
        css="firm",
    )


def add_zone_tiled(
    m: ParkMap,
    session: Session,
    principal: Principal,
    settings: Settings,
    collection: str,
    rows: int,
    *,
    style: dict[str, Any],
    by: str | None = None,
    colors: Mapping[str, str] | None = None,
    bbox: Box | None = None,
    filters: Mapping[str, str] | None = None,
    label: str = "",
) -> TiledLayer:
    """Draw one zone-map layer from tiles; fit the view to it and prepare its download."""
    lang: Lang = "en" if m.lang == "en" else "zh"
    flt = dict(filters or {})
    layer = add_tiled(
        m,
        collection,
        kind=collection,
        style=style,
        by=by,
        colors=colors,
        popup=_popup(collection, lang),
        filters=flt,
        point=collection == "enterprises",
        name=label or collection,
    )
    extent = visible_extent(
        session, collection, principal, filters=flt, tz=settings.zone.timezone, bbox=bbox
    )
    if extent is not None:
        m.data_bounds.append(extent)
    m.feature_count += rows
    tol = settings.tiles.download_simplify_m
    inline_for_download(
        m, layer, session, principal, collection, bbox=bbox, filters=flt, tolerance_m=tol
    )
    layer.data["note"] = simplified_note(lang, label or collection, rows, tol)
    return layer


def zoom_note(collection: str, label: str, lang: Lang) -> str:
    """The legend line saying from which zoom a tiled layer shows."""
    return t("tiles.zoom_in", lang).format(z=tile_layer(collection).min_zoom, layer=label)
