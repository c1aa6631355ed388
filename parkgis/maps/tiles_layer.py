"""Map layers drawn from the app's vector tiles, and the offline ``zone`` basemap.

A layer with more features than ``PARKGIS_TILES_MAP_THRESHOLD`` is too heavy to inline as
GeoJSON; :func:`add_tiled` draws it with Leaflet.VectorGrid from
``/tiles/{collection}/{z}/{x}/{y}.mvt`` instead, asking only for the properties its style
needs. Tiles are cut by the same role rules as the items, with the page's sign-in cookie.
A click fetches the feature from ``/api/v1/{collection}/{id}`` and shows the popup's
fields (escaped: values are set as text, never HTML).

``?download=1`` files cannot fetch tiles: :func:`render` runs the map's
``download_hooks`` first, and each tiled layer's hook inlines a simplified layer
(:func:`parkgis.tiles.inline.simplified_collection`) with the popup's fields; the caller
adds the note that says so (:func:`simplified_note`).

Tiles are in WGS84 positions, so a tiled layer cannot be shifted for AMap's GCJ-02 tiles:
:func:`use_tiles` says no on ``amap``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from branca.element import Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.maps.i18n import Lang, register, t
from parkgis.maps.page import Verbatim
from parkgis.maps.safe import js_literal, safe_color, safe_text
from parkgis.maps.tiles_js import SCRIPT
from parkgis.tiles.layers import tile_layer

VECTORGRID_JS = "https://unpkg.com/leaflet.vectorgrid@1.3.0/dist/Leaflet.VectorGrid.bundled.min.js"
"""The CDN URL Folium would use; :mod:`parkgis.maps.assets` maps it to the npm file."""

register(
    {
        "tiles.loading": ("加载中…", "Loading…"),
        "tiles.error": ("无法加载要素信息", "Could not load this feature"),
        "tiles.simplified": (
            "离线文件：{layer}共 {n} 个要素已简化绘制（约 {m} 米），弹窗仅含部分字段",
            "Offline file: {n} {layer} drawn simplified (about {m} m); popups show a few fields",
        ),
        "tiles.zoom_in": ("{layer}在 {z} 级及以上显示", "{layer} are drawn from zoom level {z} in"),
        "basemap.zone": ("园区底图", "Zone basemap"),
    }
)


class _VectorGridJS(JSCSSMixin, MacroElement):
    """Loads Leaflet.VectorGrid (once per page; served from ``/assets`` or inlined)."""

    _template = Template("")
    default_js = [("leaflet.vectorgrid", VECTORGRID_JS)]

    def __init__(self) -> None:
        super().__init__()
        self._name = "VectorGridJS"


@dataclass
class PopupSpec:
    """What a tiled layer's popup shows: a title field and ``(field, label)`` rows.

    ``values`` maps a field's raw values to labels (e.g. status → 闲置). With ``fetch``
    (the default) a click fetches the feature from ``/api/v1/{collection}/{id}``; without
    it the popup shows the tile feature's own properties.
    """

    title: str
    rows: Sequence[tuple[str, str]]
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    css: str = ""
    fetch: bool = True


class TiledLayer(MacroElement):
    """One VectorGrid layer: settings as a JSON block and the shared script.

    ``data`` is serialised at render time, so a download hook can still replace the tiles
    by an inline layer (``data["inline"]``).
    """

    _template = Template("")

    def __init__(self, key: str, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "TiledLayer"
        self.key = key
        self.data = data

    def render(self, **kwargs: Any) -> str:
        """Place the JSON block and the script in the page verbatim."""
        figure = self.get_root()
        assert isinstance(figure, Figure)
        name = self.get_name()
        data_id = f"parkgis-tiles-{name}"
        block = f'<script type="application/json" id="{data_id}">{js_literal(self.data)}</script>'
        figure.html.add_child(Verbatim(block), name=name + "_data")
        parent = self._parent
        assert parent is not None
        script = SCRIPT.replace("__DATA_ID__", js_literal(data_id)).replace(
            "__MAP__", parent.get_name()
        )
        figure.script.add_child(Verbatim(script), name=name + "_script")
        return ""


def _ensure_js(m: Any) -> None:
    if not any(isinstance(c, _VectorGridJS) for c in m._children.values()):
        m.add_child(_VectorGridJS())


def use_tiles(m: Any, count: int, threshold: int) -> bool:
    """Whether a layer of ``count`` features goes to tiles on map ``m``.

    Above ``threshold`` (``PARKGIS_TILES_MAP_THRESHOLD``), unless the basemap is AMap
    (tiles cannot be shifted to GCJ-02).
    """
    return count > threshold and getattr(m, "basemap", "osm") != "amap"


def tile_url(collection: str, properties: Sequence[str], filters: Mapping[str, str]) -> str:
    """The relative ``/tiles/...`` URL template of a layer, with its query string."""
    query = urlencode({"properties": ",".join(properties), **dict(filters)})
    return f"/tiles/{collection}/{{z}}/{{x}}/{{y}}.mvt?{query}"


def add_tiled(
    m: Any,
    collection: str,
    *,
    kind: str,
    style: Mapping[str, Any],
    by: str | None = None,
    colors: Mapping[str, str] | None = None,
    popup: PopupSpec | None = None,
    filters: Mapping[str, str] | None = None,
    point: bool = False,
    name: str | None = None,
    url: str | None = None,
    min_zoom: int | None = None,
    hover: Sequence[str] = (),
) -> TiledLayer:
    """Draw ``collection`` on ``m`` from vector tiles (see the module docstring).

    Parameters
    ----------
    kind : str
        Layer key in the page (``window.parkgisTiles.layers[kind]``).
    style : mapping
        Leaflet path style of every feature (``color``, ``weight``, ``fillOpacity``…).
    by, colors : optional
        ``fillColor`` from ``colors[properties[by]]`` (e.g. parcel status).
    popup : PopupSpec, optional
        Fields fetched from the API on click; no popup when None.
    filters : mapping, optional
        The collection's API filters, passed on to the tiles.
    point : bool
        Points drawn as circles.
    name : str, optional
        Name in the layer control (escaped here).
    url, min_zoom : optional
        A tile source of its own (e.g. ``/tiles/landuse/{z}/{x}/{y}.mvt``) and its minimum
        zoom, instead of the collection's tiles.
    hover : sequence of str
        Fields shown (as text, through the popup's value labels) in a tooltip on hover.
    """
    _ensure_js(m)
    props = ["id"] + ([by] if by and by != "id" else [])
    data: dict[str, Any] = {
        "layer": kind,
        "url": url or tile_url(collection, props, filters or {}),
        "minZoom": tile_layer(collection).min_zoom if min_zoom is None else min_zoom,
        "style": _checked(style),
        "by": by,
        "colors": {k: safe_color(v) for k, v in (colors or {}).items()},
        "point": point,
        "popup": None,
        "inline": None,
        "name": safe_text(name) if name else None,
        "hover": list(hover),
    }
    if popup is not None:
        data["popup"] = {
            "title": popup.title,
            "rows": [list(r) for r in popup.rows],
            "values": {k: dict(v) for k, v in popup.values.items()},
            "api": f"/api/v1/{collection}/" if popup.fetch else None,
            "css": popup.css,
            "loading": t("tiles.loading", _lang(m)),
            "error": t("tiles.error", _lang(m)),
        }
    layer = TiledLayer(kind, data)
    m.add_child(layer)
    return layer


def inline_for_download(
    m: Any,
    layer: TiledLayer,
    session: Session,
    principal: Principal,
    collection: str,
    *,
    bbox: tuple[float, float, float, float] | None,
    filters: Mapping[str, str] | None,
    tolerance_m: float,
) -> None:
    """Register a download hook that swaps ``layer``'s tiles for simplified inline data."""
    from parkgis.tiles.inline import simplified_collection

    def hook(_: Any) -> None:
        popup = layer.data.get("popup") or {}
        keep = {"id", layer.data.get("by") or "id", popup.get("title") or "id"}
        keep |= {r[0] for r in popup.get("rows", [])}
        fc = simplified_collection(
            session,
            collection,
            principal,
            bbox=bbox,
            filters=filters,
            properties=sorted(keep),
            tolerance_m=tolerance_m,
        )
        layer.data["inline"] = fc

    hooks: list[Callable[[Any], None]] = m.__dict__.setdefault("download_hooks", [])
    hooks.append(hook)


def simplified_note(lang: Lang, layer_label: str, count: int, tolerance_m: float) -> str:
    """The legend line a download with a simplified layer carries."""
    return t("tiles.simplified", lang).format(layer=layer_label, n=f"{count:,}", m=tolerance_m)


ZONE_BASEMAP_STYLES: dict[str, dict[str, Any]] = {
    "grid_areas": {
        "style": {
            "color": "#adb5bd",
            "weight": 1,
            "dashArray": "4 3",
            "fill": True,
            "fillColor": "#f8f9fa",
            "fillOpacity": 0.6,
        },
        "by": None,
        "colors": {},
    },
    "streets": {
        "style": {
            "color": "#ced4da",
            "weight": 1,
            "fill": True,
            "fillColor": "#ffffff",
            "fillOpacity": 1,
        },
        "by": None,
        "colors": {},
    },
    "context": {
        "style": {
            "color": "#adb5bd",
            "weight": 2,
            "fill": True,
            "fillOpacity": 0.5,
            "radius": 3,
        },
        "by": "kind",
        "colors": {
            "road": "#ced4da",
            "rail": "#868e96",
            "metro": "#9775fa",
            "water": "#a5d8ff",
            "landmark": "#868e96",
        },
    },
}
"""Light styles of the zone basemap's layers (grey streets and outlines, blue water)."""


def add_zone_basemap(m: Any, lang: Lang) -> TiledLayer:
    """Add the ``zone`` basemap: grid areas, streets and context from ``/tiles/basemap``."""
    _ensure_js(m)
    data: dict[str, Any] = {
        "layer": "basemap",
        "url": "/tiles/basemap/{z}/{x}/{y}.mvt",
        "minZoom": min(tile_layer(c).min_zoom for c in ("grid_areas", "parcels", "context")),
        "style": {},
        "by": None,
        "colors": {},
        "point": False,
        "popup": None,
        "inline": None,
        "pane": "parkgisBasemap",
        "attribution": t("basemap.zone", lang),
        "sublayers": {
            name: {
                "style": _checked(spec["style"]),
                "by": spec["by"],
                "colors": {k: safe_color(v) for k, v in spec["colors"].items()},
            }
            for name, spec in ZONE_BASEMAP_STYLES.items()
        },
    }
    layer = TiledLayer("basemap", data)
    m.add_child(layer)
    m.__dict__["zone_basemap"] = layer
    return layer


def _lang(m: Any) -> Lang:
    lang = getattr(m, "lang", "zh")
    return "en" if lang == "en" else "zh"


def _checked(style: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in style.items():
        if k.lower().endswith("color"):
            out[k] = safe_color(v)
        elif isinstance(v, bool | int | float):
            out[k] = v
        elif isinstance(v, str) and all(ch.isdigit() or ch == " " for ch in v):
            out[k] = v  # dashArray
    return out


def inline_zone_basemap(
    m: Any,
    session: Session,
    principal: Principal,
    *,
    bbox: tuple[float, float, float, float] | None,
    tolerance_m: float,
) -> None:
    """For downloads: draw the zone basemap from inline, simplified GeoJSON.

    Registers a download hook (no query runs for a page served by the app). Each layer
    is read with the caller's rights, as its tiles would be.
    """
    layer = m.__dict__.get("zone_basemap")
    if layer is None:
        return
    from parkgis.access import can_read
    from parkgis.tiles.basemap import BASEMAP_LAYERS
    from parkgis.tiles.inline import simplified_collection

    def hook(_: Any) -> None:
        layer.data["inline"] = {
            name: simplified_collection(
                session,
                coll,
                principal,
                bbox=bbox,
                filters=filters,
                properties=props,
                tolerance_m=tolerance_m,
            )
            for name, coll, filters, props in BASEMAP_LAYERS
            if can_read(principal, coll)
        }

    hooks: list[Callable[[Any], None]] = m.__dict__.setdefault("download_hooks", [])
    hooks.append(hook)
