"""The staging table of an import: every feature goes here first, then checks run in SQL.

``io_stage`` is a temporary table dropped at commit or rollback. Duplicate keys, keys
already stored, references to missing rows, area columns that disagree with the geodesic
area and overlaps with stored parcels are all found here, in the same transaction that
later writes the rows.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from parkgis.io.fields import Problem
from parkgis.io.targets import Field, Target

STAGE = "io_stage"
SQL_TYPES = {
    "text": "text",
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
    "date": "date",
    "json": "jsonb",
}
ARROW_TYPES = {
    "text": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "json": pa.string(),
}
"""How each field kind travels to the staging table (see :func:`parkgis.io.fields.to_arrow`)."""
SESSION = {
    "jit": "off",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
}
"""``SET LOCAL`` for the import's transaction: JIT compiling costs more than it saves on
these one-pass statements; the write's CTE and the index rebuilds fit in memory. The
commit still waits for the WAL flush: an import reported as loaded survives a crash (one
flush at the end of a one-transaction load costs nothing measurable)."""
TEMP_BUFFERS = "128MB"
"""Session memory for the staging table (a temporary table lives in local buffers)."""
AREA_TOLERANCE = 0.01
"""An area column may differ from the geodesic area by this fraction before it is reported."""
OVERLAP_MIN_M2 = 1.0
GRID_DEG = 1e-7
"""Geometries equal on this grid (degrees, about 1 cm) count as the same: below the 7
decimals that exports write."""
LIMIT = 200


def tune(conn: Connection) -> None:
    """Apply :data:`SESSION` (and :data:`TEMP_BUFFERS` when the session still allows it)."""
    for name, value in SESSION.items():
        conn.execute(text(f"SET LOCAL {name} = '{value}'"))
    try:
        # PostgreSQL refuses once this session has touched any temporary table.
        with conn.begin_nested():
            conn.execute(text(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'"))
    except DBAPIError:
        pass


def kind_of(tgt: Target, name: str) -> str:
    """The field kind of a staged column (``id``, ``_area`` and the props column included)."""
    if name == "id":
        return "int"
    if name == "_area":
        return "float"
    if name == tgt.props_column:
        return "json"
    return tgt.field(name).kind


def create(conn: Connection, columns: list[tuple[str, str]]) -> None:
    """Create the staging table with ``_row``, the given ``(name, sql type)`` and ``geom``."""
    cols = "".join(f'"{n}" {t}, ' for n, t in columns)
    conn.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))
    conn.execute(
        text(
            f"CREATE TEMP TABLE {STAGE} (_row integer PRIMARY KEY, {cols}"
            "geom geometry(Geometry, 4326), _ok boolean NOT NULL) ON COMMIT DROP"
        )
    )


def columns_for(tgt: Target, names: list[str]) -> list[tuple[str, str]]:
    """SQL column definitions for the staged field names (plus props, id and _area)."""
    out: list[tuple[str, str]] = []
    for n in names:
        if n == "id":
            out.append(("id", "bigint"))
        elif n == "_area":
            out.append(("_area", "double precision"))
        elif n == tgt.props_column:
            out.append((n, "jsonb"))
        else:
            out.append((n, SQL_TYPES[tgt.field(n).kind]))
    return out


def _rows(conn: Connection, sql: str, **params: Any) -> list[Any]:
    return list(conn.execute(text(sql), params))


def check(
    conn: Connection,
    tgt: Target,
    staged: list[str],
    key: str | None,
    mode: str,
    *,
    rel: str = STAGE,
    stored: str | None = None,
) -> list[Problem]:
    """SQL checks on the staged rows (see the module docstring).

    Parameters
    ----------
    rel : str
        The relation holding the file's rows (``_row``, the ``staged`` columns, ``geom``):
        the staging table, or a view of rows already written to the target.
    stored : str, optional
        The rows already in the target table that the file's rows are checked against
        (default: the whole table); SQL usable after ``FROM``.
    """
    stored = stored or tgt.table
    out: list[Problem] = []
    # Nothing stored yet (a first load): no key can exist and nothing can overlap.
    any_stored = bool(conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {stored} t)")).scalar())
    if key and key in staged:
        # The keys first (no per-key arrays for the 100,000 keys that are fine), then rows.
        for k, rows in _rows(
            conn,
            f'WITH d AS (SELECT "{key}" AS k, min(_row) AS first FROM {rel} '
            f'WHERE "{key}" IS NOT NULL GROUP BY 1 HAVING count(*) > 1 ORDER BY 2 LIMIT {LIMIT}) '
            f"SELECT d.k::text, array_agg(s._row ORDER BY s._row) FROM d "
            f'JOIN {rel} s ON s."{key}" = d.k GROUP BY d.k, d.first ORDER BY d.first',
        ):
            for r in rows:
                others = ", ".join(str(x) for x in rows if x != r)
                out.append(
                    Problem(
                        r, key, "duplicate_key", f"{key} {k!r} appears again in row(s) {others}"
                    )
                )
        if mode == "insert" and any_stored:
            for r, k in _rows(
                conn,
                f'SELECT s._row, s."{key}"::text FROM {rel} s JOIN {stored} t '
                f'ON t."{key}" = s."{key}" ORDER BY 1 LIMIT {LIMIT}',
            ):
                out.append(
                    Problem(r, key, "exists", f"{key} {k!r} is already stored (use --mode upsert)")
                )
    for f in tgt.fields:
        if f.references and f.name in staged:
            out += _missing_refs(conn, f, rel)
    if "_area" in staged:
        for r, given, actual in _rows(
            conn,
            f"SELECT _row, _area, ST_Area(geom::geography) a FROM {rel} "
            "WHERE _area IS NOT NULL AND geom IS NOT NULL AND "
            f"abs(_area - ST_Area(geom::geography)) > {AREA_TOLERANCE} * "
            f"greatest(ST_Area(geom::geography), 1) ORDER BY _row LIMIT {LIMIT}",
        ):
            out.append(
                Problem(
                    r,
                    "area",
                    "area_differs",
                    f"the file says {given:,.1f} m², the geometry measures "
                    f"{actual:,.1f} m² (the measured area is stored)",
                    "warning",
                )
            )
    if tgt.table == "parcels" and any_stored:
        same = unchanged = ""
        if "code" in staged:
            # A parcel already stored under its code with this geometry (an upsert of the
            # same cadastre) overlaps nothing it did not overlap before: not measured again.
            same = "AND t.code IS DISTINCT FROM s.code"
            unchanged = (
                f"AND NOT EXISTS (SELECT 1 FROM {stored} u WHERE u.code = s.code AND "
                f"ST_SnapToGrid(u.geom, {GRID_DEG}) = ST_SnapToGrid(s.geom, {GRID_DEG}))"
            )
        # Interiors that share an area ('2' in DE-9IM) before the costly intersection:
        # neighbours that only share an edge are most of the candidates.
        for r, code, area in _rows(
            conn,
            f"SELECT s._row, t.code, ST_Area(ST_Intersection(s.geom, t.geom)::geography) "
            f"FROM {rel} s JOIN {stored} t ON ST_Intersects(s.geom, t.geom) {same} "
            f"AND ST_Relate(s.geom, t.geom, '2********') "
            f"WHERE ST_Area(ST_Intersection(s.geom, t.geom)::geography) > {OVERLAP_MIN_M2} "
            f"{unchanged} ORDER BY 1 LIMIT {LIMIT}",
        ):
            out.append(
                Problem(
                    r,
                    "geometry",
                    "overlaps_stored",
                    f"overlaps stored parcel {code} by {area:,.0f} m²",
                    "warning",
                )
            )
    return out


def _missing_refs(conn: Connection, f: Field, rel: str) -> list[Problem]:
    assert f.references is not None
    table, col = f.references.split(".")
    return [
        Problem(r, f.name, "unknown_reference", f"{v!r} is not a stored {table}.{col}")
        for r, v in _rows(
            conn,
            f'SELECT s._row, s."{f.name}"::text FROM {rel} s WHERE s."{f.name}" IS NOT NULL '
            f'AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r."{col}" = s."{f.name}") '
            f"ORDER BY 1 LIMIT {LIMIT}",
        )
    ]
