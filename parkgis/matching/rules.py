"""The rules of a match in plain Python: criteria, checks, near-misses and the score.

:mod:`parkgis.matching.sql` turns the same definitions into SQL, so the database filters and
ranks with exactly these rules; this module then explains each candidate (its checks).

Criteria
--------
Each asked criterion bounds one attribute of a candidate (``lo <= value <= hi``). A
missing value fails, except ``available_from`` (empty = available now). Spaces and parcels
have different criteria; ``pollution_class`` and ``near.max_distance_m`` apply to both.

Near-misses
-----------
A candidate is a near-miss when it fails exactly one criterion, and that criterion is
*soft* and met within the tolerance ``t`` (``PARKGIS_MATCH_NEAR_MISS_TOLERANCE``, 0.15):
a minimum ``r`` is met by ``value >= r * (1 - t)``; a maximum ``r`` (rent, price, the upper
end of an area range, distance) by ``value <= r * (1 + t)``; ``available_by`` by an
``available_from`` at most ``floor(t * days from today to available_by)`` days late.
``ground_floor`` and ``pollution_class`` are never near-misses.

Score
-----
The weighted mean, over the components that apply, of (each clamped to [0, 1]):

- ``area``: ``1 - |A - T| / T``, where ``T`` is the asked minimum (or the maximum when
  only that was asked): the firm pays rent on all of it, so oversize costs;
- ``margin``: mean over the asked minimums of ``(value - r) / r / F``
  (``F`` = ``PARKGIS_MATCH_MARGIN_FULL``, 0.5: 50 % headroom earns the full component);
- ``price``: ``(b - p) / (b * F)`` for rent or land price ``p`` under budget ``b``;
- ``distance``: ``1 - d / D`` with ``D`` the asked maximum distance, or
  ``PARKGIS_MATCH_DISTANCE_SCALE_M`` when none was asked (only with a place);
- ``availability``: ``1 - days until available / H``, ``H`` = days from today to
  ``available_by`` (or ``PARKGIS_MATCH_AVAILABILITY_HORIZON_DAYS``); parcels score 1;
- ``affinity``: same-chain firms (other than the requesting one) within
  ``PARKGIS_MATCH_AFFINITY_RADIUS_M`` of the candidate's point
  (``ST_PointOnSurface``; a group's: of its union), divided by
  ``PARKGIS_MATCH_AFFINITY_FULL`` (only when a chain is known: asked, or the firm's).
  Firms are counted up to that number (``chain_firms_nearby``), where the component is
  full anyway.

Every component is non-decreasing in how good the candidate is on its criterion and
weights are >= 0, so a candidate at least as good on every criterion never scores lower;
ties are broken by the raw values in the same order (:meth:`Scorer.goodness`), so it
never ranks lower either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from parkgis.models.base import INDUSTRIAL_CLASS
from parkgis.schemas.matching import MatchRequest
from parkgis.settings import MatchSettings

Kind = Literal["space", "parcel"]
MARGIN_ATTRS = ("clear_height_m", "floor_load_t_m2", "power_kva", "crane_t")


@dataclass(frozen=True)
class Criterion:
    """One asked requirement: ``lo <= attr <= hi`` (strict) or within the relaxed bounds."""

    name: str
    attr: str
    required: Any
    lo: Any = None
    hi: Any = None
    rlo: Any = None
    rhi: Any = None
    soft: bool = True
    null_ok: bool = False

    def bounds(self, *, relaxed: bool = False) -> tuple[Any, Any]:
        """``(lo, hi)``, or the near-miss bounds when ``relaxed`` (hard criteria: the same)."""
        if relaxed and self.soft:
            return self.rlo, self.rhi
        return self.lo, self.hi

    def passes(self, value: Any, *, relaxed: bool = False) -> bool:
        """Whether ``value`` meets the criterion (or its near-miss tolerance)."""
        if value is None:
            return self.null_ok
        lo, hi = self.bounds(relaxed=relaxed)
        return (lo is None or value >= lo) and (hi is None or value <= hi)

    def check(self, value: Any) -> dict[str, Any]:
        """The ``{criterion, required, actual, ok}`` record for ``value``."""
        ok = self.passes(value)
        out: dict[str, Any] = {
            "criterion": self.name,
            "required": self.required,
            "actual": _json(value),
            "ok": ok,
        }
        if not ok and self.soft and self.passes(value, relaxed=True):
            out["near_miss"] = True
            if isinstance(value, date):
                out["miss_by_days"] = (value - self.hi).days
            elif self.lo is not None and value < self.lo:
                out["miss_by"] = round((self.lo - value) / self.lo, 4)
            elif self.hi:
                out["miss_by"] = round((value - self.hi) / self.hi, 4)
        return out


def _json(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 2)
    return v


def pollution_class(land_use: str | None) -> int | None:
    """Industrial pollution class of a land-use code (100101/2/3 → 1/2/3), else None."""
    return INDUSTRIAL_CLASS.get(land_use or "")


def _min(name: str, r: float, t: float) -> Criterion:
    return Criterion(name, name, r, lo=r, rlo=r * (1 - t))


def _max(name: str, attr: str, r: float, t: float) -> Criterion:
    return Criterion(name, attr, r, hi=r, rhi=r * (1 + t))


def _range(name: str, lo: float | None, hi: float | None, t: float) -> Criterion:
    req = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
    return Criterion(
        name,
        "area_m2",
        req,
        lo=lo,
        hi=hi,
        rlo=None if lo is None else lo * (1 - t),
        rhi=None if hi is None else hi * (1 + t),
    )


def criteria_for(
    kind: Kind, req: MatchRequest, *, today: date, tolerance: float, group: bool = False
) -> list[Criterion]:
    """The criteria ``req`` asks of candidates of ``kind`` (empty list: nothing asked).

    With ``group=True`` (units combined into a ``space_group``) the criteria on the
    group's totals (floor area, power, rent) are left out: they are checked on the group.
    """
    t = tolerance
    out: list[Criterion] = []
    if kind == "space":
        if req.floor_area_m2 is not None and not group:
            out.append(_range("floor_area_m2", req.floor_area_m2.min, req.floor_area_m2.max, t))
        for attr in MARGIN_ATTRS:
            r = getattr(req, attr)
            if r is not None and not (group and attr == "power_kva"):
                out.append(_min(attr, r, t))
        if req.ground_floor:
            out.append(Criterion("ground_floor", "floor", True, lo=1, hi=1, soft=False))
        if req.max_rent_cny_m2_month is not None and not group:
            out.append(
                _max("max_rent_cny_m2_month", "rent_cny_m2_month", req.max_rent_cny_m2_month, t)
            )
        if req.available_by is not None:
            slack = math.floor(t * max(0, (req.available_by - today).days))
            by = req.available_by
            out.append(
                Criterion(
                    "available_by",
                    "available_from",
                    by.isoformat(),
                    hi=by,
                    rhi=by + timedelta(days=slack),
                    null_ok=True,
                )
            )
    else:
        if req.land_area_m2 is not None:
            out.append(_range("land_area_m2", req.land_area_m2.min, req.land_area_m2.max, t))
        if req.max_price_cny_m2 is not None:
            out.append(_max("max_price_cny_m2", "price_cny_m2", req.max_price_cny_m2, t))
    if req.pollution_class is not None:
        n = req.pollution_class
        out.append(Criterion("pollution_class", "pollution_class", n, lo=n, soft=False))
    if req.near is not None and req.near.max_distance_m is not None:
        out.append(_max("near.max_distance_m", "distance_m", req.near.max_distance_m, t))
    return out


def checks(criteria: list[Criterion], row: dict[str, Any]) -> list[dict[str, Any]]:
    """The checks of one candidate (``row`` maps attribute names to values)."""
    return [c.check(row.get(c.attr)) for c in criteria]


def failures(criteria: list[Criterion], row: dict[str, Any]) -> list[Criterion]:
    """The criteria ``row`` fails."""
    return [c for c in criteria if not c.passes(row.get(c.attr))]


def is_near_miss(criteria: list[Criterion], row: dict[str, Any]) -> bool:
    """True when ``row`` fails exactly one criterion, a soft one, within the tolerance."""
    failed = failures(criteria, row)
    return (
        len(failed) == 1
        and failed[0].soft
        and failed[0].passes(row.get(failed[0].attr), relaxed=True)
    )


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


@dataclass(frozen=True)
class Scorer:
    """The score of candidates of one kind for one request (see the module docstring)."""

    kind: Kind
    weights: dict[str, float]
    margin_full: float
    area_target: float | None = None
    margins: tuple[tuple[str, float], ...] = ()
    budget: tuple[str, float] | None = None
    distance_scale_m: float | None = None
    today: date | None = None
    horizon_days: int = 365
    affinity_full: int | None = None
    parts: tuple[str, ...] = field(default=())

    @classmethod
    def build(
        cls,
        kind: Kind,
        req: MatchRequest,
        settings: MatchSettings,
        *,
        today: date,
        has_point: bool,
        has_chain: bool,
    ) -> Scorer:
        """The scorer for ``kind`` under request ``req``."""
        area = req.floor_area_m2 if kind == "space" else req.land_area_m2
        target = None if area is None else (area.min if area.min is not None else area.max)
        margins = tuple(
            (a, float(getattr(req, a)))
            for a in MARGIN_ATTRS
            if kind == "space" and getattr(req, a) is not None
        )
        budget: tuple[str, float] | None = None
        if kind == "space" and req.max_rent_cny_m2_month is not None:
            budget = ("rent_cny_m2_month", req.max_rent_cny_m2_month)
        elif kind == "parcel" and req.max_price_cny_m2 is not None:
            budget = ("price_cny_m2", req.max_price_cny_m2)
        dist: float | None = None
        if has_point:
            asked = req.near.max_distance_m if req.near is not None else None
            dist = asked if asked else settings.distance_scale_m
        horizon = settings.availability_horizon_days
        if req.available_by is not None and (req.available_by - today).days > 0:
            horizon = (req.available_by - today).days
        # Land cannot meet plant criteria by itself (it has no floor, height or rent yet):
        # in a mixed request they count against it as components scored 0, so bare land
        # never outranks plant that meets what was asked only because it has fewer checks.
        unmet = 0.0
        if kind == "parcel":
            if req.floor_area_m2 is not None:
                unmet += settings.weight_area
            if any(getattr(req, a) is not None for a in MARGIN_ATTRS):
                unmet += settings.weight_margin
            if req.max_rent_cny_m2_month is not None:
                unmet += settings.weight_price
        weights = {
            "unmet_plant": unmet,
            "area": settings.weight_area if target is not None else 0.0,
            "margin": settings.weight_margin if margins else 0.0,
            "price": settings.weight_price if budget else 0.0,
            "distance": settings.weight_distance if dist is not None else 0.0,
            "availability": settings.weight_availability,
            "affinity": settings.weight_affinity if has_chain else 0.0,
        }
        present = (
            ("unmet_plant", unmet > 0),
            ("area", target is not None),
            ("margin", bool(margins)),
            ("price", budget is not None),
            ("distance", dist is not None),
            ("availability", True),
            ("affinity", has_chain),
        )
        return cls(
            kind=kind,
            weights=weights,
            margin_full=settings.margin_full,
            area_target=target,
            margins=margins,
            budget=budget,
            distance_scale_m=dist,
            today=today,
            horizon_days=horizon,
            affinity_full=settings.affinity_full if has_chain else None,
            parts=tuple(p for p, on in present if on),
        )

    @property
    def total_weight(self) -> float:
        """Sum of the weights of the components that apply."""
        return sum(self.weights[p] for p in self.parts)

    @property
    def affinity_bound(self) -> float:
        """The most the affinity component can add to a score."""
        w = self.total_weight
        return self.weights["affinity"] / w if w > 0 else 0.0

    def days_until(self, available_from: date | None) -> int:
        """Days from today until the unit is available (0 when it already is)."""
        if self.kind == "parcel" or available_from is None or self.today is None:
            return 0
        return max(0, (available_from - self.today).days)

    def base_parts(self, row: dict[str, Any]) -> dict[str, float]:
        """Each component but affinity, in [0, 1], for one candidate."""
        out: dict[str, float] = {}
        if self.area_target is not None:
            t = self.area_target
            out["area"] = _clamp(1 - abs(row["area_m2"] - t) / t)
        if self.margins:
            total = 0.0
            for attr, r in self.margins:
                total = total + _clamp((row[attr] - r) / r / self.margin_full)
            out["margin"] = total / len(self.margins)
        if self.budget is not None:
            attr, b = self.budget
            p = row[attr]
            if b > 0:
                out["price"] = _clamp((b - p) / (b * self.margin_full))
            else:
                out["price"] = 1.0 if p <= b else 0.0
        if self.distance_scale_m is not None:
            out["distance"] = _clamp(1 - row["distance_m"] / self.distance_scale_m)
        days = self.days_until(row.get("available_from"))
        out["availability"] = _clamp(1 - days / self.horizon_days)
        return out

    def base_numerator(self, parts: dict[str, float]) -> float:
        """Weighted sum of the base components, summed in the same order as the SQL."""
        total = 0.0
        for p in ("area", "margin", "price", "distance", "availability"):
            if p in parts:
                total = total + self.weights[p] * parts[p]
        return total

    def affinity_part(self, chain_firms: int) -> float:
        """The affinity component for ``chain_firms`` same-chain firms nearby."""
        return _clamp(chain_firms / self.affinity_full) if self.affinity_full else 0.0

    def score(self, base_numerator: float, chain_firms: int | None) -> float:
        """Final score in [0, 1] from the base numerator and the same-chain count."""
        w = self.total_weight
        if w <= 0:
            return 0.0
        aff = self.weights["affinity"] * self.affinity_part(chain_firms or 0)
        return _clamp((base_numerator + aff) / w)

    def goodness(self, row: dict[str, Any], chain_firms: int | None) -> tuple[float, ...]:
        """Raw values, larger = better, in tie-break order (affinity last)."""
        g: list[float] = []
        if self.area_target is not None:
            g.append(-abs(row["area_m2"] - self.area_target))
        g.extend(float(row[a]) for a, _ in self.margins)
        if self.budget is not None:
            g.append(-float(row[self.budget[0]]))
        if self.distance_scale_m is not None:
            g.append(-float(row["distance_m"]))
        g.append(-float(self.days_until(row.get("available_from"))))
        if self.affinity_full is not None:
            g.append(float(chain_firms or 0))
        return tuple(g)
