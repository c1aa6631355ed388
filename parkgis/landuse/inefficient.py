"""Inefficient land (低效用地): each parcel in at most one of Zhejiang's five types.

The types follow the life of a parcel; a parcel takes the first whose rule holds, so it is
never in two. Each rule is the docstring of its function below:

1. 批而未供 ``approved_not_supplied`` (:func:`is_approved_not_supplied`)
2. 供而未用 ``supplied_not_used`` (:func:`is_supplied_not_used`), with the idle-land clock
3. 用而未尽 ``used_not_fully`` (:func:`is_used_not_fully`)
4. 建而未投 ``built_not_producing`` (:func:`is_built_not_producing`)
5. 投而未达标 ``producing_below_standard`` (:func:`is_producing_below_standard`)

**The idle-land clock** (闲置土地处置办法, 2012) reuses the projects' idle-land rule,
:func:`parkgis.projects.milestones.is_idle` (with
:func:`parkgis.projects.idle_land.idle_projects` for parcels that carry a project): land is
idle once a year has passed since the agreed construction start without construction
starting. Idle land owes a fee of 20% of the land
price (``price_cny_m2 × area_m2 × 0.2``, CNY); from two years past the agreed start it may
be taken back without compensation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.landuse.firms import evaluate_rows, firm_land_rows
from parkgis.landuse.indicators import parcel_indicators_rows
from parkgis.landuse.scope import Scope
from parkgis.projects.idle_land import idle_projects
from parkgis.projects.milestones import add_years, idle_deadline, is_idle
from parkgis.settings import LanduseSettings

IDLE_FEE_SHARE = 0.20
"""Idle-land fee as a share of the land price (闲置土地处置办法 2012, 第十四条)."""
TAKE_BACK_YEARS = 2
"""Years past the agreed start after which idle land may be taken back (第十四条)."""

TYPES: dict[str, tuple[str, str]] = {
    "approved_not_supplied": ("批而未供", "Approved, not supplied"),
    "supplied_not_used": ("供而未用", "Supplied, not used"),
    "used_not_fully": ("用而未尽", "Used below the indicators"),
    "built_not_producing": ("建而未投", "Built, not producing"),
    "producing_below_standard": ("投而未达标", "Producing below standard"),
}
"""Type key → (zh, en) names, in the order a parcel is tested."""


def is_approved_not_supplied(p: dict[str, Any]) -> bool:
    """批而未供: approved construction land not yet supplied, i.e. status ``available``.

    The land is approved and on offer (serviced) but no grant has been made. ``planned``
    land is not yet approved and does not count.
    """
    return bool(p["status"] == "available")


def is_supplied_not_used(p: dict[str, Any]) -> bool:
    """供而未用: land granted but construction not started, i.e. status ``granted`` or
    ``idle``. Its idle-land clock (see the module docstring) says how long since the
    agreed start, whether the 20% fee is due and whether it may be taken back."""
    return bool(p["status"] in ("granted", "idle"))


def is_used_not_fully(p: dict[str, Any]) -> bool:
    """用而未尽: built industrial land whose control indicators fail: the plot ratio below
    the minimum for the holder's industry, or the building coefficient below its floor
    (``check == "below_minimum"`` in :mod:`parkgis.landuse.indicators`)."""
    return bool(p["status"] == "built" and p.get("check") == "below_minimum")


def is_built_not_producing(p: dict[str, Any]) -> bool:
    """建而未投: built industrial land where nobody produces: neither the holder nor any
    tenant on it reports output above zero, or its project is ``completed`` but not yet
    ``in_production``."""
    return bool(p["status"] == "built" and (not p.get("producing") or p.get("project_completed")))


def is_producing_below_standard(p: dict[str, Any]) -> bool:
    """投而未达标: built industrial land in production whose holder is graded D in the 亩均
    evaluation, or pays less tax per 亩 (its tax over all the land it uses) than the
    parcel's 标准地 commitment (``parcels.tax_wan_cny_mu``, 万元/亩, when it carries one)."""
    if p["status"] != "built" or not p.get("producing"):
        return False
    return bool(p.get("holder_grade") == "D" or p.get("below_commitment"))


RULES = (
    ("approved_not_supplied", is_approved_not_supplied),
    ("supplied_not_used", is_supplied_not_used),
    ("used_not_fully", is_used_not_fully),
    ("built_not_producing", is_built_not_producing),
    ("producing_below_standard", is_producing_below_standard),
)


