"""``GET /health``: the app and its database."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import SessionDep
from parkgis import __version__
from parkgis.db.health import database_health

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> dict[str, Any]:
    """Report the app version and whether the database answers (with PostGIS and schema)."""
    db = database_health(session)
    return {"status": "ok" if db["ok"] else "degraded", "version": __version__, "database": db}
