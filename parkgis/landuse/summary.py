"""The land-use summary: area by class in m², ha and 亩, zone rates, intensity, references.

Areas are geodesic (``parcels.area_m2``, from EPSG:4326 geometry on the WGS84 ellipsoid);
1 亩 = 10000/15 m², 1 ha = 10,000 m². One SQL statement aggregates parcels and their
buildings by (group, class, status); the rest is arithmetic on those few rows.

Definitions (each share is of the group's total parcel area):

- ``industrial_share``: land of the industrial classes (group ``industrial`` of
  ``land_use.csv``: 1001, 100101–100103, 1002);
- ``supplied_share``: land granted or later (granted, under construction, built, idle);
- ``built_share`` and ``idle_share``: land whose status is ``built`` / ``idle``;
- ``industrial_plot_ratio``: floor area counted as the control indicators count it (a
  storey over 8 m twice) over the area of the industrial parcels that have buildings;
- ``industrial_building_coefficient``: building footprints plus structures and yards over
  the same area;
- ``investment_cny_per_mu``: investment of the (not cancelled) projects on the group's
  parcels over those parcels' area;
- ``output_cny_per_mu`` / ``tax_cny_per_mu``: output and tax of the firms located on
  industrial parcels over the area of the built industrial parcels. Planner and admin
  only: other callers get neither key.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role, sensitive_scope
from parkgis.geo import M2_PER_MU
from parkgis.landuse.reference import land_use_classes, reference_rows
from parkgis.landuse.scope import GroupBy, Scope, check_group_by
from parkgis.landuse.sql import COUNTED_FACTOR_SQL, GFA_SQL, NO_JIT_SQL, SUPPLIED_STATUSES

M2_PER_HA = 10_000.0


def _group_sql(by: GroupBy, scope: Scope) -> tuple[str, str]:
    """The group key expression and the join it needs, for parcels ``p``.

    A parcel's grid area is the one holding its point on surface (the lowest id if it
    lies on a shared edge); the grid areas are matched once per grid area, with the
    parcels' spatial index, rather than once per parcel.
    """
    if by == "grid":
        where, _ = scope.where("p2")
        return (
            "ga.code",
            "LEFT JOIN (SELECT DISTINCT ON (p2.id) p2.id, g.code FROM grid_areas g "
            "JOIN parcels p2 ON p2.geom && g.geom "
            "AND ST_Intersects(g.geom, ST_PointOnSurface(p2.geom)) "
            f"WHERE {where} ORDER BY p2.id, g.id) ga ON ga.id = p.id",
        )
    return {"zone": "'zone'", "class": "p.land_use", "status": "p.status"}[by], ""


def industrial_codes() -> list[str]:
    """Land-use codes of the industrial group (``land_use.csv``)."""
    return [c for c, r in land_use_classes().items() if r["group"] == "industrial"]


def _areas(m2: float) -> dict[str, float]:
    return {
        "area_m2": round(m2, 2),
        "area_ha": round(m2 / M2_PER_HA, 4),
        "area_mu": round(m2 / M2_PER_MU, 3),
    }


def _ratio(num: float | None, den: float | None, digits: int = 4) -> float | None:
    if num is None or not den:
        return None
    return round(num / den, digits)


def _rows(session: Session, by: GroupBy, scope: Scope) -> list[dict[str, Any]]:
    key, join = _group_sql(by, scope)
    where, params = scope.where("p")
    where_q, _ = scope.where("q")
    sql = f"""
    WITH bt AS (
      SELECT b.parcel_id, sum({GFA_SQL} * {COUNTED_FACTOR_SQL}) AS counted_m2,
             sum(b.footprint_m2) AS footprint_m2
      FROM buildings b JOIN parcels q ON q.id = b.parcel_id
      WHERE q.land_use = ANY(:ind) AND {where_q}
      GROUP BY b.parcel_id
    )
    SELECT {key} AS g, p.land_use, p.status, count(*) AS parcels, sum(p.area_m2) AS area_m2,
           sum(p.area_m2) FILTER (WHERE bt.parcel_id IS NOT NULL) AS with_buildings_m2,
           sum(bt.counted_m2) AS counted_m2,
           sum(bt.footprint_m2 + coalesce(p.structures_yard_m2, 0)) AS covered_m2
    FROM parcels p LEFT JOIN bt ON bt.parcel_id = p.id {join}
    WHERE {where}
    GROUP BY 1, 2, 3
    """
    session.execute(text(NO_JIT_SQL))
    params = {**params, "ind": industrial_codes()}
    return [dict(r._mapping) for r in session.execute(text(sql), params)]


def _money(session: Session, by: GroupBy, scope: Scope) -> dict[Any, dict[str, float]]:
    key, join = _group_sql(by, scope)
    where, params = scope.where("p")
    params = {**params, "ind": industrial_codes()}
    sql = f"""
    SELECT 'firms' AS what, {key} AS g, sum(e.output_cny) AS a, sum(e.tax_cny) AS b
    FROM enterprises e JOIN parcels p ON p.id = e.parcel_id {join}
    WHERE p.land_use = ANY(:ind) AND {where}
    GROUP BY 2
    UNION ALL
    SELECT 'projects', {key}, sum(pr.inv), sum(p.area_m2)
    FROM (SELECT parcel_id, sum(investment_cny) AS inv FROM projects
          WHERE parcel_id IS NOT NULL AND stage <> 'cancelled' AND investment_cny IS NOT NULL
          GROUP BY parcel_id) pr
    JOIN parcels p ON p.id = pr.parcel_id {join}
    WHERE {where}
    GROUP BY 2
    """
    out: dict[Any, dict[str, float]] = defaultdict(dict)
    for what, g, a, b in session.execute(text(sql), params):
        if what == "firms":
            out[g]["output_cny"] = float(a or 0)
            out[g]["tax_cny"] = float(b or 0)
        else:
            out[g]["investment_cny"] = float(a or 0)
            out[g]["project_land_m2"] = float(b or 0)
    return out


def _group(
    key: Any, rows: list[dict[str, Any]], money: dict[str, float], sensitive: bool
) -> dict[str, Any]:
    classes = land_use_classes()
    ind = set(industrial_codes())
    total = sum(r["area_m2"] or 0 for r in rows)
    by_class: dict[str, dict[str, float]] = defaultdict(lambda: {"parcels": 0, "m2": 0.0})
    by_status: dict[str, float] = defaultdict(float)
    counted = covered = ind_built = ind_area = 0.0
    for r in rows:
        area = float(r["area_m2"] or 0)
        by_class[r["land_use"]]["parcels"] += r["parcels"]
        by_class[r["land_use"]]["m2"] += area
        by_status[r["status"]] += area
        if r["land_use"] in ind:
            ind_area += area
            if r["with_buildings_m2"]:
                ind_built += float(r["with_buildings_m2"])
                counted += float(r["counted_m2"] or 0)
                covered += float(r["covered_m2"] or 0)
    class_rows = []
    for code in sorted(by_class):
        c = by_class[code]
        info = classes.get(code, {})
        class_rows.append(
            {
                "code": code,
                "name_zh": info.get("name_zh"),
                "name_en": info.get("name_en"),
                "parcels": int(c["parcels"]),
                **_areas(c["m2"]),
                "share": _ratio(c["m2"], total),
            }
        )
    supplied = sum(by_status.get(s, 0.0) for s in SUPPLIED_STATUSES)
    built_ind_status = sum(
        float(r["area_m2"] or 0) for r in rows if r["land_use"] in ind and r["status"] == "built"
    )
    intensity: dict[str, Any] = {
        "industrial_plot_ratio": _ratio(counted, ind_built),
        "industrial_building_coefficient": _ratio(covered, ind_built),
        "industrial_with_buildings_mu": round(ind_built / M2_PER_MU, 3),
        "investment_cny_per_mu": _ratio(
            money.get("investment_cny"), (money.get("project_land_m2") or 0) / M2_PER_MU, 2
        ),
    }
    if sensitive:
        mu = built_ind_status / M2_PER_MU
        intensity["output_cny_per_mu"] = _ratio(money.get("output_cny"), mu, 2)
        intensity["tax_cny_per_mu"] = _ratio(money.get("tax_cny"), mu, 2)
    return {
        "key": key,
        "parcels": int(sum(r["parcels"] for r in rows)),
        **_areas(total),
        "classes": class_rows,
        "statuses": {s: _areas(a) for s, a in sorted(by_status.items())},
        "rates": {
            "industrial_share": _ratio(ind_area, total),
            "supplied_share": _ratio(supplied, total),
            "built_share": _ratio(by_status.get("built", 0.0), total),
            "idle_share": _ratio(by_status.get("idle", 0.0), total),
        },
        "intensity": intensity,
    }


def _comparison(zone: dict[str, Any]) -> list[dict[str, Any]]:
    mine = {
        "industrial_plot_ratio": zone["intensity"].get("industrial_plot_ratio"),
        "industrial_building_coefficient": zone["intensity"].get("industrial_building_coefficient"),
        "industrial_tax_per_mu": zone["intensity"].get("tax_cny_per_mu"),
    }
    out = []
    for ref in reference_rows():
        if ref["key"] in mine and (ref["key"] != "industrial_tax_per_mu" or mine[ref["key"]]):
            out.append({**ref, "zone_value": mine[ref["key"]]})
    return out


def landuse_summary(
    session: Session,
    principal: Principal,
    *,
    by: str | None = None,
    scope: Scope | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Area by land-use class, zone rates and intensity, with reference figures.

    Parameters
    ----------
    session : Session
        Read only.
    principal : Principal
        Any signed-in role (anonymous: 401). Output and tax per 亩 are given to planner
        and admin only.
    by : {"zone", "grid", "class", "status"}, optional
        Grouping of ``groups`` (default ``zone``: one group, the whole scope).
    scope : Scope, optional
        A bbox (EPSG:4326 degrees) and/or polygon (EPSG:4326); parcels count when their
        point on surface lies inside (see :mod:`parkgis.landuse.scope`).
    today : date, optional
        The zone date reported as ``as_of``.

    Returns
    -------
    dict
        ``zone`` (totals of the scope), ``groups`` (one per group value, largest first),
        ``reference`` (published figures with their sources), ``comparison`` (zone vs
        reference), ``units``. Areas in m², ha and 亩 (geodesic).

    Raises
    ------
    Unauthorized
        Anonymous caller.
    InvalidInput
        Unknown ``by``.
    """
    require_role(principal, ("admin", "planner", "officer", "investment"), "read land use")
    group_by = check_group_by(by)
    scope = scope or Scope()
    sensitive = sensitive_scope(principal) == "all"
    rows = _rows(session, group_by, scope)
    money = _money(session, group_by, scope)
    zone_money: dict[str, float] = defaultdict(float)
    for vals in money.values():
        for k, v in vals.items():
            zone_money[k] += v
    zone = _group("zone", rows, zone_money, sensitive)
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        grouped[r["g"]].append(r)
    groups = [_group(g, rs, money.get(g, {}), sensitive) for g, rs in grouped.items()]
    groups.sort(key=lambda g: (-g["area_m2"], str(g["key"])))
    if group_by == "class":
        classes = land_use_classes()
        for g in groups:
            info = classes.get(str(g["key"]), {})
            g["name_zh"], g["name_en"] = info.get("name_zh"), info.get("name_en")
    return {
        "as_of": today.isoformat() if today else None,
        "by": group_by,
        "scope": scope.describe(),
        "units": {"area": "m2, ha, mu (1 mu = 10000/15 m2), geodesic", "money": "CNY"},
        "zone": zone,
        "groups": groups,
        "reference": list(reference_rows()),
        "comparison": _comparison(zone),
    }
