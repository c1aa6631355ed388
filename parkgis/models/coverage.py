"""Visits, service requests (诉求) and their history, the monthly draw of reporting officers and
their scores."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import (
    REQUEST_CATEGORIES,
    REQUEST_STATUSES,
    VISIT_KINDS,
    Base,
    Versioned,
    in_list,
)

CALL_HAS_NO_FIRM = "(kind = 'investment_call') = (enterprise_id IS NULL)"
"""A zone firm exactly when the visit is not an investment call."""
PROSPECT_ON_CALLS_ONLY = (
    "kind = 'investment_call' OR "
    "(prospect_name IS NULL AND prospect_city IS NULL AND shortlist_id IS NULL)"
)
CALL_NAMES_PROSPECT = (
    "kind <> 'investment_call' OR (prospect_name IS NOT NULL AND length(btrim(prospect_name)) > 0)"
)


class Visit(Versioned, Base):
    """An officer's visit to, or reception of, a firm; or a call on a prospect (登门招商).

    A ``visit`` or ``reception`` names a zone firm (``enterprise_id``). An
    ``investment_call`` is a door-to-door call on a prospect outside the zone: it has no
    zone firm, a free-text ``prospect_name`` (required) and ``prospect_city``, and
    optionally the shortlist (``shortlist_id``) made for that prospect. The CHECK
    constraints hold both shapes, so no report can mistake a call for a firm contact.
    """

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, server_default="visit")
    summary: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=4326))
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    """The browser's idempotency key: a visit queued offline and sent twice is stored once."""
    prospect_name: Mapped[str | None] = mapped_column(Text)
    """An investment call's prospect, as the officer wrote it (not a zone firm)."""
    prospect_city: Mapped[str | None] = mapped_column(Text)
    shortlist_id: Mapped[int | None] = mapped_column(
        ForeignKey("shortlists.id", ondelete="SET NULL"), index=True
    )
    """The prospect's shortlist (:class:`parkgis.models.Shortlist`), when one was made."""

    __table_args__ = (
        CheckConstraint(in_list("kind", VISIT_KINDS), name="kind_known"),
        CheckConstraint(CALL_HAS_NO_FIRM, name="firm_or_prospect"),
        CheckConstraint(PROSPECT_ON_CALLS_ONLY, name="prospect_on_calls_only"),
        CheckConstraint(CALL_NAMES_PROSPECT, name="call_names_prospect"),
    )


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


class Draw(Base):
    """Who reports at a month's meeting, drawn at random from a stored seed.

    The pick is a deterministic function of ``seed``, ``eligible_ids`` and
    ``previous_ids`` (see :func:`parkgis.coverage.draws.pick`), so anyone can recompute it.
    """

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), nullable=False, unique=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    seed: Mapped[str] = mapped_column(Text, nullable=False)
    officer_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    eligible_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    previous_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, server_default="{}"
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    created_by: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'", name="month_form"),
        CheckConstraint("count >= 1", name="count_positive"),
        CheckConstraint("cardinality(officer_ids) = count", name="officers_counted"),
        CheckConstraint("length(seed) > 0", name="seed_not_blank"),
    )


class RequestEvent(Base):
    """One status change or hand-over of a service request, with when and who."""

    __tablename__ = "service_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    department: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (
        CheckConstraint(in_list("to_status", REQUEST_STATUSES), name="to_status_known"),
    )


class DrawScore(Versioned, Base):
    """A drawn officer's score at the month's meeting (点评打分), with the reviewer's comment.

    ``score`` lies on ``0..scale``, the scale in force when it was given
    (``PARKGIS_PROGRAMME_DRAW_SCORE_MAX``), so a later change of the setting leaves old
    scores readable. One row per officer per draw: scoring again replaces it (``version``
    goes up) and the audit log keeps the earlier value. Scores are personnel data: an
    officer reads only their own (:mod:`parkgis.coverage.scores`).
    """

    __tablename__ = "draw_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(
        ForeignKey("draws.id", ondelete="CASCADE"), nullable=False, index=True
    )
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    score: Mapped[Decimal] = mapped_column(Numeric(6, 1), nullable=False)
    scale: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    scored_by: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("draw_id", "officer_id"),
        CheckConstraint("scale >= 1", name="scale_positive"),
        CheckConstraint("score >= 0 AND score <= scale", name="score_in_scale"),
    )
