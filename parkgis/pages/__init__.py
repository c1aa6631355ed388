"""The page frame shared by every page and map of parkgis.

- :mod:`parkgis.pages.env`: the one Jinja environment (autoescape, StrictUndefined),
  ``base.html`` and ``frame_bar.html``, ``PAGE_CSP``.
- :mod:`parkgis.pages.frame`: :class:`Frame` (title, home, the role's pages, language,
  sign-in state, download/print) and the language cookie.
- :mod:`parkgis.pages.nav`: :data:`NAV`, the role-aware registry of pages.
- :mod:`parkgis.pages.mapbar`: the same bar on a Folium map.
- :mod:`parkgis.pages.format`: money (亿元 / CNY million) and areas for people.
"""

from parkgis.pages.env import PAGE_CSP, add_template_dir, environment, render_template
from parkgis.pages.format import area, money, number
from parkgis.pages.frame import LANG_COOKIE, Frame, make_frame, pick_lang
from parkgis.pages.mapbar import add_frame_bar
from parkgis.pages.nav import EVERYONE, NAV, SIGNED_IN, STAFF, NavItem, nav_for

__all__ = [
    "EVERYONE",
    "LANG_COOKIE",
    "NAV",
    "PAGE_CSP",
    "SIGNED_IN",
    "STAFF",
    "Frame",
    "NavItem",
    "add_frame_bar",
    "add_template_dir",
    "area",
    "environment",
    "make_frame",
    "money",
    "nav_for",
    "number",
    "pick_lang",
    "render_template",
]
