"""The one Jinja environment of parkgis (autoescape, StrictUndefined) and page rendering.

Templates live in ``parkgis/pages/templates`` (the frame: ``base.html``, ``frame_bar.html``,
``frame.css``); the web layer adds its own directory with :func:`add_template_dir`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from parkgis.pages.format import area, money, number

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

PAGE_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; script-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Content-Security-Policy of framed pages: only this app's files, no inline scripts."""

_DIRS: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
_LOADER = jinja2.ChoiceLoader(_DIRS)


def add_template_dir(path: Path) -> None:
    """Let templates in ``path`` extend the frame (searched after the frame's own)."""
    known = [x for x in _DIRS if isinstance(x, jinja2.FileSystemLoader)]
    if not any(str(path) in x.searchpath for x in known):
        _DIRS.append(jinja2.FileSystemLoader(path))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment: autoescape on, undefined names are errors.

    Filters: ``money(lang)`` (yuan → 亿元 / CNY million), ``area(lang)`` (m² and mu),
    ``number``.
    """
    env = jinja2.Environment(
        loader=_LOADER,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["area"] = area
    env.filters["number"] = number
    return env


def render_template(template: str, **context: Any) -> str:
    """Render ``template`` of the shared environment with ``context``."""
    return environment().get_template(template).render(**context)
