"""Write a clean file straight into its table, then check; anything amiss goes back to staging.

The staging path (:mod:`parkgis.io.stage`, :mod:`parkgis.io.write`) copies every feature
into a temporary table, checks, and only then inserts into the target, so the server
handles each row twice, and all of the insert's work (constraints, generated geodesic
areas, WAL) waits until Python has read the last batch. Most files that get loaded have
nothing wrong with them, so a plain ``insert`` of new rows first tries this path, inside a
savepoint the caller holds:

1. ids for the file's features are reserved in one block of the table's sequence, so a
   row's id says which feature it is;
2. the batches go straight into the table through one streaming COPY: the server inserts
   batch *k* while Python reads and checks batch *k + 1*. A big load drops the table's
   secondary indexes and foreign keys and rebuilds them once
   (:func:`parkgis.io.bulk.keys_and_indexes_deferred`);
3. the staging checks run on the new rows (:func:`parkgis.io.stage.check` over a view),
   against the rows stored before;
4. one audit row per new row is written from the table (:func:`parkgis.io.write.audit_new`).

A row error found while reading, a constraint the database refuses or an error from the
checks raises :class:`NotClean` (or the database's error); the caller rolls the savepoint
back and runs the staging path, whose report lists every problem. A refused file costs a
partial read more, never a different answer; rows are only ever committed by the caller.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import nullcontext

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy.exc
from sqlalchemy import Connection, text

from parkgis.io import stage
from parkgis.io.arrowcopy import CsvCopy
from parkgis.io.batches import Checked
from parkgis.io.bulk import keys_and_indexes_deferred
from parkgis.io.fields import Mapping
from parkgis.io.targets import Target
from parkgis.io.write import audit_new, is_bulk

NEW = "io_new"
"""The view of the rows this import has written (``_row``, the fields, ``geom``)."""


class NotClean(Exception):
    """The file needs the staging path: a row error, or an error from the SQL checks."""


REFUSED: tuple[type[BaseException], ...] = (
    NotClean,
    psycopg.errors.IntegrityError,
    psycopg.errors.DataError,
    sqlalchemy.exc.IntegrityError,
    sqlalchemy.exc.DataError,
)
"""What sends an import back to the staging path (after the savepoint is rolled back)."""


class _Clock:
    """Seconds per step, into ``laps``."""

    def __init__(self, laps: dict[str, float]) -> None:
        self.laps = laps
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.t, 3)
        self.t = now


def eligible(*, mode: str, dry_run: bool, preview: int, mapping: Mapping, count: int) -> bool:
    """Whether a file may try this path: a load (not a dry run) that only inserts, with
    no ids and no area column from the file, all required fields mapped, and a known
    feature count (the ids to reserve)."""
    return (
        mode == "insert"
        and not dry_run
        and not preview
        and mapping.id_source is None
        and mapping.area_source is None
        and not mapping.missing_required
        and count > 0
    )


def _reserve(conn: Connection, table: str, n: int) -> int:
    """The first of ``n`` consecutive ids taken from ``table``'s id sequence.

    Raises
    ------
    NotClean
        The table has no id sequence, or another session took ids in between (the block
        is not consecutive).
    """
    seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
    if seq is None:
        raise NotClean(f"{table} has no id sequence")
    lo, hi = conn.execute(
        text(
            "SELECT min(v), max(v) FROM "
            "(SELECT nextval(CAST(:s AS regclass)) AS v FROM generate_series(1, :n)) s"
        ),
        {"s": seq, "n": n},
    ).one()
    if hi - lo + 1 != n:
        raise NotClean("the id sequence was shared meanwhile")
    return int(lo)


def load(
    conn: Connection,
    tables: Iterable[pa.Table],
    found: Checked,
    *,
    tgt: Target,
    names: list[str],
    key: str | None,
    expected: int,
    import_id: int,
    sha256: str,
    user_id: int | None,
    actor: str,
    timing: dict[str, float] | None = None,
) -> int:
    """Write the file's rows into ``tgt.table``, check them and audit them; return the count.

    Parameters
    ----------
    tables : iterable of pyarrow.Table
        The batches of :func:`parkgis.io.batches.tables` (``_row, *names, geom, _ok``);
        their problems accumulate in ``found``.
    names : list of str
        The fields to write (never ``id`` or ``_area``, see :func:`eligible`).
    expected : int
        The file's feature count (ids reserved).
    timing : dict, optional
        Receives the seconds of each step (read and copy, keys and indexes, check, audit).

    Raises
    ------
    NotClean, psycopg.Error
        See :data:`REFUSED`; the caller rolls back its savepoint.
    """
    clock = _Clock(timing if timing is not None else {})
    lo = _reserve(conn, tgt.table, expected)
    geom = tgt.geom_column
    columns = ["id", *names, *([geom] if geom else [])]
    if tgt.table == "context_features":
        columns.append("import_id")
    bulk = is_bulk(conn, tgt.table, expected)
    deferred = keys_and_indexes_deferred(conn, [tgt.table]) if bulk else nullcontext()
    with deferred:
        with CsvCopy(conn, tgt.table, columns) as sink:
            for batch in tables:
                if found.has_errors:
                    raise NotClean("a feature has an error")
                if found.read > expected:
                    raise NotClean("the file holds more features than it said")
                arrays = [pc.add(batch.column("_row").cast(pa.int64()), lo - 1)]
                arrays += [batch.column(c) for c in names]
                if geom:
                    arrays.append(batch.column("geom"))
                if tgt.table == "context_features":
                    arrays.append(pa.array(np.full(batch.num_rows, import_id, dtype=np.int64)))
                sink.write(pa.Table.from_arrays(arrays, names=columns))
        clock.lap("read_and_copy")
    clock.lap("keys_and_indexes")
    if found.read == 0:
        raise NotClean("no features")
    hi = lo + found.read - 1
    picked = [f"(id - {lo} + 1)::integer AS _row", *(f'"{c}"' for c in names)]
    picked.append(f"{geom or 'NULL::geometry'} AS geom")
    conn.execute(
        text(
            f"CREATE TEMP VIEW {NEW} AS SELECT {', '.join(picked)} FROM {tgt.table} "
            f"WHERE id BETWEEN {lo} AND {hi}"
        )
    )
    problems = stage.check(
        conn,
        tgt,
        names,
        key,
        "insert",
        rel=NEW,
        stored=f"(SELECT * FROM {tgt.table} WHERE id NOT BETWEEN {lo} AND {hi})",
    )
    conn.execute(text(f"DROP VIEW {NEW}"))
    if any(p.severity == "error" for p in problems):
        raise NotClean("the checks found errors")
    found.problems += problems
    clock.lap("check")
    audit_new(
        conn,
        tgt,
        lo,
        hi,
        import_id=import_id,
        sha256=sha256,
        user_id=user_id,
        actor=actor,
    )
    clock.lap("audit")
    return found.read
