"""The land-use review's demo fields (issue 13): storey heights, yards, energy and R&D.

Kept apart from the other generator steps and driven by its own random stream
(``tile.rng("landuse")``), so adding these fields leaves every other generated value as it
was. Called by :func:`parkgis.demo.generate.build_tile` after firms and buildings exist.

- ``buildings.storey_heights_m``: JSON list, ground floor first, consistent with the
  building's ``floors`` and ``height_m``: standard factories 9 m, 6 m, then 4.5 m;
  single-storey halls and warehouses one storey of their height; owners' two- and
  three-storey plants a tall ground floor under 6 m or 5 m upper floors; offices and
  urban buildings equal storeys.
- ``parcels.structures_yard_m2``: structures and open yards on built industrial and
  logistics land, 0–12% of the parcel (more for metal processing and logistics).
- ``enterprises.energy_tce``: a year's energy use from the firm's output and its chain's
  energy intensity (t standard coal per 10,000 CNY); missing for about 1 firm in 10.
- ``enterprises.rnd_cny``: a year's R&D spending as a chain-typical share of output;
  missing for about 1 firm in 7.
"""

from __future__ import annotations

import json

import numpy as np

from parkgis.demo.ctx import Tile
from parkgis.demo.plan import Built, Plan

ENERGY_TCE_PER_10K_CNY: dict[str, float] = {
    "metal_processing": 0.12,
    "batteries": 0.08,
    "new_energy_vehicles": 0.05,
    "biomedicine": 0.05,
    "food_beverage": 0.06,
    "furniture": 0.04,
    "electronics": 0.03,
    "": 0.02,
}
"""Typical energy use per 10,000 CNY of output by chain (synthetic, for the demo)."""

RND_SHARE: dict[str, float] = {
    "electronics": 0.045,
    "biomedicine": 0.06,
    "batteries": 0.04,
    "new_energy_vehicles": 0.035,
    "metal_processing": 0.015,
    "furniture": 0.012,
    "food_beverage": 0.01,
    "": 0.003,
}
"""Typical R&D spending as a share of output by chain (synthetic, for the demo)."""


def storey_heights(kind: str, floors: int, height_m: float) -> list[float]:
    """Storey heights in metres (ground floor first) of a generated building."""
    if floors <= 1:
        return [round(height_m, 1)]
    if kind == "std":
        return [9.0, 6.0] + [4.5] * (floors - 2)
    if kind == "plant":
        upper = 6.0 if floors == 2 else 5.0
        return [round(height_m - upper * (floors - 1), 1)] + [upper] * (floors - 1)
    return [round(height_m / floors, 2)] * floors


def _buildings(tile: Tile, built: list[Built]) -> None:
    for b in built:
        floors = int(tile.get("buildings", b.id, "floors"))
        height = float(tile.get("buildings", b.id, "height_m"))
        heights = storey_heights(b.kind, floors, height)
        tile.set("buildings", b.id, storey_heights_m=json.dumps(heights))


def _parcels(tile: Tile, rng: np.random.Generator, plan: Plan) -> None:
    for p in plan.parcels:
        industrial = p.land_use.startswith("1001") or p.land_use == "1101"
        if p.status != "built" or not industrial or p.role in ("road", "green"):
            continue
        heavy = p.land_use in ("100103", "1101")
        share = float(rng.uniform(0.02, 0.12) if heavy else rng.uniform(0.0, 0.06))
        tile.set("parcels", p.id, structures_yard_m2=round(p.area * share, 1))


def _firms(tile: Tile, rng: np.random.Generator) -> None:
    cols = tile.tables["enterprises"]
    for i, fid in enumerate(cols["id"]):
        chain = cols["industry_chain"][i] or ""
        output = cols["output_cny"][i] or 0.0
        energy_draw, rnd_draw = rng.random(2)
        noise_e, noise_r = rng.lognormal(0.0, 0.35, 2)
        if output <= 0:
            continue
        energy = None
        if energy_draw >= 0.1:
            energy = round(output / 1e4 * ENERGY_TCE_PER_10K_CNY.get(chain, 0.04) * noise_e, 1)
        rnd = None
        if rnd_draw >= 0.14:
            rnd = round(output * RND_SHARE.get(chain, 0.01) * noise_r, -3)
        tile.set("enterprises", fid, energy_tce=energy, rnd_cny=rnd)


def landuse_fields(tile: Tile, plan: Plan, built: list[Built]) -> None:
    """Fill the land-use review's fields of one tile (see the module docstring)."""
    rng = tile.rng("landuse")
    _buildings(tile, built)
    _parcels(tile, rng, plan)
    _firms(tile, rng)
