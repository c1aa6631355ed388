"""The frame's top bar on a Folium map: title, home, the role's pages, language, download.

The web layer calls :func:`add_frame_bar` before :func:`parkgis.maps.render`; the map
itself is moved below the bar. In a downloaded file (``frame.offline``) the bar shows only
the title and the language, since links back to the server would not work from disk.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Figure, MacroElement

from parkgis.maps.page import Verbatim
from parkgis.pages.env import STATIC, TEMPLATES, render_template
from parkgis.pages.favicon import svg_data_uri
from parkgis.pages.frame import Frame

BAR_HEIGHT_PX = 44
_MAP_CSS = f"""
html, body {{margin: 0; padding: 0;}}
.folium-map {{position: absolute !important; top: {BAR_HEIGHT_PX}px !important; bottom: 0;
  left: 0; right: 0; width: auto !important; height: auto !important;}}
.pg-bar {{position: fixed !important;}}
@media (max-width: 640px) {{
  .leaflet-control-zoom {{display: none;}}
  .parkgis-legend {{max-width: 62vw; font-size: 12px; max-height: 45vh;}}
  .parkgis-legend.pg-folded > :not(h5) {{display: none;}}
  .parkgis-legend h5 {{cursor: pointer; margin: 0;}}
  .parkgis-legend h5::after {{content: " \\25BE";}}
  .parkgis-legend.pg-folded h5::after {{content: " \\25B8";}}
  .leaflet-popup-content {{max-width: calc(100vw - 90px) !important; overflow-wrap: anywhere;}}
}}
"""


class FrameBar(MacroElement):
    """The bar's CSS, HTML and script, placed in the page verbatim (never as a template)."""

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self._name = "FrameBar"
        self.frame = frame

    def render(self, **kwargs: Any) -> str:
        """Add the bar to the page's header, body and scripts."""
        figure = self.get_root()
        assert isinstance(figure, Figure)
        name = self.get_name()
        icon = svg_data_uri()
        css = (TEMPLATES / "frame.css").read_text(encoding="utf-8") + _MAP_CSS
        head = f"<style>{css}</style>"  # the icon: /favicon.ico (a data: <link> is refused)
        figure.header.add_child(Verbatim(head), name=name + "_css")
        bar = render_template("frame_bar.html", frame=self.frame, favicon=icon, signout=False)
        figure.html.add_child(Verbatim(bar), name=name + "_html")
        js = (STATIC / "frame.js").read_text(encoding="utf-8")
        # after the map's own script, so the maps and their controls exist
        js += "\n" + (STATIC / "map_frame.js").read_text(encoding="utf-8")
        figure.script.add_child(Verbatim(js), name=name + "_js")
        return ""


def add_frame_bar(m: folium.Map, frame: Frame) -> None:
    """Give map ``m`` the frame bar (title from ``frame.title``)."""
    m.add_child(FrameBar(frame))