def inefficiency_type(p: dict[str, Any]) -> str | None:
    """The first type of :data:`RULES` that holds for parcel facts ``p``, else None."""
    for key, rule in RULES:
        if rule(p):
            return key
    return None


def idle_clock(
    *,
    agreed_start_on: date | None,
    granted_on: date | None,
    idle: bool,
    today: date,
    price_cny_m2: float | None,
    area_m2: float,
) -> dict[str, Any] | None:
    """The idle-land clock of supplied, unstarted land (None without an agreed start).

    ``idle`` is the outcome of the projects' idle-land rule for this parcel. Dates are zone
    dates; ``fee_cny`` is 20% of ``price_cny_m2 × area_m2`` when idle and priced.
    """
    if agreed_start_on is None:
        return None
    take_back_from = add_years(agreed_start_on, TAKE_BACK_YEARS)
    fee = None
    if idle and price_cny_m2 is not None:
        fee = round(price_cny_m2 * area_m2 * IDLE_FEE_SHARE, 2)
    return {
        "granted_on": granted_on.isoformat() if granted_on else None,
        "agreed_start_on": agreed_start_on.isoformat(),
        "days_since_agreed_start": (today - agreed_start_on).days,
        "fee_from": idle_deadline(agreed_start_on).isoformat(),
        "take_back_from": take_back_from.isoformat(),
        "idle": idle,
        "fee_cny": fee,
        "may_take_back": idle and today > take_back_from,
    }


def _idle_parcel_ids(session: Session, today: date) -> set[int]:
    """Parcels of projects that the projects' idle-land rule finds idle on ``today``."""
    return {x.parcel_id for x in idle_projects(session, today=today)}


_FACTS_SQL = """
SELECT p.id, p.code, p.land_use, p.status, p.area_m2, p.price_cny_m2, p.granted_on,
       p.agreed_start_on, p.holder_enterprise_id, p.tax_wan_cny_mu,
       EXISTS (SELECT 1 FROM projects pr WHERE pr.parcel_id = p.id) AS has_project,
       EXISTS (SELECT 1 FROM projects pr WHERE pr.parcel_id = p.id AND pr.stage = 'completed')
         AS project_completed,
       (EXISTS (SELECT 1 FROM enterprises e WHERE e.id = p.holder_enterprise_id
                AND e.output_cny > 0)
        OR EXISTS (SELECT 1 FROM spaces s JOIN buildings b ON b.id = s.building_id
                   JOIN enterprises e ON e.id = s.occupant_enterprise_id
                   WHERE b.parcel_id = p.id AND e.output_cny > 0)) AS producing
FROM parcels p
WHERE p.status IN ('available', 'granted', 'idle', 'built') AND {where}
ORDER BY p.id
"""


