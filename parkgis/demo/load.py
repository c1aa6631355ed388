"""Load the demo files into the database: one transaction, COPY, explicit ids, idempotent.

A database holding anything but the demo is only overwritten when the caller says so
(``replace_all_data``; :func:`at_stake` counts what would be lost).

The load empties the demo tables (``TRUNCATE … RESTART IDENTITY CASCADE``; users, API
tokens and the reference tables are kept), streams every layer with ``COPY``, moves the
dates to the load day (see :mod:`parkgis.demo.shift`) and resets every sequence. Officers
are upserted rather than truncated, because users may be linked to them. Loading the
same files twice on the same day gives identical table contents.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pyarrow as pa
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from parkgis.demo import evaluation, programme
from parkgis.demo.files import read_layer, read_meta
from parkgis.demo.generate import DEMO_DIR
from parkgis.demo.schema import LAYERS, OFFICERS, VISITS, Layer
from parkgis.demo.shift import (
    rebase_visits,
    shift_dates,
    shift_milestones,
    shift_timestamps,
    timestamps_iso,
)
from parkgis.errors import Conflict, InvalidInput
from parkgis.io.bulk import (
    Progress,
    arrow_values,
    copy_rows,
    ewkb_hex,
    keys_and_indexes_deferred,
    reset_sequences,
)
from parkgis.zonetime import day_start, zone_today

CLEARED = ("reservations", "expansion_requests", "audit_log")
"""Tables emptied by a demo load although the demo has no rows for them."""
DEMO_OWN = {**programme.DEMO_OWN, **evaluation.DEMO_OWN}
"""Tables the load fills from the loaded rows → SQL condition true for the demo's own rows."""
DERIVED = tuple(DEMO_OWN)
"""Tables the load fills from the loaded rows (the programme's activities, the draws and
their scores), emptied first."""

LoadProgress = Callable[[str, int, int], None]
"""Called with (table, rows written so far, rows in the table)."""


@dataclass
class LoadReport:
    """What :func:`load_demo` did."""

    today: date
    shift_days: int
    counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    erased: int = 0
    """Rows that were in the tables the load emptied."""
    activities: int = 0
    """Programme activities made from the loaded rows (:mod:`parkgis.demo.programme`)."""
    derived: dict[str, int] = field(default_factory=dict)
    """Draws, their scores and investment calls made at load (:mod:`parkgis.demo.evaluation`)."""

    @property
    def rows(self) -> int:
        """Rows written in all."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class Calendar:
    """How the files' dates move: generation day, load day and the zone's time zone."""

    generated_on: date
    today: date
    tz: ZoneInfo

    @property
    def days(self) -> int:
        """Whole days every date moves by."""
        return (self.today - self.generated_on).days

    @property
    def stamp(self) -> str:
        """``created_at``/``updated_at`` of every loaded row: the load day's midnight."""
        return day_start(self.today, self.tz.key).isoformat()


def column_values(layer: Layer, table: pa.Table, cal: Calendar) -> dict[str, list[Any]]:
    """Python column lists ready for COPY, with every date moved to the load calendar.

    Dates and timestamps move by ``cal.days``; visits are re-based by month; milestone
    JSON dates move too; geometry becomes hex EWKB (SRID 4326) under the table's
    geometry column name.
    """
    out: dict[str, list[Any]] = {}
    for name, kind in layer.columns:
        col = table.column(name)
        if kind == "date":
            out[name] = arrow_values(shift_dates(col, cal.days))
        elif kind == "ts" and layer is VISITS:
            out[name] = rebase_visits(col, cal.generated_on, cal.today, cal.tz)
        elif kind == "ts":
            out[name] = timestamps_iso(shift_timestamps(col, cal.days))
        elif name == "milestones":
            out[name] = [shift_milestones(v, cal.days) for v in col.to_pylist()]
        else:
            out[name] = arrow_values(col)
    if layer.geometry is not None:
        out[layer.geometry] = ewkb_hex(table.column("geom").to_numpy(zero_copy_only=False))
    if layer.versioned:
        out["created_at"] = out["updated_at"] = [cal.stamp] * table.num_rows
    return out


@dataclass
class AtStake:
    """What a demo load would erase, and how much of it is not the demo's own data."""

    erased: dict[str, int]
    foreign: dict[str, int]

    @property
    def erased_rows(self) -> int:
        """Rows the load would erase in all."""
        return sum(self.erased.values())

    @property
    def only_demo(self) -> bool:
        """True when the database is empty or holds nothing but a demo load."""
        return not any(self.foreign.values())

    def describe(self) -> str:
        """One line naming the tables with rows that are not the demo's."""
        parts = [f"{t} {n:,}" for t, n in sorted(self.foreign.items()) if n]
        return ", ".join(parts)


_CASCADE_SQL = """
WITH RECURSIVE hit(rel) AS (
    SELECT unnest(CAST(:names AS text[]))::regclass
  UNION
    SELECT c.conrelid::regclass FROM pg_constraint c JOIN hit ON c.confrelid = hit.rel
    WHERE c.contype = 'f'
)
SELECT rel::text FROM hit
"""


