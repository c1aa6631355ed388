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

Geometry comparisons are made in the zone's projected CRS (metres).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from parkgis.geo import WGS84, transformer
from parkgis.match_context import Candidate, Context, make_candidate
from parkgis.match_rules import failures
from parkgis.match_sql import group_affinity_sql

MIN_WALL_M = 1.0
"""Shortest shared wall (m) that makes two units on one floor contiguous."""
STACK_OVERLAP = 0.5
"""Least overlap, as a fraction of the smaller footprint, of two stacked units."""


def adjacent(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two units (with projected ``_geom`` and ``floor``) can be combined."""
    ga: BaseGeometry = a["_geom"]
    gb: BaseGeometry = b["_geom"]
    if a["floor"] == b["floor"]:
        if ga.intersection(gb).area > 0.01 * min(ga.area, gb.area):
            return False
        return bool(ga.intersection(gb.buffer(MIN_WALL_M / 2)).area >= MIN_WALL_M / 4)
    if abs(a["floor"] - b["floor"]) == 1 or {a["floor"], b["floor"]} == {-1, 1}:
        return bool(ga.intersection(gb).area >= STACK_OVERLAP * min(ga.area, gb.area))
    return False


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


def _projected(wkbs: list[bytes], crs: str) -> list[BaseGeometry]:
    t = transformer(WGS84, crs)
    arr = shapely.from_wkb(wkbs)
    out = shapely.transform(arr, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    return list(out)


def find_groups(
    rows: list[dict[str, Any]],
    *,
    min_area: float,
    max_area: float | None,
    max_units: int,
    projected_crs: str,
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
    projected_crs : str
        Metric CRS used to test walls and overlaps (e.g. ``EPSG:4547``).

    Returns
    -------
    list of list of dict
        Each group's unit rows, ordered by floor then id; groups ordered by first id.
    """
    if max_units < 2:
        return []
    by_building: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_building[r["building_id"]].append(r)
    out: list[list[dict[str, Any]]] = []
    for units in by_building.values():
        if len(units) < 2:
            continue
        geoms = _projected([bytes(u["wkb"]) for u in units], projected_crs)
        units = [{**u, "_geom": g} for u, g in zip(units, geoms, strict=True)]
        edges: dict[int, set[int]] = {i: set() for i in range(len(units))}
        tree = shapely.STRtree([u["_geom"] for u in units])
        for i, u in enumerate(units):
            for j in tree.query(u["_geom"].buffer(MIN_WALL_M)):
                j = int(j)
                if j > i and adjacent(u, units[j]):
                    edges[i].add(j)
                    edges[j].add(i)
        for s in _connected_sets(
            units, edges, max_units=max_units, min_area=min_area, max_area=max_area
        ):
            members = sorted((units[i] for i in s), key=lambda u: (u["floor"], u["id"]))
            out.append([{k: v for k, v in u.items() if k != "_geom"} for u in members])
    out.sort(key=lambda g: [u["id"] for u in g])
    return out


def group_candidates(session: Session, ctx: Context) -> list[Candidate]:
    """Every feasible ``space_group`` candidate of a resolved request, scored.

    Groups are offered only when spaces are asked and the request gives a minimum floor
    area; their checks are the request's space criteria applied to the group's values.
    """
    req = ctx.req
    area = req.floor_area_m2
    mset = ctx.settings.match
    if "space" not in ctx.kinds or area is None or area.min is None or mset.max_group_units < 2:
        return []
    qb = ctx.builder("space", group=True)
    rows = [dict(r) for r in session.execute(qb.group_units(area.min), qb.params).mappings()]
    groups = find_groups(
        rows,
        min_area=area.min,
        max_area=area.max,
        max_units=mset.max_group_units,
        projected_crs=ctx.settings.zone.projected_crs,
    )
    crit = ctx.criteria("space")
    feasible = [(units, agg) for units in groups if not failures(crit, agg := aggregate(units))]
    if not feasible:
        return []
    scorer = ctx.scorer("space")
    aff: dict[int, int] = {}
    if scorer.affinity_full is not None:
        gidx = [i for i, (units, _) in enumerate(feasible) for _ in units]
        uid = [u["id"] for units, _ in feasible for u in units]
        params = {
            "gidx": gidx,
            "uid": uid,
            "chain": ctx.chain,
            "firm": ctx.firm,
            "radius": float(mset.affinity_radius_m),
        }
        aff = {int(g): int(n) for g, n in session.execute(group_affinity_sql(), params).all()}
    out = []
    for i, (units, row) in enumerate(feasible):
        codes = [u["code"] for u in units]
        if all(codes):
            row["code"] = " + ".join(codes)
        row["units"] = [
            {k: u[k] for k in ("id", "code", "floor", "area_m2", "power_kva", "rent_cny_m2_month")}
            for u in units
        ]
        union = shapely.union_all(shapely.from_wkb([bytes(u["wkb"]) for u in units]))
        row["geometry"] = mapping(union)
        parts = scorer.base_parts(row)
        chain_firms = aff.get(i, 0) if scorer.affinity_full is not None else None
        score = scorer.score(scorer.base_numerator(parts), chain_firms)
        cid = "+".join(str(u["id"]) for u in units)
        rounded = {k: round(v, 4) for k, v in parts.items()}
        out.append(
            make_candidate(ctx, "space_group", cid, row, score, scorer, crit, rounded, chain_firms)
        )
    return out
