"""The match request (DESIGN.md, "The match request"), validated with pydantic.

Every criterion is optional; :func:`parkgis.matching.match` refuses a request that names
none (400). Numbers are strict (``"8"`` is not 8), unknown fields are refused, and a range
whose ``min`` exceeds its ``max`` is refused naming the field (422).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
NonNeg = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]

MatchKind = Literal["space", "parcel", "any"]

SPACE_ONLY = (
    "floor_area_m2",
    "clear_height_m",
    "floor_load_t_m2",
    "power_kva",
    "crane_t",
    "ground_floor",
    "max_rent_cny_m2_month",
    "available_by",
)
"""Criteria that only apply to spaces (the firm builds its own on land)."""
PARCEL_ONLY = ("land_area_m2", "max_price_cny_m2")
"""Criteria that only apply to parcels."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class AreaRange(_Strict):
    """Wanted area in m² (geodesic, as ``area_m2``); one bound at least."""

    min: Positive | None = None
    max: Positive | None = None

    @model_validator(mode="after")
    def _order(self) -> AreaRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both (m²)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class Near(_Strict):
    """A place (EPSG:4326 degrees) and an optional maximum true distance in metres.

    Without ``lon``/``lat`` the place is the site of the request's ``enterprise_id``.
    """

    lon: Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    lat: Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    max_distance_m: NonNeg | None = None

    @model_validator(mode="after")
    def _both(self) -> Near:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both lon and lat (EPSG:4326 degrees), or neither")
        return self


class MatchRequest(_Strict):
    """What a firm needs. See DESIGN.md; all criteria optional, at least one required.

    ``kind`` defaults to ``space`` when only space criteria are given, ``parcel`` when only
    land criteria are given, and ``any`` otherwise. ``ground_floor: false`` asks nothing.
    """

    kind: MatchKind | None = None
    floor_area_m2: AreaRange | None = None
    land_area_m2: AreaRange | None = None
    clear_height_m: Annotated[float, Strict(), Field(gt=0, lt=100, allow_inf_nan=False)] | None = (
        None
    )
    floor_load_t_m2: Positive | None = None
    power_kva: Positive | None = None
    crane_t: Positive | None = None
    ground_floor: Annotated[bool, Strict()] | None = None
    pollution_class: Annotated[int, Strict(), Field(ge=1, le=3)] | None = None
    max_rent_cny_m2_month: NonNeg | None = None
    max_price_cny_m2: NonNeg | None = None
    available_by: Annotated[date, Field(ge=date(2000, 1, 1), le=date(2200, 12, 31))] | None = None
    industry_chain: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    near: Near | None = None
    enterprise_id: Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)] | None = None
    limit: Annotated[int, Strict(), Field(ge=1, le=100)] = 10

    def asked(self) -> list[str]:
        """Names of the criteria this request asks (the hard requirements)."""
        names = [
            n
            for n in (*SPACE_ONLY, *PARCEL_ONLY, "pollution_class")
            if getattr(self, n) not in (None, False)
        ]
        if self.near is not None and self.near.max_distance_m is not None:
            names.append("near.max_distance_m")
        return names

    def resolved_kind(self) -> MatchKind:
        """The kind asked, or inferred from the criteria (see the class docstring)."""
        if self.kind is not None:
            return self.kind
        asked = set(self.asked())
        space, parcel = bool(asked & set(SPACE_ONLY)), bool(asked & set(PARCEL_ONLY))
        if space and not parcel:
            return "space"
        if parcel and not space:
            return "parcel"
        return "any"

    def criteria_json(self) -> dict[str, Any]:
        """The request as JSON values, without the fields left empty."""
        return self.model_dump(mode="json", exclude_none=True)


class HoldRequest(_Strict):
    """``POST /api/v1/reservations``: hold one space or one parcel for ``days`` days."""

    space_id: Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)] | None = None
    parcel_id: Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)] | None = None
    holder: Annotated[str, Field(min_length=1, max_length=500)]
    days: Annotated[int, Strict(), Field(ge=1, le=3650)]
    request_id: Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)] | None = None


class LeaseRequest(_Strict):
    """``POST /api/v1/reservations/{id}/lease``: the firm that takes the unit."""

    enterprise_id: Annotated[int, Strict(), Field(ge=1, le=2**31 - 1)]