def inefficient_rows(
    session: Session,
    settings: LanduseSettings,
    *,
    today: date,
    scope: Scope | None = None,
    grades: dict[int, str] | None = None,
    tax_per_mu: dict[int, float] | None = None,
    indicators: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every inefficient parcel in ``scope`` with its type, numbers and clock (no role check).

    ``grades`` (firm id → grade) and ``tax_per_mu`` (firm id → tax per 亩 of its land, CNY)
    save a second 亩均 evaluation when the caller has one; ``indicators`` (the
    :func:`parcel_indicators_rows` of the same ``scope``) saves reading them again.
    Areas in m² (geodesic) and 亩; the clock's money in CNY.
    """
    scope = scope or Scope()
    where, params = scope.where("p")
    result = session.execute(text(_FACTS_SQL.format(where=where)), params)
    facts = [dict(r._mapping) for r in result]
    if indicators is None:
        indicators = parcel_indicators_rows(session, settings, scope)
    by_id = {r["id"]: r for r in indicators}
    if grades is None or tax_per_mu is None:
        ev = evaluate_rows(firm_land_rows(session), settings)
        if grades is None:
            grades = {f["id"]: f["grade"] for f in ev["firms"] if f["grade"]}
        if tax_per_mu is None:
            tax_per_mu = {
                f["id"]: f["indicators"]["tax_cny_per_mu"]
                for f in ev["firms"]
                if f["indicators"]["tax_cny_per_mu"] is not None
            }
    idle_parcels = _idle_parcel_ids(session, today)
    out = []
    for f in facts:
        ind = by_id.get(f["id"])
        industrial = ind is not None
        facts_p = {
            **f,
            "check": ind["check"] if ind else None,
            "holder_grade": grades.get(f["holder_enterprise_id"] or -1),
            "below_commitment": _below_commitment(f, tax_per_mu),
        }
        if f["status"] == "built" and not industrial:
            continue  # types 3-5 concern industrial land only
        kind = inefficiency_type(facts_p)
        if kind is None:
            continue
        clock = None
        if kind == "supplied_not_used":
            idle = (
                f["id"] in idle_parcels
                if f["has_project"]
                else is_idle(
                    granted_on=f["granted_on"],
                    agreed_start_on=f["agreed_start_on"],
                    construction_started=False,
                    today=today,
                )
            )
            clock = idle_clock(
                agreed_start_on=f["agreed_start_on"],
                granted_on=f["granted_on"],
                idle=idle,
                today=today,
                price_cny_m2=f["price_cny_m2"],
                area_m2=float(f["area_m2"]),
            )
        out.append(_row(f, kind, clock, ind, facts_p))
    return out


def _below_commitment(f: dict[str, Any], tax_per_mu: dict[int, float]) -> bool:
    """The holder pays less tax per 亩 than the parcel's 标准地 commitment (万元/亩)."""
    committed, holder = f.get("tax_wan_cny_mu"), f.get("holder_enterprise_id")
    if committed is None or holder is None or holder not in tax_per_mu:
        return False
    return bool(tax_per_mu[holder] < float(committed) * 10_000)


def _row(
    f: dict[str, Any],
    kind: str,
    clock: dict[str, Any] | None,
    ind: dict[str, Any] | None,
    facts: dict[str, Any],
) -> dict[str, Any]:
    from parkgis.geo import M2_PER_MU

    zh, en = TYPES[kind]
    return {
        "id": f["id"],
        "code": f["code"],
        "land_use": f["land_use"],
        "status": f["status"],
        "area_m2": round(float(f["area_m2"]), 2),
        "area_mu": round(float(f["area_m2"]) / M2_PER_MU, 3),
        "holder_enterprise_id": f["holder_enterprise_id"],
        "type": kind,
        "type_zh": zh,
        "type_en": en,
        "clock": clock,
        "plot_ratio": ind["plot_ratio"] if ind else None,
        "min_plot_ratio": ind["min_plot_ratio"] if ind else None,
        "building_coefficient": ind["building_coefficient"] if ind else None,
        "producing": bool(f["producing"]),
        "holder_grade": facts["holder_grade"],
        "below_commitment": facts["below_commitment"],
        "committed_tax_wan_cny_mu": f["tax_wan_cny_mu"],
    }


def type_counts(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Parcels and 亩 per type, in :data:`TYPES` order."""
    out = {k: {"parcels": 0, "area_mu": 0.0} for k in TYPES}
    for r in rows:
        out[r["type"]]["parcels"] += 1
        out[r["type"]]["area_mu"] = round(out[r["type"]]["area_mu"] + r["area_mu"], 3)
    return out


def inefficient_land(
    session: Session,
    principal: Principal,
    settings: LanduseSettings,
    *,
    today: date,
    scope: Scope | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """Inefficient land by type, with idle clocks (planner and admin only).

    Parameters
    ----------
    today : date
        The zone date the clocks run to.
    scope : Scope, optional
        bbox/polygon in EPSG:4326.
    kind : str, optional
        Keep one type (a key of :data:`TYPES`).

    Returns
    -------
    dict
        ``as_of``, ``counts`` per type (parcels, 亩) and ``parcels``, the most overdue
        clocks first within ``supplied_not_used``.
    """
    require_role(principal, ("admin", "planner"), "read inefficient land")
    if kind is not None and kind not in TYPES:
        from parkgis.errors import InvalidQuery

        raise InvalidQuery(f"unknown type {kind!r}; use {', '.join(TYPES)}", field="type")
    rows = inefficient_rows(session, settings, today=today, scope=scope)
    if kind is not None:
        rows = [r for r in rows if r["type"] == kind]
    order = {k: i for i, k in enumerate(TYPES)}
    rows.sort(
        key=lambda r: (
            order[r["type"]],
            -(r["clock"]["days_since_agreed_start"] if r["clock"] else 0),
            r["id"],
        )
    )
    return {"as_of": today.isoformat(), "counts": type_counts(rows), "parcels": rows}
