"""The land-use map drawn from vector tiles in Chromium, with the network closed.

The committed demo zone (1,800 parcels) is loaded once into a database of its own
(``parkgis_tiles_zone``, the one the tiles' browser test uses, so the demo load's TRUNCATE
never touches the shared test database) and served by a second live app whose
``PARKGIS_TILES_MAP_THRESHOLD`` is 300, so ``/maps/landuse`` draws its parcels from
``/tiles/landuse``. Every theme must colour the drawn tile features from their own
properties; a click and a hover show the parcel's numbers. Screenshots (1366×900 and
390×844) go to ``$PARKGIS_SHOTS`` (default: ``<tmp>/parkgis-landuse-tiles-shots``).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import text

from api.app import create_app
from parkgis.auth import create_token
from parkgis.db.engine import db_up, make_sessionmaker
from parkgis.demo import load_demo
from parkgis.landuse.themes import BASE_PROPERTIES
from parkgis.maps.landuse import NONE_COLOR
from parkgis.settings import DatabaseSettings, Settings, TileSettings
from tests.browser_utils import Watched, free_port, leaflet_maps_ready

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PARKGIS_SHOTS") or tempfile.gettempdir()) / (
    "parkgis-landuse-tiles-shots"
)

FEATURES_JS = """() => {
  const l = window.parkgisTiles.layers.landuse, out = [];
  for (const key in l._vectorTiles) {
    const t = l._vectorTiles[key];
    for (const id in t._features) {
      const f = t._features[id].feature;
      out.push({props: f.properties, fill: f.options.fillColor});
    }
  }
  return out;
}"""

TARGET_JS = """(want) => {
  const l = window.parkgisTiles.layers.landuse, map = l._map, size = map.getSize();
  for (const key in l._vectorTiles) {
    const t = l._vectorTiles[key];
    for (const id in t._features) {
      const f = t._features[id].feature;
      if (!f._pxBounds || want[1].indexOf(f.properties[want[0]]) < 0) continue;
      const b = f._pxBounds;
      if (b.max.x - b.min.x < 12 || b.max.y - b.min.y < 12) continue;
      const c = b.getCenter();
      const pt = t._tileCoord.scaleBy(l.getTileSize()).add(c).subtract(map.getPixelOrigin());
      if (pt.x < 60 || pt.y < 60 || pt.x > size.x - 320 || pt.y > size.y - 60) continue;
      return {x: pt.x, y: pt.y, props: f.properties};
    }
  }
  return null;
}"""


@dataclass
class TiledZone:
    """The live app on the demo database, and tokens there."""

    url: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def tiled_zone(db_settings: DatabaseSettings) -> Iterator[TiledZone]:
    if db_settings.embedded:
        ds = db_settings.model_copy(update={"db_name": "parkgis_tiles_zone"})
    else:  # pragma: no cover - an external server: a database of its own there too
        ds = db_settings
    engine = db_up(ds)
    with engine.connect() as c:
        have = c.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    if have < 1000:
        with engine.begin() as c:
            load_demo(c)
    with make_sessionmaker(engine)() as s:
        tokens = {
            role: create_token(s, role=role, name=f"landuse-tiles-{role}")
            for role in ("planner", "investment")
        }
        s.commit()
    engine.dispose()
    settings = Settings(db=ds, tiles=TileSettings(map_threshold=300))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="landuse-tiles-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield TiledZone(f"http://127.0.0.1:{port}", tokens)
    server.should_exit = True
    thread.join(timeout=15)


def _open(watched: Watched, zone: TiledZone, role: str, size: tuple[int, int], q: str) -> Any:
    page = watched.new_page(zone.tokens[role])
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{zone.url}/maps/landuse?{q}")
    leaflet_maps_ready(page)
    page.wait_for_function(
        "() => window.parkgisTiles && window.parkgisTiles.ready()", timeout=60_000
    )
    page.wait_for_timeout(300)
    return page


def _check_theme(page: Any, theme: str) -> set[str]:
    """Switch to ``theme``; every drawn feature's fill is its property's colour."""
    page.evaluate(f"() => window.parkgisLanduse.show({theme!r})")
    page.wait_for_timeout(200)
    spec = page.evaluate(
        "() => JSON.parse(document.getElementById('pg-landuse-data').textContent).tiled"
    )["themes"][theme]
    feats = page.evaluate(FEATURES_JS)
    assert len(feats) > 300, theme
    for f in feats:
        want = spec["colors"].get(str(f["props"].get(spec["by"])), NONE_COLOR)
        assert f["fill"] == want, (theme, f)
    visible = page.evaluate(
        "() => [...document.querySelectorAll('#parkgis-legend h6')]"
        ".filter(h => h.style.display !== 'none').map(h => h.textContent)"
    )
    assert len(visible) == 1, (theme, visible)
    return {f["fill"] for f in feats}


def _click(page: Any, want: tuple[str, list[str]]) -> dict[str, Any]:
    target = page.evaluate(TARGET_JS, list(want))
    assert target is not None, f"a parcel with {want} is drawn"
    box = page.locator(".leaflet-container").first.bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.locator(".leaflet-popup-content .parkgis-popup.landuse").wait_for(timeout=10_000)
    page.wait_for_timeout(400)  # the popup's fade-in
    return {"target": target, "box": box}


def test_every_theme_draws_from_tiles_and_popups_hold_numbers(
    watched: Watched, tiled_zone: TiledZone
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(watched, tiled_zone, "planner", (1366, 900), "basemap=zone&lang=en")
    assert page.evaluate("() => window.parkgisLanduse.themes()") == [
        "class",
        "plot_ratio",
        "grade",
        "inefficient",
    ]
    assert "landuse" in page.evaluate("() => Object.keys(window.parkgisTiles.layers)")
    overlays = page.inner_text(".leaflet-control-layers-overlays")
    assert "Parcels" in overlays  # the tiled layer is in the layer control
    for theme in ("class", "plot_ratio", "grade", "inefficient"):
        page.locator(f"#pg-lu-themes input[value={theme}]").check()
        assert page.evaluate("() => window.parkgisLanduse.current()") == theme
        colours = _check_theme(page, theme)
        assert len(colours - {NONE_COLOR}) >= 3, (theme, colours)
        page.screenshot(path=str(SHOTS / f"landuse-tiled-{theme}-1366.png"))
    legend = page.inner_text("#parkgis-legend")
    assert "drawn from zoom level 10 in" in legend
    tiles = [u for u in watched.requests if "/tiles/" in u and "/basemap/" not in u]
    assert tiles and all("/tiles/landuse/" in u for u in tiles)

    # Click a parcel past its idle-land fee date: the popup is the tile's own numbers.
    page.evaluate("() => window.parkgisLanduse.show('inefficient')")
    hit = _click(page, ("ineff", ["supplied_not_used.fee", "supplied_not_used.take_back"]))
    popup = page.inner_text(".leaflet-popup-content .parkgis-popup.landuse")
    props = hit["target"]["props"]
    assert props["code"] in popup
    assert "Supplied, not used" in popup and "Days since agreed start" in popup
    assert f"{props['days']:,}" in popup
    assert not any("/api/v1/" in u for u in watched.requests)  # no fetch: the tile had it
    page.screenshot(path=str(SHOTS / "landuse-tiled-popup-1366.png"))
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached", timeout=5_000)
    page.evaluate("() => window.parkgisLanduse.show('plot_ratio')")
    hit = _click(page, ("pr", ["below_80", "below"]))
    popup = page.inner_text(".leaflet-popup-content .parkgis-popup.landuse")
    assert "Plot ratio" in popup and "Minimum plot ratio" in popup and "Land holder" in popup
    assert "Below the minimum" in popup  # the check in words
    # Hover: the tooltip names the parcel and its class.
    page.mouse.move(hit["box"]["x"] + 5, hit["box"]["y"] + 5)
    page.mouse.move(
        hit["box"]["x"] + hit["target"]["x"] + 2, hit["box"]["y"] + hit["target"]["y"] + 2
    )
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for(timeout=5_000)
    assert hit["target"]["props"]["code"] in tip.inner_text()
    assert watched.offsite() == []
    assert watched.page_errors == [] and watched.console_errors == []
    assert watched.bad_responses == []


def test_phone_investment_and_download(
    watched: Watched, tiled_zone: TiledZone, tmp_path: Path
) -> None:
    import httpx

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(watched, tiled_zone, "planner", (390, 844), "basemap=zone&theme=grade")
    assert page.evaluate("() => window.parkgisLanduse.current()") == "grade"
    _check_theme(page, "grade")
    for sel in ("#pg-lu-themes", "#parkgis-legend"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, sel
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, sel
    page.screenshot(path=str(SHOTS / "landuse-tiled-grade-390.png"))

    inv = _open(watched, tiled_zone, "investment", (1366, 900), "basemap=zone&theme=grade")
    assert inv.evaluate("() => window.parkgisLanduse.themes()") == ["class"]
    assert inv.locator("#pg-lu-themes").count() == 0
    feats = inv.evaluate(FEATURES_JS)
    assert len(feats) > 300
    keys = set().union(*(f["props"].keys() for f in feats))
    assert keys == set(BASE_PROPERTIES)
    inv.screenshot(path=str(SHOTS / "landuse-tiled-investment-1366.png"))
    anon = httpx.get(f"{tiled_zone.url}/tiles/landuse/15/26643/14147.mvt", timeout=30)
    assert anon.status_code == 401

    r = httpx.get(
        f"{tiled_zone.url}/maps/landuse?download=1&lang=en&basemap=zone",
        headers={"Authorization": f"Bearer {tiled_zone.tokens['planner']}"},
        timeout=120,
    )
    assert r.status_code == 200 and "/assets/" not in r.text
    path = tmp_path / "landuse.html"
    path.write_text(r.text, encoding="utf-8")
    watched.allow_loopback = False
    disk = watched.new_page()
    disk.goto(path.as_uri())
    leaflet_maps_ready(disk)
    disk.evaluate("() => window.parkgisLanduse.show('inefficient')")
    fills = disk.evaluate(
        """() => window.parkgisTiles.layers.landuse.getLayers()
            .map(l => [l.feature.properties.ineff || null, l.options.fillColor])"""
    )
    assert len(fills) > 1000
    spec = disk.evaluate(
        "() => JSON.parse(document.getElementById('pg-landuse-data').textContent).tiled"
    )["themes"]["inefficient"]
    assert all(fill == spec["colors"].get(str(k), NONE_COLOR) for k, fill in fills)
    assert "drawn simplified" in disk.inner_text("#parkgis-legend")
    disk.screenshot(path=str(SHOTS / "landuse-download-1366.png"))
    assert watched.blocked == [] and watched.page_errors == []
