"""What the embedded cluster's configuration says, and the secrets and state kept beside it.

Kept in ``PARKGIS_HOME`` (owned by whoever runs parkgis):

    password        the superuser's password (mode 0600), made at first start
    port            the TCP port the cluster last listened on, so a restart keeps it

Kept in the cluster's store (owned by the cluster user):

    pgdata/parkgis.conf   written by parkgis on every start (included by postgresql.conf)
    pgdata/pg_hba.conf    scram-sha-256 for every connection; nothing is trusted
    wal/                  archived WAL segments (gzip), for point-in-time restores
    base/                 base backups taken by ``parkgis db backup``
    log/                  the server log, a new file daily or at PG_LOG_ROTATION_MB
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from parkgis.settings import DatabaseSettings

INCLUDE_LINE = "include_if_exists = 'parkgis.conf'"
LOG_PREFIX = "postgresql-"

HBA = """\
# parkgis: every connection proves the superuser's password (kept in PARKGIS_HOME/password,
# mode 0600); the socket directory is the cluster user's alone and TCP is loopback only.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  scram-sha-256
local   replication  all                  scram-sha-256
host    all          all   127.0.0.1/32   scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
"""


def server_conf(settings: DatabaseSettings, sockdir: Path, wal_dir: Path, log_dir: Path) -> str:
    """The contents of ``parkgis.conf``: lock-down, WAL archiving and log rotation."""
    archive = (
        f'test ! -f "{wal_dir}/%f.gz" && gzip -1 < "%p" > "{wal_dir}/%f.gz.part" '
        f'&& mv "{wal_dir}/%f.gz.part" "{wal_dir}/%f.gz"'
    )
    return (
        "# written by parkgis on every start; edit postgresql.conf for your own settings\n"
        "listen_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{sockdir}'\n"
        "unix_socket_permissions = 0700\n"
        "password_encryption = 'scram-sha-256'\n"
        # After a crash, sync the data directory's file system in one call instead of
        # fsyncing every file one by one (seconds on a busy disk): faster recovery.
        "recovery_init_sync_method = syncfs\n"
        "wal_level = replica\n"
        "archive_mode = on\n"
        f"archive_command = '{_quote(archive)}'\n"
        "archive_timeout = 900\n"
        "logging_collector = on\n"
        f"log_directory = '{log_dir}'\n"
        f"log_filename = '{LOG_PREFIX}%Y%m%d-%H%M%S.log'\n"
        "log_file_mode = 0600\n"
        "log_rotation_age = 1d\n"
        f"log_rotation_size = {settings.pg_log_rotation_mb}MB\n"
    )


def restore_command(wal_dir: Path) -> str:
    """``restore_command`` reading the gzip archive written by :func:`server_conf`."""
    return f'test -f "{wal_dir}/%f.gz" && gunzip < "{wal_dir}/%f.gz" > "%p"'


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "''")


def conf_value(value: str) -> str:
    """``value`` as a quoted postgresql.conf string."""
    return f"'{_quote(value)}'"


def read_password(home: Path) -> str | None:
    """The superuser's password, or None for a cluster made before passwords."""
    try:
        return (home / "password").read_text().strip() or None
    except FileNotFoundError:
        return None


def make_password() -> str:
    """A new random superuser password (URL-safe)."""
    return secrets.token_urlsafe(32)


def store_password(home: Path, password: str) -> None:
    """Keep ``password`` in ``home/password`` (mode 0600, replaced atomically)."""
    tmp = home / f".password.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    tmp.replace(home / "password")


def remembered_port(home: Path) -> int | None:
    """The port the cluster last listened on."""
    try:
        port = int((home / "port").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return port if 1024 <= port <= 65535 else None


def remember_port(home: Path, port: int) -> None:
    """Keep ``port`` for the next start."""
    (home / "port").write_text(f"{port}\n")


def prune_logs(log_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` server log files; return the deleted ones."""
    logs = sorted(log_dir.glob(f"{LOG_PREFIX}*.log"), key=lambda p: p.name)
    doomed = logs[:-keep] if len(logs) > keep else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
