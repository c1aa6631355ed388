"""The map core every parkgis map builds on (Folium).

A map builder does::

    m = base_map(settings, basemap=basemap, lang=lang, title=t("map.x.title", lang))
    add_geojson(m, fc, kind="parcels", name=t("layer.parcels", m.lang),
                style=lambda p: {...}, popup=lambda p: popup_html(...))
    finish(m, legend=[LegendSection(...)], bbox=bbox)
    html = render(m, download=False)

- Data goes in as EPSG:4326 GeoJSON (from :mod:`parkgis.features`); :func:`add_geojson`
  shifts it to GCJ-02 when the basemap is AMap, escapes nothing itself but only embeds
  popup/tooltip HTML that the callbacks built with :mod:`parkgis.maps.safe`, and keeps
  just ``id`` (plus ``keep``) of the raw properties.
- :func:`finish` fits the view to the data, adds the legend and the layer control.
- :func:`render` swaps every CDN link for ``/assets/...`` and, with ``download=True``,
  inlines everything into one offline file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
from branca.element import Figure
from folium.elements import MacroElement
from folium.plugins import MarkerCluster
from folium.template import Template
from folium.utilities import JsCode

from parkgis.errors import ConfigError
from parkgis.geo import area_of_use
from parkgis.maps import assets
from parkgis.maps.basemaps import (
    Basemap,
    add_basemap,
    content_security_policy,
    display_geojson,
    display_lonlat,
    geojson_bounds,
    resolve_basemap,
)
from parkgis.maps.i18n import Lang, resolve_lang, t
from parkgis.maps.safe import safe_color, safe_text
from parkgis.settings import MapSettings, Settings

Props = dict[str, Any]
MAX_ZOOM = 19
Bounds = tuple[float, float, float, float]

_BIND_JS = JsCode(
    """function(feature, layer) {
    var p = feature.properties || {};
    if (p.__popup) { layer.bindPopup(p.__popup, {maxWidth: 360}); }
    if (p.__tooltip) { layer.bindTooltip(p.__tooltip, {sticky: true}); }
}"""
)

_CSS = """
<style>
.parkgis-legend {position: absolute; z-index: 1000; bottom: 24px; left: 10px;
  background: rgba(255,255,255,.94); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); font: 13px/1.35 system-ui, "Noto Sans CJK SC",
  sans-serif; max-height: 60vh; overflow-y: auto; max-width: 280px;}
.parkgis-legend h5 {font-size: 15px; margin: 0 0 6px; font-weight: 600;}
.parkgis-legend h6 {font-size: 13px; margin: 6px 0 3px; font-weight: 600;}
.parkgis-legend ol {list-style: none; margin: 0; padding: 0;}
.parkgis-legend li {display: flex; align-items: center; gap: 6px; margin: 2px 0;}
.parkgis-legend .swatch {display: inline-block; width: 14px; height: 14px;
  border: 1px solid rgba(0,0,0,.45); flex: none;}
