"""Pages in headless Chromium: no script injection, no request off 127.0.0.1, offline files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser_utils import Watched, leaflet_maps_ready, open_every_popup
from tests.maps.zone import Zone
from tests.support.hostile import HOSTILE

pytestmark = pytest.mark.browser

FA_SOLID = '900 16px "Font Awesome 6 Free"'


def drawn(page: Any) -> dict[str, int]:
    return page.evaluate(
        """() => ({
            paths: document.querySelectorAll('path.leaflet-interactive').length,
            markers: document.querySelectorAll('.leaflet-marker-pane .awesome-marker').length,
            legend: document.querySelectorAll('#parkgis-legend li').length,
            containers: document.querySelectorAll('.leaflet-container').length,
        })"""
    )


def assert_quiet(w: Watched) -> None:
    assert w.dialogs == []
    assert w.page_errors == []
    assert w.console_errors == []
    assert w.bad_responses == []


def test_hostile_names_never_run_script(
    live_server: str, watched: Watched, app_zone: tuple[Zone, str]
) -> None:
    z, token = app_zone
    page = watched.new_page(token)
    page.add_init_script("window.__xss = undefined;")
    page.goto(f"{live_server}/maps/parcels?bbox={z.bbox_param}&basemap=none&lang=en")
    assert leaflet_maps_ready(page) == 1
    assert drawn(page)["markers"] == 4 and drawn(page)["paths"] == 8
    opened = open_every_popup(page)
    assert opened["popups"] == 12 and opened["tooltips"] == 12
    for el in page.locator(".leaflet-marker-pane .awesome-marker").all():
        el.click(force=True)
    page.wait_for_timeout(500)
    assert watched.dialogs == []
    assert page.evaluate("() => window.__xss") is None
    assert (
        page.evaluate(
            "() => document.querySelectorAll('.leaflet-popup img, .leaflet-tooltip img').length"
        )
        == 0
    )
    assert_quiet(watched)
    assert watched.offsite() == []
    # every hostile name is shown as text, exactly as typed
    texts = "\n".join(opened["texts"])
    for raw in HOSTILE:
        assert raw in texts


@pytest.mark.parametrize("path", ["/", "/?lang=en", "/maps/parcels?basemap=none"])
def test_pages_load_with_the_network_closed(
    live_server: str, watched: Watched, app_zone: tuple[Zone, str], path: str
) -> None:
    z, token = app_zone
    page = watched.new_page(token)
    sep = "&" if "?" in path else "?"
    url = f"{live_server}{path}" + (f"{sep}bbox={z.bbox_param}" if "maps" in path else "")
    page.goto(url, wait_until="networkidle")
    if "maps" in path:
        leaflet_maps_ready(page)
        d = drawn(page)
        assert d["paths"] == 8 and d["markers"] == 4 and d["legend"] == 8
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate(f"() => document.fonts.check('{FA_SOLID}')")
    assert watched.blocked == [] and watched.offsite() == []
    assert any("/assets/" in u for u in watched.requests)
    assert_quiet(watched)


def test_anonymous_zone_map_with_osm_only_asks_for_tiles(
    live_server: str, watched: Watched, app_zone: tuple[Zone, str]
) -> None:
    z, _ = app_zone
    page = watched.new_page()
    page.goto(f"{live_server}/maps/parcels?bbox={z.bbox_param}", wait_until="networkidle")
    leaflet_maps_ready(page)
    d = drawn(page)
    assert d["paths"] == 2 and d["markers"] == 0
    assert watched.blocked, "OSM tiles should have been requested (and blocked here)"
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in watched.blocked)
    assert watched.page_errors == [] and watched.dialogs == []


def test_download_works_from_disk_with_no_network(
    live_server: str, watched: Watched, app_zone: tuple[Zone, str], tmp_path: Path
) -> None:
    z, token = app_zone
    r = httpx.get(
        f"{live_server}/maps/parcels",
        params={"bbox": z.bbox_param, "basemap": "none", "download": "1"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    f = tmp_path / "zone.html"
    f.write_bytes(r.content)
    watched.allow_loopback = False
    page = watched.new_page()
    page.goto(f.as_uri(), wait_until="load")
    leaflet_maps_ready(page)
    d = drawn(page)
    assert d == {"paths": 8, "markers": 4, "legend": 8, "containers": 1}
    opened = open_every_popup(page)
    assert opened["popups"] == 12
    page.evaluate("() => document.fonts.ready")
    assert page.evaluate(f"() => document.fonts.check('{FA_SOLID}')")
    marker_bg = page.evaluate(
        "() => getComputedStyle(document.querySelector('.awesome-marker')).backgroundImage"
    )
    assert marker_bg.startswith('url("data:image/png;base64,')
    default_icon = page.evaluate("() => new L.Icon.Default()._getIconUrl('icon')")
    assert default_icon.startswith("data:image/png;base64,")
    assert [u for u in watched.requests if not u.startswith(("file:", "data:"))] == []
    assert watched.blocked == []
    assert_quiet(watched)


def test_api_docs_load_with_the_network_closed(live_server: str, watched: Watched) -> None:
    page = watched.new_page()
    page.goto(f"{live_server}/docs", wait_until="networkidle")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert watched.blocked == [] and watched.offsite() == []
    assert_quiet(watched)


def test_clustered_firms_render_without_tiles(watched: Watched, tmp_path: Path) -> None:
    from parkgis.maps import add_geojson, base_map, finish, render
    from parkgis.settings import Settings

    m = base_map(Settings(), basemap="none", lang="en")
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [112.7 + (i % 15) * 1e-3, 23.33]},
                "properties": {"id": i},
            }
            for i in range(150)
        ],
    }
    add_geojson(m, fc, kind="firms", name="Firms", cluster=True)
    f = tmp_path / "clustered.html"
    f.write_text(render(finish(m, legend=[]), download=True), encoding="utf-8")
    watched.allow_loopback = False
    page = watched.new_page()
    page.goto(f.as_uri(), wait_until="load")
    leaflet_maps_ready(page)
    page.wait_for_timeout(300)
    clusters = page.locator(".marker-cluster").count()
    assert 0 < clusters < 150  # merged into counted bubbles, not 150 pins
    assert_quiet(watched)
