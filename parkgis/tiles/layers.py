"""The collections served as vector tiles: their read-side spec, zoom range and stamp.

Rows, columns and role rules come from :mod:`parkgis.features` (the same registry the
OGC items use); this module only adds what tiles need on top: the minimum zoom (below
it a tile is empty), whether geometries are simplified, and the name under which the
collection's change stamp is kept (``change_stamps.collection``, bumped by a trigger on
the table, see migration 0005).

``context`` (roads, rail, water, landmarks from ``context_features``) is not an OGC
collection; its spec lives here and its readers in :mod:`parkgis.access`.
"""

from __future__ import annotations

from dataclasses import dataclass

from parkgis.errors import NotFound
from parkgis.features.registry import COLLECTIONS, Collection, Column

CONTEXT = Collection(
    name="context",
    table="context_features",
    title="Context",
    description="Roads, rail and metro lines, water and landmarks around the zone.",
    geometry="geom",
    geometry_type="Geometry",
    columns=(
        Column("id", "int", "Identifier", filter=True),
        Column("kind", "text", "road/rail/metro/water/landmark", filter=True, multi=True),
        Column("subtype", "text", "e.g. expressway, river, port", filter=True, multi=True),
        Column("code", "text", "Code", filter=True),
        Column("name", "text", "Name"),
        Column("name_en", "text", "English name"),
    ),
)


@dataclass(frozen=True)
class TileLayer:
    """One collection as a vector-tile layer.

    ``min_zoom``: tiles above this zoom only (lower ones are empty, 204);
    ``simplify``: polygons and lines are simplified by a fraction of a pixel below
    ``PARKGIS_TILES_SIMPLIFY_UNTIL``; points never are.
    """

    spec: Collection
    min_zoom: int
    simplify: bool = True

    @property
    def name(self) -> str:
        """The collection name, also the MVT layer name and the change-stamp key."""
        return self.spec.name


TILE_LAYERS: dict[str, TileLayer] = {
    "parcels": TileLayer(COLLECTIONS["parcels"], 10),
    "buildings": TileLayer(COLLECTIONS["buildings"], 13),
    "spaces": TileLayer(COLLECTIONS["spaces"], 14),
    "enterprises": TileLayer(COLLECTIONS["enterprises"], 10, simplify=False),
    "projects": TileLayer(COLLECTIONS["projects"], 8, simplify=False),
    "grid_areas": TileLayer(COLLECTIONS["grid_areas"], 8),
    "context": TileLayer(CONTEXT, 6),
}
"""Every tiled collection, by name."""


def tile_layer(name: str) -> TileLayer:
    """The tile layer ``name``.

    Raises
    ------
    NotFound
        Not a tiled collection (naming ``collection`` and listing them).
    """
    layer = TILE_LAYERS.get(name)
    if layer is None:
        raise NotFound(
            f"no tiled collection {name!r}; use one of {', '.join(TILE_LAYERS)}",
            field="collection",
        )
    return layer