.parkgis-legend .swatch.circle {border-radius: 50%;}
.parkgis-legend .swatch.line {height: 3px; border: 0;}
.parkgis-legend .note {color: #666; font-style: italic; margin-top: 4px;}
.parkgis-popup h6 {font-size: 14px; font-weight: 600; margin: 0 0 4px;}
.parkgis-popup table {border-collapse: collapse; font-size: 12px;}
.parkgis-popup th {text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: 500;
  vertical-align: top; white-space: nowrap;}
.parkgis-popup td {padding: 1px 0;}
</style>
"""


class ParkMap(folium.Map):
    """A ``folium.Map`` that knows its language, basemap and settings."""

    def __init__(self, *, lang: Lang, basemap: Basemap, settings: MapSettings, **kw: Any):
        super().__init__(**kw)
        self.lang: Lang = lang
        self.basemap: Basemap = basemap
        self.map_settings = settings
        self.data_bounds: list[Bounds] = []
        self.feature_count = 0
        self.parkgis_title = ""
        self.zone_crs = "EPSG:4547"


@dataclass
class LegendItem:
    """One legend row: a key (for tests and CSS), a colour, a label and a swatch shape."""

    key: str
    color: str
    label: str
    shape: str = "square"


@dataclass
class LegendSection:
    """A titled, ordered group of legend rows."""

    title: str
    items: list[LegendItem] = field(default_factory=list)


class _Raw(MacroElement):
    """Pre-built, already escaped HTML for the page header or body."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.header_html }}{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.body_html }}{% endmacro %}
        """
    )

    def __init__(self, *, header_html: str = "", body_html: str = "", name: str = "Raw"):
        super().__init__()
        self._name = name
        self.header_html = header_html
        self.body_html = body_html


class _MetricScale(MacroElement):
    """A metres-only scale bar at the bottom right (Folium's shows feet, under the legend)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, position: "bottomright"})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


def base_map(
    settings: Settings,
    *,
    basemap: str | None = None,
    lang: str | None = None,
    title: str | None = None,
) -> ParkMap:
    """An empty parkgis map with the chosen basemap, scale bar and page styles.

    Parameters
    ----------
    settings : Settings
        ``settings.maps`` picks the default basemap and the Tianditu key,
        ``settings.zone.language`` the default language.
    basemap : str, optional
        ``osm``, ``amap``, ``tianditu`` or ``none``; overrides ``PARKGIS_BASEMAP``.
    lang : str, optional
        ``zh`` or ``en``; overrides ``PARKGIS_LANGUAGE``.
    title : str, optional
        Page title and legend heading (escaped here).

    Raises
    ------
    InvalidQuery
        Unknown basemap or language, or Tianditu asked for without a key.
    """
    lng = resolve_lang(lang, settings.zone.language)
    bm = resolve_basemap(basemap, settings.maps)
    m = ParkMap(
        lang=lng,
        basemap=bm,
        settings=settings.maps,
        location=[0.0, 0.0],
        zoom_start=2,
        tiles=None,
        control_scale=False,
    )
    m.options["maxZoom"] = MAX_ZOOM  # clusters need it when there is no tile layer
    figure = m.get_root()
    if isinstance(figure, Figure) and title:
        figure.title = safe_text(title)
    m.parkgis_title = title or ""
    m.zone_crs = settings.zone.projected_crs
    add_basemap(m, bm, settings.maps, lng)
    m.add_child(_Raw(header_html=_CSS, name="ParkgisStyle"))
    m.add_child(_MetricScale())
    return m


def add_geojson(
    m: ParkMap,
    fc: dict[str, Any],
    *,
    kind: str,
    name: str,
    style: Callable[[Props], dict[str, Any]] | None = None,
    popup: Callable[[Props], str | None] | None = None,
    tooltip: Callable[[Props], Any] | None = None,
    marker: folium.Marker | folium.CircleMarker | None = None,
    keep: Sequence[str] = ("id",),
    show: bool = True,
    cluster: bool = False,
) -> folium.GeoJson:
    """Add an EPSG:4326 GeoJSON FeatureCollection as one layer of ``m``.

    Parameters
    ----------
    fc : dict
        FeatureCollection in EPSG:4326 (lon/lat degrees), e.g. from
        ``parkgis.features.feature_collection``; shifted to GCJ-02 here for AMap.
    kind : str
        Stored on each feature as ``__layer`` (tests and scripts find features by it).
    name : str
        Layer name in the layer control (escaped here).
    style : callable, optional
        properties → Leaflet path style (``color``, ``fillColor``, ...); colours are checked.
    popup : callable, optional
        properties → popup HTML, built with :func:`parkgis.maps.safe.popup_html`.
    tooltip : callable, optional
        properties → tooltip text (escaped here).
    marker : folium.Marker or folium.CircleMarker, optional
        How points are drawn (default: Leaflet's marker).
    keep : sequence of str
        Raw properties kept in the page besides the built popup/tooltip/style.
    cluster : bool, default False
        Merge point markers into counted clusters when zoomed out (many firms).
    """
    shown = display_geojson(fc, m.basemap)
    for f in shown["features"]:
        props: Props = f.get("properties") or {}
        out: Props = {k: props[k] for k in keep if k in props}
        out["__layer"] = kind
        if popup is not None:
            out["__popup"] = popup(props)
        if tooltip is not None:
            text = tooltip(props)
            if text is not None and text != "":
                out["__tooltip"] = safe_text(text)
        if style is not None:
            out["style"] = _checked_style(style(props))
        f["properties"] = out
    bounds = geojson_bounds(shown)
    if bounds is not None:
        m.data_bounds.append(bounds)
    m.feature_count += len(shown["features"])
    layer = folium.GeoJson(
        shown,
        name=safe_text(name),
        marker=marker,
        on_each_feature=_BIND_JS,
        show=show,
        control=not cluster,
    )
    if cluster:
        # Markers merge into counted bubbles when zoomed out; the group is the layer.
        group = MarkerCluster(
            name=safe_text(name),
            show=show,
            options={"maxClusterRadius": 45, "disableClusteringAtZoom": 17},
        )
        group.add_to(m)
        layer.add_to(group)
    else:
        layer.add_to(m)
    return layer


def _checked_style(style: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in style.items():
        if k.lower().endswith("color"):
            out[k] = safe_color(v)
        elif isinstance(v, int | float | bool):
            out[k] = v
        elif isinstance(v, str):
            out[k] = safe_text(v)
    return out


def legend_html(title: str, sections: Sequence[LegendSection], notes: Sequence[str] = ()) -> str:
    """The legend box: escaped title, ordered sections of swatches and labels."""
    parts = ['<div class="parkgis-legend" id="parkgis-legend">']
    if title:
        parts.append(f"<h5>{safe_text(title)}</h5>")
    for sec in sections:
        parts.append(f"<h6>{safe_text(sec.title)}</h6><ol>")
        for it in sec.items:
            shape = it.shape if it.shape in ("square", "circle", "line") else "square"
            parts.append(
                f'<li data-key="{safe_text(it.key)}"><span class="swatch {shape}" '
                f'style="background:{safe_color(it.color)}"></span>'
                f"<span>{safe_text(it.label)}</span></li>"
            )
        parts.append("</ol>")
    for note in notes:
        parts.append(f'<div class="note">{safe_text(note)}</div>')
    parts.append("</div>")
    return "".join(parts)


def finish(
    m: ParkMap,
    *,
    legend: Sequence[LegendSection] = (),
    bbox: Sequence[float] | None = None,
    notes: Sequence[str] = (),
    layer_control: bool = True,
) -> ParkMap:
    """Fit the view to the data, add the legend and the layer control.

    Parameters
    ----------
    legend : sequence of LegendSection
        Shown in this order, under the map's title (all text escaped here).
    bbox : (min lon, min lat, max lon, max lat), optional
        EPSG:4326 degrees; the view when the map has no data (else the data's extent).
    notes : sequence of str
        Extra lines under the legend (escaped here).
    layer_control : bool
        Add Leaflet's layer control (expanded).
    """
    bounds = _union(m.data_bounds)
    if bounds is None and bbox is not None:
        w, s = display_lonlat(float(bbox[0]), float(bbox[1]), m.basemap)
        e, n = display_lonlat(float(bbox[2]), float(bbox[3]), m.basemap)
        bounds = (w, s, e, n)
    if bounds is None:
        aou = area_of_use(m.zone_crs)
        bounds = aou if aou is not None else (73.0, 18.0, 135.0, 54.0)
    w, s, e, n = bounds
    m.location = [(s + n) / 2, (w + e) / 2]
    m.fit_bounds([[s, w], [n, e]], max_zoom=18, padding=(12, 12))
    all_notes = [*notes, t("no_data", m.lang)] if m.feature_count == 0 else list(notes)
    m.add_child(_Raw(body_html=legend_html(m.parkgis_title, legend, all_notes), name="Legend"))
    if layer_control:
        folium.LayerControl(collapsed=False).add_to(m)
    return m


def _union(boxes: Sequence[Bounds]) -> Bounds | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def render(m: folium.Map, download: bool = False, *, assets_dir: Path | None = None) -> str:
    """The map as one HTML page.

    Parameters
    ----------
    download : bool
        False: scripts and styles load from the app's ``/assets/``. True: everything
        (JS, CSS, marker images, fonts) is inlined, so the file works from disk with no
        network; only basemap tiles (if any) still come from their servers.
    assets_dir : Path, optional
        ``node_modules``; defaults to the ``PARKGIS_ASSETS_DIR`` of a map made by
        :func:`base_map` (a plain ``folium.Map`` must name it).

    Raises
    ------
    ConfigError
        A Folium element wants a CDN file with no local copy, or assets are missing.
    """
    if download:  # e.g. tiled layers inline a simplified layer (parkgis.maps.tiles_layer)
        for hook in m.__dict__.get("download_hooks", ()):
            hook(m)
    assets.localize(m)
    html = m.get_root().render()
    assets.check_local(html)
    lang = m.lang if isinstance(m, ParkMap) else "zh"
    html = html.replace("<html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
    if download:
        if assets_dir is None:
            if not isinstance(m, ParkMap):
                raise ConfigError("render(download=True) of a plain folium.Map needs assets_dir")
            assets_dir = m.map_settings.assets_dir
        root = assets.assets_root(assets_dir)
        html = assets.inline_assets(html, root)
        left = assets.linked_files(html)
        if left:
            raise ConfigError(f"download map still links files: {', '.join(left)}")
        if isinstance(m, ParkMap):
            csp = safe_text(content_security_policy(m.basemap, offline=True))
            meta = f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            html = html.replace("<head>", "<head>\n" + meta, 1)
    return html
