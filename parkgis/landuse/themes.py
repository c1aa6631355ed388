"""The land-use map's themes: who sees which, and each parcel's facts behind them.

One source for the inline map (:mod:`parkgis.maps.landuse`) and the land-use vector tiles
(:mod:`parkgis.tiles.landuse`), so both draw the same keys and show the same numbers:

- ``class``: the parcel's land-use code (every signed-in role);
- ``plot_ratio``: plot ratio against the minimum for the holder's industry, from
  :func:`parkgis.landuse.indicators.parcel_indicators_rows` (officer, planner, admin);
- ``grade``: the holder's 亩均 grade, from :func:`parkgis.landuse.firms.evaluate_rows`
  (planner, admin: grades are sensitive);
- ``inefficient``: the inefficiency type and idle clock, from
  :func:`parkgis.landuse.inefficient.inefficient_rows` (planner, admin).

Anonymous callers see none of this map (401). :data:`PROPERTIES` lists, per theme, the
parcel properties that theme adds; :meth:`ThemeFacts.properties` gives a parcel's values of
exactly those, so what a role may see is decided here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.landuse.firms import evaluate_rows, firm_land_rows
from parkgis.landuse.indicators import parcel_indicators_rows
from parkgis.landuse.inefficient import inefficient_rows
from parkgis.landuse.scope import Scope
from parkgis.settings import LanduseSettings

THEMES = ("class", "plot_ratio", "grade", "inefficient")
THEMES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "investment": ("class",),
    "officer": ("class", "plot_ratio"),
    "planner": THEMES,
    "admin": THEMES,
}
"""The themes each role may see; anonymous callers none."""

BASE_PROPERTIES = ("id", "code", "land_use", "status", "area_mu")
"""Parcel fields every role that may open the map sees (``area_mu`` rounded to 0.1 亩)."""

PROPERTIES: dict[str, tuple[str, ...]] = {
    "class": (),
    "plot_ratio": (
        "holder",
        "holder_en",
        "plot_ratio",
        "min_plot_ratio",
        "building_coefficient",
        "check",
        "pr",
    ),
    "grade": ("grade",),
    "inefficient": ("ineff", "days", "fee_cny"),
}
"""Properties each theme adds to :data:`BASE_PROPERTIES`.

``holder``/``holder_en``: the land holder's name (Chinese; English, else Chinese);
``plot_ratio``, ``min_plot_ratio``, ``building_coefficient`` (fractions, 2 decimals) and
``check`` (``ok``/``below_minimum``/``no_data``) of industrial parcels; ``pr`` its colour
key (:func:`plot_ratio_key`); ``grade`` the holder's 亩均 grade A–D; ``ineff`` the
inefficiency colour key (:func:`inefficiency_key`); ``days`` since the agreed start and
``fee_cny`` the idle fee (CNY) of supplied, unused land."""


def themes_for(principal: Principal) -> tuple[str, ...]:
    """The themes ``principal`` may see.

    Raises
    ------
    Unauthorized
        Anonymous callers: none of the land-use map is public.
    Forbidden
        A role outside :data:`THEMES_BY_ROLE`.
    """
    require_role(principal, tuple(THEMES_BY_ROLE), "open the land-use map")
    return THEMES_BY_ROLE[str(principal.role)]


def properties_for(themes: Iterable[str]) -> tuple[str, ...]:
    """:data:`BASE_PROPERTIES` plus what ``themes`` add, in a fixed order."""
    out = list(BASE_PROPERTIES)
    for th in THEMES:
        if th in themes:
            out += PROPERTIES[th]
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Indicators:
    """One industrial parcel's control indicators (ratios as fractions)."""

    holder: str | None
    holder_en: str | None
    plot_ratio: float | None
    min_plot_ratio: float | None
    building_coefficient: float | None
    check: str


@dataclass(frozen=True, slots=True)
class Inefficiency:
    """One inefficient parcel: its type, colour key and idle clock (days, fee in CNY)."""

    type: str
    key: str
    days: int | None
    fee_cny: float | None


def plot_ratio_key(ind: Indicators | None) -> str | None:
    """``below_80`` (under 80% of the minimum), ``below``, ``ok`` or ``no_data``; None
    for a parcel that is not industrial."""
    if ind is None:
        return None
    pr, mn = ind.plot_ratio, ind.min_plot_ratio
    if pr is None or mn is None:
        return "no_data"
    if pr < 0.8 * mn:
        return "below_80"
    return "below" if pr < mn else "ok"


