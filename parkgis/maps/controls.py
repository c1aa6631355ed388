"""Filter controls on a map page: status, land use, chain, stage, officer as drop-downs.

Each control changes one query parameter of the page's address and reloads it, so the
server filters (and refuses bad values) exactly as the API does, and the legend counts
follow. In a downloaded file the controls are shown read-only (there is no server).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import folium
from branca.element import Figure, MacroElement

from parkgis.maps.i18n import Lang, register, t
from parkgis.maps.page import Verbatim
from parkgis.maps.safe import safe_text

register({"filter.all": ("全部", "All"), "filter.title": ("筛选", "Filter")})


@dataclass(frozen=True)
class FilterControl:
    """One drop-down: the query parameter, its label, ``(value, label)`` choices, the
    current value (``""`` = all)."""

    param: str
    label: str
    choices: Sequence[tuple[str, str]]
    current: str = ""
    names: bool = False
    """The choices are people's or firms' names (marked ``lang="zh-CN"``)."""


_CSS = """
<style>
.pg-filters {position: absolute; z-index: 1000; top: 54px; left: 54px; background: #fff;
  padding: 6px 8px; border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,.35);
  font: 13px/1.3 system-ui, "Noto Sans CJK SC", sans-serif; max-width: calc(100vw - 130px);
  display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; color: #1a1a1a;}
.pg-filters label {display: flex; gap: 4px; align-items: center; margin: 0;}
.pg-filters select {font: inherit; max-width: 180px; padding: 1px 2px; color: #1a1a1a;}
@media (max-width: 640px) {
  .pg-filters {left: 8px; top: 50px; max-width: calc(100vw - 70px); font-size: 12px;}
  .pg-filters select {max-width: 120px;}
}
</style>
"""

_JS = """
(function () {
  var box = document.getElementById("pg-filters");
  if (!box || location.protocol === "file:") {
    if (box) { box.querySelectorAll("select").forEach(function (s) { s.disabled = true; }); }
    return;
  }
  box.querySelectorAll("select[data-param]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      var url = new URL(location.href);
      url.searchParams.delete("download");
      if (sel.value) { url.searchParams.set(sel.dataset.param, sel.value); }
      else { url.searchParams.delete(sel.dataset.param); }
      location.href = url.toString();
    });
  });
})();
"""


class FilterBar(MacroElement):
    """The controls' HTML, CSS and script, placed verbatim (never through a template)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "FilterBar"
        self.html = html

    def render(self, **kwargs: object) -> str:
        """Add the controls to the page."""
        figure = self.get_root()
        assert isinstance(figure, Figure)
        name = self.get_name()
        figure.header.add_child(Verbatim(_CSS), name=name + "_css")
        figure.html.add_child(Verbatim(self.html), name=name + "_html")
        figure.script.add_child(Verbatim(_JS), name=name + "_js")
        return ""


def controls_html(controls: Sequence[FilterControl], lang: str) -> str:
    """The drop-downs as escaped HTML (``id="pg-filters"``)."""
    lg: Lang = "en" if lang == "en" else "zh"
    parts = [
        f'<div class="pg-filters" id="pg-filters" aria-label="{safe_text(t("filter.title", lg))}">'
    ]
    for c in controls:
        parts.append(
            f'<label>{safe_text(c.label)} <select data-param="{safe_text(c.param)}" '
            f'name="{safe_text(c.param)}">'
        )
        parts.append(f'<option value="">{safe_text(t("filter.all", lg))}</option>')
        values = {v for v, _ in c.choices}
        mark = ' lang="zh-CN"' if c.names else ""
        for value, label in c.choices:
            sel = " selected" if value == c.current else ""
            parts.append(
                f'<option value="{safe_text(value)}"{sel}{mark}>{safe_text(label)}</option>'
            )
        if c.current and c.current not in values:  # e.g. a comma list typed in the address
            parts.append(
                f'<option value="{safe_text(c.current)}" selected>{safe_text(c.current)}</option>'
            )
        parts.append("</select></label>")
    parts.append("</div>")
    return "".join(parts)


def add_filter_controls(m: folium.Map, controls: Sequence[FilterControl], lang: str) -> None:
    """Put drop-downs for ``controls`` on map ``m`` (each reloads the page filtered)."""
    if controls:
        m.add_child(FilterBar(controls_html(controls, lang)))
