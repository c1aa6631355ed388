"""Investment projects and their history, visits, and service requests (诉求)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    CheckConstraint,
    Date,
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
    REQUEST_CATEGORIES,
    REQUEST_STATUSES,
    VISIT_KINDS,
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


class Visit(Versioned, Base):
    """An officer's visit to, or reception of, a firm."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False, index=True
    )
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, server_default="visit")
    summary: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=4326))

    __table_args__ = (CheckConstraint(in_list("kind", VISIT_KINDS), name="kind_known"),)


class ServiceRequest(Versioned, Base):
    """A firm's request (诉求), followed to closure."""

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False, index=True
    )
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(24), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    in_progress_on: Mapped[date | None] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(in_list("status", REQUEST_STATUSES), name="status_known"),
        CheckConstraint(in_list("category", REQUEST_CATEGORIES), name="category_known"),
        CheckConstraint("resolved_on IS NULL OR resolved_on >= opened_on", name="resolved_order"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_order"),
        CheckConstraint(
            "status NOT IN ('resolved','closed') OR resolved_on IS NOT NULL",
            name="resolved_has_date",
        ),
    )
