"""The list of past imports (``GET /api/v1/imports``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.io.importer import IMPORT_ROLES
from parkgis.models.context import Import


def list_imports(
    session: Session, principal: Principal, *, limit: int = 100
) -> list[dict[str, Any]]:
    """The latest ``limit`` imports, newest first: who, when, file, hash and counts."""
    require_role(principal, IMPORT_ROLES, "list imports")
    rows = session.scalars(select(Import).order_by(Import.id.desc()).limit(limit)).all()
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "user_id": r.user_id,
            "kind": r.kind,
            "mode": r.mode,
            "file_name": r.file_name,
            "sha256": r.sha256,
            "size_bytes": r.size_bytes,
            "driver": r.driver,
            "layer": r.layer,
            "features": r.features,
            "inserted": r.inserted,
            "updated": r.updated,
            "skipped": r.skipped,
        }
        for r in rows
    ]
