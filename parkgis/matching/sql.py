"""SQL of a match, generated from the rules in :mod:`parkgis.matching.rules`.

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

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import TextClause, text

from parkgis.matching.distance import chain_count_sql, envelope_deg, point_frame_sql
from parkgis.matching.rules import Criterion, Kind, Scorer
from parkgis.models.base import INDUSTRIAL_CLASS


def pollution_case(column: str) -> str:
    """SQL ``CASE`` giving the industrial class of a land-use code column (else NULL)."""
    whens = " ".join(f"WHEN '{code}' THEN {n}" for code, n in INDUSTRIAL_CLASS.items())
    return f"(CASE {column} {whens} END)"


_ACTIVE_HOLD = "tstzrange(r.held_from, r.expires_at) @> now()"

_SPACE_OPEN = f"""s.status = 'vacant'
    AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.space_id = s.id AND {_ACTIVE_HOLD})"""
_PARCEL_OPEN = f"""p.status = 'available'
    AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.parcel_id = p.id AND {_ACTIVE_HOLD})"""


def space_from(*, building: bool, parcel: bool) -> str:
    """FROM/WHERE of open spaces; the building and its parcel are joined only if needed."""
    joins = ""
    if building or parcel:
        joins += "\n  JOIN buildings b ON b.id = s.building_id"
    if parcel:
        joins += "\n  LEFT JOIN parcels p ON p.id = b.parcel_id"
    return f"\n  FROM spaces s{joins}\n  WHERE {_SPACE_OPEN}\n"


PARCEL_FROM = f"\n  FROM parcels p\n  WHERE {_PARCEL_OPEN}\n"
SPACE_COLS = """
  s.id, s.building_id, s.code, s.floor, s.area_m2, s.clear_height_m, s.floor_load_t_m2,
  s.power_kva, s.crane_t, s.rent_cny_m2_month, s.available_from"""
SPACE_DETAILS = f"""p2.land_use, {pollution_case("p2.land_use")} AS pollution_class,
  b2.name AS building_name"""
"""Columns added to the best spaces only (their building and parcel are joined last)."""
PARCEL_COLS = f"""
  p.id, p.code, p.area_m2, p.price_cny_m2, p.land_use, p.max_far, p.address,
  {pollution_case("p.land_use")} AS pollution_class, NULL::date AS available_from"""
TABLE = {"space": ("spaces", "s"), "parcel": ("parcels", "p")}
BASE_COLUMNS: dict[str, dict[str, str]] = {
    "space": {
        "area_m2": "s.area_m2",
        "clear_height_m": "s.clear_height_m",
        "floor_load_t_m2": "s.floor_load_t_m2",
        "power_kva": "s.power_kva",
        "crane_t": "s.crane_t",
        "floor": "s.floor",
        "rent_cny_m2_month": "s.rent_cny_m2_month",
        "available_from": "s.available_from",
        "land_use": "p.land_use",
    },
    "parcel": {"area_m2": "p.area_m2", "price_cny_m2": "p.price_cny_m2", "land_use": "p.land_use"},
}
"""Candidate attribute → table column, for filters applied inside the scan."""


@dataclass(frozen=True)
class Place:
    """The point distances are measured from (EPSG:4326 degrees)."""

    lon: float
    lat: float


def considered_sql(kinds: tuple[Kind, ...]) -> TextClause:
    """``SELECT count`` of open units of ``kinds``."""
    parts = []
    for kind in kinds:
        table, alias = TABLE[kind]
        status = "vacant" if kind == "space" else "available"
        # open = in that status minus those held now (never two holds on one unit)
        parts.append(
            f"(SELECT count(*) FROM {table} {alias} WHERE {alias}.status = '{status}') - "
            f"(SELECT count(*) FROM reservations r JOIN {table} {alias} ON "
            f"{alias}.id = r.{kind}_id WHERE {alias}.status = '{status}' AND {_ACTIVE_HOLD})"
        )
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

    def predicate(self, c: Criterion, *, relaxed: bool, base: bool = False) -> str:
        """SQL of ``c`` over the candidate subquery ``q`` (``base``: over the tables)."""

        def column(attr: str) -> str:
            return BASE_COLUMNS[self.kind][attr] if base else f"q.{attr}"

        if c.attr == "pollution_class":
            codes = sorted(code for code, n in INDUSTRIAL_CLASS.items() if n >= c.lo)
            return f"{column('land_use')} IN (" + ", ".join(f"'{x}'" for x in codes) + ")"
        lo, hi = c.bounds(relaxed=relaxed)
        col = column(c.attr)
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
        metres = dist.bounds(relaxed=relaxed)[1]
        dx, dy = envelope_deg(self.place.lat, metres)
        geom = "s.geom" if self.kind == "space" else "p.geom"
        pt = f"ST_SetSRID(ST_MakePoint({self._p(self.place.lon)}, {self._p(self.place.lat)}), 4326)"
        return f"    AND {geom} && ST_Expand({pt}, {self._p(dx)}, {self._p(dy)})\n"

    def inner(self, *, relaxed: bool, extra: tuple[str, ...] = (), cols: str = "") -> str:
        """The subquery ``q``: open units of this kind that pass every criterion but the
        distance (or its near-miss tolerance), with their attributes and distance.

        ``OFFSET 0`` keeps it a separate plan node, so the geodesic distance is computed
        once per row that passed the indexed filters, not again for sorting.
        """
        cols = (SPACE_COLS if self.kind == "space" else PARCEL_COLS) + cols
        if self.kind == "space":
            polluting = any(c.attr == "pollution_class" for c in self.criteria)
            src = space_from(building=polluting, parcel=polluting)
        else:
            src = PARCEL_FROM
        filters = [
            self.predicate(c, relaxed=relaxed, base=True)
            for c in self.criteria
            if c.attr != "distance_m"
        ]
        where = "".join(f"    AND {f}\n" for f in (*filters, *extra))
        return (
            f"SELECT {cols}, {self._distance_col()}\n{src}{self._envelope(relaxed)}{where}"
            "  OFFSET 0"
        )

    def _distance_filter(self, *, relaxed: bool) -> str:
        dist = [c for c in self.criteria if c.attr == "distance_m"]
        return self.predicate(dist[0], relaxed=relaxed) if dist else "TRUE"

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

    def days_sql(self, alias: str = "q") -> str:
        """SQL: whole days from today until available (0 when available now)."""
        if self.kind == "parcel":
            return "0"
        return f"GREATEST(0, COALESCE({alias}.available_from - CAST(:today AS date), 0))"

    def tiebreak(self, alias: str = "q") -> list[str]:
        """ORDER BY terms after the base score, in :meth:`Scorer.goodness` order."""
        sc = self.scorer
        a = alias
        out = []
        if sc.area_target is not None:
            out.append(f"abs({a}.area_m2 - {self._p(float(sc.area_target))}) ASC")
        out.extend(f"{a}.{m} DESC" for m, _ in sc.margins)
        if sc.budget is not None:
            out.append(f"{a}.{sc.budget[0]} ASC")
        if sc.distance_scale_m is not None:
            out.append(f"{a}.distance_m ASC")
        if self.kind == "space":
            out.append(f"{self.days_sql(a)} ASC")
        return out

    def ranked(self, *, limit: int, chain: str | None, firm: int | None) -> TextClause:
        """The best feasible candidates and the best near-misses, ``limit`` of each.

        One scan with the relaxed filters yields both: ``fails`` counts the soft criteria
        a row misses (hard ones were applied strictly in the scan); 0 = feasible,
        1 = near-miss. Each list is ranked by base score, then by the raw values.

        Columns: the unit's attributes, ``distance_m``, ``fails``, ``base_num`` (weighted
        sum of the base components), ``c_<component>``, ``n_feasible``, ``n_near``,
        ``chain_firms`` and ``geometry`` (GeoJSON), plus the building and land use of
        spaces.
        """
        comps = self.components()
        weights = self.scorer.weights
        base = " + ".join(f"{self._p(weights[k])} * z.c_{k}" for k in comps) or "0.0"
        # hard criteria are the same relaxed or not, and the scan applied them already
        strict = [self.predicate(c, relaxed=False) for c in self.criteria if c.soft]
        fails = " + ".join(f"(CASE WHEN {p} THEN 0 ELSE 1 END)" for p in strict) or "0"
        comp_cols = "".join(f", {v} AS c_{k}" for k, v in comps.items())
        order = ", ".join(["w.base_num DESC", *self.tiebreak("w"), "w.id ASC"])
        table, _ = TABLE[self.kind]
        aff = "0"
        if chain is not None:
            self.params["chain"] = chain
            self.params["firm"] = firm
            radius = self._p(float(self.radius_m))
            aff = chain_count_sql("c", radius, self._p(self.scorer.affinity_full or 1))
        details = detail_joins = ""
        if self.kind == "space":
            details = f",\n  {SPACE_DETAILS}"
            detail_joins = (
                "\nJOIN buildings b2 ON b2.id = g.building_id"
                "\nLEFT JOIN parcels p2 ON p2.id = b2.parcel_id"
            )
        m = self._p(limit)
        sql = f"""
