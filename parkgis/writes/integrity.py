"""Turn PostgreSQL integrity and data errors into domain errors that name the field.

The write functions check input before it reaches the database, but the database has
the last word (and races exist): a unique violation becomes a 409 saying which value
already exists, a missing foreign key a 422 naming the field, a row still referenced a
409 naming the referencing table, and a CHECK constraint a 422 naming its columns.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError, InternalError

from parkgis.errors import Conflict, InvalidInput, ParkGISError

_KEY = re.compile(r"Key \((?P<cols>[^)]*)\)=\((?P<vals>.*)\)")
_TABLE = re.compile(r'table "(?P<table>[^"]+)"')


def _diag(exc: IntegrityError | DataError) -> Any:
    return getattr(getattr(exc, "orig", None), "diag", None)


@lru_cache(maxsize=256)
def constraint_columns(name: str) -> tuple[str, ...]:
    """Columns a CHECK/unique constraint of the ORM metadata mentions (best effort)."""
    from sqlalchemy import CheckConstraint, UniqueConstraint

    from parkgis.models import Base

    for table in Base.metadata.tables.values():
        for cons in table.constraints:
            if cons.name != name:
                continue
            if isinstance(cons, CheckConstraint):
                text = str(cons.sqltext)
                cols = [c.key for c in table.columns if re.search(rf"\b{c.key}\b", text)]
                return tuple(cols)
            if isinstance(cons, UniqueConstraint):
                return tuple(c.key for c in cons.columns)
        for index in table.indexes:
            if index.name == name:
                return tuple(c.key for c in index.columns)
    return ()


def _key(detail: str | None) -> tuple[list[str], str]:
    found = _KEY.search(detail or "")
    if not found:
        return [], ""
    return [c.strip().strip('"') for c in found.group("cols").split(",")], found.group("vals")


def translate(exc: IntegrityError | DataError, label: str | None = None) -> ParkGISError:
    """The domain error for a database refusal, naming the field where it can.

    Parameters
    ----------
    exc : IntegrityError or DataError
        As raised by SQLAlchemy on flush or execute.
    label : str, optional
        What was being written ("parcel"), for the message.
    """
    diag = _diag(exc)
    state = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    constraint = getattr(diag, "constraint_name", None)
    detail = getattr(diag, "message_detail", None)
    primary = getattr(diag, "message_primary", None) or str(exc.orig).splitlines()[0]
    column = getattr(diag, "column_name", None)
    what = label or getattr(diag, "table_name", None) or "row"
    if state == "23505":  # unique_violation
        cols, vals = _key(detail)
        if len(cols) == 1:
            return Conflict(
                f"{cols[0]} {vals!r} already exists; another {what} uses it", field=cols[0]
            )
        return Conflict(
            f"a {what} with ({', '.join(cols)}) = ({vals}) already exists"
            + (f" (rule {constraint})" if constraint else ""),
            field=cols[-1] if cols else None,
        )
    if state == "23503":  # foreign_key_violation
        cols, vals = _key(detail)
        table = _TABLE.search(detail or "")
        if "is still referenced" in (detail or ""):
            ref = table.group("table") if table else "another table"
            return Conflict(
                f"this {what} is still referenced by rows of {ref}; delete or change those first",
                referenced_by=ref,
            )
        field = cols[0] if cols else None
        ref = table.group("table") if table else "the referenced table"
        return InvalidInput(f"{field} {vals} does not exist in {ref}", field=field)
    if state == "23514":  # check_violation
        checked = constraint_columns(constraint or "")
        return InvalidInput(
            f"refused by database rule {constraint}"
            + (f" on {', '.join(checked)}" if checked else "")
            + f": {primary}",
            field=checked[-1] if checked else None,
        )
    if state == "23502":  # not_null_violation
        return InvalidInput(f"{column} may not be null", field=column)
    if isinstance(exc, DataError):
        return InvalidInput(f"the database refused a value: {primary}", field=column)
    return Conflict(f"the database refused the change: {primary}", field=column)


def translate_internal(exc: InternalError) -> ParkGISError | None:
    """A domain error for PostGIS failures caused by input, or None for real faults.

    PostGIS reports coordinates a projection cannot represent as an internal error
    (SQLSTATE XX000, ``transform: ...``); that is bad input, not a server fault.
    """
    primary = str(getattr(exc, "orig", exc)).splitlines()[0]
    if primary.startswith("transform:"):
        return InvalidInput(
            "coordinates are outside what their CRS can represent "
            f"(PostGIS {primary}); check the CRS and the order of the coordinates"
        )
    return None
