"""Who may see and do what: the role matrix, enforced here and only here.

Roles: ``admin``, ``planner``, ``officer``, ``investment``, and anonymous callers.

===============  ==========================================================================
role             may
===============  ==========================================================================
anonymous        read available parcels and vacant spaces, public fields only, and the
                 context layers (roads, water, landmarks)
investment       read every map layer, firms without tax/output/contacts; match and hold
officer          as investment, plus the sensitive fields of their own assigned firms;
                 write visits and service requests for their own firms; match and hold;
                 move and re-plan their own projects (``require_own_project``)
planner          read everything including sensitive fields; write parcels, buildings,
                 spaces, grid areas and projects
admin            everything, including users, tokens and the audit log
===============  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from parkgis.errors import Forbidden, Unauthorized
from parkgis.models.firms import ENTERPRISE_SENSITIVE, OFFICER_SENSITIVE

Role = Literal["admin", "planner", "officer", "investment"]

SENSITIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "enterprises": ENTERPRISE_SENSITIVE,
    "officers": OFFICER_SENSITIVE,
}
"""Fields that only admin, planner and the firm's own officer may read."""

PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "parcels": (
        "id",
        "code",
        "land_use",
        "status",
        "area_m2",
        "area_mu",
        "max_far",
        "min_far",
        "investment_wan_cny_mu",
        "tax_wan_cny_mu",
        "price_cny_m2",
        "address",
        "on_hold",
        "held_until",
    ),
    "spaces": (
        "id",
        "building_id",
        "code",
        "floor",
        "area_m2",
        "area_mu",
        "clear_height_m",
        "floor_load_t_m2",
        "power_kva",
        "crane_t",
        "status",
        "rent_cny_m2_month",
        "available_from",
        "on_hold",
        "held_until",
    ),
    "context": ("id", "kind", "subtype", "code", "name", "name_en"),
}
"""Fields anonymous callers may read; other entities are not public at all.

A parcel on offer publishes its 标准地 terms (minimum plot ratio, committed investment and
tax per mu) with its price, as the land offer itself does.

``context`` (roads, rail, water, landmarks around the zone) is public geography: every
row, for the offline zone basemap and its tiles.
"""

PUBLIC_ROWS: dict[str, tuple[str, str]] = {
    "parcels": ("status", "available"),
    "spaces": ("status", "vacant"),
}
"""Anonymous callers see only rows whose column equals this value."""

WRITERS: dict[str, tuple[str, ...]] = {
    "parcels": ("admin", "planner"),
    "buildings": ("admin", "planner"),
    "spaces": ("admin", "planner"),
    "grid_areas": ("admin", "planner"),
    "projects": ("admin", "planner", "officer"),
    "enterprises": ("admin",),
    "officers": ("admin",),
    "assignments": ("admin",),
    "visits": ("admin", "officer"),
    "service_requests": ("admin", "officer"),
    "reservations": ("admin", "officer", "investment"),
    "expansion_requests": ("admin", "officer", "investment"),
    "users": ("admin",),
}
"""Roles that may create, update or delete rows of each entity."""

READERS_ALL: tuple[str, ...] = ("admin", "planner", "officer", "investment")
RESTRICTED_READERS: dict[str, tuple[str, ...]] = {
    "visits": ("admin", "planner", "officer"),
    "service_requests": ("admin", "planner", "officer"),
    "assignments": ("admin", "planner", "officer"),
    "audit_log": ("admin",),
    "users": ("admin",),
}


@dataclass(frozen=True)
class Principal:
    """The caller: a user with a role, or anonymous (``role`` is None)."""

    user_id: int | None = None
    name: str = "anonymous"
    role: Role | None = None
    officer_id: int | None = None
    own_enterprise_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def anonymous(self) -> bool:
        """True for callers without a token."""
        return self.role is None


ANONYMOUS = Principal()


def require_role(p: Principal, roles: Iterable[str], action: str = "do this") -> None:
    """Raise 401 for anonymous callers and 403 for roles not in ``roles``."""
    roles = tuple(roles)
    if p.anonymous:
        raise Unauthorized(f"a bearer token is required to {action}")
    if p.role not in roles:
        raise Forbidden(f"role {p.role!r} may not {action}; allowed: {', '.join(roles)}")


