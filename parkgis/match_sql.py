"""SQL of a match, generated from the rules in :mod:`parkgis.match_rules`.

Hard filters run in PostgreSQL: the unit must be open (space ``vacant``, parcel
``available``, and no reservation whose ``tstzrange(held_from, expires_at)`` contains
``now()``), each asked criterion is a plain comparison on an indexed or stored column,
pollution class is ``land_use IN (...)`` (the land-use index), and a distance limit is
first an expanded-envelope ``&&`` on the geometry (the GiST index), then the true
geodesic distance ``ST_Distance(geom::geography, point::geography)`` rounded to the
centimetre. The score's base components are computed and sorted in SQL as well, so only
the best rows leave the database.

Geometries are EPSG:4326; distances and areas are metres and m².
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import TextClause, bindparam, text

from parkgis.match_rules import Criterion, Kind, Scorer
from parkgis.models.base import INDUSTRIAL_CLASS

M_PER_DEG_LAT_MIN = 110574.0
M_PER_DEG_LON_EQUATOR = 111320.0


def pollution_case(column: str) -> str:
    """SQL ``CASE`` giving the industrial class of a land-use code column (else NULL)."""
    whens = " ".join(f"WHEN '{code}' THEN {n}" for code, n in INDUSTRIAL_CLASS.items())
    return f"(CASE {column} {whens} END)"


def envelope_deg(lat: float, metres: float) -> tuple[float, float]:
    """Half-widths (dx, dy) in degrees of a box holding everything within ``metres``.

    Parameters
    ----------
    lat : float
        Latitude of the centre, EPSG:4326 degrees.
    metres : float
        Geodesic distance on WGS84.

    Returns
    -------
    tuple of float
        Conservative (1 % larger) longitude and latitude half-widths in degrees.
    """
    dy = metres * 1.01 / M_PER_DEG_LAT_MIN + 1e-6
    coslat = math.cos(math.radians(min(89.0, abs(lat) + dy)))
    dx = metres * 1.01 / (M_PER_DEG_LON_EQUATOR * coslat) + 1e-6
    return dx, dy


def expand_sql(geom: str, metres_param: str) -> str:
    """SQL box around ``geom`` (EPSG:4326) holding everything within ``metres`` of it."""
    lat = f"LEAST(89.0, GREATEST(abs(ST_YMin({geom})), abs(ST_YMax({geom}))) + 0.05)"
    return (
        f"ST_Expand({geom}, "
        f"{metres_param} * 1.01 / ({M_PER_DEG_LON_EQUATOR} * cos(radians({lat}))) + 1e-6, "
        f"{metres_param} * 1.01 / {M_PER_DEG_LAT_MIN} + 1e-6)"
    )


_ACTIVE_HOLD = "tstzrange(r.held_from, r.expires_at) @> now()"

SPACE_FROM = f"""
  FROM spaces s
  JOIN buildings b ON b.id = s.building_id
  LEFT JOIN parcels p ON p.id = b.parcel_id
  WHERE s.status = 'vacant'
    AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.space_id = s.id AND {_ACTIVE_HOLD})
"""
SPACE_COLS = f"""
  s.id, s.building_id, s.code, s.floor, s.area_m2, s.clear_height_m, s.floor_load_t_m2,
  s.power_kva, s.crane_t, s.rent_cny_m2_month, s.available_from, p.land_use,
  {pollution_case("p.land_use")} AS pollution_class, b.name AS building_name,
  b.standard_factory
"""
PARCEL_FROM = f"""
  FROM parcels p
  WHERE p.status = 'available'
    AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.parcel_id = p.id AND {_ACTIVE_HOLD})
"""
PARCEL_COLS = f"""
  p.id, p.code, p.area_m2, p.price_cny_m2, p.land_use, p.max_far, p.address,
  {pollution_case("p.land_use")} AS pollution_class, NULL::date AS available_from
