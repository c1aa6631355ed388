"""A cheap health probe of the database for ``GET /health``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session


def database_health(session: Session) -> dict[str, Any]:
    """Whether the database answers, its PostGIS version and schema revision."""
    try:
        row = session.execute(
            text("SELECT postgis_lib_version(), (SELECT version_num FROM alembic_version LIMIT 1)")
        ).one()
    except SQLAlchemyError as exc:
        session.rollback()
        return {"ok": False, "error": str(getattr(exc, "orig", exc)).splitlines()[0]}
    return {"ok": True, "postgis": row[0], "revision": row[1]}
