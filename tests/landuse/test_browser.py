"""The land-use map in headless Chromium: offline, every theme draws, escaped popups.

Screenshots at 1366x900 and 390x844 go to ``$PARKGIS_SHOTS`` (default: pytest's tmp dir).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from parkgis.maps.landuse import GRADE_COLORS, INEFFICIENT_COLORS, NONE_COLOR, PLOT_RATIO_COLORS
from tests.browser_utils import Watched, leaflet_maps_ready, open_every_popup
from tests.landuse.zone import HOSTILE_NAME, LuZone, committed_zone

pytestmark = pytest.mark.browser

FILLS_JS = """() => {
  const out = [];
  const maps = Object.values(window).filter(v => v instanceof L.Map);
  maps[0].eachLayer(l => {
    if (l.feature && l._path) {
      out.push({id: l.feature.properties.id, want: l.feature.properties,
                fill: l._path.getAttribute('fill')});
    }
  });
  return out;
}"""

PALETTES = {
    "plot_ratio": set(PLOT_RATIO_COLORS.values()) | {NONE_COLOR},
    "grade": set(GRADE_COLORS.values()) | {NONE_COLOR},
    "inefficient": set(INEFFICIENT_COLORS.values()) | {NONE_COLOR},
}


@pytest.fixture(scope="module")
def zone_tokens(engine: Engine) -> Iterator[tuple[LuZone, dict[str, str]]]:
    with committed_zone(engine) as zt:
        yield zt


def _quiet(w: Watched) -> None:
    assert w.dialogs == [] and w.page_errors == [] and w.console_errors == []
    assert w.bad_responses == [] and w.offsite() == []


def _shot(page: Any, name: str, tmp_path: Path) -> Path:
    where = Path(os.environ.get("PARKGIS_SHOTS") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"landuse-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def test_every_theme_draws_offline(
    live_server: str,
    watched: Watched,
    zone_tokens: tuple[LuZone, dict[str, str]],
    tmp_path: Path,
) -> None:
    zone, tokens = zone_tokens
    page = watched.new_page(tokens["planner"])
    page.add_init_script("window.__xss = undefined;")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(
        f"{live_server}/maps/landuse?bbox={zone.bbox_param}&basemap=none", wait_until="networkidle"
    )
    assert leaflet_maps_ready(page) == 1
    assert page.evaluate("() => window.parkgisLanduse.themes()") == [
        "class",
        "plot_ratio",
        "grade",
        "inefficient",
    ]
    for theme in ("class", "plot_ratio", "grade", "inefficient"):
        page.locator(f"#pg-lu-themes input[value={theme}]").check()
        assert page.evaluate("() => window.parkgisLanduse.current()") == theme
        fills = page.evaluate(FILLS_JS)
        assert len(fills) == 10
        for f in fills:
            assert f["fill"] == f["want"][f"c_{theme}"], (theme, f)
        colours = {f["fill"] for f in fills}
        assert len(colours) >= 2, theme
        if theme in PALETTES:
            assert colours <= PALETTES[theme], theme
        visible = page.evaluate(
            "() => [...document.querySelectorAll('#parkgis-legend h6')]"
            ".filter(h => h.style.display !== 'none').length"
        )
        assert visible == 1
        _shot(page, f"{theme}-1366", tmp_path)
    by_id = {f["id"]: f["fill"] for f in page.evaluate(FILLS_JS)}
    assert by_id[zone.parcels["idle_old"]] == INEFFICIENT_COLORS["supplied_not_used.take_back"]
    assert by_id[zone.parcels["available"]] == INEFFICIENT_COLORS["approved_not_supplied"]
    page.locator("#pg-lu-themes input[value=plot_ratio]").check()
    by_id = {f["id"]: f["fill"] for f in page.evaluate(FILLS_JS)}
    assert by_id[zone.parcels["low"]] == PLOT_RATIO_COLORS["below_80"]
    assert by_id[zone.parcels["ok"]] == PLOT_RATIO_COLORS["ok"]
    opened = open_every_popup(page)
    assert opened["popups"] == 10 and opened["tooltips"] == 10
    assert HOSTILE_NAME in "\n".join(opened["texts"])
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate("() => document.querySelectorAll('.leaflet-popup img').length") == 0
    _quiet(watched)


def test_phone_size_and_investment_view(
    live_server: str,
    watched: Watched,
    zone_tokens: tuple[LuZone, dict[str, str]],
    tmp_path: Path,
) -> None:
    zone, tokens = zone_tokens
    page = watched.new_page(tokens["planner"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(
        f"{live_server}/maps/landuse?bbox={zone.bbox_param}&basemap=none&theme=inefficient",
        wait_until="networkidle",
    )
    leaflet_maps_ready(page)
    for sel in ("#pg-lu-themes", "#parkgis-legend"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, sel
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, sel
    _shot(page, "inefficient-390", tmp_path)
    inv = watched.new_page(tokens["investment"])
    inv.goto(
        f"{live_server}/maps/landuse?bbox={zone.bbox_param}&basemap=none", wait_until="networkidle"
    )
    leaflet_maps_ready(inv)
    assert inv.evaluate("() => window.parkgisLanduse.themes()") == ["class"]
    assert inv.locator("#pg-lu-themes").count() == 0  # one theme: no switch
    assert len(inv.evaluate(FILLS_JS)) == 10
    _quiet(watched)


def test_downloaded_file_works_from_disk(
    live_server: str,
    watched: Watched,
    zone_tokens: tuple[LuZone, dict[str, str]],
    tmp_path: Path,
) -> None:
    import httpx

    zone, tokens = zone_tokens
    r = httpx.get(
        f"{live_server}/maps/landuse",
        params={"bbox": zone.bbox_param, "basemap": "none", "download": "1"},
        headers={"Authorization": f"Bearer {tokens['planner']}"},
        timeout=60,
    )
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    path = tmp_path / "landuse.html"
    path.write_bytes(r.content)
    watched.allow_loopback = False
    page = watched.new_page()
    page.goto(path.as_uri())
    leaflet_maps_ready(page)
    page.evaluate("() => window.parkgisLanduse.show('grade')")
    assert len(page.evaluate(FILLS_JS)) == 10
    assert watched.blocked == []