"""
TABLE = {"space": ("spaces", "s"), "parcel": ("parcels", "p")}


@dataclass(frozen=True)
class Place:
    """The point distances are measured from (EPSG:4326 degrees)."""

    lon: float
    lat: float


def considered_sql(kinds: tuple[Kind, ...]) -> TextClause:
    """``SELECT count`` of open units of ``kinds``."""
    parts = []
    if "space" in kinds:
        parts.append(f"(SELECT count(*) {SPACE_FROM})")
    if "parcel" in kinds:
        parts.append(f"(SELECT count(*) {PARCEL_FROM})")
    return text("SELECT " + " + ".join(parts))


class QueryBuilder:
    """Builds the ranked candidate query of one kind, with its bind parameters."""

    def __init__(
        self,
        kind: Kind,
        criteria: list[Criterion],
        scorer: Scorer,
        *,
        place: Place | None,
        today: date,
        affinity_radius_m: float = 3000.0,
    ) -> None:
        self.kind = kind
        self.criteria = criteria
        self.scorer = scorer
        self.place = place
        self.today = today
        self.radius_m = affinity_radius_m
        self.params: dict[str, Any] = {"today": today}
        self._n = 0

    def _p(self, value: Any) -> str:
        self._n += 1
        name = f"v{self._n}"
        self.params[name] = value
        return f":{name}"

    def predicate(self, c: Criterion, *, relaxed: bool) -> str:
        """SQL of ``c`` over the columns of the candidate subquery ``q``."""
        if c.attr == "pollution_class":
            codes = sorted(code for code, n in INDUSTRIAL_CLASS.items() if n >= c.lo)
            return "q.land_use IN (" + ", ".join(f"'{x}'" for x in codes) + ")"
        lo, hi = (c.rlo, c.rhi) if relaxed else (c.lo, c.hi)
        col = f"q.{c.attr}"
        parts = []
        if lo is not None:
            parts.append(f"{col} >= {self._p(lo)}")
        if hi is not None:
            parts.append(f"{col} <= {self._p(hi)}")
        cond = " AND ".join(parts) or "TRUE"
        if c.null_ok:
            return f"({col} IS NULL OR ({cond}))"
        return f"({cond})"

    def _distance_col(self) -> str:
        geom = "s.geom" if self.kind == "space" else "p.geom"
        if self.place is None:
            return "NULL::float8 AS distance_m"
        lon, lat = self._p(self.place.lon), self._p(self.place.lat)
        pt = f"ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)"
        dist = f"ST_Distance({geom}::geography, {pt}::geography)"
        return f"round({dist}::numeric, 2)::float8 AS distance_m"

    def _envelope(self, relaxed: bool) -> str:
        dist = next((c for c in self.criteria if c.attr == "distance_m"), None)
        if dist is None or self.place is None:
            return ""
        metres = dist.rhi if relaxed else dist.hi
        dx, dy = envelope_deg(self.place.lat, metres)
        geom = "s.geom" if self.kind == "space" else "p.geom"
        pt = f"ST_SetSRID(ST_MakePoint({self._p(self.place.lon)}, {self._p(self.place.lat)}), 4326)"
        return f"    AND {geom} && ST_Expand({pt}, {self._p(dx)}, {self._p(dy)})\n"

    def inner(self, *, relaxed: bool, extra_cols: str = "") -> str:
        """The subquery ``q``: open units of this kind with their attributes and distance."""
        cols = SPACE_COLS if self.kind == "space" else PARCEL_COLS
        src = SPACE_FROM if self.kind == "space" else PARCEL_FROM
        return f"SELECT {cols}, {self._distance_col()}{extra_cols}\n{src}{self._envelope(relaxed)}"

    def components(self) -> dict[str, str]:
        """SQL of each base score component over ``q`` (see :class:`Scorer`)."""
        sc = self.scorer
        out: dict[str, str] = {}

        def clamp(x: str) -> str:
            return f"GREATEST(0.0, LEAST(1.0, {x}))"

        if sc.area_target is not None:
            t = self._p(float(sc.area_target))
            out["area"] = clamp(f"1.0 - abs(q.area_m2 - {t}) / {t}")
        if sc.margins:
            f = self._p(sc.margin_full)
            terms = []
            for attr, r in sc.margins:
                rp = self._p(r)
                terms.append(clamp(f"(q.{attr} - {rp}) / {rp} / {f}"))
            out["margin"] = f"(({' + '.join(terms)}) / {len(terms)})"
        if sc.budget is not None:
            attr, b = sc.budget
            bp = self._p(float(b))
            if b > 0:
                out["price"] = clamp(f"({bp} - q.{attr}) / ({bp} * {self._p(sc.margin_full)})")
            else:
                out["price"] = f"(CASE WHEN q.{attr} <= {bp} THEN 1.0 ELSE 0.0 END)"
        if sc.distance_scale_m is not None:
            out["distance"] = clamp(f"1.0 - q.distance_m / {self._p(sc.distance_scale_m)}")
        days = self.days_sql()
        out["availability"] = clamp(f"1.0 - {days}::float8 / {self._p(float(sc.horizon_days))}")
        return out

    def days_sql(self) -> str:
        """SQL: whole days from today until available (0 when available now)."""
        if self.kind == "parcel":
            return "0"
        return "GREATEST(0, COALESCE(q.available_from - CAST(:today AS date), 0))"

    def tiebreak(self) -> list[str]:
        """ORDER BY terms after the base score, in :meth:`Scorer.goodness` order."""
        sc = self.scorer
        out = []
        if sc.area_target is not None:
            out.append(f"abs(q.area_m2 - {self._p(float(sc.area_target))}) ASC")
        out.extend(f"q.{a} DESC" for a, _ in sc.margins)
        if sc.budget is not None:
            out.append(f"q.{sc.budget[0]} ASC")
        if sc.distance_scale_m is not None:
            out.append("q.distance_m ASC")
        if self.kind == "space":
            out.append(f"{self.days_sql()} ASC")
        return out

    def ranked(self, *, near: bool, limit: int, chain: str | None, firm: int | None) -> TextClause:
        """Feasible (or near-miss) candidates, best base score first, ``limit`` rows.

        Columns: the unit's attributes, ``distance_m``, ``base_num`` (weighted sum of the
        base components), one column per component (``c_<name>``), ``n_total`` (all rows
        before the limit), ``chain_firms`` and ``geometry`` (GeoJSON).
        """
        comps = self.components()
        weights = self.scorer.weights
        base = " + ".join(f"{self._p(weights[k])} * {v}" for k, v in comps.items()) or "0.0"
        strict = [self.predicate(c, relaxed=False) for c in self.criteria]
        if near:
            relaxed = [self.predicate(c, relaxed=True) for c in self.criteria]
            fails = " + ".join(f"(CASE WHEN {s} THEN 0 ELSE 1 END)" for s in strict) or "0"
            where = " AND ".join([*relaxed, f"({fails}) = 1"])
        else:
            where = " AND ".join(strict) or "TRUE"
        comp_cols = "".join(f", {v} AS c_{k}" for k, v in comps.items())
        order = ", ".join(["base_num DESC", *self.tiebreak(), "q.id ASC"])
        table, _ = TABLE[self.kind]
        aff = "0"
        if chain is not None:
            self.params["chain"] = chain
            self.params["firm"] = firm
            radius = self._p(float(self.radius_m))
            aff = (
                f"(SELECT count(*) FROM enterprises e WHERE e.industry_chain = :chain "
                f"AND e.id IS DISTINCT FROM CAST(:firm AS integer) "
                f"AND e.geom && {expand_sql('g.geom', radius)} "
                f"AND ST_DWithin(e.geom::geography, g.geom::geography, {radius}))"
            )
        sql = f"""