_IDENTITY_KINDS = ("int", "str", "bool")
"""Columns that identify a demo row (dates move at every load; floats are left aside)."""


def _identity(layer: Layer) -> list[str]:
    return [c for c, k in layer.columns if k in _IDENTITY_KINDS]


def _fingerprints(layer: Layer, table: pa.Table) -> list[str]:
    """md5 of each demo row's identity columns, as :func:`_fingerprint_sql` computes it."""
    cols = [table.column(c).to_pylist() for c in _identity(layer)]
    out = []
    for values in zip(*cols, strict=True):
        parts = [
            ("true" if v else "false") if isinstance(v, bool) else str(v)
            for v in values
            if v is not None
        ]
        out.append(hashlib.md5("|".join(parts).encode()).hexdigest())
    return out


def _fingerprint_sql(layer: Layer) -> str:
    return "md5(concat_ws('|', " + ", ".join(f"{c}::text" for c in _identity(layer)) + "))"


def at_stake(conn: Connection, tables: dict[str, pa.Table]) -> AtStake:
    """Count what loading the demo ``tables`` would erase, and what of it is not the demo.

    A row is the demo's when its identity (id, names, codes, keys and flags; not the dates,
    which move at every load) equals one of the demo's rows. Anything else is someone's
    data: other or edited rows, every row of the tables the demo has no rows for
    (reservations, requests, the audit log, and whatever ``TRUNCATE … CASCADE`` reaches
    through foreign keys), and officers the demo does not have.
    """
    truncated = [layer.name for layer in LAYERS if layer is not OFFICERS]
    truncated += [*CLEARED, *DERIVED]
    reached = list(conn.execute(text(_CASCADE_SQL), {"names": truncated}).scalars())
    layers = {layer.name: layer for layer in LAYERS}
    erased: dict[str, int] = {}
    foreign: dict[str, int] = {}
    for rel in [*reached, OFFICERS.name]:
        name = rel.rsplit(".", 1)[-1].strip('"')
        layer = layers.get(name)
        if layer is None:
            n = int(conn.execute(text(f"SELECT count(*) FROM {rel}")).scalar_one())
            erased[name] = foreign[name] = n
            if name in DEMO_OWN:
                # coalesce: a row the condition cannot decide (NULL key) is someone's.
                own = f"SELECT count(*) FROM {rel} WHERE NOT coalesce(({DEMO_OWN[name]}), false)"
                foreign[name] = int(conn.execute(text(own)).scalar_one())
            continue
        prints = _fingerprints(layer, tables[name])
        added = evaluation.DEMO_OWN_IN_LAYERS.get(name, "false")  # rows the load adds
        other = int(
            conn.execute(
                text(
                    f"SELECT count(*) FROM {rel} WHERE NOT ({_fingerprint_sql(layer)} = ANY(:p)) "
                    f"AND NOT coalesce(({added}), false)"
                ),
                {"p": prints},
            ).scalar_one()
        )
        foreign[name] = other
        if layer is OFFICERS:  # upserted: the demo's own officers are not lost
            erased[name] = other
        else:
            erased[name] = int(conn.execute(text(f"SELECT count(*) FROM {rel}")).scalar_one())
    return AtStake(erased, foreign)


def _truncate(conn: Connection) -> None:
    users = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    names = [layer.name for layer in LAYERS if layer is not OFFICERS] + [*CLEARED, *DERIVED]
    conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
    if conn.execute(text("SELECT count(*) FROM users")).scalar_one() != users:
        raise Conflict("emptying the demo tables would remove users; nothing was loaded")


def _upsert_officers(conn: Connection, cols: dict[str, list[Any]], progress: Progress) -> int:
    names = list(cols)
    col_list = ", ".join(names)
    conn.execute(text("DROP TABLE IF EXISTS _demo_officers"))
    conn.execute(
        text(f"CREATE TEMP TABLE _demo_officers AS SELECT {col_list} FROM officers LIMIT 0")
    )
    n = copy_rows(
        conn, "_demo_officers", names, zip(*cols.values(), strict=True), progress=progress
    )
    linked = conn.execute(
        text(
            "SELECT string_agg(name, ', ' ORDER BY name) FROM users WHERE role = 'officer' "
            "AND officer_id NOT IN (SELECT id FROM _demo_officers)"
        )
    ).scalar()
    if linked:
        raise Conflict(
            f"users {linked} are linked to officers the demo does not have; relink or delete "
            "them before loading the demo"
        )
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c != "id")
    conn.execute(
        text(
            f"INSERT INTO officers ({col_list}, version) SELECT {col_list}, 1 FROM _demo_officers "
            f"ON CONFLICT (id) DO UPDATE SET {updates}, version = 1"
        )
    )
    conn.execute(text("DELETE FROM officers WHERE id NOT IN (SELECT id FROM _demo_officers)"))
    conn.execute(text("DROP TABLE _demo_officers"))
    return n


