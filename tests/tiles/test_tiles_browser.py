"""A tiled zone map in Chromium with the network closed: tiles draw, a click opens a popup.

The committed demo zone (1,800 parcels) is loaded once into a database of its own
(``parkgis_tiles_zone``, so the demo load's TRUNCATE never touches the shared test
database) and served by a second live app whose ``PARKGIS_TILES_MAP_THRESHOLD`` is 300,
so parcels, buildings and firms all come from vector tiles and the basemap is ``zone``.
Screenshots (1366×900 and 390×844) go to ``$PARKGIS_SCREENSHOTS`` (default:
``<tmp>/parkgis-tiles-shots``).
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
from parkgis.settings import DatabaseSettings, Settings, TileSettings
from tests.browser_utils import Watched, free_port, leaflet_maps_ready

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PARKGIS_SCREENSHOTS") or tempfile.gettempdir()) / (
    "parkgis-tiles-shots"
)


@dataclass
class TiledZone:
    """The live app on the demo database, and a planner token there."""

    url: str
    token: str


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
        token = create_token(s, role="planner", name="tiles-browser-planner")
        s.commit()
    engine.dispose()
    settings = Settings(db=ds, tiles=TileSettings(map_threshold=300))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="tiles-live", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "tiles app did not start"
        time.sleep(0.05)
    yield TiledZone(f"http://127.0.0.1:{port}", token)
    server.should_exit = True
    thread.join(timeout=15)


def _open(watched: Watched, zone: TiledZone, size: tuple[int, int], query: str) -> Any:
    page = watched.new_page(zone.token)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{zone.url}/maps/parcels?{query}")
    leaflet_maps_ready(page)
    page.wait_for_function(
        "() => window.parkgisTiles && window.parkgisTiles.ready()", timeout=60_000
    )
    page.wait_for_timeout(300)
    return page


def test_tiled_map_draws_offline_and_a_click_shows_the_parcel(
    watched: Watched, tiled_zone: TiledZone
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(watched, tiled_zone, (1366, 900), "basemap=zone&lang=en")
    layers = page.evaluate("() => Object.keys(window.parkgisTiles.layers).sort()")
    assert layers == ["basemap", "buildings", "enterprises", "parcels"]
    assert page.evaluate("() => window.parkgisTiles.drawn()") > 300
    tiles = [u for u in watched.requests if "/tiles/parcels/" in u]
    assert tiles and all("properties=id%2Cstatus" in u for u in tiles)
    assert any("/tiles/basemap/" in u for u in watched.requests)
    legend = page.inner_text("#parkgis-legend")
    assert "Parcel status" in legend and "drawn from zoom level" in legend
    page.screenshot(path=str(SHOTS / "tiled-map-1366.png"))

    # Click the middle of a drawn parcel (firms and buildings put away, so nothing lies on
    # top): the popup is that parcel, fetched from the API.
    target = page.evaluate(
        """() => {
        const T = window.parkgisTiles, l = T.layers.parcels, map = l._map;
        map.removeLayer(T.layers.enterprises);
        map.removeLayer(T.layers.buildings);
        for (const key in l._vectorTiles) {
          const t = l._vectorTiles[key];
          for (const id in t._features) {
            const f = t._features[id].feature;
            if (!f._pxBounds || f.properties.status !== 'idle') continue;
            const c = f._pxBounds.getCenter();
            const pt = t._tileCoord.scaleBy(l.getTileSize()).add(c)
              .subtract(map.getPixelOrigin());
            const size = map.getSize();
            if (pt.x < 40 || pt.y < 40 || pt.x > size.x - 300 || pt.y > size.y - 40) continue;
            return {x: pt.x, y: pt.y, id: f.properties.id};
          }
        }
        return null;
    }"""
    )
    assert target is not None, "an idle parcel is drawn"
    box = page.locator(".leaflet-container").first.bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    popup = page.locator(".leaflet-popup-content .parkgis-popup.parcel")
    popup.wait_for(timeout=10_000)
    page.wait_for_function(
        "() => !document.querySelector('.leaflet-popup-content .loading')", timeout=10_000
    )
    item = page.evaluate(f"() => fetch('/api/v1/parcels/{target['id']}').then(r => r.json())")
    text_ = popup.inner_text()
    assert item["properties"]["code"] in text_
    assert "Idle" in text_ and "Land holder" in text_
    page.screenshot(path=str(SHOTS / "tiled-map-popup-1366.png"))
    assert watched.offsite() == []
    assert watched.page_errors == [] and watched.console_errors == []


def test_tiled_map_on_a_phone(watched: Watched, tiled_zone: TiledZone) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(watched, tiled_zone, (390, 844), "basemap=zone")
    assert page.evaluate("() => window.parkgisTiles.drawn()") > 0
    page.screenshot(path=str(SHOTS / "tiled-map-390.png"))
    assert watched.page_errors == [] and watched.console_errors == []


def test_download_inlines_a_simplified_layer_and_says_so(
    watched: Watched, tiled_zone: TiledZone, tmp_path: Path
) -> None:
    import httpx

    r = httpx.get(
        f"{tiled_zone.url}/maps/parcels?download=1&lang=en&basemap=zone",
        headers={"Authorization": f"Bearer {tiled_zone.token}"},
        timeout=120,
    )
    assert r.status_code == 200
    assert "/tiles/" in r.text and "/assets/" not in r.text
    path = tmp_path / "zone.html"
    path.write_text(r.text, encoding="utf-8")
    watched.allow_loopback = False
    page = watched.new_page()
    page.goto(path.as_uri())
    leaflet_maps_ready(page)
    assert page.evaluate("() => window.parkgisTiles.drawn()") > 1000
    assert "drawn simplified" in page.inner_text("#parkgis-legend")
    page.screenshot(path=str(SHOTS / "download-1366.png"))
    assert watched.blocked == [] and watched.page_errors == []
