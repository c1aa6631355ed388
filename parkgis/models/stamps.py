"""Change stamps: one counter per tiled collection (vector-tile ETags).

Rows are written only by the ``parkgis_bump_change_stamp`` trigger on each collection's
table (migration 0005); read them with :func:`parkgis.tiles.change_stamp`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from parkgis.models.base import Base


class ChangeStamp(Base):
    """The last change of one collection: a value of ``change_stamp_seq`` and when."""

    __tablename__ = "change_stamps"

    collection: Mapped[str] = mapped_column(String(32), primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
