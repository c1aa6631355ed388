"""Write models for investment projects, visits and service requests (诉求)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_serializer
from pydantic_core import PydanticCustomError

from parkgis.models.base import (
    ALL_PROJECT_STAGES,
    PROJECT_STAGES,
    REQUEST_CATEGORIES,
    REQUEST_STATUSES,
    VISIT_KINDS,
)
from parkgis.schemas.common import (
    Code40,
    Day,
    Id,
    InputModel,
    LongText,
    Name,
    NonNeg,
    Text,
    enum_schema,
    vocabulary,
)
from parkgis.schemas.geojson import FeatureBase, PointGeometry

Stage = Annotated[
    str, vocabulary(ALL_PROJECT_STAGES, "project stage"), enum_schema(ALL_PROJECT_STAGES)
]
MilestoneStage = Annotated[
    str, vocabulary(PROJECT_STAGES, "milestone stage"), enum_schema(PROJECT_STAGES)
]
VisitKind = Annotated[str, vocabulary(VISIT_KINDS, "visit kind"), enum_schema(VISIT_KINDS)]
Category = Annotated[
    str, vocabulary(REQUEST_CATEGORIES, "request category"), enum_schema(REQUEST_CATEGORIES)
]
RequestStatus = Annotated[
    str, vocabulary(REQUEST_STATUSES, "request status"), enum_schema(REQUEST_STATUSES)
]

_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 12, 31, tzinfo=UTC)


def _sane_time(v: datetime) -> datetime:
    if not _EARLIEST <= v <= _LATEST:
        raise PydanticCustomError("time_range", "must be between 1900 and 2200")
    return v


Moment = Annotated[AwareDatetime, AfterValidator(_sane_time)]
"""A moment in time, ISO 8601 with a UTC offset (e.g. ``2025-03-01T09:30:00+08:00``)."""


class Milestone(BaseModel):
    """Planned and actual dates of one stage."""

    model_config = ConfigDict(extra="forbid")

    planned: Day | None = None
    actual: Day | None = None


class ProjectCreate(InputModel):
    """An investment project. ``milestones``: ``{stage: {"planned", "actual"}}``."""

    name: Name
    enterprise_id: Id | None = None
    parcel_id: Id | None = None
    officer_id: Id | None = Field(
        default=None, description="The guiding officer; an officer creating one: themselves"
    )
    investment_cny: NonNeg | None = None
    industry_chain: Code40 | None = None
    stage: Stage = "negotiating"
    stage_reason: Text | None = None
    milestones: dict[MilestoneStage, Milestone] = Field(default_factory=dict)

    @field_serializer("milestones")
    def _milestones_json(self, v: dict[str, Milestone]) -> dict[str, Any]:
        return {k: m.model_dump(mode="json") for k, m in v.items()}


class ProjectUpdate(ProjectCreate):
    """Project fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class ProjectFeature(FeatureBase):
    """A project as a GeoJSON Feature (POST, PUT): a Point; null = inside its parcel."""

    geometry: PointGeometry | None = None
    properties: ProjectCreate


class ProjectFeaturePatch(FeatureBase):
    """Project changes (PATCH)."""

    geometry: PointGeometry | None = None
    properties: ProjectUpdate | None = None


class VisitCreate(InputModel):
    """An officer's visit to (or reception of) a firm; ``geometry``: optional check-in."""

    officer_id: Id | None = Field(
        default=None, description="Required for admins; an officer records their own visits"
    )
    enterprise_id: Id
    visited_at: Moment
    kind: VisitKind = "visit"
    summary: LongText | None = None
    geometry: PointGeometry | None = Field(
        default=None, description="Check-in location, a GeoJSON Point (lon/lat unless crs=)"
    )

    @classmethod
    def non_column_fields(cls) -> set[str]:
        """``geometry`` is written to ``geom``."""
        return {"geometry"}


class VisitUpdate(VisitCreate):
    """Visit fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class ServiceRequestCreate(InputModel):
    """A firm's request, followed to closure; resolved/closed ones need ``resolved_on``."""

    enterprise_id: Id
    officer_id: Id | None = None
    category: Category
    title: Name
    detail: LongText | None = None
    department: Text | None = None
    status: RequestStatus = "open"
    opened_on: Day
    in_progress_on: Day | None = None
    resolved_on: Day | None = None
    closed_on: Day | None = None


class ServiceRequestUpdate(ServiceRequestCreate):
    """Service request fields to change (PATCH); fields left out stay as they are."""

    partial_update = True
