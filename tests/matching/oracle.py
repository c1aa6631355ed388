"""A brute-force oracle of the match rules, written from the issue text in plain Python.

It reads every row with plain ``SELECT``s (no filtering in SQL) and decides, unit by
unit, whether it is feasible, a near-miss, or neither; :func:`group_oracle` tries every
subset of a building's units for combined units; :func:`assert_dominance` checks the
ranking. It shares no code with ``parkgis.matching`` on purpose.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shapely import from_wkb
from sqlalchemy import Connection, text

from parkgis.geo import to_crs
from tests.matching.zone import TODAY

CLASS = {"100101": 1, "100102": 2, "100103": 3}
TOL = 0.15
SPACE_ONLY = {
    "floor_area_m2",
    "clear_height_m",
    "floor_load_t_m2",
    "power_kva",
    "crane_t",
    "ground_floor",
    "max_rent_cny_m2_month",
    "available_by",
}
PARCEL_ONLY = {"land_area_m2", "max_price_cny_m2"}


@dataclass
class Rows:
    """Everything the oracle needs, read once."""

    spaces: list[dict[str, Any]]
    parcels: dict[int, dict[str, Any]]
    buildings: dict[int, dict[str, Any]]
    holds: list[dict[str, Any]]
    firms: dict[int, dict[str, Any]]
    now: datetime


def read_rows(conn: Connection) -> Rows:
    """Plain SELECTs of spaces, parcels, buildings, reservations and firms."""

    def all_rows(sql: str) -> list[dict[str, Any]]:
        return [dict(r) for r in conn.execute(text(sql)).mappings()]

    return Rows(
        spaces=all_rows("SELECT * FROM spaces"),
        parcels={r["id"]: r for r in all_rows("SELECT * FROM parcels")},
        buildings={r["id"]: r for r in all_rows("SELECT * FROM buildings")},
        holds=all_rows("SELECT * FROM reservations"),
        firms={
            r["id"]: r
            for r in all_rows(
                "SELECT id, industry_chain, ST_X(geom) x, ST_Y(geom) y FROM enterprises"
            )
        },
        now=conn.execute(text("SELECT now()")).scalar_one(),
    )


def distances(conn: Connection, lon: float, lat: float) -> dict[tuple[str, int], float]:
    """True distance (m, to the centimetre) from a point to every space and parcel."""
    out: dict[tuple[str, int], float] = {}
    for kind, table in (("space", "spaces"), ("parcel", "parcels")):
        sql = (
            f"SELECT id, round(ST_Distance(geom::geography, "
            f"ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)::numeric, 2)::float8 "
            f"FROM {table}"
        )
        for i, d in conn.execute(text(sql), {"lon": lon, "lat": lat}):
            out[(kind, i)] = d
    return out


def kinds_of(req: dict[str, Any]) -> list[str]:
    """The kinds a request returns: as asked, or inferred from the criteria."""
    k = req.get("kind")
    if k is None:
        asked = {n for n in req if req[n] not in (None, False)}
        s, p = bool(asked & SPACE_ONLY), bool(asked & PARCEL_ONLY)
        k = "space" if s and not p else "parcel" if p and not s else "any"
    return ["space", "parcel"] if k == "any" else [k]


def _held(rows: Rows, col: str, uid: int) -> bool:
    return any(h[col] == uid and h["held_from"] <= rows.now < h["expires_at"] for h in rows.holds)


def _num_min(v: Any, r: float) -> str:
    if v is None:
        return "fail"
    if v >= r:
        return "ok"
    return "near" if v >= r * (1 - TOL) else "fail"


def _num_max(v: Any, r: float) -> str:
    if v is None:
        return "fail"
    if v <= r:
        return "ok"
    return "near" if v <= r * (1 + TOL) else "fail"


def _range(v: float, rng: dict[str, float]) -> str:
    lo, hi = rng.get("min"), rng.get("max")
    results = [
        _num_min(v, lo) if lo is not None else "ok",
        _num_max(v, hi) if hi is not None else "ok",
    ]
    if "fail" in results:
        return "fail"
    return "near" if "near" in results else "ok"


def verdicts(
    req: dict[str, Any], unit: dict[str, Any], kind: str, today: date, dist: Any
) -> list[str]:
    """One of ok/near/fail per asked criterion that applies to ``kind``."""
    out = []
    if kind == "space":
        if "floor_area_m2" in req:
            out.append(_range(unit["area_m2"], req["floor_area_m2"]))
        for a in ("clear_height_m", "floor_load_t_m2", "power_kva", "crane_t"):
            if a in req:
                out.append(_num_min(unit[a], req[a]))
        if req.get("ground_floor"):
            out.append("ok" if unit["floor"] == 1 else "fail")
        if "max_rent_cny_m2_month" in req:
            out.append(_num_max(unit["rent_cny_m2_month"], req["max_rent_cny_m2_month"]))
        if "available_by" in req:
            by = req["available_by"]
            af = unit["available_from"]
            slack = int(TOL * max(0, (by - today).days))
            if af is None or af <= by:
                out.append("ok")
            else:
                out.append("near" if (af - by).days <= slack else "fail")
    else:
        if "land_area_m2" in req:
            out.append(_range(unit["area_m2"], req["land_area_m2"]))
        if "max_price_cny_m2" in req:
            out.append(_num_max(unit["price_cny_m2"], req["max_price_cny_m2"]))
    if "pollution_class" in req:
        cls = CLASS.get(unit["_land_use"] or "")
        out.append("ok" if cls is not None and cls >= req["pollution_class"] else "fail")
    near = req.get("near") or {}
    if near.get("max_distance_m") is not None:
        out.append(_num_max(dist, near["max_distance_m"]))
    return out


def oracle(
    rows: Rows, req: dict[str, Any], today: date, dist: dict[tuple[str, int], float] | None
) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(feasible, near-miss) sets of ``(kind, id)`` for a request (dates as ``date``)."""
    feasible: set[tuple[str, int]] = set()
    near: set[tuple[str, int]] = set()
    for kind in kinds_of(req):
        if kind == "space":
            units = []
            for s in rows.spaces:
                if s["status"] != "vacant" or _held(rows, "space_id", s["id"]):
                    continue
                b = rows.buildings[s["building_id"]]
                p = rows.parcels.get(b["parcel_id"]) if b["parcel_id"] else None
                units.append({**s, "_land_use": p["land_use"] if p else None})
        else:
            units = [
                {**p, "_land_use": p["land_use"]}
                for p in rows.parcels.values()
                if p["status"] == "available" and not _held(rows, "parcel_id", p["id"])
            ]
        for u in units:
            d = dist[(kind, u["id"])] if dist is not None else None
            v = verdicts(req, u, kind, today, d)
            if all(x == "ok" for x in v):
                feasible.add((kind, u["id"]))
            elif v.count("near") == 1 and v.count("fail") == 0:
                near.add((kind, u["id"]))
    return feasible, near


