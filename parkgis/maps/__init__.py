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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from parkgis.maps.safe import (
        SafePopup,
        SafeTooltip,
        js_literal,
        popup_html,
        safe_color,
        safe_text,
    )

_HOME = {
    **dict.fromkeys(
        (
            "LegendItem",
            "LegendSection",
            "ParkMap",
            "add_geojson",
            "base_map",
            "finish",
            "legend_html",
            "render",
        ),
        "parkgis.maps.core",
    ),
    **dict.fromkeys(("register", "resolve_lang", "t"), "parkgis.maps.i18n"),
    **dict.fromkeys(
        ("SafePopup", "SafeTooltip", "js_literal", "popup_html", "safe_color", "safe_text"),
        "parkgis.maps.safe",
    ),
}
"""Where each name of :data:`__all__` lives. They are imported on first use, so that
``parkgis import`` (whose CLI lists the map kinds of :mod:`parkgis.maps.registry`) does not
load folium and pandas first: about 1 s of every command's start."""


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'parkgis.maps' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


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
