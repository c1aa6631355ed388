"""Page data and scripts placed in a map verbatim, never through Folium's Jinja.

Folium turns a ``MacroElement``'s macro output into a new ``Element(template=...)``, i.e.
compiles it again as a Jinja template: ``{{ ... }}`` in data would run on the server, and a
megabyte of data costs a quarter second to tokenize. :class:`PageData` puts CSS, one JSON
block and one script into the page as text.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement

from parkgis.maps.safe import js_literal


class Verbatim(Element):
    """Text put into the page as it is (no template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self.text


class PageData(MacroElement):
    """CSS for the header, ``data`` as a JSON block, and a script that reads it.

    Parameters
    ----------
    name : str
        Element name (for the page's variable names).
    data : dict
        Made safe with :func:`~parkgis.maps.safe.js_literal` and placed in
        ``<script type="application/json" id=data_id>``.
    css, script : str
        Trusted text of this package. ``__DATA_ID__`` in the script becomes the JSON
        string of ``data_id``, and each ``{placeholder: element}`` in ``names`` becomes
        that element's JavaScript variable name.
    """

    def __init__(
        self,
        name: str,
        data: dict[str, Any],
        *,
        data_id: str,
        css: str,
        script: str,
        names: dict[str, Any],
    ) -> None:
        super().__init__()
        self._name = name
        self.css = css
        self.data_id = data_id
        self.data_json = js_literal(data)
        script = script.replace("__DATA_ID__", js_literal(data_id))
        for placeholder, element in names.items():
            script = script.replace(placeholder, element.get_name())
        self.script_js = script

    def render(self, **kwargs: Any) -> str:
        """Place CSS, data and script in the page verbatim (never as a template)."""
        figure = self.get_root()
        assert isinstance(figure, Figure)
        name = self.get_name()
        figure.header.add_child(Verbatim(self.css), name=name + "_css")
        data = f'<script type="application/json" id="{self.data_id}">{self.data_json}</script>'
        figure.html.add_child(Verbatim(data), name=name + "_data")
        figure.script.add_child(Verbatim(self.script_js), name=name + "_script")
        return ""
