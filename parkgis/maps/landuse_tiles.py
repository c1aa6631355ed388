"""The land-use map's parcels from vector tiles, for scopes too large to inline.

:func:`add_landuse_tiled` draws ``/tiles/landuse/{z}/{x}/{y}.mvt`` (:mod:`parkgis.tiles.landuse`)
with the shared tile layer (:func:`parkgis.maps.tiles_layer.add_tiled`): the tiles carry
each parcel's theme keys (``land_use``, ``pr``, ``grade``, ``ineff``) and the numbers the
caller's role may see, so the page switches themes by restyling on a tile property
(``window.parkgisTiles.restyle``), and a popup or hover shows the tile feature's own
properties, as text. The view is fitted to the caller's parcels in the bbox.

A downloaded file (and ``parkgis map landuse``) cannot fetch tiles: its hook inlines the
parcels simplified (:func:`parkgis.tiles.inline.simplified_collection`) with the same
theme properties (:meth:`parkgis.landuse.themes.ThemeFacts.properties`), and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.landuse.indicators import CHECKS
from parkgis.landuse.reference import land_use_classes
from parkgis.landuse.themes import theme_facts
from parkgis.maps.core import ParkMap
from parkgis.maps.i18n import Lang, status_label, t
from parkgis.maps.landuse import INEFFICIENT_COLORS, NONE_COLOR, check_label, type_label
from parkgis.maps.safe import safe_color
from parkgis.maps.tiles_layer import PopupSpec, add_tiled
from parkgis.models.base import PARCEL_STATUSES
from parkgis.settings import Settings
from parkgis.tiles.landuse import LAYER, MIN_ZOOM
from parkgis.tiles.tilejson import visible_extent

TILE_URL = f"/tiles/{LAYER}/{{z}}/{{x}}/{{y}}.mvt"
STYLE = {"color": "#343a40", "weight": 0.6, "fill": True, "fillOpacity": 0.75}

Box = tuple[float, float, float, float]


def _popup(lg: Lang) -> PopupSpec:
    classes = land_use_classes()
    names = {
        code: f"{code} {info.get('name_zh' if lg == 'zh' else 'name_en') or ''}".strip()
        for code, info in classes.items()
    }
    return PopupSpec(
        "code",
        [
            ("land_use", t("field.land_use", lg)),
            ("status", t("field.status", lg)),
            ("area_mu", t("landuse.area_mu", lg)),
            ("holder_en" if lg == "en" else "holder", t("field.holder", lg)),
            ("plot_ratio", t("landuse.plot_ratio", lg)),
            ("min_plot_ratio", t("landuse.min_plot_ratio", lg)),
            ("building_coefficient", t("landuse.coefficient", lg)),
            ("check", t("landuse.check", lg)),
            ("grade", t("landuse.grade", lg)),
            ("ineff", t("landuse.type", lg)),
            ("days", t("landuse.clock", lg)),
            ("fee_cny", t("landuse.fee", lg)),
        ],
        {
            "land_use": names,
            "status": {s: status_label(s, lg) for s in PARCEL_STATUSES},
            "ineff": {k: type_label(k, lg) for k in INEFFICIENT_COLORS},
            "check": {k: check_label(k, lg) for k in CHECKS},
        },
        css="landuse",
        fetch=False,
    )


def add_landuse_tiled(
    m: ParkMap,
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    themes: tuple[str, ...],
    first: str,
    styles: dict[str, tuple[str, dict[str, str]]],
    rows: int,
    bbox: Box | None,
    today: date,
) -> dict[str, Any]:
    """Draw the land-use parcels from tiles on ``m``; returns the theme switch's settings.

    Parameters
    ----------
    themes, first : the caller's themes and the one shown first.
    styles : dict
        Per theme, the tile property and its colour table
        (:func:`parkgis.maps.landuse.theme_styles`).
    rows : int
        Parcels in scope (for the download note and the map's feature count).
    bbox : (min lon, min lat, max lon, max lat), optional
        EPSG:4326 degrees: the view, and the parcels a download inlines.
    today : date
        Zone date of the idle clocks a download inlines.

    Returns
    -------
    dict
        ``layer`` (the key in ``window.parkgisTiles.layers``) and, per theme, ``by`` and
        ``colors`` for :func:`~parkgis.maps.tiles_layer` ``restyle``.
    """
    lg: Lang = "en" if m.lang == "en" else "zh"
    by, colors = styles[first]
    label = t("landuse.layer", lg)
    layer = add_tiled(
        m,
        "parcels",
        kind=LAYER,
        style={**STYLE, "fillColor": NONE_COLOR},
        by=by,
        colors=colors,
        popup=_popup(lg),
        name=label,
        url=TILE_URL,
        min_zoom=MIN_ZOOM,
        hover=("code", "land_use"),
    )
    extent = visible_extent(session, "parcels", principal, tz=settings.zone.timezone, bbox=bbox)
    if extent is not None:
        m.data_bounds.append(extent)
    m.feature_count += rows
    tol = settings.tiles.download_simplify_m
    layer.data["note"] = t("landuse.simplified", lg).format(n=f"{rows:,}", m=tol)

    def inline(_: Any) -> None:
        layer.data["inline"] = inline_parcels(
            session, principal, settings, themes=themes, bbox=bbox, today=today
        )

    hooks: list[Callable[[Any], None]] = m.__dict__.setdefault("download_hooks", [])
    hooks.append(inline)
    return {
        "layer": LAYER,
        "themes": {
            th: {"by": b, "colors": {k: safe_color(v) for k, v in c.items()}}
            for th, (b, c) in styles.items()
        },
    }


def inline_parcels(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    themes: tuple[str, ...],
    bbox: Box | None,
    today: date,
) -> dict[str, Any]:
    """The caller's parcels meeting ``bbox`` (EPSG:4326), simplified, with the properties
    their tiles carry (:func:`parkgis.landuse.themes.properties_for`), as GeoJSON."""
    from parkgis.tiles.inline import simplified_collection

    fc = simplified_collection(
        session,
        "parcels",
        principal,
        bbox=bbox,
        properties=("id", "code", "land_use", "status", "area_mu", "holder_enterprise_id"),
        tolerance_m=settings.tiles.download_simplify_m,
        tz=settings.zone.timezone,
    )
    facts = theme_facts(session, settings.landuse, today=today, themes=themes)
    for f in fc["features"]:
        p = f["properties"]
        holder = p.pop("holder_enterprise_id", None)
        if isinstance(p.get("area_mu"), int | float):
            p["area_mu"] = round(p["area_mu"], 1)
        p.update(facts.properties(themes, f["id"], holder if isinstance(holder, int) else None))
    return fc
