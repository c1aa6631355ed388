"""Expansion requests and the holds (reservations) that keep a unit for one request.

Two active holds on one unit are made impossible by exclusion constraints on
``tstzrange(held_from, expires_at)``; a hold expires by itself when ``expires_at`` passes,
and releasing one sets ``expires_at`` to the release time. The constraints
(``no_double_space_hold``, ``no_double_parcel_hold``) are created by the migration, which
needs the ``btree_gist`` extension.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import Base


class ExpansionRequest(Base):
    """A firm's expansion request: the match criteria, who asked, and the saved result."""

    __tablename__ = "expansion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=4326))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class Reservation(Base):
    """A hold on one space or one parcel, whole, until ``expires_at``."""

    __tablename__ = "reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("expansion_requests.id", ondelete="SET NULL")
    )
    holder: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_from: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(16))
    lease_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    days: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("num_nonnulls(space_id, parcel_id) = 1", name="one_unit"),
        CheckConstraint("expires_at >= held_from", name="period_order"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('released', 'leased', 'granted')", name="outcome_known"
        ),
    )


def _match_indexes() -> None:
    """Indexes matching relies on (migration 0003): open units by area, attributes and
    place, standard factories, and firms by chain and place."""
    from sqlalchemy import Index, text

    from parkgis.models.firms import Enterprise
    from parkgis.models.land import Building, Parcel, Space

    vacant = text("status = 'vacant'")
    available = text("status = 'available'")
    Index(
        "idx_enterprises_chain_geom",
        Enterprise.industry_chain,
        Enterprise.geom,
        postgresql_using="gist",
    )
    Index("idx_spaces_open_geom", Space.geom, postgresql_using="gist", postgresql_where=vacant)
    Index("idx_spaces_open_area", Space.area_m2, postgresql_include=["id"], postgresql_where=vacant)
    Index("idx_spaces_open_height", Space.clear_height_m, postgresql_where=vacant)
    Index("idx_spaces_open_load", Space.floor_load_t_m2, postgresql_where=vacant)
    Index("idx_spaces_open_power", Space.power_kva, postgresql_where=vacant)
    Index("idx_parcels_open_geom", Parcel.geom, postgresql_using="gist", postgresql_where=available)
    Index(
        "idx_parcels_open_area",
        Parcel.area_m2,
        postgresql_include=["id"],
        postgresql_where=available,
    )
    Index("idx_buildings_standard", Building.id, postgresql_where=text("standard_factory"))


_match_indexes()
