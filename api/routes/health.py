"""``GET /health``: the app and its database."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import SessionDep
from api.errors import RETRY_AFTER_S
from api.responses import JSONResponse
from parkgis import __version__
from parkgis.db.health import database_health

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"description": "The database does not answer."}})
def health(session: SessionDep) -> JSONResponse:
    """Report the app version and whether the database answers (with PostGIS and schema).

    200 with ``"status": "ok"`` when it does; 503 (with ``Retry-After``) when it does not,
    so a monitor that only reads the status code sees the outage.
    """
    db = database_health(session)
    body: dict[str, Any] = {
        "status": "ok" if db["ok"] else "unavailable",
        "version": __version__,
        "database": db,
    }
    if db["ok"]:
        return JSONResponse(body)
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