WITH ranked AS (
  SELECT q.*{comp_cols}, {base} AS base_num, count(*) OVER () AS n_total
  FROM ({self.inner(relaxed=near)}) q
  WHERE {where}
  ORDER BY {order}
  LIMIT {self._p(limit)}
)
SELECT ranked.*, {aff} AS chain_firms, ST_AsGeoJSON(g.geom, 7) AS geometry
FROM ranked JOIN {table} g ON g.id = ranked.id
ORDER BY ranked.base_num DESC
"""
        return text(sql)

    def group_units(self, min_area: float) -> TextClause:
        """Open units of standard factories that pass every per-unit criterion and are
        individually smaller than ``min_area`` (m²): the parts of combined candidates."""
        strict = [self.predicate(c, relaxed=False) for c in self.criteria]
        where = " AND ".join([*strict, f"q.area_m2 < {self._p(min_area)}", "q.standard_factory"])
        sql = f"""
SELECT q.*, ST_AsBinary(g.geom) AS wkb
FROM ({self.inner(relaxed=False)}) q JOIN spaces g ON g.id = q.id
WHERE {where}
ORDER BY q.building_id, q.floor, q.id
"""
        return text(sql)


def group_affinity_sql() -> TextClause:
    """Same-chain firms within ``:radius`` m of any unit of each group.

    Bind ``gidx`` and ``uid`` (parallel int arrays: group index, unit id), ``chain``,
    ``firm`` and ``radius``.
    """
    return text(
        f"""
SELECT m.gidx, count(DISTINCT e.id) AS n
FROM unnest(CAST(:gidx AS integer[]), CAST(:uid AS integer[])) AS m(gidx, uid)
JOIN spaces g ON g.id = m.uid
JOIN enterprises e ON e.industry_chain = :chain
  AND e.id IS DISTINCT FROM CAST(:firm AS integer)
  AND e.geom && {expand_sql("g.geom", "CAST(:radius AS float8)")}
  AND ST_DWithin(e.geom::geography, g.geom::geography, CAST(:radius AS float8))
GROUP BY m.gidx
"""
    ).bindparams(bindparam("gidx"), bindparam("uid"))
