"""Combined units (``space_group``): contiguous or stacked vacant units of one standard
factory that together meet the wanted floor area, as officers assemble them by hand.

Rules
-----
- Units qualify when they are open, in a building flagged ``standard_factory``, pass
  every criterion of the request except floor area, power and rent (those are checked on
  the group), and are each smaller than the asked minimum area (a unit that is large
  enough on its own is offered on its own).
- Two units are *contiguous* when they are on the same floor and share a wall of at least
  ``MIN_WALL_M`` metres without overlapping, and *stacked* when they are on adjacent
  floors and overlap by at least half of the smaller footprint. A group is a connected
  set of at most ``PARKGIS_MATCH_MAX_GROUP_UNITS`` units.
- A group is offered when its total area is within the asked range and it is *minimal*:
  dropping any one unit takes it below the minimum.
- The group's values: total area and power are sums, rent is the area-weighted mean, the
  distance is to its nearest unit (the true distance to the union), and every other
  value is that of its worst unit (lowest height, load and crane, highest floor, latest
  ``available_from``).

Walls and overlaps are measured in metres, in a local equirectangular frame.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from parkgis.matching.context import Candidate, Context, fetch_dicts, make_candidate
from parkgis.matching.distance import group_affinity_sql
from parkgis.matching.rules import Criterion, Scorer, failures
from parkgis.matching.sql import unit_details_sql

MIN_WALL_M = 1.0
"""Shortest shared wall (m) that makes two units on one floor contiguous."""
STACK_OVERLAP = 0.5
"""Least overlap, as a fraction of the smaller footprint, of two stacked units."""
M_PER_DEG_LAT = 111_195.0
"""Metres per degree on a sphere of the Earth's mean radius (local frame only)."""


def edges(rows: list[dict[str, Any]], geoms: Any) -> dict[int, set[int]]:
    """Which units can be combined: index → indexes of contiguous or stacked units.

    Parameters
    ----------
    rows : list of dict
        Units with ``building_id`` and ``floor``.
    geoms : array of shapely Polygons
        Their footprints in a metric CRS, in the same order.
    """
    out: dict[int, set[int]] = {i: set() for i in range(len(rows))}
    if len(rows) < 2:
        return out
    building = np.array([r["building_id"] for r in rows])
    floor = np.array([r["floor"] for r in rows])
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=MIN_WALL_M / 2)
    fl, fr = floor[left], floor[right]
    same = fl == fr
    stacked = (np.abs(fl - fr) == 1) | ((fl * fr == -1) & (np.abs(fl) == 1))
    keep = (left < right) & (building[left] == building[right]) & (same | stacked)
    left, right, same, stacked = left[keep], right[keep], same[keep], stacked[keep]
    area = shapely.area(geoms)
    smaller = np.minimum(area[left], area[right])
    overlap = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    # the shared wall: snap one unit onto the other (closing gaps of rounded
    # coordinates), then measure where their outlines coincide
    wall = np.zeros(len(left))
    ls, rs = left[same], right[same]
    if len(ls):
        snapped = shapely.snap(geoms[rs], geoms[ls], MIN_WALL_M / 2)
        wall[same] = shapely.length(
            shapely.intersection(shapely.boundary(geoms[ls]), shapely.boundary(snapped))
        )
    ok = (same & (overlap <= 0.01 * smaller) & (wall >= MIN_WALL_M)) | (
        stacked & (overlap >= STACK_OVERLAP * smaller)
    )
    for a, b in zip(left[ok].tolist(), right[ok].tolist(), strict=True):
        out[a].add(b)
        out[b].add(a)
    return out