def inefficiency_key(row: dict[str, Any]) -> str:
    """The colour key of an inefficient-land row: its type, except that supplied, unused
    land past its fee date is ``supplied_not_used.fee`` and past its take-back date
    ``supplied_not_used.take_back``."""
    clock = row.get("clock") or {}
    if row["type"] == "supplied_not_used" and clock.get("may_take_back"):
        return "supplied_not_used.take_back"
    if row["type"] == "supplied_not_used" and clock.get("idle"):
        return "supplied_not_used.fee"
    return str(row["type"])


def _r2(v: Any) -> float | None:
    return round(float(v), 2) if isinstance(v, int | float) else None


@dataclass
class ThemeFacts:
    """Per-parcel facts of the themes, for a scope (or the whole zone) on one day.

    ``indicators`` and ``inefficient`` are keyed by parcel id, ``grades`` by the holding
    firm's id (a parcel shows its holder's grade).
    """

    today: date
    themes: tuple[str, ...]
    indicators: dict[int, Indicators] = field(default_factory=dict)
    grades: dict[int, str] = field(default_factory=dict)
    inefficient: dict[int, Inefficiency] = field(default_factory=dict)

    def properties(
        self, themes: Iterable[str], parcel_id: int, holder_id: int | None
    ) -> dict[str, Any]:
        """The theme properties (:data:`PROPERTIES`) of one parcel that ``themes`` allow.

        Values that do not apply are left out (never null), as in a vector tile.
        """
        th = set(themes)
        out: dict[str, Any] = {}
        if "plot_ratio" in th and "plot_ratio" in self.themes:
            ind = self.indicators.get(parcel_id)
            if ind is not None:
                out.update(
                    holder=ind.holder,
                    holder_en=ind.holder_en or ind.holder,
                    plot_ratio=_r2(ind.plot_ratio),
                    min_plot_ratio=_r2(ind.min_plot_ratio),
                    building_coefficient=_r2(ind.building_coefficient),
                    check=ind.check,
                    pr=plot_ratio_key(ind),
                )
        if "grade" in th and "grade" in self.themes and holder_id is not None:
            out["grade"] = self.grades.get(holder_id)
        if "inefficient" in th and "inefficient" in self.themes:
            ineff = self.inefficient.get(parcel_id)
            if ineff is not None:
                out.update(ineff=ineff.key, days=ineff.days, fee_cny=ineff.fee_cny)
        return {k: v for k, v in out.items() if v is not None}


def theme_facts(
    session: Session,
    settings: LanduseSettings,
    *,
    today: date,
    themes: Iterable[str] = THEMES,
    scope: Scope | None = None,
) -> ThemeFacts:
    """The facts behind ``themes`` for the parcels in ``scope`` (no role check).

    Library use only: callers check the role with :func:`themes_for`. The 亩均 evaluation
    is always of the whole zone (grades rank every firm); indicators and inefficiency
    cover ``scope`` (bbox/polygon in EPSG:4326; parcels whose point on surface is inside).
    Areas in m² (geodesic), idle fees in CNY, clocks in days up to ``today`` (zone date).
    """
    wanted = tuple(th for th in THEMES if th in set(themes))
    facts = ThemeFacts(today=today, themes=wanted)
    indicators = (
        parcel_indicators_rows(session, settings, scope)
        if "plot_ratio" in wanted or "inefficient" in wanted
        else []
    )
    if "plot_ratio" in wanted:
        for r in indicators:
            facts.indicators[r["id"]] = Indicators(
                r["holder_name"],
                r["holder_name_en"],
                r["plot_ratio"],
                r["min_plot_ratio"],
                r["building_coefficient"],
                r["check"],
            )
    if "grade" in wanted or "inefficient" in wanted:
        ev = evaluate_rows(firm_land_rows(session), settings)
        facts.grades = {f["id"]: f["grade"] for f in ev["firms"] if f["grade"]}
        taxes = {
            f["id"]: f["indicators"]["tax_cny_per_mu"]
            for f in ev["firms"]
            if f["indicators"]["tax_cny_per_mu"] is not None
        }
        if "inefficient" in wanted:
            for r in inefficient_rows(
                session,
                settings,
                today=today,
                scope=scope,
                grades=facts.grades,
                tax_per_mu=taxes,
                indicators=indicators,
            ):
                clock = r["clock"] or {}
                facts.inefficient[r["id"]] = Inefficiency(
                    r["type"],
                    inefficiency_key(r),
                    clock.get("days_since_agreed_start"),
                    clock.get("fee_cny"),
                )
    return facts
