"""The embedded cluster's lifecycle, on throwaway PARKGIS_HOMEs (never the shared test one)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from parkgis.db import db_down, db_status, db_up
from parkgis.db.cluster import EmbeddedCluster, find_bindir
from parkgis.errors import ConfigError
from parkgis.settings import DatabaseSettings
from tests.support.dirs import short_home

ROOT = Path(__file__).resolve().parents[2]
PARKGIS = [sys.executable, "-m", "parkgis"]


@pytest.fixture
def home() -> Iterator[DatabaseSettings]:
    """A fresh PARKGIS_HOME whose cluster is stopped and removed after the test."""
    settings = DatabaseSettings(home=short_home())
    yield settings
    db_down(settings)
    shutil.rmtree(settings.home, ignore_errors=True)


def _count(settings: DatabaseSettings) -> int:
    eng = db_up(settings)
    try:
        with eng.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM industry_chains")).scalar_one())
    finally:
        eng.dispose()


def test_up_down_up_keeps_data(home: DatabaseSettings) -> None:
    eng = db_up(home)
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO industry_chains VALUES ('x_keep', '保留', 'kept')"))
    eng.dispose()
    assert db_down(home) is True
    assert db_status(home).up is False
    assert db_down(home) is False  # already down
    eng = db_up(home)
    with eng.connect() as conn:
        kept = conn.execute(
            text("SELECT name_en FROM industry_chains WHERE code = 'x_keep'")
        ).scalar()
    eng.dispose()
    assert kept == "kept"


def test_running_cluster_is_reused(home: DatabaseSettings) -> None:
    db_up(home).dispose()
    cluster = EmbeddedCluster(home)
    port = cluster.running_port()
    pid = (cluster.paths.pgdata / "postmaster.pid").read_text().splitlines()[0]
    db_up(home).dispose()
    assert cluster.running_port() == port
    assert (cluster.paths.pgdata / "postmaster.pid").read_text().splitlines()[0] == pid


def test_recovers_after_kill_9(home: DatabaseSettings) -> None:
    before = _count(home)
    cluster = EmbeddedCluster(home)
    pid = int((cluster.paths.pgdata / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while cluster.running_port() is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cluster.running_port() is None
    assert (cluster.paths.pgdata / "postmaster.pid").exists()  # stale pid file left behind
    assert _count(home) == before
    assert db_status(home).up is True


def test_stale_pidfile_with_foreign_pid_is_cleared(home: DatabaseSettings) -> None:
    db_up(home).dispose()
    db_down(home)
    cluster = EmbeddedCluster(home)
    pidfile = cluster.paths.pgdata / "postmaster.pid"
    # A pid file naming a live process that is not a postmaster (ourselves).
    pidfile.write_text(f"{os.getpid()}\n{cluster.paths.pgdata}\n0\n5432\n")
    assert cluster.running_port() is None
    assert _count(home) > 0


def test_two_concurrent_ups_share_one_cluster(home: DatabaseSettings) -> None:
    env = {**os.environ, "PARKGIS_HOME": str(home.home)}
    env.pop("PARKGIS_DATABASE_URL", None)
    procs = [
        subprocess.Popen([*PARKGIS, "db", "up"], env=env, cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    errs = [p.communicate(timeout=180)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    st = db_status(home)
    assert st.up and st.revision is not None
    postmasters = subprocess.run(
        ["pgrep", "-f", f"postgres.*-D {EmbeddedCluster(home).paths.pgdata}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(postmasters) == 1


def test_failed_first_up_can_be_rerun(home: DatabaseSettings) -> None:
    cluster = EmbeddedCluster(home)
    # Simulate an initdb that died half way: a partial data dir without PG_VERSION.
    cluster.paths.pgdata.mkdir(parents=True)
    (cluster.paths.pgdata / "base").mkdir()
    (home.home / "pgdata.init-99999").mkdir()
    assert _count(home) > 0
    assert not (home.home / "pgdata.init-99999").exists()


def test_missing_postgresql_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="apt-get install postgresql-15"):
        find_bindir(DatabaseSettings(home=tmp_path, pg_bindir=tmp_path / "nope"))


def test_missing_postgis_names_the_package(home: DatabaseSettings) -> None:
    tmp_path = home.home
    real = find_bindir(DatabaseSettings())
    fake = tmp_path / "pg" / "bin"
    fake.mkdir(parents=True)
    for tool in ("initdb", "pg_ctl", "postgres"):
        (fake / tool).symlink_to(real / tool)
    (tmp_path / "pg" / "share" / "extension").mkdir(parents=True)
    settings = DatabaseSettings(home=tmp_path / "home", pg_bindir=fake)
    with pytest.raises(ConfigError, match="postgis-3"):
        EmbeddedCluster(settings).up()
    assert not (tmp_path / "home" / "pgdata").exists()  # nothing half-created


def test_fixed_port_in_use_is_one_clear_error(home: DatabaseSettings) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        settings = home.model_copy(update={"pg_port": port})
        with pytest.raises(ConfigError, match=f"port {port} .* in use"):
            EmbeddedCluster(settings).up()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the cluster to a system user")
def test_home_below_a_private_directory_still_works() -> None:
    private = short_home()
    private.chmod(0o700)  # like /root: the cluster user cannot enter it
    settings = DatabaseSettings(home=private / "home")
    try:
        assert _count(settings) > 0
        cluster = EmbeddedCluster(settings)
        assert cluster.paths.store != cluster.paths.home
        assert "cannot enter" in (settings.home / "CLUSTER_LOCATION").read_text()
        assert db_status(settings).up
    finally:
        db_down(settings)
        shutil.rmtree(EmbeddedCluster(settings).paths.store, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)
