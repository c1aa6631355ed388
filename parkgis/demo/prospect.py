"""The investment team's demo fields (issue 12): 标准地 terms and public-anchor firms.

Kept apart from the other generator steps and driven by its own random stream
(``tile.rng("prospect")``), so adding these fields leaves every other generated value as it
was. Called by :func:`parkgis.demo.generate.build_tile` last.

- ``parcels.investment_wan_cny_mu``, ``tax_wan_cny_mu``, ``min_far``: the terms available
  industrial and logistics land is offered on (standard land, 标准地): investment intensity
  and committed yearly tax per mu in 10,000 CNY, and the lower end of the plot ratio range
  (the upper end is ``max_far``). Class 3 industry and logistics ask less per mu.
- ``enterprises.public_anchor``: the three firms of each tile with the largest output, which
  public maps may name (a car maker everyone knows).
"""

from __future__ import annotations

from parkgis.demo.ctx import Tile
from parkgis.demo.plan import Plan

ANCHORS_PER_TILE = 3
TERMS_WAN_CNY_MU: dict[str, tuple[float, float]] = {
    "100101": (350.0, 30.0),
    "100102": (300.0, 25.0),
    "100103": (250.0, 20.0),
    "1101": (200.0, 15.0),
}
"""Land use → (investment intensity, committed yearly tax) per mu in 10,000 CNY (base)."""


def _terms(tile: Tile, plan: Plan) -> None:
    rng = tile.rng("prospect")
    for p in plan.parcels:
        base = TERMS_WAN_CNY_MU.get(p.land_use)
        if p.status != "available" or base is None or p.role in ("road", "green"):
            continue
        inv, tax = base
        step = float(rng.choice((0.9, 1.0, 1.0, 1.1, 1.2)))
        max_far = tile.get("parcels", p.id, "max_far")
        lo = float(rng.choice((1.0, 1.2, 1.5)))
        if max_far is not None:
            lo = min(lo, float(max_far))
        tile.set(
            "parcels",
            p.id,
            investment_wan_cny_mu=round(inv * step, -1),
            tax_wan_cny_mu=round(tax * step, 1),
            min_far=lo,
        )


def _anchors(tile: Tile) -> None:
    cols = tile.tables["enterprises"]
    ranked = sorted(
        range(len(cols["id"])), key=lambda i: (-(cols["output_cny"][i] or 0.0), cols["id"][i])
    )
    top = set(ranked[:ANCHORS_PER_TILE])
    for i, fid in enumerate(cols["id"]):
        tile.set("enterprises", fid, public_anchor=i in top)


def prospect_fields(tile: Tile, plan: Plan) -> None:
    """Fill the prospect fields of one tile (see the module docstring)."""
    _terms(tile, plan)
    _anchors(tile)
