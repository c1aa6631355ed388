"""The zone's context: roads, rail and metro lines, water and landmarks; and file imports.

``context_features`` holds what maps draw around the zone and what the prospect tools
measure distances to (the nearest port, station or highway exit). Geometries are stored in
EPSG:4326, any type (lines for roads, rail, metro; polygons or lines for water; points or
polygons for landmarks). ``imports`` records each file that was loaded: who, when, the
file's name and SHA-256, the counts and the full report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import Base, Versioned, in_list

CONTEXT_KINDS = ("road", "rail", "metro", "water", "landmark")
LANDMARK_SUBTYPES = ("port", "station", "metro_station", "highway_exit", "airport", "other")
IMPORT_KINDS = (
    "parcels",
    "buildings",
    "spaces",
    "enterprises",
    "officers",
    "projects",
    "context",
)
IMPORT_MODES = ("insert", "upsert")


class Import(Base):
    """One file loaded by ``parkgis import`` or ``POST /api/v1/imports?commit=true``."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    mode: Mapped[str] = mapped_column(String(8), nullable=False, server_default="insert")
    file_name: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    driver: Mapped[str | None] = mapped_column(Text)
    layer: Mapped[str | None] = mapped_column(Text)
    features: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    inserted: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    skipped: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    report: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")

    __table_args__ = (
        CheckConstraint(in_list("kind", IMPORT_KINDS), name="kind_known"),
        CheckConstraint(in_list("mode", IMPORT_MODES), name="mode_known"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_form"),
        CheckConstraint(
            "features >= 0 AND inserted >= 0 AND updated >= 0 AND skipped >= 0",
            name="counts_nonneg",
        ),
    )


class ContextFeature(Versioned, Base):
    """A road, rail or metro line, a water body or a landmark around the zone.

    ``subtype`` refines the kind: for a landmark one of :data:`LANDMARK_SUBTYPES`
    (required); for the others free text such as ``expressway`` or ``river``.
    ``code`` is an optional unique key (``parkgis import context … --key code``).
    """

    __tablename__ = "context_features"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    subtype: Mapped[str | None] = mapped_column(String(24))
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    props: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL"), index=True
    )
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False
    )

    __table_args__ = (
        CheckConstraint(in_list("kind", CONTEXT_KINDS), name="kind_known"),
        CheckConstraint(
            f"kind <> 'landmark' OR (subtype IS NOT NULL AND "
            f"{in_list('subtype', LANDMARK_SUBTYPES)})",
            name="landmark_subtype",
        ),
        CheckConstraint("ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="geom_valid"),
    )
