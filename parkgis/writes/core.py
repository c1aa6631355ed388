"""Create, replace, patch and delete one row, with role checks, audit and version checks.

Each function is one unit of work on the caller's session: it checks the caller's role
(``parkgis.access``), validates the input against the database (references, codes,
ownership, cross-field rules), writes, records the audit row, and flushes. It never
commits: the caller commits once (the API does so per request), so a failed write
changes nothing. On an error, roll the session back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from parkgis.access import Principal, redact, require_write
from parkgis.audit import changes, record, snapshot
from parkgis.errors import Forbidden, InvalidInput, NotFound, PreconditionFailed, Unauthorized
from parkgis.projects.lifecycle import record_created
from parkgis.projects.milestones import parse_milestones
from parkgis.writes.checks import (
    check_lead,
    check_owner,
    check_references,
    check_rules,
    check_visit_day,
    default_officer,
)
from parkgis.writes.geometry import apply_geometry
from parkgis.writes.inputs import WriteInput, parse_input
from parkgis.writes.integrity import translate
from parkgis.writes.registry import EntitySpec, spec_for
from parkgis.writes.versions import check_version, expected_version


@dataclass(frozen=True)
class Written:
    """The outcome of a create/replace/patch: the row and its JSON representation.

    ``body`` is a GeoJSON Feature for spatial entities and a plain object otherwise,
    redacted for the caller; ``version`` is the row's new version (its ETag).
    """

    id: int
    version: int
    body: dict[str, Any]
    row: Any


def representation(
    session: Session, spec: EntitySpec, row: Any, principal: Principal
) -> dict[str, Any]:
    """A row as the API returns it: the same document a GET of the item gives.

    That is :func:`parkgis.features.get_feature` (a GeoJSON Feature for spatial entities,
    an object otherwise, geometry in EPSG:4326, a top-level ``version``, fields the caller
    may not see removed). Should the read side not show the row to this caller, the row's
    own columns are returned, redacted the same way (``parkgis.access.redact``).
    """
    from parkgis.features import get_feature

    try:
        return get_feature(session, spec.name, principal, row.id)
    except (NotFound, Forbidden, Unauthorized):
        pass
    values = snapshot(row)
    geom = values.pop(spec.geom_column) if spec.geom_column else None
    version = values.pop("version")
    for hidden in ("created_at", "updated_at"):
        values.pop(hidden, None)
    props = redact(principal, spec.name, values)
    if spec.spatial:
        return {
            "type": "Feature",
            "id": row.id,
            "geometry": geom,
            "properties": props,
            "version": version,
        }
    if spec.geom_column:
        props["geometry"] = geom
    return props | {"version": version}


def _load(session: Session, spec: EntitySpec, fid: int) -> Any:
    row = session.get(spec.model, fid, with_for_update=True)
    if row is None:
        raise NotFound(f"there is no {spec.label} {fid}", field="id")
    return row


def _flush(session: Session, spec: EntitySpec, fid: int | None = None) -> None:
    try:
        session.flush()
    except (IntegrityError, DataError) as exc:
        raise translate(exc, spec.label) from None
    except StaleDataError:
        raise PreconditionFailed(
            f"{spec.label} {fid} was changed by someone else meanwhile; read it again",
            field="If-Match",
        ) from None


def _same(key: str, new: Any, old: Any) -> bool:
    if key == "milestones":  # equal plans may be spelled differently (missing vs null)
        return parse_milestones(new) == parse_milestones(old)
    return bool(new == old)


def _changed_elsewhere(
    spec: EntitySpec, row: Any, values: dict[str, Any], given: WriteInput, *, partial: bool
) -> None:
    """Drop fields another endpoint owns when unsent (PUT); refuse them when changed."""
    sent = given.props.model_fields_set if given.props else set()
    for key, where in spec.changed_elsewhere.items():
        if key not in values:
            continue
        if not partial and key not in sent:
            del values[key]
        elif not _same(key, values[key], getattr(row, key)):
            raise InvalidInput(
                f"{key} of a {spec.label} is not changed here: use "
                + where.replace("{id}", str(row.id)),
                field=f"{given.prefix}{key}",
            )


def create(
    session: Session,
    entity: str,
    principal: Principal,
    body: BaseModel | dict[str, Any],
    *,
    crs: str | None = None,
    repair: bool = False,
    zone_tz: str | None = None,
) -> Written:
    """Create one row of ``entity`` and audit it.

    Parameters
    ----------
    entity : str
        Collection name (``"parcels"``, ``"visits"``, ... see ``ENTITIES``).
    body : Feature or InputModel or dict
        For spatial entities a GeoJSON Feature whose geometry is in ``crs`` (or the
        Feature's ``crs`` member; default EPSG:4326 lon/lat degrees); otherwise the
        ``XCreate`` object. Areas are computed by the database in m² and mu.
    crs : str, optional
        Declared CRS of the coordinates, e.g. ``"EPSG:3857"``.
    repair : bool, default False
        Repair an invalid geometry instead of refusing it.
    zone_tz : str, optional
        The zone's time zone (``settings.zone.timezone``). When given, rules about "today"
        are checked: a visit may be neither in the future nor before the previous month.
        The API and the workbench pass it; an import of past records does not.

    Raises
    ------
    Unauthorized, Forbidden
        The caller may not write ``entity`` (or, for officers, this firm).
    InvalidInput, InvalidGeometry
        Bad values, naming the field; also a missing reference or unknown code.
    Conflict
        A unique value (code, USCC, current assignment) already exists.
    """
    spec = spec_for(entity)
    require_write(principal, entity)
    given = parse_input(spec, body, patch=False)
    assert given.props is not None
    if given.versions:
        raise InvalidInput(
            "version is assigned by the server; send it only on PUT/PATCH",
            field=next(iter(given.versions)),
        )
    own_ids = [f for f in given.ids if f != "id" or not spec.spatial]  # a Feature's id: ignored
    if own_ids:
        raise InvalidInput("id is assigned by the server", field=own_ids[0])
    values = given.props.values(partial=False)
    default_officer(principal, spec, values, given.prefix)
    check_owner(principal, spec, values, given.prefix)
    check_references(session, spec, values, given.prefix)
    check_lead(session, principal, spec, values, given.prefix)
    check_rules(spec, values, given.prefix)
    check_visit_day(spec, values, given.prefix, zone_tz)
    row = spec.model(**values)
    apply_geometry(session, spec, row, given, crs=crs, repair=repair, full=True)
    session.add(row)
    _flush(session, spec)
    session.refresh(row)
    record(session, principal, "create", entity, row.id, after=snapshot(row))
    if entity == "projects":
        record_created(session, row, actor=principal.name)
    _flush(session, spec)
    return Written(row.id, row.version, representation(session, spec, row, principal), row)


def update(
    session: Session,
    entity: str,
    principal: Principal,
    fid: int,
    body: BaseModel | dict[str, Any],
    *,
    partial: bool,
    if_match: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    zone_tz: str | None = None,
) -> Written:
    """Replace (PUT, ``partial=False``) or patch (PATCH, ``partial=True``) one row.

    The caller must say which version it read: ``if_match`` (the ``If-Match`` header,
    ``"<version>"`` or ``*``) or a ``version`` field in the body. The row is locked while
    it is checked and written, so of two writers holding the same version only the first
    wins; the other gets :class:`~parkgis.errors.PreconditionFailed` with the current
    version. Geometry, ``crs``/``repair`` and ``zone_tz`` are as in :func:`create`; on
    PATCH, fields left out are unchanged.

    Raises
    ------
    PreconditionRequired
        Neither ``If-Match`` nor ``version`` was given (428).
    PreconditionFailed
        The version is stale (412).
    NotFound
        No row ``fid``.
    """
    spec = spec_for(entity)
    require_write(principal, entity)
    given = parse_input(spec, body, patch=partial)
    expected = expected_version(if_match, given.version())
    for field, value in given.ids.items():
        if str(value) != str(fid):
            raise InvalidInput(
                f"{field} {value!r} differs from the id in the URL ({fid})", field=field
            )
    row = _load(session, spec, fid)
    before = snapshot(row)
    check_owner(principal, spec, before, given.prefix)
    check_version(spec.label, fid, row.version, expected)
    values = given.props.values(partial=partial) if given.props else {}
    if not partial:
        default_officer(principal, spec, values, given.prefix)
    check_owner(principal, spec, values, given.prefix)
    _changed_elsewhere(spec, row, values, given, partial=partial)
    changed_refs = {k: v for k, v in values.items() if before.get(k) != v}
    check_references(session, spec, changed_refs, given.prefix)
    check_lead(session, principal, spec, changed_refs, given.prefix)
    merged = {k: getattr(row, k) for k in before}
    merged.update(values)
    check_rules(spec, merged, given.prefix)
    check_visit_day(spec, values, given.prefix, zone_tz, row)
    for key, value in values.items():
        setattr(row, key, value)
    apply_geometry(session, spec, row, given, crs=crs, repair=repair, full=not partial)
    _flush(session, spec, fid)
    session.refresh(row)
    old, new = changes(before, snapshot(row))
    if new:
        record(session, principal, "update", entity, fid, before=old, after=new)
        _flush(session, spec, fid)
    return Written(row.id, row.version, representation(session, spec, row, principal), row)


def delete(
    session: Session, entity: str, principal: Principal, fid: int, *, if_match: str | None
) -> dict[str, Any]:
    """Delete one row (``If-Match`` required) and audit it; return its last values.

    Raises
    ------
    PreconditionRequired, PreconditionFailed, NotFound
        As for :func:`update`.
    Conflict
        Other rows still reference it (e.g. a parcel with buildings).
    """
    spec = spec_for(entity)
    require_write(principal, entity)
    expected = expected_version(if_match, None)
    row = _load(session, spec, fid)
    before = snapshot(row)
    check_owner(principal, spec, before, "")
    check_version(spec.label, fid, row.version, expected)
    session.delete(row)
    _flush(session, spec, fid)
    record(session, principal, "delete", entity, fid, before=before)
    _flush(session, spec, fid)
    return before