def can_read(p: Principal, entity: str) -> bool:
    """Whether ``p`` may list ``entity`` at all (anonymous: only the public entities)."""
    if p.anonymous:
        return entity in PUBLIC_FIELDS
    return p.role in RESTRICTED_READERS.get(entity, READERS_ALL)


def require_read(p: Principal, entity: str) -> None:
    """Raise 401/403 unless ``p`` may read ``entity``."""
    if not can_read(p, entity):
        require_role(p, RESTRICTED_READERS.get(entity, READERS_ALL), f"read {entity}")


def require_write(p: Principal, entity: str) -> None:
    """Raise 401/403 unless ``p``'s role may write ``entity``."""
    require_role(p, WRITERS.get(entity, ("admin",)), f"change {entity}")


def sensitive_scope(p: Principal) -> Literal["all", "own", "none"]:
    """Which firms' sensitive fields ``p`` may read: all, their own assigned ones, or none."""
    if p.role in ("admin", "planner"):
        return "all"
    if p.role == "officer":
        return "own"
    return "none"


def may_see_sensitive(p: Principal, enterprise_id: int | None) -> bool:
    """Whether ``p`` may read the sensitive fields of firm ``enterprise_id``."""
    scope = sensitive_scope(p)
    return scope == "all" or (scope == "own" and enterprise_id in p.own_enterprise_ids)


def visible_fields(p: Principal, entity: str, columns: Iterable[str]) -> list[str]:
    """The subset of ``columns`` that ``p`` may see for ``entity``, ignoring row ownership.

    Sensitive fields are kept for ``all`` and ``own`` scopes; callers with ``own`` scope
    must blank them per row with :func:`redact`.
    """
    cols = list(columns)
    if p.anonymous:
        allowed = PUBLIC_FIELDS.get(entity, ())
        return [c for c in cols if c in allowed]
    if sensitive_scope(p) == "none":
        hidden = SENSITIVE_FIELDS.get(entity, ())
        return [c for c in cols if c not in hidden]
    return cols


def redact(p: Principal, entity: str, props: dict[str, Any]) -> dict[str, Any]:
    """Drop from ``props`` what ``p`` may not see (row-aware for officers' own firms)."""
    keep = set(visible_fields(p, entity, props))
    out = {k: v for k, v in props.items() if k in keep}
    hidden = SENSITIVE_FIELDS.get(entity, ())
    if hidden and sensitive_scope(p) == "own":
        firm = props.get("id") if entity == "enterprises" else None
        officer_self = entity == "officers" and props.get("id") == p.officer_id
        if not (officer_self or may_see_sensitive(p, firm)):
            for h in hidden:
                out.pop(h, None)
    return out


def require_own_firm(p: Principal, enterprise_id: int) -> None:
    """Officers may write visits/requests only for firms currently assigned to them."""
    if p.role == "officer" and enterprise_id not in p.own_enterprise_ids:
        raise Forbidden(
            f"enterprise {enterprise_id} is not assigned to you; officers write visits and "
            "requests only for their own firms",
            field="enterprise_id",
        )


def require_own_project(p: Principal, project_officer_id: int | None) -> None:
    """Officers move and re-plan only the projects they are the officer of; planner/admin any.

    Investment staff and anonymous callers may not (401/403).
    """
    require_role(p, ("admin", "planner", "officer"), "move or re-plan projects")
    if p.role == "officer" and (project_officer_id is None or project_officer_id != p.officer_id):
        raise Forbidden(
            "this project is not yours; officers move and re-plan only their own projects",
            field="officer_id",
        )


def own_enterprise_ids(session: Session, officer_id: int | None) -> frozenset[int]:
    """Ids of the firms currently assigned to ``officer_id`` (empty for None)."""
    if officer_id is None:
        return frozenset()
    from parkgis.models import Assignment

    rows = session.scalars(
        select(Assignment.enterprise_id).where(
            Assignment.officer_id == officer_id, Assignment.until.is_(None)
        )
    )
    return frozenset(rows)
