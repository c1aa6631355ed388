"""The monthly draw of reporting officers, and the history of each service request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import REQUEST_STATUSES, Base, in_list


class Draw(Base):
    """Who reports at a month's meeting, drawn at random from a stored seed.

    The pick is a deterministic function of ``seed``, ``eligible_ids`` and
    ``previous_ids`` (see :func:`parkgis.draws.pick`), so anyone can recompute it.
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
