"""Point-in-time recovery for the embedded cluster: base backups, WAL retention, roll forward.

The embedded cluster archives every WAL segment (gzip) to ``wal/`` under its store, and
``parkgis db backup`` also takes a base backup into ``base/<UTC time>/``. To recover a moment,
a throw-away server is started on a copy of the base backup with ``recovery_target_time``;
it replays the archive up to that moment, and its database is dumped and handed to
:func:`parkgis.db.backup.restore_dump`, which swaps it in only after checking the counts.
The live cluster keeps running throughout.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from parkgis.db import config as conf
from parkgis.db.cluster import SUPERUSER, EmbeddedCluster
from parkgis.db.pgconn import PgTarget, target_for
from parkgis.db.pginstall import free_port, tail
from parkgis.errors import DatabaseUnavailable, InvalidInput
from parkgis.settings import DatabaseSettings

if TYPE_CHECKING:
    from parkgis.db.backup import Manifest, Say

_LABEL_FORMAT = "%Y%m%dT%H%M%S%fZ"


def base_backup(settings: DatabaseSettings) -> str:
    """Take a base backup of the running embedded cluster; return its label (a UTC time)."""
    cluster = EmbeddedCluster(settings)
    target = target_for(settings)
    label = datetime.now(UTC).strftime(_LABEL_FORMAT)
    dest = cluster.paths.base_dir / label
    cluster.run_as_owner(
        "pg_basebackup",
        "-D", str(dest), "-Fp", "-X", "stream", "-c", "fast",
        "-h", target.host, "-p", str(target.port), "-U", SUPERUSER, "-w",
        env={"PGPASSWORD": target.password or ""},
        timeout=3600,
    )  # fmt: skip
    return label


def base_backups(cluster: EmbeddedCluster) -> list[tuple[datetime, Path]]:
    """Complete base backups, oldest first."""
    found = []
    for path in cluster.paths.base_dir.glob("*"):
        try:
            when = datetime.strptime(path.name, _LABEL_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        if (path / "backup_label").exists() or (path / "backup_manifest").exists():
            found.append((when, path))
    return sorted(found)


def _start_segment(base: Path) -> str | None:
    try:
        for line in (base / "backup_label").read_text().splitlines():
            if line.startswith("START WAL LOCATION:") and "(file " in line:
                return line.split("(file ", 1)[1].rstrip(")").strip()
    except OSError:
        return None
    return None


def apply_retention(settings: DatabaseSettings, now: datetime | None = None) -> list[Path]:
    """Drop base backups older than ``wal_retention_days`` (the newest always stays) and
    every archived WAL segment older than the oldest base backup kept; return what went."""
    cluster = EmbeddedCluster(settings)
    now = now or datetime.now(UTC)
    horizon = now - timedelta(days=settings.wal_retention_days)
    backups = base_backups(cluster)
    doomed = [p for when, p in backups[:-1] if when < horizon]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    kept = [p for _, p in backups if p not in doomed]
    removed: list[Path] = list(doomed)
    oldest = _start_segment(kept[0]) if kept else None
    for seg in sorted(cluster.paths.wal_dir.glob("*.gz")):
        name = seg.name.removesuffix(".gz")
        too_old = (
            name[:24] < oldest
            if oldest
            else datetime.fromtimestamp(seg.stat().st_mtime, UTC) < horizon
        )
        if too_old and not name.endswith(".history"):
            seg.unlink(missing_ok=True)
            removed.append(seg)
    return removed


def archive_now(target: PgTarget, timeout_s: float = 30) -> None:
    """Close the current WAL segment and wait until the archive holds it."""
    with psycopg.connect(**target.other("postgres").conninfo(), autocommit=True) as conn:
        seg = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout_s
        while True:
            row = conn.execute(
                "SELECT last_archived_wal, last_failed_wal FROM pg_stat_archiver"
            ).fetchone()
            if row and row[0] and row[0] >= seg:
                return
            if time.monotonic() > deadline:
                raise DatabaseUnavailable(
                    f"WAL segment {seg} was not archived within {timeout_s:.0f} s "
                    f"(last failure: {row[1] if row else None}); see the server log"
                )
            time.sleep(0.1)


def recover_to(
    settings: DatabaseSettings, manifest: Manifest, to: datetime, say: Say
) -> tuple[Path, dict[str, int]]:
    """Roll the backup's base forward to ``to``; return a dump of the result and its counts.

    Raises
    ------
    InvalidInput
        ``to`` is naive, before the backup, in the future, or the backup has no base backup.
    """
    from parkgis.db.backup import table_counts

    if to.tzinfo is None:
        raise InvalidInput("the time must say its time zone", field="to")
    if to < manifest.created:
        raise InvalidInput(
            f"{to.isoformat()} is before this backup was taken ({manifest.created_at}); "
            "use an older backup",
            field="to",
        )
    if to > datetime.now(UTC):
        raise InvalidInput(f"{to.isoformat()} is in the future", field="to")
    cluster = EmbeddedCluster(settings)
    base = cluster.paths.base_dir / (manifest.base_backup or "")
    if not manifest.base_backup or not base.is_dir():
        raise InvalidInput(
            "this backup has no base backup for point-in-time recovery (taken before WAL "
            "archiving, or removed by PARKGIS_WAL_RETENTION_DAYS); restore it without --to",
            field="to",
        )
    live = target_for(settings)
    archive_now(live)
    work = cluster.paths.store / "pitr"
    shutil.rmtree(work, ignore_errors=True)
    say(f"replaying WAL up to {to.isoformat()} on a copy of the base backup ...")
    shutil.copytree(base, work, symlinks=True)
    cluster.chown_tree(work)
    work.chmod(0o700)
    port = free_port()
    (work / "recovery.signal").touch()
    with (work / "postgresql.auto.conf").open("a") as fh:
        fh.write(
            "\n# parkgis point-in-time recovery\n"
            f"restore_command = {conf.conf_value(conf.restore_command(cluster.paths.wal_dir))}\n"
            f"recovery_target_time = '{to.astimezone(UTC).isoformat()}'\n"
            "recovery_target_action = 'promote'\n"
            "archive_mode = off\n"
            # A throw-away copy: nothing in it needs to survive a crash.
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "logging_collector = off\n"
            "listen_addresses = ''\n"
            f"unix_socket_directories = '{work}'\n"
            f"port = {port}\n"
        )
    cluster.chown_tree(work)
    log = work / "recovery.log"
    try:
        try:
            cluster.run_as_owner(
                "pg_ctl", "-D", str(work), "-l", str(log), "-w", "-t", "300", "start",
                timeout=320,
            )  # fmt: skip
        except DatabaseUnavailable as exc:
            raise InvalidInput(
                f"cannot recover to {to.isoformat()}: {tail(log) or exc}", field="to"
            ) from exc
        copy = PgTarget(str(work), port, SUPERUSER, manifest.database, live.password, live.bindir)
        _wait_promoted(copy)
        with psycopg.connect(**copy.conninfo()) as conn:
            counts = table_counts(conn)
        out = cluster.paths.store / f"pitr-{int(time.time())}.dump"
        copy.run("pg_dump", "-Fc", "--no-owner", "--no-sync", "-f", str(out))
        return out, counts
    finally:
        cluster.run_as_owner(
            "pg_ctl", "-D", str(work), "-m", "immediate", "-w", "stop", check=False
        )
        shutil.rmtree(work, ignore_errors=True)


def _wait_promoted(target: PgTarget, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(**target.other("postgres").conninfo()) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
                    return
        except psycopg.OperationalError as exc:
            last = exc
        time.sleep(0.2)
    raise DatabaseUnavailable(f"the recovered copy did not finish recovery: {last}")
