"""A brute-force oracle of the match rules, written from the issue text in plain Python.

It reads every row with plain ``SELECT``s (no filtering in SQL) and decides, unit by
unit, whether it is feasible, a near-miss, or neither. It shares no code with
``parkgis.match_*`` on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

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
