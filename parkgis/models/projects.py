"""Investment projects and the history of their stages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import (
    ALL_PROJECT_STAGES,
    Base,
    Versioned,
    in_list,
)


class Project(Versioned, Base):
    """An investment project, from negotiation to production.

    ``milestones`` is ``{stage: {"planned": "YYYY-MM-DD", "actual": "YYYY-MM-DD" | null}}``
    for every stage of :data:`parkgis.models.base.PROJECT_STAGES`.
    """

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="SET NULL"), index=True
    )
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    investment_cny: Mapped[float | None] = mapped_column(Float)
    industry_chain: Mapped[str | None] = mapped_column(
        ForeignKey("industry_chains.code"), index=True
    )
    stage: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    stage_reason: Mapped[str | None] = mapped_column(Text)
    milestones: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )

    __table_args__ = (
        CheckConstraint(in_list("stage", ALL_PROJECT_STAGES), name="stage_known"),
        CheckConstraint("investment_cny IS NULL OR investment_cny >= 0", name="investment_nonneg"),
        CheckConstraint("jsonb_typeof(milestones) = 'object'", name="milestones_object"),
    )


class ProjectEvent(Base):
    """One stage transition or re-plan of a project, with who did it and when."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False, server_default="transition")
    from_stage: Mapped[str | None] = mapped_column(String(24))
    to_stage: Mapped[str | None] = mapped_column(String(24))
    actor: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (
        CheckConstraint("kind IN ('transition', 'replan', 'created')", name="kind_known"),
        CheckConstraint(
            "to_stage IS NULL OR " + in_list("to_stage", ALL_PROJECT_STAGES), name="to_stage_known"
        ),
    )
