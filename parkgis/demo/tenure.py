"""Who holds which parcel, in what state: statuses, project sites, grant dates and prices.

Newer land lies towards the tile's north-east, so planned and available parcels (and the
pipeline's project sites) gather there while the south-west is built up.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import shapely

from parkgis.demo.ctx import Tile
from parkgis.demo.layout import noded_polygons
from parkgis.demo.pipeline import STAGE_QUOTA, Schedule, schedule
from parkgis.demo.plan import ParcelPlan, Plan

INDUSTRIAL = ("100101", "100102", "100103", "1101")
PRICE_RANGE = {
    "100101": (420, 650),
    "100102": (360, 560),
    "100103": (300, 480),
    "1101": (380, 620),
    "0901": (1800, 4500),
    "0902": (2200, 5200),
    "0701": (3500, 7200),
}
FAR_RANGE = {
    "100101": (1.5, 3.0),
    "100102": (1.2, 2.5),
    "100103": (1.0, 2.0),
    "1101": (1.0, 2.0),
    "0901": (2.5, 5.5),
    "0902": (3.0, 6.0),
    "0701": (2.2, 3.5),
    "0801": (1.5, 2.5),
}
STD_PARKS = 14
"""Standard-factory parks per full tile."""


def quotas(scale: float) -> dict[str, int]:
    """Projects per stage for one tile at ``scale`` (at least one of each)."""
    f = min(scale, 1.0)
    return {k: max(1, round(v * f)) for k, v in STAGE_QUOTA.items()}


def _take(pool: list[ParcelPlan], n: int) -> list[ParcelPlan]:
    n = min(n, len(pool))
    out = pool[:n]
    del pool[:n]
    return out


def assign(tile: Tile, plan: Plan) -> None:
    """Decide status, role and dates of every parcel and write the parcel rows.

    Sets ``p.status`` and ``p.role``: ``road``, ``green``, ``public`` (the zone's
    offices), ``urban`` (housing and commerce), ``std_park`` (standard factories),
    ``leasable`` (single-storey plant or warehouse for rent), ``owner`` (a firm's own
    plant), ``project`` (a pipeline project's site, with ``p.schedule``), ``holder``
    (granted or idle land without a project) or ``open`` (planned or available).
    ``p.id`` becomes the parcel's id.
    """
    rng = tile.rng("tenure")
    ind = [p for p in plan.parcels if p.land_use in INDUSTRIAL]
    order = np.argsort([-(p.newness + rng.normal(0, 0.05)) for p in ind], kind="stable")
    pool = [ind[int(i)] for i in order]
    n = len(pool)
    q = quotas(tile.scale)
    f = min(tile.scale, 1.0)
    neg_planned = round(q["negotiating"] * 0.4)
    stalled_signed: list[Schedule] = []
    stalled_granted: list[Schedule] = []
    for _ in range(q["stalled"]):
        s = schedule(rng, "stalled", tile.today)
        (stalled_granted if s.reached == 2 else stalled_signed).append(s)

    def sites(counts: dict[str, int], plain: int) -> list[str | None]:
        """Project stages to place (one per parcel) plus ``plain`` parcels without one."""
        out: list[str | None] = [stage for stage, k in counts.items() for _ in range(k)]
        return out + [None] * plain

    groups = [
        ("planned", sites({"signed": q["signed"], "negotiating": neg_planned}, round(0.06 * n))),
        (
            "available",
            sites(
                {"negotiating": q["negotiating"] - neg_planned, "cancelled": q["cancelled"]},
                round(0.12 * n),
            ),
        ),
        ("granted", sites({"land_granted": q["land_granted"]}, round(10 * f))),
        (
            "under_construction",
            sites({k: q[k] for k in ("construction_started", "topped_out")}, 0),
        ),
        ("idle", sites({}, round(22 * f))),
        ("built", sites({k: q[k] for k in ("completed", "in_production")}, 0)),
    ]
    for status, stages in groups:
        chosen = _take(pool, len(stages))
        rng.shuffle(stages)
        for p, stage in zip(chosen, stages, strict=False):
            p.status = status
            p.role = "open" if status in ("planned", "available") else "holder"
            if stage is not None:
                p.role = "project"
                p.schedule = schedule(rng, str(stage), tile.today)
    # stalled projects: on idle land when the land was granted, else on planned land
    idle_pool = [p for p in pool[: max(1, len(pool) // 2)] if not p.status]
    rng.shuffle(idle_pool)
    for s in stalled_granted:
        if idle_pool:
            p = idle_pool.pop()
            p.status, p.role, p.schedule = "idle", "project", s
    planned_open = [p for p in ind if p.status == "planned" and p.role == "open"]
    for s in stalled_signed:
        if planned_open:
            p = planned_open.pop()
            p.role, p.schedule = "project", s
    rest = [p for p in pool if not p.status]
    _built_roles(tile, rng, rest, f)
    seq: dict[tuple[int, int], int] = {}
    roads = 0
    outlines = noded_polygons([p.rect for p in plan.parcels])
    for p, outline in zip(plan.parcels, outlines, strict=True):
        if not p.status:
            _other(rng, p)
        if p.block is None:
            roads += 1
            code = f"{tile.prefix}RD-{roads:04d}"
        else:
            key = (p.block.row, p.block.col)
            seq[key] = seq.get(key, 0) + 1
            code = f"{tile.prefix}{chr(65 + key[0] % 26)}{key[1] + 1:02d}-{seq[key]:02d}"
        _write(tile, rng, p, code, outline)


def _built_roles(tile: Tile, rng: np.random.Generator, rest: list[ParcelPlan], f: float) -> None:
    parks = [p for p in rest if p.land_use in ("100101", "100102") and p.area >= 18000]
    parks.sort(key=lambda p: (p.land_use != "100101", -p.area))
    chosen = {id(p) for p in parks[: max(1, round(STD_PARKS * f))]}
    for p in rest:
        p.status = "built"
        if id(p) in chosen:
            p.role = "std_park"
        elif p.land_use != "100101" and rng.random() < 0.14:
            p.role = "leasable"
        else:
            p.role = "owner"


def _other(rng: np.random.Generator, p: ParcelPlan) -> None:
    if p.road or p.land_use in ("1401", "1402", "0801"):
        p.role = "road" if p.road else ("public" if p.land_use == "0801" else "green")
        p.status = "planned" if p.land_use == "1402" and p.newness > 0.85 else "built"
        return
    r = rng.random() + (p.newness - 0.5) * 0.4
    p.role = "urban"
    p.status = "built" if r < 0.62 else ("available" if r < 0.8 else "planned")


def _write(
    tile: Tile, rng: np.random.Generator, p: ParcelPlan, code: str, outline: shapely.Polygon
) -> None:
    s = p.schedule
    granted = agreed = flagged = None
    if s is not None and p.status in ("granted", "under_construction", "built", "idle"):
        granted = s.day("land_granted")
        agreed = s.plan("construction_started")
    elif p.status == "idle":
        granted = tile.days(-rng.integers(900, 2200))
        agreed = granted + timedelta(days=int(rng.integers(90, 240)))
    elif p.status == "granted":
        granted = tile.days(-rng.integers(20, 330))
        agreed = granted + timedelta(days=int(rng.integers(120, 420)))
    elif p.status == "built":
        years = (10, 16) if p.role in ("road", "green", "public") else (3, 15)
        granted = tile.days(-rng.integers(years[0] * 365, years[1] * 365))
        if p.role not in ("road", "green"):
            agreed = granted + timedelta(days=int(rng.integers(90, 200)))
    if p.status == "idle" and agreed is not None:
        first = agreed + timedelta(days=365)
        if rng.random() < 0.75 and first < tile.today:
            flagged = first + timedelta(days=int(rng.integers(0, (tile.today - first).days + 1)))
    price = None
    if p.land_use in PRICE_RANGE and p.status != "planned":
        cheap, dear = PRICE_RANGE[p.land_use]
        discount = 1.0 if p.status == "available" else 0.75
        price = round(float(rng.uniform(cheap, dear)) * discount / 5) * 5.0
    far = None
    if p.land_use in FAR_RANGE:
        lo, hi = (2.5, 3.8) if p.role == "std_park" else FAR_RANGE[p.land_use]
        far = round(float(rng.uniform(lo, hi)), 1)
    geom = shapely.MultiPolygon([outline])
    p.id = tile.add(
        "parcels",
        geom,
        code=code,
        land_use=p.land_use,
        status=p.status,
        granted_on=granted,
        agreed_start_on=agreed,
        max_far=far,
        price_cny_m2=price,
        address="肇庆高新区" + p.address,
        idle_flagged_on=flagged,
    )
