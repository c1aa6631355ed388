"""Write models for investment projects and their milestones."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from parkgis.models.base import (
    ALL_PROJECT_STAGES,
    PROJECT_STAGES,
)
from parkgis.schemas.common import (
    Code40,
    Day,
    Id,
    InputModel,
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
