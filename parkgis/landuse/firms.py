"""亩均效益 evaluation ("亩均论英雄"): each firm's land, indicators, score and grade A–D.

**A firm's land** (geodesic m², shown in 亩 = 10000/15 m²):

- a parcel it holds counts whole, less the shares apportioned to other firms renting
  floor space on it;
- a tenant's share of a parcel is *floor area rented ÷ floor area on the parcel × parcel
  area*, the way parks apportion multi-tenant plant. With one building on the parcel
  this is the building's floor area; with several (a standard-factory park) it is all of
  them, so a parcel is never apportioned more than once. Floor area is each building's
  ``gross_floor_area_m2`` (footprint × floors when missing); floor area rented is the
  geodesic area of the units the firm occupies.

**Who is graded:** firms using at least ``PARKGIS_LANDUSE_MIN_MU`` 亩 that hold a built
parcel or rent space (land not yet built on is for the inefficient-land review), and
have output or tax on file.

**Indicators:** tax per 亩, output per 亩, output per employee, energy per 10,000 CNY of
output (t standard coal; lower is better) and R&D share of output.

**Scoring:** each indicator is divided by the zone average of the graded firms, taken
as a ratio of sums (Σ tax / Σ 亩 etc.), inverted for energy (average ÷ firm), capped at
``PARKGIS_LANDUSE_SCORE_CAP``, and weighted (40/30/15/7.5/7.5 by default). A firm without
the data for an indicator is scored on the others, with their weights rescaled to the
same total. ``score`` is 100 × the weighted mean ratio, so 100 is the zone average.

**Grades:** firms are ranked by score, best first. A firm's position is the number of
firms with a strictly higher score divided by the number graded; it gets A while that is
below the first cut-off (0.25), B below the second (0.70), C below the third (0.95), else
D. **Ties:** firms with equal scores (rounded to 6 decimals) share a position, so they
share the better grade; a tie can therefore make a grade hold more than its share.

Planner and admin only: grades, tax and output are sensitive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.geo import M2_PER_MU
from parkgis.landuse.sql import GFA_SQL, NO_JIT_SQL
from parkgis.settings import LanduseSettings

GRADES = ("A", "B", "C", "D")
INDICATORS = (
    "tax_cny_per_mu",
    "output_cny_per_mu",
    "output_cny_per_employee",
    "energy_tce_per_10k_cny",
    "rnd_share",
)
"""Indicator keys, in the order of their weights."""

LAND_SQL = f"""
WITH pgfa AS (
  SELECT b.parcel_id, sum({GFA_SQL}) AS gfa_m2
  FROM buildings b WHERE b.parcel_id IS NOT NULL GROUP BY b.parcel_id
), rented AS (
  SELECT s.occupant_enterprise_id AS firm, b.parcel_id, sum(s.area_m2) AS rented_m2
  FROM spaces s JOIN buildings b ON b.id = s.building_id
  WHERE s.occupant_enterprise_id IS NOT NULL AND b.parcel_id IS NOT NULL
  GROUP BY 1, 2
), tenant AS (
  SELECT r.firm, r.parcel_id, r.rented_m2,
         least(1.0, r.rented_m2 / nullif(g.gfa_m2, 0)) * p.area_m2 AS land_m2
  FROM rented r JOIN pgfa g USING (parcel_id) JOIN parcels p ON p.id = r.parcel_id
  WHERE r.firm IS DISTINCT FROM p.holder_enterprise_id
), let AS (
  SELECT parcel_id, sum(land_m2) AS land_m2 FROM tenant GROUP BY parcel_id
), held AS (
  SELECT p.holder_enterprise_id AS firm, p.id AS parcel_id,
         greatest(0.0, p.area_m2 - coalesce(let.land_m2, 0)) AS land_m2,
         p.status = 'built' AS built
  FROM parcels p LEFT JOIN let ON let.parcel_id = p.id
  WHERE p.holder_enterprise_id IS NOT NULL
), land AS (
  SELECT firm, sum(land_m2) AS land_m2, bool_or(built) AS in_use, count(*) AS parcels,
         0::bigint AS tenancies
  FROM held GROUP BY firm
  UNION ALL
  SELECT firm, sum(land_m2), TRUE, 0, count(*) FROM tenant GROUP BY firm
)
SELECT e.id, e.name, e.name_en, e.industry_chain, e.industry_code, e.employees,
       e.output_cny, e.tax_cny, e.energy_tce, e.rnd_cny,
       sum(l.land_m2) AS land_m2, bool_or(l.in_use) AS in_use,
       sum(l.parcels)::int AS parcels_held, sum(l.tenancies)::int AS tenancies
