"""Write staged rows into their table: insert, or upsert by key with version bumps and audit.

Everything happens in SQL on the staging table, in the caller's transaction. Every row
written gets an audit row (action ``import`` for new rows, ``update`` for changed ones)
whose ``after`` carries ``_import: {id, sha256}``. Updated rows get ``version + 1``, and
their audit row the changed fields before and after. Rows whose values equal the stored
ones are skipped.

A new row's audit row holds only the stamp (:data:`NEW_AFTER`): its values are the row's
version 1, which the table holds until a change, whose audit row keeps the values before
it (a delete keeps them all), so every version can still be rebuilt. Copying each new row
into JSON as well cost the database about 1 s per 100,000 parcels, a fifth of its share of
an import (``bench/import.py --floor``).
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from parkgis.io.bulk import keys_and_indexes_deferred
from parkgis.io.stage import GRID_DEG, STAGE
from parkgis.io.targets import Target

BULK_ROWS = 20_000
"""From this many new rows on, keys and indexes are rebuilt once instead of row by row."""


@dataclass
class Plan:
    """What a load would do."""

    insert: int
    update: int
    skip: int


def _differs(cols: list[str], geom_col: str | None) -> str:
    parts = [f'(t."{c}")::text IS DISTINCT FROM (s."{c}")::text' for c in cols]
    if geom_col:
        # Below the 7 decimals (about 1 cm) that exports write, and whatever the ring order
        # (shapefiles turn rings clockwise), a geometry has not changed.
        parts.append(
            f"NOT (t.{geom_col} IS NOT DISTINCT FROM s.geom OR ST_Equals("
            f"ST_SnapToGrid(t.{geom_col}, {GRID_DEG}), ST_SnapToGrid(s.geom, {GRID_DEG})))"
        )
    return " OR ".join(parts) or "false"


def _rows_now(conn: Connection, table: str) -> int:
    """The planner's estimate of the table's rows (cheap; 0 for a never-analysed table)."""
    est = conn.execute(
        text(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = CAST(:t AS regclass)"
        ),
        {"t": table},
    ).scalar()
    return int(est or 0)


def is_bulk(conn: Connection, table: str, expected: int) -> bool:
    """Whether ``expected`` new rows are a big load: at least :data:`BULK_ROWS`, and at least
    half as many as the table holds (then keys and indexes are rebuilt once, see
    :func:`write`)."""
    return expected >= BULK_ROWS and expected >= _rows_now(conn, table) // 2


def _audit_params(
    tgt: Target, import_id: int, sha256: str, user_id: int | None, actor: str
) -> dict[str, Any]:
    return {
        "iid": import_id,
        "uid": user_id,
        "actor": actor,
        "entity": tgt.table,
        "stamp": json.dumps({"id": import_id, "sha256": sha256}),
        "new_after": json.dumps({"_import": {"id": import_id, "sha256": sha256}}),
    }


STAMP = "CAST(:stamp AS jsonb)"
"""The import's stamp in an audit row's ``after``: ``{"id": import id, "sha256": file hash}``."""
NEW_AFTER = "CAST(:new_after AS jsonb)"
"""A new row's audit ``after``: ``{"_import": stamp}`` (see the module docstring)."""
AUDIT_NEW = (
    "INSERT INTO audit_log (user_id, actor, action, entity, entity_id, after) "
    "SELECT CAST(:uid AS integer), CAST(:actor AS text), 'import', CAST(:entity AS text), "
    f"x.id, {NEW_AFTER} "
)


def audit_new(
    conn: Connection,
    tgt: Target,
    first_id: int,
    last_id: int,
    *,
    import_id: int,
    sha256: str,
    user_id: int | None,
    actor: str,
) -> int:
    """One audit row (action ``import``, ``after`` = :data:`NEW_AFTER`) for each row of
    ``tgt`` with an id in ``first_id..last_id`` (the rows an import has just written); the
    same rows as :func:`write` audits for its inserts. Returns how many."""
    return conn.execute(
        text(f"{AUDIT_NEW}FROM {tgt.table} x WHERE x.id BETWEEN :lo AND :hi"),
        {**_audit_params(tgt, import_id, sha256, user_id, actor), "lo": first_id, "hi": last_id},
    ).rowcount


def plan(conn: Connection, tgt: Target, cols: list[str], key: str | None, mode: str) -> Plan:
    """Counts of rows to insert, update and skip (only rows without errors, ``_ok``)."""
    total = conn.execute(text(f"SELECT count(*) FROM {STAGE} WHERE _ok")).scalar_one()
    if mode != "upsert" or not key:
        return Plan(int(total), 0, 0)
    matched, changed = conn.execute(
        text(
            f"SELECT count(*), count(*) FILTER (WHERE {_differs(cols, tgt.geom_column)}) "
            f'FROM {STAGE} s JOIN {tgt.table} t ON t."{key}" = s."{key}" WHERE s._ok'
        )
    ).one()
    return Plan(int(total - matched), int(changed), int(matched - changed))


