"""Enterprises, service officers and who serves whom.

Sensitive fields (``output_cny``, ``tax_cny``, ``contact_*``, officer ``phone``) are never
public; ``parkgis.access`` decides who may see them.
"""

from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import Base, Versioned

ENTERPRISE_SENSITIVE = (
    "output_cny",
    "tax_cny",
    "energy_tce",
    "rnd_cny",
    "contact_name",
    "contact_phone",
    "contact_email",
)
OFFICER_SENSITIVE = ("phone",)


class Enterprise(Versioned, Base):
    """A firm in the zone, located by a point inside its building or parcel."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    name_en: Mapped[str | None] = mapped_column(Text)
    uscc: Mapped[str] = mapped_column(String(18), unique=True, nullable=False)
    industry_chain: Mapped[str | None] = mapped_column(
        ForeignKey("industry_chains.code"), index=True
    )
    industry_code: Mapped[str | None] = mapped_column(String(5))
    above_scale: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    employees: Mapped[int | None] = mapped_column(Integer)
    output_cny: Mapped[float | None] = mapped_column(Float)
    tax_cny: Mapped[float | None] = mapped_column(Float)
    energy_tce: Mapped[float | None] = mapped_column(Float)
    """Comprehensive energy use a year, t of standard coal (综合能耗; issue 13)."""
    rnd_cny: Mapped[float | None] = mapped_column(Float)
    """R&D spending a year in CNY (研发经费; issue 13)."""
    contact_name: Mapped[str | None] = mapped_column(Text)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    public_anchor: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    """A firm everyone knows (e.g. a car maker) that public maps may name (issue 12)."""
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="SET NULL", use_alter=True), index=True
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL", use_alter=True), index=True
    )
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )

    __table_args__ = (
        CheckConstraint("parkgis_uscc_valid(uscc)", name="uscc_checksum"),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees_nonneg"),
        CheckConstraint("output_cny IS NULL OR output_cny >= 0", name="output_nonneg"),
        CheckConstraint("tax_cny IS NULL OR tax_cny >= 0", name="tax_nonneg"),
        CheckConstraint("energy_tce IS NULL OR energy_tce >= 0", name="energy_nonneg"),
        CheckConstraint("rnd_cny IS NULL OR rnd_cny >= 0", name="rnd_nonneg"),
        CheckConstraint(
            "industry_code IS NULL OR industry_code ~ '^[A-T][0-9]{2,4}$'",
            name="industry_code_form",
        ),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )


class Officer(Versioned, Base):
    """A chief service officer (首席服务官) and their assistant."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text)
    assistant_name: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    office_geom: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True)
    )

    __table_args__ = (CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),)


class Assignment(Versioned, Base):
    """Officer ↔ enterprise for a period; ``until`` NULL means current."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False, index=True
    )
    since: Mapped[date] = mapped_column(Date, nullable=False)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("until IS NULL OR until >= since", name="period_order"),
        Index(
            "uq_assignments_current",
            "officer_id",
            "enterprise_id",
            unique=True,
            postgresql_where=text("until IS NULL"),
        ),
    )