FROM land l JOIN enterprises e ON e.id = l.firm
GROUP BY e.id
ORDER BY e.id
"""
"""One row per firm with land: its apportioned land (m²) and its figures."""


@dataclass(frozen=True)
class Weights:
    """Indicator weights in :data:`INDICATORS` order."""

    values: tuple[float, float, float, float, float]

    @classmethod
    def from_settings(cls, s: LanduseSettings) -> Weights:
        """The weights of the settings."""
        return cls((s.weight_tax, s.weight_output, s.weight_labour, s.weight_energy, s.weight_rnd))


def firm_land_rows(session: Session) -> list[dict[str, Any]]:
    """Every firm with land: apportioned ``land_m2`` and ``land_mu`` and its figures.

    No role check (library use); the rows hold sensitive figures.
    """
    out = []
    session.execute(text(NO_JIT_SQL))
    for r in session.execute(text(LAND_SQL)):
        row = dict(r._mapping)
        row["land_m2"] = float(row["land_m2"] or 0)
        row["land_mu"] = row["land_m2"] / M2_PER_MU
        out.append(row)
    return out


def _div(a: Any, b: Any) -> float | None:
    if a is None or b is None or not b:
        return None
    return float(a) / float(b)


def indicators_of(row: dict[str, Any]) -> dict[str, float | None]:
    """The five indicators of one firm row (see the module docstring for units)."""
    out = row.get("output_cny")
    return {
        "tax_cny_per_mu": _div(row.get("tax_cny"), row["land_mu"]),
        "output_cny_per_mu": _div(out, row["land_mu"]),
        "output_cny_per_employee": _div(out, row.get("employees")),
        "energy_tce_per_10k_cny": _div(row.get("energy_tce"), (out or 0) / 1e4),
        "rnd_share": _div(row.get("rnd_cny"), out),
    }


def zone_averages(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Zone averages as ratios of sums over the rows that have each figure."""

    def ratio(num: str, den: str, scale: float = 1.0) -> float | None:
        pairs = [
            (float(r[num]), float(r[den]))
            for r in rows
            if r.get(num) is not None and r.get(den) is not None
        ]
        total = sum(d for _, d in pairs) / scale
        return sum(n for n, _ in pairs) / total if pairs and total else None

    return {
        "tax_cny_per_mu": ratio("tax_cny", "land_mu"),
        "output_cny_per_mu": ratio("output_cny", "land_mu"),
        "output_cny_per_employee": ratio("output_cny", "employees"),
        "energy_tce_per_10k_cny": ratio("energy_tce", "output_cny", 1e4),
        "rnd_share": ratio("rnd_cny", "output_cny"),
    }


def score_of(
    ind: dict[str, float | None],
    avg: dict[str, float | None],
    weights: Weights,
    cap: float,
) -> float | None:
    """100 × the weighted mean of the capped ratios to the zone average (None: no data)."""
    num = den = 0.0
    for key, w in zip(INDICATORS, weights.values, strict=True):
        v, a = ind.get(key), avg.get(key)
        if v is None or a is None or w <= 0 or a <= 0:
            continue
        inverse = key == "energy_tce_per_10k_cny"  # lower energy use is better
        ratio = (cap if v <= 0 else a / v) if inverse else v / a
        num += w * min(max(ratio, 0.0), cap)
        den += w
    return 100.0 * num / den if den else None


def grade_scores(
    scores: Sequence[float], cutoffs: Sequence[float] = (0.25, 0.70, 0.95)
) -> list[str]:
    """Grades A–D for ``scores`` (higher is better), in the same order.

    A firm's position is (firms with a strictly higher score) / (firms graded); the grade
    is the first of A, B, C whose cut-off is above the position, else D. Equal scores
    (to 6 decimals) share the better grade.

    Examples
    --------
    >>> grade_scores([9, 8, 7, 6])
    ['A', 'B', 'B', 'C']
    """
    n = len(scores)
    keys = [round(s, 6) for s in scores]
    ordered = sorted(keys, reverse=True)
    first_at: dict[float, int] = {}
    for i, k in enumerate(ordered):
        first_at.setdefault(k, i)
    out = []
    for k in keys:
        pos = first_at[k] / n
        grade = "D"
        for g, cut in zip(GRADES, cutoffs, strict=False):
            if pos < cut:
                grade = g
                break
        out.append(grade)
    return out