def write(
    conn: Connection,
    tgt: Target,
    cols: list[str],
    *,
    key: str | None,
    mode: str,
    import_id: int,
    sha256: str,
    user_id: int | None,
    actor: str,
    expected_inserts: int = 0,
) -> tuple[int, int]:
    """Insert new rows and update changed ones; return (inserted, updated).

    A big load (at least :data:`BULK_ROWS` new rows, and at least half as many as the table
    holds) drops the table's foreign keys and secondary indexes first and re-creates them
    afterwards (:func:`parkgis.io.bulk.keys_and_indexes_deferred`): one index build and one
    key check instead of one per row. The table is locked until the transaction ends.
    Audit rows of inserted rows carry the import stamp (see the module docstring).
    """
    geom = tgt.geom_column
    ins_cols = list(cols)
    sel_cols = [f's."{c}"' for c in cols]
    if geom:
        ins_cols.append(geom)
        sel_cols.append("s.geom")
    if tgt.table == "context_features":
        ins_cols.append("import_id")
        sel_cols.append("CAST(:iid AS integer)")
    params = _audit_params(tgt, import_id, sha256, user_id, actor)
    stamp = STAMP
    geo_json = (
        f"jsonb_build_object('{geom}', ST_AsGeoJSON(x.{geom})::jsonb)" if geom else "'{}'::jsonb"
    )
    unmatched = ""
    if mode == "upsert" and key:
        unmatched = f'AND NOT EXISTS (SELECT 1 FROM {tgt.table} t WHERE t."{key}" = s."{key}")'
    quoted = ", ".join(f'"{c}"' for c in ins_cols)
    bulk = is_bulk(conn, tgt.table, expected_inserts)
    with keys_and_indexes_deferred(conn, [tgt.table]) if bulk else nullcontext():
        inserted = conn.execute(
            text(
                f"WITH x AS (INSERT INTO {tgt.table} ({quoted}) "
                f"SELECT {', '.join(sel_cols)} FROM {STAGE} s WHERE s._ok {unmatched} "
                f"RETURNING id), a AS ({AUDIT_NEW}FROM x) SELECT count(*) FROM x"
            ),
            params,
        ).scalar_one()
    updated = 0
    if mode == "upsert" and key:
        sets = [f'"{c}" = s."{c}"' for c in cols if c != key]
        if geom:
            sets.append(f"{geom} = s.geom")
        if tgt.table == "context_features":
            sets.append("import_id = CAST(:iid AS integer)")
        sets += ["version = t.version + 1", "updated_at = now()"]
        updated = conn.execute(
            text(
                f"WITH s AS (SELECT s.*, t.id AS _tid, "
                f"(to_jsonb(t) - '{geom or ''}') || "
                f"{geo_json.replace('x.', 't.')} AS _before "
                f'FROM {STAGE} s JOIN {tgt.table} t ON t."{key}" = s."{key}" '
                f"WHERE s._ok AND ({_differs(cols, geom)})), "
                f"x AS (UPDATE {tgt.table} t SET {', '.join(sets)} FROM s WHERE t.id = s._tid "
                f"RETURNING t.*, s._before), "
                # MATERIALIZED: the audit below reads n once per key of each row; inlined, the
                # row's JSON and GeoJSON were rebuilt for every key (6.5x slower in all).
                f"j AS MATERIALIZED (SELECT x.id, x._before AS b, "
                f"(to_jsonb(x) - '_before' - '{geom or ''}') || {geo_json} AS n FROM x), "
                f"a AS (INSERT INTO audit_log (user_id, actor, action, entity, entity_id, "
                f"before, after) SELECT CAST(:uid AS integer), CAST(:actor AS text), 'update', "
                f"CAST(:entity AS text), j.id, "
                f"(SELECT jsonb_object_agg(k, v) FROM jsonb_each(j.b) e(k, v) "
                f" WHERE j.n -> k IS DISTINCT FROM v AND k <> 'updated_at' OR k = 'version'), "
                f"(SELECT jsonb_object_agg(k, v) FROM jsonb_each(j.n) e(k, v) "
                f" WHERE j.b -> k IS DISTINCT FROM v AND k <> 'updated_at' OR k = 'version') "
                f"|| jsonb_build_object('_import', {stamp}) FROM j) "
                f"SELECT count(*) FROM x"
            ),
            params,
        ).scalar_one()
    if "id" in cols:
        from parkgis.io.bulk import reset_sequences

        reset_sequences(conn, [tgt.table])
    return int(inserted), int(updated)
