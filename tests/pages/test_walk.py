"""A walk through every page the frame links, per role, on a desktop and on a phone.

For each role (anonymous, investment, officer, planner, admin) and each screen (1366×900,
390×844), in English, the walk opens home and every link in the frame's page menu and checks:

- the link answers below 400 and the page throws no script error;
- nothing sticks out sideways (``scrollWidth <= innerWidth``), and no text is squeezed to
  one character per line;
- the legend, the map controls, the filter box and the frame bar do not overlap;
- no Chinese text and no raw code (``snake_case``) on the page, apart from proper names
  (elements marked ``lang="zh-CN"``, and the toggle that offers Chinese).

Screenshots are kept in ``$PARKGIS_WALK_DIR`` (default: a ``walk`` folder in pytest's
temporary directory, printed at the end).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser_utils import LOCAL_HOSTS
from tests.support.roles import ROLES

pytestmark = pytest.mark.browser

API_REFERENCE = ("/docs",)
PENDING: dict[str, tuple[str, ...]] = {
    # Pages of other issues, reported to their owners (notes/HELPERS.md, "Page frame"):
    # remove an entry when its page marks Chinese proper names with lang="zh-CN".
}
SCREENS = {"desktop": (1366, 900), "phone": (390, 844)}
HAN = re.compile(r"[\u3400-\u9fff]")
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")

TEXT_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, noscript, [lang^="zh"], #pg-lang')
      .forEach(e => e.remove());
  return body.textContent;
}"""

BOXES_JS = """() => {
  const sel = '.parkgis-legend, .leaflet-control, #pg-filters, #pg-bar';
  const out = [];
  document.querySelectorAll(sel).forEach(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (r.width < 2 || r.height < 2 || s.display === 'none' || s.visibility === 'hidden') return;
    if (e.closest('.leaflet-control') && e.closest('.leaflet-control') !== e) return;
    out.push({name: (e.id || e.className || e.tagName).toString().slice(0, 60),
              x: r.left, y: r.top, w: r.width, h: r.height});
  });
  return out;
}"""


SQUEEZED_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, p, li, th, td, label')]
  .filter(e => {
    const r = e.getBoundingClientRect(), t = (e.textContent || '').trim();
    return r.width > 0 && r.width < 30 && t.length > 4 && r.height > 60;
  })
  .map(e => e.textContent.trim().slice(0, 30))"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = Path(os.environ.get("PARKGIS_WALK_DIR") or tmp_path_factory.mktemp("walk"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of boxes that share more than a few pixels."""
    bad = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if w > 2 and h > 2:
                bad.append((a["name"], b["name"]))
    return bad


def _only_local(route: Any) -> None:
    url = urlparse(route.request.url)
    if url.scheme in ("data", "blob", "about") or url.hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()  # basemap tiles: never fetched in tests


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("role", ROLES)
def test_walk(
    browser: Any,
    live_server: str,
    role_tokens: dict[str, str | None],
    shots: Path,
    role: str,
    screen: str,
) -> None:
    width, height = SCREENS[screen]
    token = role_tokens[role]
    ctx = browser.new_context(
        viewport={"width": width, "height": height},
        extra_http_headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    ctx.route("**/*", _only_local)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems: list[str] = []
    try:
        page.goto(f"{live_server}/?lang=en", wait_until="load")
        links = page.eval_on_selector_all(
            "#pg-menu a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert "/?lang=en" in links and len(links) >= 3, links
        for href in links:
            resp = page.goto(live_server + href, wait_until="load")
            name = re.sub(r"[^a-z0-9]+", "-", href.lower()).strip("-") or "home"
            if resp is None or resp.status >= 400:
                problems.append(f"{href}: HTTP {resp.status if resp else 'none'}")
                continue
            if page.locator(".folium-map").count():
                page.wait_for_function("() => window.L !== undefined", timeout=15000)
            page.wait_for_timeout(150)
            page.screenshot(path=str(shots / f"{role}-{screen}-{name}.png"))
            sw, iw = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            if sw > iw:
                problems.append(f"{href}: {sw - iw}px wider than the screen")
            squeezed = page.evaluate(SQUEEZED_JS)
            if squeezed:
                problems.append(f"{href}: text squeezed to a character per line: {squeezed[:3]}")
            for a, b in overlaps(page.evaluate(BOXES_JS)):
                problems.append(f"{href}: {a!r} overlaps {b!r}")
            if href.startswith(API_REFERENCE):
                continue  # Swagger UI: field names and codes are its content
            text = page.evaluate(TEXT_JS)
            for phrase in PENDING.get(href.split("?")[0], ()):
                text = text.replace(phrase, "")
            if HAN.search(text):
                problems.append(f"{href}: Chinese on an English page: {HAN.findall(text)[:12]}")
            codes = sorted(set(RAW_CODE.findall(text)))
            if codes:
                problems.append(f"{href}: raw codes {codes[:8]}")
        problems += [f"script error: {e}" for e in errors]
    finally:
        ctx.close()
    assert problems == [], "\n".join(problems) + f"\n(screenshots in {shots})"
