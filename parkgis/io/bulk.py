"""Fast bulk writes into PostGIS with PostgreSQL ``COPY`` (psycopg 3).

Importers hand over rows (or Arrow columns) and geometry as WKB; this module streams
them with ``COPY ... FROM STDIN`` on the caller's connection, inside the caller's
transaction, so a failed load leaves nothing behind. Geometry travels as hex EWKB with
its SRID, which PostGIS parses straight into typed ``geometry(…, 4326)`` columns.
Generated columns (``area_m2``, ``footprint_m2``) must stay out of the
column list: PostgreSQL computes them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from psycopg import sql
from sqlalchemy import Connection

from parkgis.errors import InvalidInput

Progress = Callable[[int], None]
"""Called with the number of rows written since the last call."""


def driver_connection(conn: Connection) -> Any:
    """The psycopg connection under a SQLAlchemy ``Connection`` (same transaction).

    Raises
    ------
    InvalidInput
        The engine does not use psycopg 3 (``postgresql+psycopg://``).
    """
    raw = conn.connection.driver_connection
    if (
        raw is None
        or not hasattr(raw, "cursor")
        or not raw.__class__.__module__.startswith("psycopg")
    ):
        raise InvalidInput("bulk COPY needs a postgresql+psycopg:// (psycopg 3) connection")
    return raw


def ewkb_hex(wkb: Sequence[bytes | None] | np.ndarray, srid: int = 4326) -> list[str | None]:
    """Hex EWKB (with ``srid``) for each WKB value; None stays None.

    Parameters
    ----------
    wkb : sequence of bytes or None
        ISO or extended WKB, as read from a GeoPackage or written by shapely.
    srid : int
        SRID to embed (the target column's, 4326 for parkgis).

    Notes
    -----
    Little-endian 2D WKB (what GDAL and shapely write) only needs its header rewritten,
    which is done here byte-wise; anything else goes through shapely.
    """
    srid_le = struct.pack("<I", srid)
    out: list[str | None] = []
    slow: list[int] = []
    for i, b in enumerate(wkb):
        if b is None:
            out.append(None)
            continue
        kind = int.from_bytes(b[1:5], "little") if b[0] == 1 else 0
        if 1 <= kind <= 7:
            out.append((b[:1] + (kind | 0x20000000).to_bytes(4, "little") + srid_le + b[5:]).hex())
        else:
            out.append(None)
            slow.append(i)
    if slow:
        arr = np.empty(len(slow), dtype=object)
        arr[:] = [wkb[i] for i in slow]
        geoms = shapely.set_srid(shapely.from_wkb(arr), srid)
        for i, value in zip(slow, shapely.to_wkb(geoms, hex=True, include_srid=True), strict=True):
            out[i] = value
    return out


def arrow_values(col: pa.Array | pa.ChunkedArray) -> list[Any]:
    """Python values of an Arrow column, ready for :func:`copy_rows` (None for nulls).

    Numbers and booleans come through numpy, dates as ISO texts; several times faster
    than ``to_pylist()``, which matters at hundreds of thousands of rows.
    """
    kind = col.type
    mask = pc.is_null(col).to_numpy(zero_copy_only=False)
    values: list[Any]
    if pa.types.is_date32(kind):
        days = pc.fill_null(pc.cast(col, pa.int32()), 0).to_numpy(zero_copy_only=False)
        values = np.datetime_as_string(days.astype("datetime64[D]")).tolist()
    elif pa.types.is_boolean(kind):
        values = pc.fill_null(col, False).to_numpy(zero_copy_only=False).tolist()
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values = pc.fill_null(col, pa.scalar(0, kind)).to_numpy(zero_copy_only=False).tolist()
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return list(col.to_numpy(zero_copy_only=False).tolist())
    else:
        return list(col.to_pylist())
    if mask.any():
        values = [None if m else v for v, m in zip(values, mask.tolist(), strict=True)]
    return values


def copy_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Progress | None = None,
    every: int = 5000,
) -> int:
    """Stream rows into ``table`` with ``COPY (columns) FROM STDIN``.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A psycopg 3 connection; the rows become part of its current transaction.
    table : str
        Target table (optionally ``schema.table``).
    columns : sequence of str
        Target columns, in the order of each row's values. Leave generated columns out.
    rows : iterable of sequences
        Python values (``None`` for NULL); geometry as hex EWKB (see :func:`ewkb_hex`),
        JSON as text.
    progress : callable, optional
        Told how many rows were written, every ``every`` rows and at the end.

    Returns
    -------
    int
        Rows written.
    """
    raw = driver_connection(conn)
    parts = table.split(".")
    target = sql.SQL(".").join(sql.Identifier(p) for p in parts)
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    n = pending = 0
    with raw.cursor() as cur, cur.copy(stmt) as copy:
        write = copy.write_row
        for row in rows:
            write(row)
            pending += 1
            if pending == every:
                n += pending
                if progress is not None:
                    progress(pending)
                pending = 0
    n += pending
    if progress is not None and pending:
        progress(pending)
    return n


def copy_columns(
    conn: Connection,
    table: str,
    data: dict[str, Sequence[Any]],
    *,
    progress: Progress | None = None,
) -> int:
    """:func:`copy_rows` for column-oriented data (``{column: values}``, equal lengths)."""
    columns = list(data)
    lengths = {len(v) for v in data.values()}
    if len(lengths) > 1:
        raise InvalidInput(f"columns for {table} have different lengths: {sorted(lengths)}")
    return copy_rows(conn, table, columns, zip(*data.values(), strict=True), progress=progress)


@contextmanager
def keys_and_indexes_deferred(conn: Connection, tables: Sequence[str]) -> Iterator[None]:
    """Drop the tables' foreign keys and secondary indexes now, re-create them on exit.

    The pg_restore recipe for bulk loads: rows go in without a per-row foreign-key
    trigger or index update, then each index is built in one pass and each foreign key
    is checked with one query (``ALTER TABLE … ADD CONSTRAINT`` validates every row).
    Definitions and names come from the catalog, so the schema ends as it began.
    Primary keys, unique indexes and CHECK constraints stay in force throughout.

    Use it inside a transaction that is rolled back on error (DDL is transactional in
    PostgreSQL): if the body raises, nothing is re-created here and the rollback restores
    everything. The tables are locked (ACCESS EXCLUSIVE) until the transaction ends.
    """
    raw = driver_connection(conn)
    with raw.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            (list(tables),),
        )
        fkeys = cur.fetchall()
        cur.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            (list(tables),),
        )
        indexes = cur.fetchall()
        for table, name, _ in fkeys:
            cur.execute(sql.SQL(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        for name, _ in indexes:
            cur.execute(sql.SQL(f"DROP INDEX {name}"))
    yield
    with raw.cursor() as cur:
        for _, definition in indexes:
            cur.execute(sql.SQL(definition))
        for table, name, definition in fkeys:
            cur.execute(sql.SQL(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))


def reset_sequences(conn: Connection, tables: Iterable[str], column: str = "id") -> None:
    """Point each table's ``column`` sequence just past its largest value (1 when empty).

    Uses ``ALTER SEQUENCE … RESTART``, which, unlike ``setval()``, is undone by a
    rollback, so a load inside a rolled-back transaction leaves the sequences as they were.
    """
    raw = driver_connection(conn)
    with raw.cursor() as cur:
        for table in tables:
            cur.execute(
                sql.SQL(
                    "SELECT pg_get_serial_sequence({t}, {c}), coalesce(max({ci}), 0) + 1 FROM {ti}"
                ).format(
                    t=sql.Literal(table),
                    c=sql.Literal(column),
                    ci=sql.Identifier(column),
                    ti=sql.Identifier(*table.split(".")),
                )
            )
            row = cur.fetchone()
            if row is None or row[0] is None:
                continue
            cur.execute(sql.SQL(f"ALTER SEQUENCE {row[0]} RESTART WITH {int(row[1])}"))