WITH w AS MATERIALIZED (
  SELECT z.*, {base} AS base_num
  FROM (
    SELECT q.*{comp_cols}, ({fails}) AS fails
    FROM ({self.inner(relaxed=True)}) q
    WHERE {self._distance_filter(relaxed=True)}
  ) z
  WHERE z.fails <= 1
),
counts AS (
  SELECT count(*) FILTER (WHERE fails = 0) AS n_feasible,
         count(*) FILTER (WHERE fails = 1) AS n_near
  FROM w
),
ranked AS (
  (SELECT w.* FROM w WHERE w.fails = 0 ORDER BY {order} LIMIT {m})
  UNION ALL
  (SELECT w.* FROM w WHERE w.fails = 1 ORDER BY {order} LIMIT {m})
)
SELECT ranked.*, counts.n_feasible, counts.n_near, {aff} AS chain_firms,
  ST_AsGeoJSON(g.geom, 7) AS geometry{details}
FROM ranked CROSS JOIN counts JOIN {table} g ON g.id = ranked.id{detail_joins}
CROSS JOIN LATERAL {point_frame_sql("ST_PointOnSurface(g.geom)")} c
ORDER BY ranked.fails, ranked.base_num DESC
"""
        return text(sql)

    def group_units(self, min_area: float) -> TextClause:
        """Open units of standard factories that pass every per-unit criterion and are
        individually smaller than ``min_area`` (m²): the parts of combined candidates.

        Their buildings' names and land use come from one small query afterwards
        (:func:`unit_details_sql`) instead of a join per unit."""
        extra = (
            f"s.area_m2 < {self._p(min_area)}",
            "s.building_id IN (SELECT id FROM buildings WHERE standard_factory)",
        )
        cols = ", ST_AsBinary(s.geom) AS wkb"
        # a building whose eligible units are fewer than two, or too small together,
        # cannot hold a group: leave its units in the database
        sql = f"""
SELECT u.* FROM (
  SELECT q.*, count(*) OVER b AS n_in_building, sum(q.area_m2) OVER b AS area_in_building
  FROM ({self.inner(relaxed=False, extra=extra, cols=cols)}) q
  WHERE {self._distance_filter(relaxed=False)}
  WINDOW b AS (PARTITION BY q.building_id)
) u
WHERE u.n_in_building >= 2 AND u.area_in_building >= {self._p(min_area)}
ORDER BY u.building_id, u.floor, u.id
"""
        return text(sql)


def unit_details_sql() -> TextClause:
    """Name, land use and pollution class of the buildings ``:ids``."""
    return text(
        f"SELECT b.id, b.name AS building_name, p.land_use, "
        f"{pollution_case('p.land_use')} AS pollution_class FROM buildings b "
        "LEFT JOIN parcels p ON p.id = b.parcel_id WHERE b.id = ANY(CAST(:ids AS integer[]))"
    )
