"""Declarative base, shared column helpers and the controlled vocabularies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARCEL_STATUSES = ("planned", "available", "granted", "under_construction", "built", "idle")
SPACE_STATUSES = ("vacant", "reserved", "occupied")
PROJECT_STAGES = (
    "negotiating",
    "signed",
    "land_granted",
    "construction_started",
    "topped_out",
    "completed",
    "in_production",
)
PROJECT_HOLD_STAGES = ("stalled", "cancelled")
ALL_PROJECT_STAGES = PROJECT_STAGES + PROJECT_HOLD_STAGES
REQUEST_STATUSES = ("open", "in_progress", "resolved", "closed")
REQUEST_CATEGORIES = (
    "labour",
    "land",
    "utilities",
    "permits",
    "policy",
    "finance",
    "logistics",
    "environment",
    "other",
)
FIRM_VISIT_KINDS = ("visit", "reception")
"""Contacts with a firm of the zone: the kinds every coverage figure counts."""
VISIT_KINDS = (*FIRM_VISIT_KINDS, "investment_call")
"""Every visit kind; ``investment_call`` (登门招商) is a call on a prospect outside the zone,
with no zone firm, counted apart from the zone's own firms in every report."""
ROLES = ("admin", "planner", "officer", "investment")
INDUSTRIAL_CLASS = {"100101": 1, "100102": 2, "100103": 3}
"""Land-use code → industrial pollution class (1 = lightest)."""


def in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that ``column`` is one of ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


FIRM_CONTACT_SQL = in_list("v.kind", FIRM_VISIT_KINDS)
"""SQL: visit ``v`` is a contact with a zone firm (a visit or a reception), never an
investment call on a prospect outside the zone."""


class Base(DeclarativeBase):
    """Base of every parkgis table; constraint names follow :data:`NAMING`."""

    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """Row version (for ``If-Match``/ETag) and change timestamps."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        """Let the ORM bump and check ``version`` on every UPDATE."""
        return {"version_id_col": cls.version}
