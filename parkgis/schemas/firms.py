"""Write models for enterprises, service officers and assignments.

``EnterpriseCreate`` checks the USCC's check character (GB 32100-2015) before anything
reaches the database; whether ``industry_chain`` exists is checked by the write
functions, which know the database.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from parkgis.schemas.common import (
    Bool,
    Code40,
    Day,
    Id,
    InputModel,
    Name,
    NonNeg,
    NonNegInt,
    Str32,
    Text,
)
from parkgis.schemas.geojson import FeatureBase, PointGeometry
from parkgis.uscc import uscc_problem

IndustryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-T][0-9]{2,4}$")
]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]


class EnterpriseCreate(InputModel):
    """A firm. ``output_cny``, ``tax_cny`` and ``contact_*`` are sensitive (never public)."""

    name: Name
    name_en: Text | None = None
    uscc: str = Field(
        description="18-character unified social credit code with a valid check character",
        json_schema_extra={"minLength": 18, "maxLength": 18},
    )
    industry_chain: Code40 | None = Field(
        default=None, description="A code of table industry_chains, e.g. new_energy_vehicles"
    )
    industry_code: IndustryCode | None = Field(
        default=None, description="GB/T 4754 industry code, e.g. C3670"
    )
    above_scale: Bool = False
    employees: NonNegInt | None = None
    output_cny: NonNeg | None = None
    tax_cny: NonNeg | None = None
    energy_tce: NonNeg | None = Field(
        default=None, description="Energy use a year, t standard coal (sensitive)"
    )
    rnd_cny: NonNeg | None = Field(default=None, description="R&D spending a year, CNY (sensitive)")
    contact_name: Text | None = None
    contact_phone: Str32 | None = None
    contact_email: Email | None = None
    address: Text | None = None
    parcel_id: Id | None = None
    building_id: Id | None = None

    @field_validator("uscc", mode="after")
    @classmethod
    def _uscc_valid(cls, v: str) -> str:
        v = v.strip().upper()
        problem = uscc_problem(v)
        if problem:
            raise PydanticCustomError("uscc", "invalid USCC: {problem}", {"problem": problem})
        return v


class EnterpriseUpdate(EnterpriseCreate):
    """Enterprise fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class EnterpriseFeature(FeatureBase):
    """A firm as a GeoJSON Feature (POST, PUT): a Point; null = inside its building/parcel."""

    geometry: PointGeometry | None = None
    properties: EnterpriseCreate


class EnterpriseFeaturePatch(FeatureBase):
    """Enterprise changes (PATCH)."""

    geometry: PointGeometry | None = None
    properties: EnterpriseUpdate | None = None


class OfficerCreate(InputModel):
    """A chief service officer. ``geometry`` (optional Point) is the office location."""

    name: Name
    title: Text | None = None
    unit: Text | None = None
    assistant_name: Text | None = None
    phone: Str32 | None = None
    active: Bool = True
    geometry: PointGeometry | None = Field(
        default=None, description="Office location, a GeoJSON Point (lon/lat unless crs=)"
    )

    @classmethod
    def non_column_fields(cls) -> set[str]:
        """``geometry`` is written to ``office_geom``."""
        return {"geometry"}


class OfficerUpdate(OfficerCreate):
    """Officer fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class AssignmentCreate(InputModel):
    """Officer ↔ enterprise from ``since``; ``until`` null means the assignment is current."""

    officer_id: Id
    enterprise_id: Id
    since: Day
    until: Day | None = None
    note: Text | None = None


class AssignmentUpdate(AssignmentCreate):
    """Assignment fields to change (PATCH); fields left out stay as they are."""

    partial_update = True
