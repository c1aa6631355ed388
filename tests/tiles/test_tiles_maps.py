"""The zone map switches to tiles above the threshold, and downloads inline what tiles drew."""

from __future__ import annotations

import json
import re

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.maps import render
from parkgis.maps.parcels import zone_map
from parkgis.settings import Settings, TileSettings
from tests.features.zone import Zone

PLANNER = Principal(name="t-planner", role="planner")


def _blocks(html: str) -> list[dict]:
    out = []
    for m in re.finditer(
        r'<script type="application/json" id="parkgis-tiles-[^"]+">(.*?)</script>', html
    ):
        out.append(json.loads(m.group(1)))
    return out


def test_above_the_threshold_layers_come_from_tiles(
    session: Session, settings: Settings, zone: Zone
) -> None:
    tiled = settings.model_copy(update={"tiles": TileSettings(map_threshold=0)})
    m = zone_map(session, PLANNER, tiled, bbox=zone.bbox, basemap="zone", lang="en")
    html = render(m)
    layers = {b["layer"]: b for b in _blocks(html)}
    assert set(layers) == {"basemap", "parcels", "buildings", "enterprises"}
    assert layers["parcels"]["url"].startswith("/tiles/parcels/{z}/{x}/{y}.mvt?properties=id")
    assert layers["parcels"]["popup"]["api"] == "/api/v1/parcels/"
    assert all(b["inline"] is None for b in layers.values())
    assert "/assets/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" in html
    assert '"__layer": "parcels"' not in html  # no inline GeoJSON parcels


def test_below_the_threshold_the_map_is_inline(
    session: Session, settings: Settings, zone: Zone
) -> None:
    m = zone_map(session, PLANNER, settings, bbox=zone.bbox, lang="en")
    html = render(m)
    assert _blocks(html) == [] and "VectorGrid" not in html


def test_download_inlines_the_tiled_layers_and_the_zone_basemap(
    session: Session, settings: Settings, zone: Zone
) -> None:
    tiled = settings.model_copy(update={"tiles": TileSettings(map_threshold=0)})
    m = zone_map(session, PLANNER, tiled, bbox=zone.bbox, basemap="zone", lang="en")
    html = render(m, download=True)
    layers = {b["layer"]: b for b in _blocks(html)}
    parcels = layers["parcels"]["inline"]["features"]
    assert {f["id"] for f in parcels} >= {zone.ids[f"parcel_{i}"] for i in range(4)}
    assert "drawn simplified" in layers["parcels"]["note"]
    grids = layers["basemap"]["inline"]["grid_areas"]["features"]
    assert zone.ids["grid"] in {f["id"] for f in grids}


def test_anonymous_zone_basemap_has_no_streets_or_grid_areas(
    session: Session, settings: Settings, zone: Zone
) -> None:
    m = zone_map(session, Principal(), settings, bbox=zone.bbox, basemap="zone")
    html = render(m, download=True)
    basemap = next(b for b in _blocks(html) if b["layer"] == "basemap")
    assert set(basemap["inline"]) == {"streets", "context"}  # grid areas are not public
    assert basemap["inline"]["streets"]["features"] == []  # only available parcels