def _load_layer(
    conn: Connection,
    layer: Layer,
    table: pa.Table,
    cal: Calendar,
    report: LoadReport,
    progress: LoadProgress | None,
) -> None:
    start = time.perf_counter()
    cols = column_values(layer, table, cal)
    total, done = table.num_rows, 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(layer.name, done, total)

    if layer is OFFICERS:
        n = _upsert_officers(conn, cols, tick)
    else:
        n = copy_rows(conn, layer.name, list(cols), zip(*cols.values(), strict=True), progress=tick)
    if progress is not None and total == 0:
        progress(layer.name, 0, 0)
    report.counts[layer.name] = n
    report.seconds[layer.name] = time.perf_counter() - start


def read_demo(directory: Path) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    """``meta.json`` and every layer of a demo directory, checked against each other.

    Raises
    ------
    InvalidInput
        A file is missing or a layer's row count differs from ``meta.json``.
    """
    meta = read_meta(directory)
    tables = {layer.name: read_layer(directory, layer) for layer in LAYERS}
    for name, table in tables.items():
        expected = meta.get("counts", {}).get(name)
        if expected is not None and expected != table.num_rows:
            raise InvalidInput(
                f"demo layer {name!r} has {table.num_rows} rows but meta.json says {expected}; "
                "regenerate the demo files"
            )
    return meta, tables


def load_demo(
    conn: Connection,
    data_dir: Path | None = None,
    *,
    today: date | None = None,
    progress: LoadProgress | None = None,
    replace_all_data: bool = True,
) -> LoadReport:
    """Replace the demo tables' contents with the demo files in ``data_dir``.

    Runs on the caller's connection and transaction (nothing is committed here), so a
    test can load inside a transaction it rolls back, and the CLI commits once. While
    the rows stream in, the demo tables' foreign keys and secondary indexes are set
    aside and rebuilt at the end (every key is still checked).

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A psycopg 3 connection to a migrated parkgis database.
    data_dir : Path, optional
        A directory written by :func:`parkgis.demo.generate` (default: the committed
        ``data/parcels``).
    today : date, optional
        The load day in zone time (default: today in the demo's time zone). Every date
        moves by ``today - generated_on`` days; visits are re-based by month.
    progress : callable, optional
        See :data:`LoadProgress`.
    replace_all_data : bool, default True
        When False, refuse (:class:`Conflict`, nothing changed) if the database holds
        anything but the demo; see :func:`at_stake`. ``parkgis demo load`` passes False
        unless given ``--replace-all-data``.

    Returns
    -------
    LoadReport
        Rows per table, seconds per step and the shift applied.

    Raises
    ------
    InvalidInput
        The files are missing, inconsistent with ``meta.json``, or refused by the database.
    Conflict
        Users are linked to officers the demo does not have, or (``replace_all_data``
        False) the database holds data that is not the demo.
    """
    directory = Path(data_dir) if data_dir is not None else DEMO_DIR
    meta, tables = read_demo(directory)
    tz = str(meta.get("timezone", "Asia/Shanghai"))
    generated_on = date.fromisoformat(str(meta["generated_on"]))
    cal = Calendar(generated_on, today or zone_today(tz), ZoneInfo(tz))
    report = LoadReport(cal.today, cal.days, {})
    stake = at_stake(conn, tables)
    report.erased = stake.erased_rows
    if not replace_all_data and not stake.only_demo:
        raise Conflict(
            f"the database holds data that is not the demo ({stake.describe()}); loading the "
            f"demo would erase {stake.erased_rows:,} rows. Nothing was changed: use "
            "`parkgis demo load --replace-all-data` to erase them, or load the demo into "
            "another database (PARKGIS_DB_NAME)",
            erased_rows=stake.erased_rows,
        )
    loaded = [layer.name for layer in LAYERS if layer is not OFFICERS]
    step = "emptying the demo tables"
    try:
        _truncate(conn)
        step = "loading officers"
        _load_layer(conn, OFFICERS, tables[OFFICERS.name], cal, report, progress)
        with keys_and_indexes_deferred(conn, loaded):
            for layer in LAYERS:
                if layer is not OFFICERS:
                    step = f"loading {layer.name}"
                    _load_layer(conn, layer, tables[layer.name], cal, report, progress)
            step = "checking keys and building indexes"
            start = time.perf_counter()
        reset_sequences(conn, [*loaded, OFFICERS.name, *CLEARED])
        report.seconds["keys and indexes"] = time.perf_counter() - start
        step, start = "adding the programme's activities", time.perf_counter()
        report.activities = programme.load_activities(conn, cal.today, cal.stamp)
        report.derived = evaluation.load_evaluation(conn, cal.today, cal.tz.key, cal.stamp)
        report.seconds["activities"] = time.perf_counter() - start
    except (DBAPIError, psycopg.Error) as exc:
        raise InvalidInput(f"{step}: {_first_line(exc)}") from exc
    return report


def _first_line(exc: BaseException) -> str:
    msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return msg[0] if msg else exc.__class__.__name__