def _connected_sets(
    units: list[dict[str, Any]],
    edges: dict[int, set[int]],
    *,
    max_units: int,
    min_area: float,
    max_area: float | None,
) -> Iterable[frozenset[int]]:
    """Connected sets of unit indexes that meet the area and are minimal."""
    area = [u["area_m2"] for u in units]
    seen: set[frozenset[int]] = set()
    frontier = [frozenset([i]) for i in range(len(units))]
    while frontier:
        nxt = []
        for s in frontier:
            total = sum(area[i] for i in s)
            if total >= min_area:
                if (
                    len(s) > 1
                    and (max_area is None or total <= max_area)
                    and total - min(area[i] for i in s) < min_area
                ):
                    yield s
                continue
            if len(s) >= max_units:
                continue
            for i in s:
                for j in edges[i]:
                    if j not in s:
                        t = s | {j}
                        if t not in seen:
                            seen.add(t)
                            nxt.append(t)
        frontier = nxt


def aggregate(units: list[dict[str, Any]]) -> dict[str, Any]:
    """The values of a group of unit rows (see the module docstring)."""

    def worst(attr: str, pick: Any) -> Any:
        vals = [u[attr] for u in units]
        return None if any(v is None for v in vals) else pick(vals)

    area = sum(u["area_m2"] for u in units)
    rents = [u["rent_cny_m2_month"] for u in units]
    rent = (
        None
        if any(r is None for r in rents)
        else sum(r * u["area_m2"] for r, u in zip(rents, units, strict=True)) / area
    )
    dates = [u["available_from"] for u in units if u["available_from"] is not None]
    dists = [u["distance_m"] for u in units]
    return {
        "area_m2": area,
        "power_kva": worst("power_kva", sum),
        "rent_cny_m2_month": rent,
        "clear_height_m": worst("clear_height_m", min),
        "floor_load_t_m2": worst("floor_load_t_m2", min),
        "crane_t": worst("crane_t", min),
        "floor": max(u["floor"] for u in units),
        "available_from": max(dates) if dates else None,
        "pollution_class": worst("pollution_class", min),
        "land_use": units[0]["land_use"],
        "distance_m": None if any(d is None for d in dists) else min(dists),
        "building_id": units[0]["building_id"],
        "building_name": units[0]["building_name"],
    }


def local_metres(wkbs: list[bytes]) -> Any:
    """Footprints (EPSG:4326 WKB) in a local equirectangular frame, in metres.

    Longitudes are scaled by the cosine of the mean latitude; over one building the
    distortion is far below a centimetre, which is all the wall and overlap tests need,
    and it is much cheaper than a projection.
    """
    arr = shapely.from_wkb(wkbs)
    lat0 = float(np.mean(shapely.get_coordinates(arr)[:, 1])) if len(arr) else 0.0
    kx = M_PER_DEG_LAT * np.cos(np.radians(lat0))

    def scale(xy: Any) -> Any:
        return np.column_stack([xy[:, 0] * kx, xy[:, 1] * M_PER_DEG_LAT])

    return shapely.transform(arr, scale)


def find_groups(
    rows: list[dict[str, Any]],
    *,
    min_area: float,
    max_area: float | None,
    max_units: int,
) -> list[list[dict[str, Any]]]:
    """Groups of unit rows that together meet ``[min_area, max_area]`` m².

    Parameters
    ----------
    rows : list of dict
        Eligible units (one standard factory or several), each with ``id``,
        ``building_id``, ``floor``, ``area_m2`` and ``wkb`` (EPSG:4326 polygon).
    min_area, max_area : float
        The asked floor area range in m² (``max_area`` None = no upper bound).
    max_units : int
        Most units in one group.

    Returns
    -------
    list of list of dict
        Each group's unit rows, ordered by floor then id; groups ordered by first id.
    """
    if max_units < 2:
        return []
    if len(rows) < 2:
        return []
    geoms = local_metres([bytes(r["wkb"]) for r in rows])
    graph = edges(rows, geoms)
    by_building: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if graph[i]:
            by_building[r["building_id"]].append(i)
    out: list[list[dict[str, Any]]] = []
    for members in by_building.values():
        local = {g: n for n, g in enumerate(members)}
        units = [rows[g] for g in members]
        sub = {local[g]: {local[h] for h in graph[g]} for g in members}
        for s in _connected_sets(
            units, sub, max_units=max_units, min_area=min_area, max_area=max_area
        ):
            out.append(sorted((units[i] for i in s), key=lambda u: (u["floor"], u["id"])))
    out.sort(key=lambda g: [u["id"] for u in g])
    return out


