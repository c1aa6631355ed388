"""HTML of the prospect pages and sheets (Jinja2, autoescaped), QR codes and PDFs.

Templates live in ``parkgis/prospect/templates``. PDFs are rendered by WeasyPrint from the
same HTML with a URL fetcher that refuses every URL but ``data:``, so a PDF never reaches
the network and never embeds what the page would not show.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment
from markupsafe import Markup

from parkgis.errors import ConfigError
from parkgis.geo import M2_PER_MU
from parkgis.maps.i18n import Lang, status_label, t
from parkgis.prospect.labels import labels

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _num(v: Any, digits: int = 0) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, int | float):
        return f"{v:,.{digits}f}"
    return str(v)


def _mu(m2: Any) -> str:
    return "—" if m2 is None else f"{float(m2) / M2_PER_MU:,.1f}"


def _dist(m: Any, lang: Lang) -> str:
    if m is None:
        return "—"
    return f"{m / 1000:,.1f} km" if m >= 1000 else f"{m:,.0f} m"


def json_script(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block (``<``, ``>``, ``&`` escaped)."""
    s = orjson.dumps(value, default=str).decode()
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(s)  # noqa: S704 - every markup-significant character is escaped above


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The project's one Jinja environment, with the prospect templates and filters added.

    Autoescape and StrictUndefined come from :func:`parkgis.pages.env.environment`; this
    adds ``parkgis/prospect/templates`` to its loader and the filters ``num``, ``mu`` and
    ``json_script`` and the globals ``t``, ``status_label`` and ``dist`` (once).
    """
    from parkgis.pages.env import add_template_dir
    from parkgis.pages.env import environment as shared

    add_template_dir(TEMPLATES)
    env = shared()
    env.filters.setdefault("num", _num)
    env.filters.setdefault("mu", _mu)
    env.filters.setdefault("json_script", json_script)
    env.globals.setdefault("t", t)
    env.globals.setdefault("status_label", status_label)
    env.globals.setdefault("dist", _dist)
    return env


_OPTIONAL: dict[str, Any] = {
    "csrf": None,
    "pdf": False,
    "download": False,
    "user": None,
    "approval_number": None,
    "anonymous": False,
    "prefilled": None,
    "error": None,
    "basemap": None,
    "result": None,
    "can_hold": False,
    "links": False,
    "frame": None,
}
"""What a page may leave out (the environment refuses names it was not given)."""


def render_page(template: str, lang: Lang, **context: Any) -> str:
    """Render ``template`` with the labels of ``lang`` as ``L`` and ``lang``/``html_lang``."""
    ctx = {
        **_OPTIONAL,
        "L": labels(lang),
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "today": date.today(),
        "now": datetime.now().strftime("%Y-%m-%d %H:%M"),
        **context,
    }
    return environment().get_template(template).render(ctx)


def qr_svg(payload: str) -> Markup:
    """An inline SVG QR code of ``payload`` (a URL), with its payload in ``data-qr``."""
    import segno

    code = segno.make(payload, error="m", micro=False)
    svg = code.svg_inline(scale=3, border=2, dark="#000000")
    return Markup(svg.replace("<svg ", f'<svg class="qr" data-qr="{Markup.escape(payload)}" ', 1))


def _no_fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """WeasyPrint URL fetcher: only ``data:`` URLs (inline images), nothing from outside."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        result: dict[str, Any] = default_url_fetcher(url)
        return result
    raise ValueError(f"sheets fetch nothing from outside: {url[:60]}")


def html_to_pdf(html: str) -> bytes:
    """A PDF of ``html`` (WeasyPrint, A4, Noto CJK fonts from the system).

    Raises
    ------
    ConfigError
        WeasyPrint or its system libraries (Pango) are missing.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # pragma: no cover - set-up problem
        raise ConfigError(f"PDF rendering needs WeasyPrint and Pango: {exc}") from exc
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch, base_url="about:blank").write_pdf(
        font_config=_font_config()
    )
    return pdf


@lru_cache(maxsize=1)
def _font_config() -> Any:
    """One WeasyPrint font configuration for the process (fontconfig is scanned once)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()
