"""Checks a write needs the database for: references, ownership and cross-field rules.

Each raises a domain error naming the field: a reference to a row that does not exist
is a 422 (not a 500 and not a bare 409), a firm that is not the officer's is a 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_own_firm, require_own_project
from parkgis.errors import Forbidden, InvalidInput
from parkgis.models import IndustryChain, LandUseClass
from parkgis.writes.registry import EntitySpec

CODE_TABLES: dict[type[Any], str] = {
    LandUseClass: "table land_use_classes, shipped as parkgis/data/land_use.csv",
    IndustryChain: "table industry_chains, shipped as parkgis/data/industry_chains.csv",
}
"""Reference tables keyed by code, with where a client finds the valid codes."""


def check_references(
    session: Session, spec: EntitySpec, values: dict[str, Any], prefix: str
) -> dict[str, Any]:
    """Check that every foreign key in ``values`` points at an existing row.

    ``prefix`` is put before field names in errors (``"properties."`` or ``""``).

    Returns
    -------
    dict
        Field → the referenced ORM row, for the keys that were checked.

    Raises
    ------
    InvalidInput
        Naming the field; for code tables (land use, industry chains) the message lists
        the valid codes and where to find them.
    """
    found: dict[str, Any] = {}
    for fname, (target, _col) in spec.foreign_keys.items():
        value = values.get(fname)
        if value is None:
            continue
        row = session.get(target, value)
        if row is not None:
            found[fname] = row
            continue
        field = f"{prefix}{fname}"
        if target in CODE_TABLES:
            codes = session.scalars(select(target.code).order_by(target.code)).all()
            raise InvalidInput(
                f"unknown {fname} code {value!r}; valid codes: {', '.join(codes)} "
                f"(see {CODE_TABLES[target]})",
                field=field,
                allowed=list(codes),
            )
        raise InvalidInput(
            f"{fname} {value}: there is no {target.__tablename__[:-1].replace('_', ' ')} "
            f"with id {value}",
            field=field,
        )
    return found


def check_owner(p: Principal, spec: EntitySpec, values: dict[str, Any], prefix: str) -> None:
    """Officers write visits and requests for their own firms and their own projects.

    Raises
    ------
    Forbidden
        An officer writing for a firm not assigned to them, in another officer's name, or
        a project that is not theirs.
    """
    if p.role != "officer":
        return
    if spec.name in ("visits", "service_requests"):
        firm = values.get("enterprise_id")
        if firm is not None:
            try:
                require_own_firm(p, firm)
            except Forbidden as exc:
                raise Forbidden(exc.message, field=f"{prefix}enterprise_id") from None
    if spec.name == "projects" and "officer_id" in values:
        try:
            require_own_project(p, values["officer_id"])
        except Forbidden as exc:
            raise Forbidden(exc.message, field=f"{prefix}officer_id") from None
    if spec.name == "visits":
        officer = values.get("officer_id")
        if officer is not None and officer != p.officer_id:
            raise Forbidden(
                f"officer_id {officer} is not you (officer {p.officer_id}); officers record "
                "only their own visits",
                field=f"{prefix}officer_id",
            )


def default_officer(p: Principal, spec: EntitySpec, values: dict[str, Any], prefix: str) -> None:
    """Fill ``officer_id`` with the caller's own when an officer leaves it out on create."""
    if spec.name not in ("visits", "service_requests", "projects"):
        return
    if values.get("officer_id") is None and p.officer_id is not None:
        values["officer_id"] = p.officer_id
    if spec.name == "visits" and values.get("officer_id") is None:
        raise InvalidInput(
            "officer_id is required (only officers' own visits default to themselves)",
            field=f"{prefix}officer_id",
        )


