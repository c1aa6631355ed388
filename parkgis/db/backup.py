"""``parkgis db backup`` and ``parkgis db restore``: a checked dump, a checked swap.

A backup is a ``pg_dump -Fc`` file plus ``<file>.manifest.json``: schema revision, exact row
counts per table, SHA-256 of the dump, and the time, all from one snapshot (the counts are
taken in the transaction whose snapshot ``pg_dump`` uses). On the embedded cluster a backup
also takes a base backup, from which :mod:`parkgis.db.pitr` rolls forward to a point in time.

A restore never touches the live database until the copy is proven: it restores into a fresh
database, compares every table's row count with what was expected, and only then swaps the
names. The previous database is kept as ``<name>_before_restore``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from parkgis import __version__
from parkgis.db.pgconn import PgTarget, target_for
from parkgis.errors import Conflict, InvalidInput
from parkgis.settings import DatabaseSettings

FORMAT = "parkgis-backup/1"
Say = Callable[[str], None]

COUNTS_SQL = """
SELECT c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
"""


@dataclass
class Manifest:
    """What a backup file holds, written next to it as ``<file>.manifest.json``."""

    database: str
    revision: str | None
    counts: dict[str, int]
    sha256: str
    bytes: int
    created_at: str
    base_backup: str | None = None
    format: str = FORMAT
    parkgis: str = __version__
    notes: list[str] = field(default_factory=list)

    @property
    def created(self) -> datetime:
        """``created_at`` as an aware datetime."""
        return datetime.fromisoformat(self.created_at)

    @property
    def rows(self) -> int:
        """Rows in all tables."""
        return sum(self.counts.values())


def manifest_path(dump: Path) -> Path:
    """Where the manifest of ``dump`` lives."""
    return dump.with_name(dump.name + ".manifest.json")


def read_manifest(dump: Path) -> Manifest:
    """The manifest of ``dump``, after checking the file's SHA-256 against it.

    Raises
    ------
    InvalidInput
        The dump or its manifest is missing, unreadable, or the checksum differs.
    """
    mpath = manifest_path(dump)
    if not dump.is_file():
        raise InvalidInput(f"no backup file {dump}", field="FILE")
    try:
        raw = json.loads(mpath.read_text())
        manifest = Manifest(**raw)
    except FileNotFoundError as exc:
        raise InvalidInput(
            f"{mpath} is missing; a backup needs its manifest", field="FILE"
        ) from exc
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{mpath} is not a parkgis backup manifest ({exc})") from exc
    if manifest.format != FORMAT:
        raise InvalidInput(f"{mpath}: unknown format {manifest.format!r}", field="FILE")
    digest = sha256_of(dump)
    if digest != manifest.sha256:
        raise InvalidInput(
            f"{dump} does not match its manifest (SHA-256 {digest[:12]}… ≠ "
            f"{manifest.sha256[:12]}…): the file is damaged or not this backup",
            field="FILE",
        )
    return manifest


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def table_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Exact row counts of the public tables (extension tables such as spatial_ref_sys aside)."""
    names = [r[0] for r in conn.execute(COUNTS_SQL).fetchall()]
    counts: dict[str, int] = {}
    for name in names:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
        counts[name] = int(row.fetchone()[0])  # type: ignore[index]
    return counts


def _revision(conn: psycopg.Connection[Any]) -> str | None:
    exists = conn.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version LIMIT 1").fetchone()
    return str(row[0]) if row else None


