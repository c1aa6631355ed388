"""Safe text for maps: everything user-typed is escaped for HTML *and* JavaScript.

Folium places popup and tooltip text in JavaScript template literals (backticks), where
``${...}`` runs code, and Leaflet puts popup, tooltip and layer-control text into
``innerHTML``. So a value is made safe in two steps:

1. :func:`safe_text` HTML-escapes it and also turns the characters that mean something in
   a JS string or template literal (backtick, ``$``, backslash) into character references.
   The result shows the same text in a browser and cannot close a string, open a
   ``${...}`` or start a tag.
2. Strings reach JavaScript only through :func:`js_literal` (JSON with ``<``, ``>``, ``&``
   and ``'`` as ``\\uXXXX``), so no ``</script>`` can end the page's script block.

:class:`SafePopup` and :class:`SafeTooltip` bind HTML built here through :func:`js_literal`;
use them instead of ``folium.Popup``/``folium.Tooltip``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from folium.elements import MacroElement
from folium.template import Template

_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})
# Folium compiles element output again as a Jinja template, so "{{", "{%" and "{#" from
# user text must never reach it (in JSON such a pair can only be string content).
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")
_COLOR = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")


def safe_text(value: Any) -> str:
    """Text of ``value`` escaped for HTML text, attributes and JS template literals.

    ``None`` becomes ``""``; floats are shown with at most two decimals and thousands
    separators; dates in ISO form.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "✓" if value else "✗"
    elif isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else f"{value:.3g}"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, date | datetime):
        text = value.isoformat()
    else:
        text = str(value)
    return _JINJA_OPEN.sub("&#123;", html.escape(text, quote=True).translate(_EXTRA))


def js_literal(value: Any) -> str:
    """``value`` as a JavaScript literal that is safe inside an HTML ``<script>`` block.

    Besides ``<``, ``>``, ``&`` and ``'``, a ``{`` that would open Jinja syntax (``{{``,
    ``{%``, ``{#``) is written as ``\\u007b``: Folium compiles element output again as a
    template, and user text must never run there.
    """
    text = (
        json.dumps(value, ensure_ascii=False, default=str)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return _JINJA_OPEN.sub(r"\\u007b", text)


def safe_color(value: Any, default: str = "#999999") -> str:
    """``value`` if it is a ``#rgb``/``#rrggbb`` colour, else ``default`` (never raw text)."""
    return value if isinstance(value, str) and _COLOR.match(value) else default


def popup_html(title: Any, rows: Iterable[tuple[Any, Any]], *, css_class: str = "") -> str:
    """A small HTML card: an escaped title and a two-column table of escaped rows.

    Rows whose value is ``None`` or ``""`` are left out. Labels and values are both escaped,
    so either may come from users.
    """
    body = "".join(
        f"<tr><th>{safe_text(k)}</th><td>{safe_text(v)}</td></tr>"
        for k, v in rows
        if v is not None and v != ""
    )
    cls = " ".join(["parkgis-popup", safe_text(css_class)]).strip()
    return f'<div class="{cls}"><h6>{safe_text(title)}</h6><table>{body}</table></div>'


class SafePopup(MacroElement):
    """A popup whose HTML is passed as a JSON string (never in a template literal).

    Parameters
    ----------
    html_content : str
        HTML built with :func:`safe_text`/:func:`popup_html` (values already escaped).
    max_width : int
        Popup width limit in pixels.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.js_html }}, {{ this.js_options }});
        {% endmacro %}
        """
    )

    def __init__(self, html_content: str, max_width: int = 360) -> None:
        super().__init__()
        self._name = "SafePopup"
        self.js_html = js_literal(html_content)
        self.js_options = js_literal({"maxWidth": int(max_width)})


class SafeTooltip(MacroElement):
    """A tooltip showing ``text`` (escaped here), bound through a JSON string."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.js_text }}, {{ this.js_options }});
        {% endmacro %}
        """
    )

    def __init__(self, text: Any, sticky: bool = True) -> None:
        super().__init__()
        self._name = "SafeTooltip"
        self.js_text = js_literal(safe_text(text))
        self.js_options = js_literal({"sticky": bool(sticky)})
