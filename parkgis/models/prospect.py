"""Shortlists shared with one prospect, and the log of their opens.

A shortlist is a confidential link ``/p/{token}``: the token is 256 random bits shown once;
only its SHA-256 is stored (``token_hash``). A link is live until ``expires_at`` passes or
``revoked_at`` is set. ``sites`` is the ordered list of ``{"kind": "space"|"parcel",
"id": n}`` it shows. Each open of the link is a ``ShortlistOpen`` row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import Base, in_list

SHORTLIST_LANGS = ("zh", "en")
OPEN_KINDS = ("page", "download", "pdf", "sheet")


class Shortlist(Base):
    """A set of 1–10 sites shared with one prospect through a random, expiring link."""

    __tablename__ = "shortlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prospect: Mapped[str] = mapped_column(Text, nullable=False)
    lang: Mapped[str] = mapped_column(String(2), nullable=False, server_default="zh")
    sites: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(in_list("lang", SHORTLIST_LANGS), name="lang_known"),
        CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash_form"),
        CheckConstraint("length(btrim(prospect)) > 0", name="prospect_not_blank"),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )


class ShortlistOpen(Base):
    """One open of a shortlist link: when, what (page, download, pdf, sheet), which browser."""

    __tablename__ = "shortlist_opens"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(
        ForeignKey("shortlists.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    what: Mapped[str] = mapped_column(String(16), nullable=False)
    user_agent: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint(in_list("what", OPEN_KINDS), name="what_known"),)


__all__ = ["OPEN_KINDS", "SHORTLIST_LANGS", "Shortlist", "ShortlistOpen"]