def default_backup_file(settings: DatabaseSettings, now: datetime | None = None) -> Path:
    """``PARKGIS_HOME/backups/<db>-<UTC time>.dump``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return settings.home.expanduser().absolute() / "backups" / f"{settings.db_name}-{stamp}.dump"


def backup(settings: DatabaseSettings, target: Path | None = None, say: Say = print) -> Manifest:
    """Dump the database to ``target`` (``pg_dump -Fc``) and write its manifest.

    Parameters
    ----------
    settings : DatabaseSettings
        The database to back up (embedded: it must be running).
    target : Path, optional
        The dump file (default: :func:`default_backup_file`). Its parent is created.
    say : callable
        Receives one line per step.

    Returns
    -------
    Manifest
        What was written (also in ``<target>.manifest.json``).
    """
    from parkgis.db import pitr

    db = target_for(settings)
    path = (target or default_backup_file(settings)).expanduser().absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    base = None
    if settings.embedded:
        say("base backup for point-in-time restores ...")
        base = pitr.base_backup(settings)
    say(f"dumping {db.dbname} ...")
    part = path.with_name(path.name + ".part")
    with psycopg.connect(**db.conninfo()) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        created = conn.execute("SELECT transaction_timestamp()").fetchone()[0]  # type: ignore[index]
        counts = table_counts(conn)
        revision = _revision(conn)
        db.run("pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(part))
    part.replace(path)
    manifest = Manifest(
        database=db.dbname,
        revision=revision,
        counts=counts,
        sha256=sha256_of(path),
        bytes=path.stat().st_size,
        created_at=created.astimezone(UTC).isoformat(),
        base_backup=base,
    )
    manifest_path(path).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    if settings.embedded:
        pitr.apply_retention(settings)
    return manifest


def restore(
    settings: DatabaseSettings, dump: Path, to: datetime | None = None, say: Say = print
) -> dict[str, int]:
    """Replace the database with the backup ``dump`` (rolled forward to ``to`` if given).

    The backup goes into a fresh database first; its row counts must equal the manifest's
    (or, with ``to``, those of the recovered point in time) before it is swapped in under the
    database's name. On any failure the current database is left as it was.

    Parameters
    ----------
    settings : DatabaseSettings
        The database to replace.
    dump : Path
        A file written by :func:`backup` (its manifest next to it).
    to : datetime, optional
        Point in time (aware) to roll forward to from the backup; embedded cluster only,
        and not earlier than the backup.
    say : callable
        Receives one line per step.

    Returns
    -------
    dict
        Rows per table of the restored database.

    Raises
    ------
    InvalidInput
        The file or manifest is damaged, or ``to`` cannot be reached.
    Conflict
        The restored copy's row counts differ from what was expected (nothing swapped).
    """
    from parkgis.db import pitr

    manifest = read_manifest(dump)
    live = target_for(settings)
    if to is None:
        restore_dump(live, dump, manifest.counts, say)
        return manifest.counts
    if not settings.embedded:
        raise InvalidInput(
            "--to needs the embedded cluster's WAL archive; for an external PostGIS use your "
            "server's own point-in-time recovery (see README)",
            field="to",
        )
    recovered, counts = pitr.recover_to(settings, manifest, to, say)
    try:
        restore_dump(live, recovered, counts, say)
    finally:
        recovered.unlink(missing_ok=True)
    return counts


def restore_dump(live: PgTarget, dump: Path, expected: dict[str, int], say: Say = print) -> None:
    """Restore ``dump`` into a fresh database, check ``expected`` counts, swap it in."""
    fresh = f"{live.dbname}_restoring"
    previous = f"{live.dbname}_before_restore"
    admin = live.other("postgres")
    with psycopg.connect(**admin.conninfo(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh))
        )
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(fresh)))
    try:
        say(f"restoring into a fresh database {fresh} ...")
        live.other(fresh).run(
            "pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
            "-d", fresh, str(dump),
        )  # fmt: skip
        with psycopg.connect(**live.other(fresh).conninfo()) as conn:
            got = table_counts(conn)
        wrong = {
            t: (expected.get(t), got.get(t))
            for t in sorted(set(expected) | set(got))
            if expected.get(t) != got.get(t)
        }
        if wrong:
            listed = ", ".join(
                f"{t}: {want} expected, {have} restored" for t, (want, have) in wrong.items()
            )
            raise Conflict(
                f"the restored copy does not match the backup ({listed}); nothing was replaced"
            )
    except BaseException:
        with psycopg.connect(**admin.conninfo(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh))
            )
        raise
    say(f"row counts match ({sum(got.values()):,} rows); swapping it in ...")
    swap(admin, live.dbname, fresh, previous)


def swap(admin: PgTarget, name: str, fresh: str, previous: str) -> None:
    """Rename ``name`` to ``previous`` and ``fresh`` to ``name``; clients are disconnected."""
    ident = sql.Identifier
    with psycopg.connect(**admin.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident(previous)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            conn.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(ident(name)))
            for _ in range(50):
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                try:
                    conn.execute(
                        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                            ident(name), ident(previous)
                        )
                    )
                    break
                except psycopg.errors.ObjectInUse:
                    time.sleep(0.1)
            else:
                raise Conflict(f"database {name} stayed in use; nothing was replaced")
            conn.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(ident(previous))
            )
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(ident(fresh), ident(name)))