def expect_bad_request(req: dict[str, Any]) -> bool:
    """No criterion at all, or an explicit kind none of the criteria applies to."""
    near = req.get("near") or {}
    asked = [k for k in req if k not in ("kind", "industry_chain", "near") and req[k]]
    asked += ["near"] if "max_distance_m" in near else []
    if not asked:
        return True
    common = {"pollution_class", "near"}
    parcel = {"land_area_m2", "max_price_cny_m2"} | common
    if req.get("kind") == "space":
        return not set(asked) - (parcel - common)
    if req.get("kind") == "parcel":
        return not set(asked) & parcel
    return False


def feature_ids(features: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """``(kind, id)`` of each feature of a match answer."""
    return {(f["properties"]["kind"], f["properties"]["id"]) for f in features}


GOOD_MIN = ("clear_height_m", "floor_load_t_m2", "power_kva", "crane_t")


def goodness(req: dict[str, Any], p: dict[str, Any], today: date = TODAY) -> list[float]:
    """What 'better' means, from the issue: closer area, margins, cheaper, nearer, sooner,
    more same-chain neighbours. Larger is better."""
    g: list[float] = []
    rng = req.get("floor_area_m2") if p["kind"] != "parcel" else req.get("land_area_m2")
    if rng:
        target = rng.get("min", rng.get("max"))
        g.append(-abs(p["area_m2"] - target))
    if p["kind"] != "parcel":
        g += [p[a] for a in GOOD_MIN if a in req]
        if "max_rent_cny_m2_month" in req:
            g.append(-p["rent_cny_m2_month"])
        days = 0
        if p.get("available_from"):
            days = max(0, (date.fromisoformat(p["available_from"]) - today).days)
        g.append(-days)
    elif "max_price_cny_m2" in req:
        g.append(-p["price_cny_m2"])
    if "distance_m" in p:
        g.append(-p["distance_m"])
    if "chain_firms_nearby" in p:
        g.append(p["chain_firms_nearby"])
    return g


def assert_dominance(req: dict[str, Any], feats: list[dict[str, Any]]) -> None:
    """No feature ranks above one that is at least as good on every count and better on one."""
    props = [f["properties"] for f in feats]
    for a, b in itertools.combinations(props, 2):  # a ranks above b
        if (a["kind"] == "parcel") != (b["kind"] == "parcel"):
            continue
        ga, gb = goodness(req, a), goodness(req, b)
        b_dominates = all(y >= x for x, y in zip(ga, gb, strict=True)) and ga != gb
        assert not b_dominates, (a, b)
        if all(x >= y for x, y in zip(ga, gb, strict=True)):
            assert a["score"] >= b["score"]


GROUP_LEVEL = ("floor_area_m2", "power_kva", "max_rent_cny_m2_month")


def space_geoms(conn: Connection) -> dict[int, Any]:
    """Every space's geometry in EPSG:4547 metres, by id."""
    rows = conn.execute(text("SELECT id, ST_AsBinary(geom) FROM spaces")).all()
    return {i: to_crs(from_wkb(bytes(w)), "EPSG:4326", "EPSG:4547") for i, w in rows}


def _touch(a: dict[str, Any], b: dict[str, Any], g: dict[int, Any]) -> bool:
    ga, gb = g[a["id"]], g[b["id"]]
    if a["building_id"] != b["building_id"]:
        return False
    if a["floor"] == b["floor"]:
        shared = ga.boundary.intersection(gb.boundary).length
        return shared >= 1.0 and ga.intersection(gb).area < 0.01 * min(ga.area, gb.area)
    floors = {a["floor"], b["floor"]}
    if abs(a["floor"] - b["floor"]) == 1 or floors == {-1, 1}:
        return ga.intersection(gb).area >= 0.5 * min(ga.area, gb.area)
    return False


def _connected(units: tuple[dict[str, Any], ...], g: dict[int, Any]) -> bool:
    seen = {0}
    todo = [0]
    while todo:
        i = todo.pop()
        for j in range(len(units)):
            if j not in seen and _touch(units[i], units[j], g):
                seen.add(j)
                todo.append(j)
    return len(seen) == len(units)


def group_oracle(
    conn: Connection,
    req: dict[str, Any],
    max_units: int,
    *,
    today: date = TODAY,
    rows: Rows | None = None,
    dist: dict[tuple[str, int], float] | None = None,
    geoms: dict[int, Any] | None = None,
) -> set[frozenset[int]]:
    """Every minimal connected group, found by trying every subset of each building."""
    rows = rows or read_rows(conn)
    near = req.get("near")
    if dist is None:
        dist = distances(conn, near["lon"], near["lat"]) if near else {}
    g = geoms if geoms is not None else space_geoms(conn)
    lo = req["floor_area_m2"]["min"]
    hi = req["floor_area_m2"].get("max")
    per_unit = {k: v for k, v in req.items() if k not in GROUP_LEVEL}
    eligible = []
    for s in rows.spaces:
        b = rows.buildings[s["building_id"]]
        held = any(
            h["space_id"] == s["id"] and h["held_from"] <= rows.now < h["expires_at"]
            for h in rows.holds
        )
        if s["status"] != "vacant" or held or not b["standard_factory"] or s["area_m2"] >= lo:
            continue
        p = rows.parcels.get(b["parcel_id"])
        u = {**s, "_land_use": p["land_use"] if p else None}
        d = dist.get(("space", s["id"]))
        if all(v == "ok" for v in verdicts(per_unit, u, "space", today, d)):
            u["distance_m"] = d
            u["pollution_class"] = None
            u["land_use"] = u["_land_use"]
            u["building_name"] = b["name"]
            eligible.append(u)
    out: set[frozenset[int]] = set()
    by_building: dict[int, list[dict[str, Any]]] = {}
    for u in eligible:
        by_building.setdefault(u["building_id"], []).append(u)
    combos = (
        combo
        for units in by_building.values()
        for n in range(2, max_units + 1)
        for combo in itertools.combinations(units, n)
    )
    for combo in combos:
        total = sum(u["area_m2"] for u in combo)
        if total < lo or (hi is not None and total > hi):
            continue
        if total - min(u["area_m2"] for u in combo) >= lo:
            continue
        if not _connected(combo, g):
            continue
        powers = [u["power_kva"] for u in combo]
        if "power_kva" in req and (None in powers or sum(powers) < req["power_kva"]):
            continue
        rents = [u["rent_cny_m2_month"] for u in combo]
        rent = req.get("max_rent_cny_m2_month")
        if rent is not None and (
            None in rents
            or sum(r * u["area_m2"] for r, u in zip(rents, combo, strict=True)) / total > rent
        ):
            continue
        out.add(frozenset(u["id"] for u in combo))
    return out
