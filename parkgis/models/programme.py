"""The programme's own activities: policy briefings, volunteer service and ledger reviews.

The "五个一" checklist (:mod:`parkgis.programme.checklist`) asks every officer, each month,
for one policy briefing (宣讲), one volunteer-service activity, and one review of the
ledger of floating party members (流动党员台账). An :class:`Activity` records one of them;
:class:`ActivityFirm` lists the firms it involved.

The ledger itself holds personal data parkgis does not need: a ``ledger_review`` records
only that the ledger was reviewed, on which day, and how many members it counts. There
is no column for a member's name, and a ledger review carries no summary text either
(the ``ledger_shape`` check), so no name can be typed into one.
"""

from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import Base, Versioned, in_list

ACTIVITY_KINDS = ("briefing", "volunteer", "ledger_review")
"""宣讲 (a policy briefing), 志愿服务 (volunteer service), 流动党员台账 (ledger review)."""

SUMMARY_MAX_CHARS = 500
"""The longest summary an activity may carry, in characters."""


class Activity(Versioned, Base):
    """One programme activity of an officer, on a zone date, optionally at a point.

    ``attendance`` (people present) belongs to briefings and volunteer activities;
    ``member_count`` (members on the ledger) to ledger reviews, which have no summary.
    ``geom`` is the phone's point where it was held (EPSG:4326), when known.
    """

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    attendance: Mapped[int | None] = mapped_column(Integer)
    member_count: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True)
    )
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    """The browser's idempotency key: an activity queued offline and sent twice is stored once."""

    __table_args__ = (
        CheckConstraint(in_list("kind", ACTIVITY_KINDS), name="kind_known"),
        CheckConstraint("attendance IS NULL OR attendance >= 0", name="attendance_nonneg"),
        CheckConstraint("member_count IS NULL OR member_count >= 0", name="member_count_nonneg"),
        CheckConstraint(
            f"summary IS NULL OR char_length(summary) <= {SUMMARY_MAX_CHARS}",
            name="summary_short",
        ),
        CheckConstraint(
            "(kind = 'ledger_review' AND member_count IS NOT NULL AND attendance IS NULL "
            "AND summary IS NULL) OR "
            "(kind <> 'ledger_review' AND member_count IS NULL AND attendance IS NOT NULL)",
            name="ledger_shape",
        ),
    )


class ActivityFirm(Base):
    """One firm an activity involved (a briefing usually covers several)."""

    __tablename__ = "activity_firms"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True, index=True
    )
