"""The embedded cluster trusts nobody: scram-sha-256, a private socket, loopback TCP only,
a password file only its owner can read, and a server log that rotates."""

from __future__ import annotations

import pwd
import stat
import subprocess
import time

import psycopg
import pytest

from parkgis.db import config as conf
from parkgis.db.cluster import SUPERUSER, EmbeddedCluster
from parkgis.settings import DatabaseSettings


def _as_other_user(cluster: EmbeddedCluster, *psql_args: str) -> subprocess.CompletedProcess[str]:
    """psql run by ``nobody``, without a password (``-w`` never prompts)."""
    psql = str(cluster.bindir / "psql")
    return subprocess.run(
        [psql, "-w", "-U", SUPERUSER, "-d", "postgres", "-c", "SELECT 1", *psql_args],
        capture_output=True,
        text=True,
        user="nobody",
        group=pwd.getpwnam("nobody").pw_gid,
        extra_groups=[],
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
        timeout=30,
    )


def test_another_os_user_cannot_connect(ops_db: DatabaseSettings) -> None:
    from parkgis.db import db_up

    db_up(ops_db).dispose()
    cluster = EmbeddedCluster(ops_db)
    port = cluster.running_port()
    assert port is not None
    tcp = _as_other_user(cluster, "-h", "127.0.0.1", "-p", str(port))
    assert tcp.returncode != 0
    assert "password" in tcp.stderr  # scram-sha-256 asks; there is no trust any more
    sock = _as_other_user(cluster, "-h", str(cluster.paths.sockdir), "-p", str(port))
    assert sock.returncode != 0
    assert "Permission denied" in sock.stderr
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**{**cluster.conninfo(port), "password": "guess"}, connect_timeout=5)
    with psycopg.connect(**cluster.conninfo(port)) as c:  # the owner, with the password file
        assert c.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert c.execute("SHOW unix_socket_permissions").fetchone() == ("0700",)
        assert c.execute("SHOW password_encryption").fetchone() == ("scram-sha-256",)
        rules = c.execute("SELECT DISTINCT auth_method FROM pg_hba_file_rules").fetchall()
        assert rules == [("scram-sha-256",)]


def test_password_socket_and_data_are_private(ops_db: DatabaseSettings) -> None:
    cluster = EmbeddedCluster(ops_db)
    password_file = cluster.paths.home / "password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    secret = conf.read_password(cluster.paths.home) or ""
    assert len(secret) >= 32
    for private in (cluster.paths.sockdir, cluster.paths.pgdata, cluster.paths.wal_dir):
        assert stat.S_IMODE(private.stat().st_mode) == 0o700, private
    for name in ("postgresql.conf", "parkgis.conf", "pg_hba.conf"):
        assert secret not in (cluster.paths.pgdata / name).read_text()
    assert not list(cluster.paths.store.glob(".pwfile-*"))  # initdb's copy is gone


def test_port_is_kept_across_a_restart(ops_db: DatabaseSettings) -> None:
    from parkgis.db import db_down, db_up

    db_up(ops_db).dispose()
    cluster = EmbeddedCluster(ops_db)
    port = cluster.running_port()
    db_down(ops_db)
    assert cluster.url().endswith(f"port={port}")  # engines made while down dial the same port
    db_up(ops_db).dispose()
    assert cluster.running_port() == port
    assert conf.remembered_port(cluster.paths.home) == port


def test_server_log_rotates_and_old_files_are_trimmed(ops_db: DatabaseSettings) -> None:
    from parkgis.db import db_up

    db_up(ops_db).dispose()
    cluster = EmbeddedCluster(ops_db)
    port = cluster.running_port()
    assert port is not None
    with psycopg.connect(**cluster.conninfo(port), autocommit=True) as c:
        assert c.execute("SHOW logging_collector").fetchone() == ("on",)
        assert c.execute("SHOW log_rotation_size").fetchone() == ("10MB",)
        before = set(cluster.paths.log_dir.glob("postgresql-*.log"))
        time.sleep(1.1)  # file names carry the second
        c.execute("SELECT pg_rotate_logfile()")
        deadline = time.monotonic() + 10
        while set(cluster.paths.log_dir.glob("postgresql-*.log")) == before:
            assert time.monotonic() < deadline, "no new log file after pg_rotate_logfile()"
            time.sleep(0.1)
    logs = sorted(cluster.paths.log_dir.glob("postgresql-*.log"))
    assert len(logs) >= 2
    removed = conf.prune_logs(cluster.paths.log_dir, keep=1)
    assert sorted(cluster.paths.log_dir.glob("postgresql-*.log")) == [logs[-1]]
    assert removed == logs[:-1]


def test_a_cluster_made_with_trust_is_locked_down_by_the_next_up(ops_db: DatabaseSettings) -> None:
    from parkgis.db import db_up

    db_up(ops_db).dispose()
    cluster = EmbeddedCluster(ops_db)
    port = cluster.running_port()
    assert port is not None
    # What an older parkgis left behind: trust everywhere, no password.
    with psycopg.connect(**cluster.conninfo(port), autocommit=True) as c:
        c.execute(f"ALTER ROLE {SUPERUSER} PASSWORD NULL")
        (cluster.paths.pgdata / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        )
        c.execute("SELECT pg_reload_conf()")
    (cluster.paths.home / "password").unlink()
    assert _as_other_user(cluster, "-h", "127.0.0.1", "-p", str(port)).returncode == 0
    db_up(ops_db).dispose()
    assert conf.read_password(cluster.paths.home)
    assert (cluster.paths.pgdata / "pg_hba.conf").read_text() == conf.HBA
    locked = _as_other_user(cluster, "-h", "127.0.0.1", "-p", str(port))
    assert locked.returncode != 0 and "password" in locked.stderr
