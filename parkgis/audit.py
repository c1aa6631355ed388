"""The audit log: who changed what, when, with the values before and after.

Every write of the API goes through :func:`record` in the same transaction as the change,
so a change and its audit row commit (or roll back) together. Values are stored as JSON:
dates as ISO strings and geometries as GeoJSON (EPSG:4326). Nothing that looks like a
credential (token, password, secret, hash) is ever stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import Select, func, inspect, select
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.models import AuditLog

SECRET_MARKERS = ("token", "password", "secret", "hash", "authorization")
"""Keys containing one of these are dropped from audit values."""


def jsonable(value: Any) -> Any:
    """A JSON-able copy of one column value (geometry → GeoJSON dict in EPSG:4326)."""
    if isinstance(value, WKBElement | WKTElement):
        return jsonable(mapping(to_shape(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(row: Any) -> dict[str, Any]:
    """Every column of an ORM row, JSON-able, keyed by attribute name."""
    mapper = inspect(row).mapper
    return {attr.key: jsonable(getattr(row, attr.key)) for attr in mapper.column_attrs}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ between two snapshots, as (before, after) dicts.

    ``version`` is always kept (when present) so the log shows which version changed;
    ``updated_at`` only changes with something else and is left out.
    """
    keys = [k for k in after if k != "updated_at" and before.get(k) != after.get(k)]
    if not keys:
        return {}, {}
    if "version" in after and "version" not in keys:
        keys.append("version")
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        k: v for k, v in values.items() if not any(mark in k.lower() for mark in SECRET_MARKERS)
    }


def record(
    session: Session,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row to the session (flushed with the change it describes).

    Parameters
    ----------
    action : str
        ``create``, ``update``, ``delete`` (or another action of the ``action_known``
        check: ``import``, ``transition``, ``hold``, ``release``, ``lease``, ``apply``).
    entity : str
        Collection name, e.g. ``"parcels"``.
    before, after : dict, optional
        JSON-able values (see :func:`snapshot` and :func:`changes`).
    """
    row = AuditLog(
        user_id=principal.user_id,
        actor=principal.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=_clean(before),
        after=_clean(after),
    )
    session.add(row)
    return row


def entry(row: AuditLog) -> dict[str, Any]:
    """One audit row as a JSON-able dict."""
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "user_id": row.user_id,
        "actor": row.actor,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "before": row.before,
        "after": row.after,
    }


def list_entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    user_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of the audit log, newest first, with the number of matching rows.

    Returns
    -------
    dict
        ``{"numberMatched", "numberReturned", "limit", "offset", "items": [...]}``.
    """
    query: Select[Any] = select(AuditLog)
    if entity is not None:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == entity_id)
    if user_id is not None:
        query = query.where(AuditLog.user_id == user_id)
    if actor is not None:
        query = query.where(AuditLog.actor == actor)
    if action is not None:
        query = query.where(AuditLog.action == action)
    matched = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditLog.id.desc()).limit(limit).offset(offset)).all()
    return {
        "numberMatched": matched,
        "numberReturned": len(rows),
        "limit": limit,
        "offset": offset,
        "items": [entry(r) for r in rows],
    }
