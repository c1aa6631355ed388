"""Folium maps of the zone, built from the same query functions as the API.

- :mod:`parkgis.maps.core`: :func:`base_map`, :func:`add_geojson`, :func:`finish`
  (fit bounds, legend, layer control) and :func:`render` (offline, ``download``).
- :mod:`parkgis.maps.safe`: escaping for popups, tooltips and labels.
- :mod:`parkgis.maps.assets`: npm assets instead of CDNs, inlining for downloads.
- :mod:`parkgis.maps.basemaps`: OSM, AMap (GCJ-02), Tianditu, none.
- :mod:`parkgis.maps.i18n`: zh/en labels.
- :mod:`parkgis.maps.parcels`: the zone map (``/maps/parcels``).
- :mod:`parkgis.maps.registry`: map kinds for ``parkgis map KIND``.
"""

from parkgis.maps.core import (
    LegendItem,
    LegendSection,
    ParkMap,
    add_geojson,
    base_map,
    finish,
    legend_html,
    render,
)
from parkgis.maps.i18n import register, resolve_lang, t
from parkgis.maps.safe import SafePopup, SafeTooltip, js_literal, popup_html, safe_color, safe_text

__all__ = [
    "LegendItem",
    "LegendSection",
    "ParkMap",
    "SafePopup",
    "SafeTooltip",
    "add_geojson",
    "base_map",
    "finish",
    "js_literal",
    "legend_html",
    "popup_html",
    "register",
    "render",
    "resolve_lang",
    "safe_color",
    "safe_text",
    "t",
]
