"""The values a code filter may take, so a wrong one is a 400 and never an empty layer.

``status=vacant`` on parcels or ``land_use=industrial`` used to match nothing and answer
200 with an empty collection. :func:`check_value` refuses such a value with
:class:`~parkgis.errors.InvalidQuery` naming the parameter and listing what is allowed
(also in the error body as ``allowed``). The API, OGC API and maps all parse filters with
:func:`parkgis.features.params.parse_filters`, which calls it for every coded column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from parkgis.errors import InvalidQuery
from parkgis.models.base import (
    ALL_PROJECT_STAGES,
    PARCEL_STATUSES,
    REQUEST_CATEGORIES,
    REQUEST_STATUSES,
    SPACE_STATUSES,
    VISIT_KINDS,
)


@lru_cache(maxsize=8)
def _codes(table: str) -> tuple[str, ...]:
    from parkgis.db.seed import read_csv

    return tuple(str(r["code"]) for r in read_csv(table))


def _fixed(values: tuple[str, ...]) -> Callable[[], tuple[str, ...]]:
    return lambda: values


ALLOWED: dict[tuple[str, str], Callable[[], tuple[str, ...]]] = {
    ("parcels", "status"): _fixed(PARCEL_STATUSES),
    ("parcels", "land_use"): lambda: _codes("land_use.csv"),
    ("spaces", "status"): _fixed(SPACE_STATUSES),
    ("enterprises", "industry_chain"): lambda: _codes("industry_chains.csv"),
    ("projects", "industry_chain"): lambda: _codes("industry_chains.csv"),
    ("projects", "stage"): _fixed(ALL_PROJECT_STAGES),
    ("visits", "kind"): _fixed(VISIT_KINDS),
    ("service_requests", "category"): _fixed(REQUEST_CATEGORIES),
    ("service_requests", "status"): _fixed(REQUEST_STATUSES),
}
"""(collection, column) → the codes it may be filtered by (reference tables and enums)."""

PATTERNS: dict[tuple[str, str], tuple[re.Pattern[str], str]] = {
    ("enterprises", "industry_code"): (
        re.compile(r"^[A-T](\d{2}|\d{3}|\d{4})$"),
        "a GB/T 4754 code: a section letter and 2 to 4 digits, e.g. C3612",
    ),
    ("enterprises", "uscc"): (
        re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
        "a unified social credit code: 18 digits or capital letters (no I, O, S, V, Z)",
    ),
}
"""(collection, column) → the form a code must have, where no closed list exists."""


def allowed_values(collection: str, column: str) -> tuple[str, ...] | None:
    """The codes ``column`` of ``collection`` may take, or None when it is not coded."""
    fn = ALLOWED.get((collection, column))
    return fn() if fn is not None else None


def check_value(collection: str, column: str, param: str, value: object) -> None:
    """Refuse a value ``column`` never takes.

    Raises
    ------
    InvalidQuery
        ``value`` is not one of :func:`allowed_values` (the message and the ``allowed``
        member of the error list them), or does not have the column's code form.
    """
    if not isinstance(value, str):
        return
    allowed = allowed_values(collection, column)
    if allowed is not None and value not in allowed:
        raise InvalidQuery(
            f"{param}={value!r} is not a {collection} {column}; allowed: {', '.join(allowed)}",
            field=param,
            allowed=list(allowed),
        )
    form = PATTERNS.get((collection, column))
    if form is not None and not form[0].match(value):
        raise InvalidQuery(f"{param}={value!r} is not {form[1]}", field=param)
