"""Write models for land and plant: parcels, buildings, leasable spaces and grid areas.

Each entity has ``XCreate`` (POST and PUT properties), ``XUpdate`` (PATCH: every field
optional) and the GeoJSON Feature envelopes ``XFeature`` / ``XFeaturePatch``. Areas
(``area_m2``, ``area_mu``, ``footprint_m2``) are computed by PostgreSQL from the geometry
and refused on input. Ranges mirror the database's CHECK constraints so a bad value is
refused with the field's name before it reaches the database.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from parkgis.models.base import PARCEL_STATUSES, SPACE_STATUSES
from parkgis.schemas.common import (
    Bool,
    Code8,
    Code32,
    Code40,
    Day,
    Id,
    InputModel,
    Name,
    NonNeg,
    Positive,
    Str40,
    Text,
    enum_schema,
    vocabulary,
)
from parkgis.schemas.geojson import AreaGeometry, FeatureBase

ParcelStatus = Annotated[
    str, vocabulary(PARCEL_STATUSES, "parcel status"), enum_schema(PARCEL_STATUSES)
]
SpaceStatus = Annotated[
    str, vocabulary(SPACE_STATUSES, "space status"), enum_schema(SPACE_STATUSES)
]
Far = Annotated[float, Field(gt=0, le=20, allow_inf_nan=False, strict=True)]
Floors = Annotated[int, Field(ge=1, le=200, strict=True)]
HeightM = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False, strict=True)]
ClearHeightM = Annotated[float, Field(gt=0, lt=100, allow_inf_nan=False, strict=True)]


def _not_floor_zero(v: int) -> int:
    if v == 0:
        raise PydanticCustomError(
            "floor_zero", "there is no floor 0: the ground floor is 1, the first basement -1"
        )
    return v


FloorNo = Annotated[int, Field(ge=-5, le=200, strict=True), AfterValidator(_not_floor_zero)]


class ParcelCreate(InputModel):
    """A land parcel (地块). ``land_use`` is a code of table ``land_use_classes``."""

    code: Code40
    land_use: Code8 = Field(
        description="National land-use code, e.g. 100101 (industrial class 1), 1101 "
        "(logistics); the valid codes are in table land_use_classes."
    )
    status: ParcelStatus = "planned"
    holder_enterprise_id: Id | None = None
    granted_on: Day | None = None
    agreed_start_on: Day | None = None
    max_far: Far | None = None
    min_far: Far | None = Field(
        default=None, description="Minimum floor-area ratio (标准地), at most max_far"
    )
    investment_wan_cny_mu: NonNeg | None = Field(
        default=None, description="Committed fixed investment, 10,000 CNY per mu (万元/亩)"
    )
    tax_wan_cny_mu: NonNeg | None = Field(
        default=None, description="Committed annual tax, 10,000 CNY per mu (万元/亩)"
    )
    price_cny_m2: NonNeg | None = None
    address: Text | None = None
    idle_flagged_on: Day | None = None
    structures_yard_m2: NonNeg | None = Field(
        default=None, description="Structures and open yards, m² (building coefficient)"
    )


class ParcelUpdate(ParcelCreate):
    """Parcel fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class BuildingCreate(InputModel):
    """A building footprint, optionally on a parcel."""

    parcel_id: Id | None = None
    name: Name
    floors: Floors = 1
    gross_floor_area_m2: Positive | None = None
    height_m: HeightM | None = None
    owner: Text | None = None
    standard_factory: Bool = False
    storey_heights_m: list[HeightM] | None = Field(
        default=None,
        max_length=200,
        description="Storey heights in metres, ground floor first (over 8 m counts twice)",
    )


class BuildingUpdate(BuildingCreate):
    """Building fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class SpaceCreate(InputModel):
    """A leasable unit (厂房单元). Without a geometry it takes its building's footprint."""

    building_id: Id
    code: Str40 | None = None
    floor: FloorNo = Field(
        description="Floor number: 1 is the ground floor, -1 the first basement; never 0."
    )
    clear_height_m: ClearHeightM | None = None
    floor_load_t_m2: Positive | None = None
    power_kva: NonNeg | None = None
    crane_t: NonNeg | None = None
    status: SpaceStatus = "vacant"
    rent_cny_m2_month: NonNeg | None = None
    available_from: Day | None = None
    occupant_enterprise_id: Id | None = None


class SpaceUpdate(SpaceCreate):
    """Space fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class GridAreaCreate(InputModel):
    """A park grid area (网格), optionally assigned to one officer."""

    code: Code32
    name: Name
    officer_id: Id | None = None


class GridAreaUpdate(GridAreaCreate):
    """Grid area fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class ParcelFeature(FeatureBase):
    """A parcel as a GeoJSON Feature (POST, PUT): Polygon or MultiPolygon."""

    geometry: AreaGeometry
    properties: ParcelCreate


class ParcelFeaturePatch(FeatureBase):
    """Parcel changes (PATCH): a new geometry, some properties, or both."""

    geometry: AreaGeometry | None = None
    properties: ParcelUpdate | None = None


class BuildingFeature(FeatureBase):
    """A building footprint as a GeoJSON Feature (POST, PUT): one Polygon."""

    geometry: AreaGeometry
    properties: BuildingCreate


class BuildingFeaturePatch(FeatureBase):
    """Building changes (PATCH)."""

    geometry: AreaGeometry | None = None
    properties: BuildingUpdate | None = None


class SpaceFeature(FeatureBase):
    """A space as a GeoJSON Feature (POST, PUT); ``geometry`` null = the building's."""

    geometry: AreaGeometry | None = None
    properties: SpaceCreate


class SpaceFeaturePatch(FeatureBase):
    """Space changes (PATCH)."""

    geometry: AreaGeometry | None = None
    properties: SpaceUpdate | None = None


class GridAreaFeature(FeatureBase):
    """A grid area as a GeoJSON Feature (POST, PUT): one Polygon."""

    geometry: AreaGeometry
    properties: GridAreaCreate


class GridAreaFeaturePatch(FeatureBase):
    """Grid area changes (PATCH)."""

    geometry: AreaGeometry | None = None
    properties: GridAreaUpdate | None = None