def group_candidates(session: Session, ctx: Context, k: int) -> tuple[list[Candidate], int]:
    """The best ``k`` feasible ``space_group`` candidates, and how many there are.

    Groups are offered only when spaces are asked and the request gives a minimum floor
    area; their checks are the request's space criteria applied to the group's values.
    Every group is checked and scored on its base components; only the best are built in
    full (union geometry, same-chain firms), fetching more while the affinity component
    could still lift a group left behind into the top ``k``.
    """
    req = ctx.req
    area = req.floor_area_m2
    mset = ctx.settings.match
    if "space" not in ctx.kinds or area is None or area.min is None or mset.max_group_units < 2:
        return [], 0
    qb = ctx.builder("space", group=True)
    rows = fetch_dicts(session, qb.group_units(area.min), qb.params)
    if len(rows) < 2:
        return [], 0
    buildings = {r["building_id"] for r in rows}
    details = {
        d["id"]: d for d in fetch_dicts(session, unit_details_sql(), {"ids": sorted(buildings)})
    }
    for r in rows:
        d = details[r["building_id"]]
        r["building_name"] = d["building_name"]
        r["land_use"] = d["land_use"]
        r["pollution_class"] = d["pollution_class"]
    groups = find_groups(
        rows,
        min_area=area.min,
        max_area=area.max,
        max_units=mset.max_group_units,
    )
    crit = ctx.criteria("space")
    scorer = ctx.scorer("space")
    scored = []
    for units in groups:
        agg = aggregate(units)
        if failures(crit, agg):
            continue
        parts = scorer.base_parts(agg)
        scored.append((scorer.base_numerator(parts), units, agg, parts))
    scored.sort(key=lambda t: -t[0])
    bound = scorer.affinity_bound
    m = k if bound == 0 else max(2 * k, k + 20)
    while True:
        cands = _build(session, ctx, scorer, crit, scored[:m])
        cands.sort(key=lambda c: c.key)
        if len(scored) <= m or bound == 0:
            return cands[:k], len(scored)
        best_left = scored[m][0] / scorer.total_weight + bound
        if best_left < cands[k - 1].score:
            return cands[:k], len(scored)
        m *= 4


def _build(
    session: Session,
    ctx: Context,
    scorer: Scorer,
    crit: list[Criterion],
    scored: list[tuple[float, list[dict[str, Any]], dict[str, Any], dict[str, float]]],
) -> list[Candidate]:
    """Full candidates (geometry, same-chain firms, checks) of scored groups."""
    if not scored:
        return []
    unions = [
        shapely.union_all(shapely.from_wkb([bytes(u["wkb"]) for u in units]))
        for _, units, _, _ in scored
    ]
    aff: dict[int, int] = {}
    if scorer.affinity_full is not None:
        points = [g.point_on_surface() for g in unions]
        params = {
            "gidx": list(range(len(points))),
            "lon": [p.x for p in points],
            "lat": [p.y for p in points],
            "chain": ctx.chain,
            "firm": ctx.firm,
            "radius": float(ctx.settings.match.affinity_radius_m),
            "cap": scorer.affinity_full,
        }
        aff = {int(g): int(n) for g, n in session.execute(group_affinity_sql(), params).all()}
    out = []
    for i, (base, units, row, parts) in enumerate(scored):
        codes = [u["code"] for u in units]
        if all(codes):
            row["code"] = " + ".join(codes)
        row["units"] = [
            {k: u[k] for k in ("id", "code", "floor", "area_m2", "power_kva", "rent_cny_m2_month")}
            for u in units
        ]
        row["geometry"] = mapping(unions[i])
        chain_firms = aff.get(i, 0) if scorer.affinity_full is not None else None
        score = scorer.score(base, chain_firms)
        cid = "+".join(str(u["id"]) for u in units)
        rounded = {k: round(v, 4) for k, v in parts.items()}
        out.append(
            make_candidate(ctx, "space_group", cid, row, score, scorer, crit, rounded, chain_firms)
        )
    return out