def evaluate_rows(rows: Sequence[dict[str, Any]], settings: LanduseSettings) -> dict[str, Any]:
    """Grade firm rows (from :func:`firm_land_rows` or a fixture); pure, no database.

    Returns
    -------
    dict
        ``firms`` (every row, best first, with ``indicators``, ``ratios``-based ``score``,
        ``grade`` or ``None`` and ``graded`` / ``reason``), ``averages``, ``counts`` by
        grade, and the ``settings`` used.
    """
    weights = Weights.from_settings(settings)
    eligible: list[tuple[dict[str, Any], str | None]] = []
    others: list[tuple[dict[str, Any], str | None]] = []
    for r in rows:
        reason = None
        if r["land_mu"] < settings.min_mu:
            reason = "below_min_mu"
        elif not r.get("in_use"):
            reason = "land_not_in_use"
        elif r.get("output_cny") is None and r.get("tax_cny") is None:
            reason = "no_data"
        (others if reason else eligible).append((r, reason))
    avg = zone_averages([r for r, _ in eligible])
    scored = []
    for r, _ in eligible:
        ind = indicators_of(r)
        scored.append((r, ind, score_of(ind, avg, weights, settings.score_cap)))
    graded = [(r, ind, sc) for r, ind, sc in scored if sc is not None]
    grades = grade_scores([sc for _, _, sc in graded], settings.grade_cutoffs)
    firms = [_firm(r, ind, sc, g, None) for (r, ind, sc), g in zip(graded, grades, strict=True)]
    firms.sort(key=lambda f: (-f["score"], f["id"]))
    firms += [_firm(r, ind, None, None, "no_data") for r, ind, sc in scored if sc is None]
    for r, reason in others:
        firms.append(_firm(r, indicators_of(r), None, None, reason))
    counts = {g: sum(1 for x in grades if x == g) for g in GRADES}
    return {
        "firms": firms,
        "averages": avg,
        "counts": {**counts, "graded": len(graded), "not_graded": len(firms) - len(graded)},
        "settings": {
            "min_mu": settings.min_mu,
            "weights": dict(zip(INDICATORS, weights.values, strict=True)),
            "score_cap": settings.score_cap,
            "grade_cutoffs": list(settings.grade_cutoffs),
        },
    }


def _firm(
    r: dict[str, Any],
    ind: dict[str, float | None],
    score: float | None,
    grade: str | None,
    reason: str | None,
) -> dict[str, Any]:
    return {
        "id": r["id"],
        "name": r.get("name"),
        "name_en": r.get("name_en"),
        "industry_chain": r.get("industry_chain"),
        "industry_code": r.get("industry_code"),
        "land_m2": round(r["land_m2"], 2),
        "land_mu": round(r["land_mu"], 3),
        "parcels_held": r.get("parcels_held", 0),
        "tenancies": r.get("tenancies", 0),
        "employees": r.get("employees"),
        "output_cny": r.get("output_cny"),
        "tax_cny": r.get("tax_cny"),
        "energy_tce": r.get("energy_tce"),
        "rnd_cny": r.get("rnd_cny"),
        "indicators": {k: (None if v is None else round(v, 6)) for k, v in ind.items()},
        "score": None if score is None else round(score, 3),
        "grade": grade,
        "graded": grade is not None,
        "reason": reason,
    }


def evaluate_firms(
    session: Session, principal: Principal, settings: LanduseSettings
) -> dict[str, Any]:
    """The 亩均 evaluation of every firm with land (planner and admin only).

    Returns
    -------
    dict
        See :func:`evaluate_rows`; land in m² (geodesic) and 亩, money in CNY.

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous callers (401); officers and investment staff (403).
    """
    require_role(principal, ("admin", "planner"), "read the 亩均 evaluation")
    return evaluate_rows(firm_land_rows(session), settings)
