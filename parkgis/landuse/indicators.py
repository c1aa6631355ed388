"""Control indicators (工业项目建设用地控制指标) of each industrial parcel.

For every parcel of an industrial class (group ``industrial`` in ``land_use.csv``):

- ``plot_ratio``: floor area counted as the standard counts it (each storey GFA /
  storeys; a storey taller than 8 m twice; see :data:`parkgis.landuse.sql.COUNTED_FACTOR_SQL`)
  over the parcel's geodesic area;
- ``building_coefficient``: building footprints plus structures and open yards
  (``structures_yard_m2``) over the parcel's area;
- ``min_plot_ratio``: the minimum for the holder's GB/T 4754 division
  (``landuse_plot_ratio_minimums.csv``). A parcel without a holder (a standard-factory
  park of the platform company) takes the most lenient minimum among its tenants'
  industries, so no tenant is held to another's rule;
- ``coefficient_floor``: ``PARKGIS_LANDUSE_BUILDING_COEFFICIENT_FLOOR`` (30%).

``check`` is ``below_minimum`` when a figure that can be computed is below its minimum,
``no_data`` when the parcel has no buildings or no minimum is known for its industry
(and nothing that was checked failed), else ``ok``. ``reasons`` lists what failed or was
missing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.geo import M2_PER_MU
from parkgis.landuse.reference import minimum_for
from parkgis.landuse.scope import Scope
from parkgis.landuse.sql import built_sql
from parkgis.landuse.summary import industrial_codes
from parkgis.settings import LanduseSettings

CHECKS = ("ok", "below_minimum", "no_data")

_SQL = """
WITH p AS (
  SELECT p.id, p.code, p.land_use, p.status, p.area_m2, p.structures_yard_m2,
         p.holder_enterprise_id, p.price_cny_m2, p.granted_on, p.agreed_start_on
  FROM parcels p WHERE p.land_use = ANY(:ind) AND {where}
), bt AS ({built}),
ten AS (
  SELECT b.parcel_id, array_agg(DISTINCT e.industry_code) AS codes
  FROM spaces s JOIN buildings b ON b.id = s.building_id
  JOIN enterprises e ON e.id = s.occupant_enterprise_id
  WHERE b.parcel_id IN (SELECT id FROM p)
  GROUP BY b.parcel_id
)
SELECT p.*, e.name AS holder_name, e.name_en AS holder_name_en,
       e.industry_code AS holder_industry_code,
       coalesce(bt.buildings, 0) AS buildings, bt.gfa_m2, bt.counted_m2, bt.footprint_m2,
       ten.codes AS tenant_industry_codes
FROM p
LEFT JOIN bt ON bt.parcel_id = p.id
LEFT JOIN enterprises e ON e.id = p.holder_enterprise_id
LEFT JOIN ten ON ten.parcel_id = p.id
ORDER BY p.id
"""


def _minimum(row: dict[str, Any]) -> tuple[float | None, str | None]:
    if row["holder_enterprise_id"] is not None:
        m = minimum_for(row["holder_industry_code"])
        return m, ("holder_industry" if m is not None else None)
    mins = [m for c in row["tenant_industry_codes"] or [] if (m := minimum_for(c)) is not None]
    return (min(mins), "tenant_industries") if mins else (None, None)


def classify(
    plot_ratio: float | None,
    building_coefficient: float | None,
    min_plot_ratio: float | None,
    coefficient_floor: float,
) -> tuple[str, list[str]]:
    """The check of one parcel: (``ok`` | ``below_minimum`` | ``no_data``, reasons)."""
    reasons: list[str] = []
    below = False
    if plot_ratio is None:
        reasons.append("no_buildings")
    elif min_plot_ratio is None:
        reasons.append("no_minimum_for_industry")
    elif plot_ratio < min_plot_ratio:
        below = True
        reasons.append("plot_ratio_below_minimum")
    if building_coefficient is not None and building_coefficient < coefficient_floor:
        below = True
        reasons.append("building_coefficient_below_floor")
    if below:
        return "below_minimum", reasons
    return ("no_data" if reasons else "ok"), reasons


def parcel_indicators_rows(
    session: Session, settings: LanduseSettings, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """The control indicators of every industrial parcel in ``scope`` (no role check).

    Library use only (maps, reports, inefficiency); callers check the role. Areas in m²
    (geodesic) and 亩; ratios as fractions.
    """
    where, params = (scope or Scope()).where("p")
    sql = _SQL.format(where=where, built=built_sql(" AND b.parcel_id IN (SELECT id FROM p)"))
    out = []
    for r in session.execute(text(sql), {**params, "ind": industrial_codes()}):
        row = dict(r._mapping)
        area = float(row["area_m2"])
        has = row["buildings"] > 0
        pr = round(float(row["counted_m2"]) / area, 4) if has and area else None
        covered = float(row["footprint_m2"] or 0) + float(row["structures_yard_m2"] or 0)
        bc = round(covered / area, 4) if has and area else None
        minimum, basis = _minimum(row)
        check, reasons = classify(pr, bc, minimum, settings.building_coefficient_floor)
        out.append(
            {
                "id": row["id"],
                "code": row["code"],
                "land_use": row["land_use"],
                "status": row["status"],
                "area_m2": round(area, 2),
                "area_mu": round(area / M2_PER_MU, 3),
                "holder_enterprise_id": row["holder_enterprise_id"],
                "holder_name": row["holder_name"],
                "holder_name_en": row["holder_name_en"],
                "industry_code": row["holder_industry_code"],
                "buildings": int(row["buildings"]),
                "gross_floor_area_m2": _r(row["gfa_m2"]),
                "counted_floor_area_m2": _r(row["counted_m2"]),
                "footprint_m2": _r(row["footprint_m2"]),
                "structures_yard_m2": _r(row["structures_yard_m2"]),
                "plot_ratio": pr,
                "min_plot_ratio": minimum,
                "min_plot_ratio_basis": basis,
                "building_coefficient": bc,
                "coefficient_floor": settings.building_coefficient_floor,
                "check": check,
                "reasons": reasons,
                "price_cny_m2": row["price_cny_m2"],
                "granted_on": row["granted_on"],
                "agreed_start_on": row["agreed_start_on"],
            }
        )
    return out


def _r(v: Any) -> float | None:
    return None if v is None else round(float(v), 2)


def parcel_indicators(
    session: Session,
    principal: Principal,
    settings: LanduseSettings,
    *,
    scope: Scope | None = None,
    check: str | None = None,
) -> list[dict[str, Any]]:
    """Control indicators per industrial parcel (admin, planner and officer).

    Parameters
    ----------
    scope : Scope, optional
        bbox/polygon in EPSG:4326 (parcels whose point on surface is inside).
    check : str, optional
        Keep only parcels with this check (``ok``, ``below_minimum``, ``no_data``).

    Returns
    -------
    list of dict
        One row per parcel with ``plot_ratio``, ``min_plot_ratio``,
        ``building_coefficient``, ``coefficient_floor``, ``check`` and ``reasons``;
        areas in m² (geodesic) and 亩.
    """
    require_role(principal, ("admin", "planner", "officer"), "read control indicators")
    if check is not None and check not in CHECKS:
        from parkgis.errors import InvalidQuery

        raise InvalidQuery(f"unknown check {check!r}; use {', '.join(CHECKS)}", field="check")
    rows = parcel_indicators_rows(session, settings, scope)
    return [r for r in rows if check is None or r["check"] == check]
