"""Generate the demo zone: tile by tile, deterministic for a given version, seed, scale and day.

Scale 1 is the committed zone (24 grid areas, 132 officers, ~1,600 parcels, ~1,100
firms). Scale N > 1 lays N such tiles side by side to the east and north; scales below 1
make one smaller tile (for fast tests).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from parkgis.demo import activity, firms, landuse, layout, plant, prospect, tenure
from parkgis.demo.ctx import Ids, Tile
from parkgis.demo.files import output_files, to_arrow, write_layer, write_meta
from parkgis.demo.frame import CENTRE_LAT, CENTRE_LON, ROTATION_DEG, Frame
from parkgis.demo.schema import LAYERS
from parkgis.errors import InvalidInput

DEMO_VERSION = 1
"""Bump when the generator's output changes; the same version always writes the same data."""
SEED = 20240611
TIMEZONE = "Asia/Shanghai"
DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "parcels"
"""The committed demo files (in a source checkout)."""


@dataclass
class GenerateReport:
    """What :func:`generate` wrote."""

    directory: Path
    counts: dict[str, int]
    meta: dict[str, Any]


def tiles_for(scale: float) -> int:
    """How many tiles a scale needs (1 below scale 1).

    Raises
    ------
    InvalidInput
        ``scale`` is not positive, or above 1 and not a whole number.
    """
    if not (scale > 0) or math.isinf(scale):
        raise InvalidInput("must be a positive number", field="scale")
    if scale <= 1:
        return 1
    if scale != int(scale):
        raise InvalidInput("above 1 the scale must be a whole number of tiles", field="scale")
    return int(scale)


def build_tile(index: int, scale: float, seed: int, today: date, ids: Ids) -> Tile:
    """Generate every table of one tile (rows in memory, geometry in local metres)."""
    prefix = "GX-" if index == 0 else f"GX{index:02d}-"
    tile = Tile(index=index, scale=scale, seed=seed, today=today, ids=ids, prefix=prefix)
    plan = layout.make_plan(tile.rng("layout"), scale, prefix)
    activity.grid_areas(tile, plan)
    tenure.assign(tile, plan)
    buildings = plant.build(tile, plan)
    firms.holders(tile, plan)
    firms.tenants(tile, buildings)
    firms.officers(tile, buildings)
    firms.assignments(tile, activity.project_since(plan))
    activity.projects(tile, plan)
    activity.visits(tile)
    activity.requests(tile)
    landuse.landuse_fields(tile, plan, buildings)
    prospect.prospect_fields(tile, plan)
    return tile


def generate(
    out: Path,
    *,
    scale: float = 1.0,
    today: date,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateReport:
    """Write a demo zone into ``out`` (GeoPackage ``zone.gpkg``, CSVs and ``meta.json``).

    Parameters
    ----------
    out : Path
        Directory to write into (created; the generator's earlier files there are replaced).
    scale : float
        1 for the committed zone; a whole N > 1 for N tiles; below 1 for a smaller zone.
    today : date
        The generation day (zone time, Asia/Shanghai); every date is relative to it.
    seed : int
        Random seed; with the same version, scale and day the output is identical.
    progress : callable, optional
        Called with (tiles done, tiles in all) after each tile.

    Returns
    -------
    GenerateReport
        Row counts per table and the metadata written to ``meta.json``.
    """
    tiles = tiles_for(scale)
    out.mkdir(parents=True, exist_ok=True)
    for path in output_files(out):
        path.unlink(missing_ok=True)
    frame = Frame()
    ids = Ids()
    counts = {layer.name: 0 for layer in LAYERS}
    for index in range(tiles):
        tile = build_tile(index, scale, seed, today, ids)
        offset = layout.tile_offset(index, tiles)
        for layer in LAYERS:
            cols = tile.tables[layer.name]
            if layer.spatial:
                cols = dict(cols)
                cols["geom"] = frame.wkb(cols["geom"], offset)
            table = to_arrow(layer, cols)
            write_layer(out, layer, table, append=index > 0)
            counts[layer.name] += table.num_rows
        del tile
        if progress is not None:
            progress(index + 1, tiles)
    meta = {
        "name": "parkgis demo zone (肇庆高新区, synthetic)",
        "version": DEMO_VERSION,
        "seed": seed,
        "scale": scale,
        "tiles": tiles,
        "generated_on": today.isoformat(),
        "timezone": TIMEZONE,
        "crs": "EPSG:4326",
        "centre": [CENTRE_LON, CENTRE_LAT],
        "rotation_deg": ROTATION_DEG,
        "counts": counts,
        "dates": (
            "relative to generated_on: the loader shifts every date by (load day - "
            "generated_on); visits are re-based month by month so the current month's "
            "visits stay in the current month"
        ),
    }
    write_meta(out, meta)
    return GenerateReport(out, counts, meta)