def check_visit_day(
    spec: EntitySpec, values: dict[str, Any], prefix: str, tz: str | None, row: Any = None
) -> None:
    """A visit's time may not be in the future nor before the previous month (zone calendar).

    Checked when the caller names the zone's time zone ``tz`` (the API does; an import of
    past visits does not), on create, and on update only when ``visited_at`` changes (an
    old visit's summary can still be corrected).

    Raises
    ------
    InvalidInput
        Naming ``visited_at`` (see :func:`parkgis.workbench.rules.check_visit_time`).
    """
    at = values.get("visited_at")
    if spec.name != "visits" or at is None or tz is None:
        return
    if row is not None and getattr(row, "visited_at", None) == at:
        return
    from parkgis.workbench.rules import check_visit_time

    check_visit_time(at, tz, field=f"{prefix}visited_at")


def check_lead(
    session: Session, p: Principal, spec: EntitySpec, values: dict[str, Any], prefix: str
) -> None:
    """An investment call links only a shortlist its caller may see: their own, or any for
    an admin (the rule of :mod:`parkgis.prospect.shortlists`).

    Raises
    ------
    Forbidden
        Naming ``shortlist_id``: someone else's shortlist.
    """
    lead = values.get("shortlist_id")
    if spec.name != "visits" or lead is None or p.role == "admin":
        return
    from parkgis.models import Shortlist

    row = session.get(Shortlist, lead)
    if row is not None and (p.user_id is None or row.user_id != p.user_id):
        raise Forbidden(
            f"shortlist {lead} is not yours; link a shortlist you made",
            field=f"{prefix}shortlist_id",
        )


PROSPECT_FIELDS = ("prospect_name", "prospect_city", "shortlist_id")
"""Fields of an investment call only."""


def _visit_shape(row: dict[str, Any], prefix: str) -> None:
    """A firm contact names a zone firm; an investment call names a prospect and no firm."""
    if row.get("kind") == "investment_call":
        if row.get("enterprise_id") is not None:
            raise InvalidInput(
                "an investment_call is a call on a prospect outside the zone: it has no "
                "enterprise_id (name the prospect in prospect_name)",
                field=f"{prefix}enterprise_id",
            )
        if not (row.get("prospect_name") or "").strip():
            raise InvalidInput(
                "an investment_call needs prospect_name (the prospect firm)",
                field=f"{prefix}prospect_name",
            )
        return
    if row.get("enterprise_id") is None:
        raise InvalidInput(
            f"a {row.get('kind') or 'visit'} needs enterprise_id (the zone firm)",
            field=f"{prefix}enterprise_id",
        )
    for name in PROSPECT_FIELDS:
        if row.get(name) is not None:
            raise InvalidInput(
                f"{name} belongs to an investment_call only (kind is {row.get('kind')!r})",
                field=f"{prefix}{name}",
            )


def _after(a: date | None, b: date | None) -> bool:
    return a is not None and b is not None and a < b


def check_rules(spec: EntitySpec, row: dict[str, Any], prefix: str) -> None:
    """Cross-field rules on the row as it will be (after a PATCH is merged).

    Raises
    ------
    InvalidInput
        Naming the field to fix.
    """
    if spec.name == "parcels":
        if row.get("status") in ("granted", "under_construction", "built", "idle") and (
            row.get("granted_on") is None
        ):
            raise InvalidInput(
                f"a parcel with status {row['status']!r} needs granted_on (the grant date)",
                field=f"{prefix}granted_on",
            )
    elif spec.name == "visits":
        _visit_shape(row, prefix)
    elif spec.name == "assignments":
        if _after(row.get("until"), row.get("since")):
            raise InvalidInput("until must not be before since", field=f"{prefix}until")
    elif spec.name == "service_requests":
        for later in ("in_progress_on", "resolved_on", "closed_on"):
            if _after(row.get(later), row.get("opened_on")):
                raise InvalidInput(
                    f"{later} must not be before opened_on", field=f"{prefix}{later}"
                )
        if row.get("status") in ("resolved", "closed") and row.get("resolved_on") is None:
            raise InvalidInput(
                f"a request with status {row['status']!r} needs resolved_on",
                field=f"{prefix}resolved_on",
            )
