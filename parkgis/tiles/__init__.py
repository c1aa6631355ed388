"""Vector tiles (Mapbox Vector Tiles) of the zone's collections, role-aware, built in PostGIS.

- :mod:`parkgis.tiles.matrix`: WebMercatorQuad arithmetic and z/x/y checks;
- :mod:`parkgis.tiles.layers`: which collections are tiled, minimum zooms, simplification;
- :mod:`parkgis.tiles.build`: one ``ST_AsMVT`` statement per tile, rows and properties from
  :func:`parkgis.features.query.role_select` (the OGC items' rules), ETags from stamps;
- :mod:`parkgis.tiles.tilejson`: TileJSON documents and change stamps.

Routes (``api/routes/tiles.py``) and maps (``parkgis.maps.tiles_layer``) call these.
"""

from parkgis.tiles.build import (
    MVT_MEDIA_TYPE,
    Tile,
    TileRequest,
    build_tile,
    current_etag,
    etag_matches,
    fetch_tile,
    prepare,
    tile,
    tile_etag,
)
from parkgis.tiles.cache import TileCache
from parkgis.tiles.layers import TILE_LAYERS, TileLayer, tile_layer
from parkgis.tiles.matrix import TMS_ID, lonlat_to_tile, parse_tile, tile_bounds_lonlat
from parkgis.tiles.tilejson import change_stamp, change_stamps, tilejson

__all__ = [
    "MVT_MEDIA_TYPE",
    "TILE_LAYERS",
    "TMS_ID",
    "Tile",
    "TileCache",
    "TileLayer",
    "TileRequest",
    "build_tile",
    "change_stamp",
    "change_stamps",
    "current_etag",
    "etag_matches",
    "fetch_tile",
    "lonlat_to_tile",
    "parse_tile",
    "prepare",
    "tile",
    "tile_bounds_lonlat",
    "tile_etag",
    "tile_layer",
    "tilejson",
]
