"""Bad configuration gives one clear line naming the fix, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("PARKGIS_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "parkgis", *args],
        env=full,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_broken_database_url_scheme() -> None:
    line = one_line_error(run("db", "up", PARKGIS_DATABASE_URL="mysql://x@localhost/db"))
    assert "PARKGIS_DATABASE_URL" in line and "postgresql+psycopg://" in line


def test_unreachable_database_url() -> None:
    line = one_line_error(
        run("db", "up", PARKGIS_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/nodb")
    )
    assert "cannot connect to PARKGIS_DATABASE_URL" in line


@pytest.fixture
def readonly_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "ro"
    home.mkdir()
    if os.geteuid() == 0:  # root ignores modes; make the directory immutable instead
        subprocess.run(["chattr", "+i", str(home)], check=True)
    else:
        home.chmod(0o555)
    yield home
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(home)], check=True)
    else:
        home.chmod(0o755)


def test_read_only_home(readonly_home: Path) -> None:
    line = one_line_error(run("db", "up", PARKGIS_HOME=str(readonly_home)))
    assert "not writable" in line and "PARKGIS_HOME" in line


def test_port_in_use_for_the_database() -> None:
    from tests.support.dirs import short_home

    tmp_path = short_home()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        line = one_line_error(
            run("db", "up", PARKGIS_HOME=str(tmp_path / "h"), PARKGIS_PG_PORT=str(port))
        )
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert f"port {port}" in line and "PARKGIS_PG_PORT" in line


def test_port_in_use_for_serve() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        line = one_line_error(
            run(
                "serve",
                "--port",
                str(port),
                PARKGIS_DATABASE_URL="postgresql+psycopg://x@127.0.0.1:1/x",
            )
        )
    assert f"127.0.0.1:{port}" in line and "--port" in line


def test_bad_setting_value() -> None:
    line = one_line_error(run("db", "status", PARKGIS_PROJECTED_CRS="EPSG:4326"))
    assert "PARKGIS_PROJECTED_CRS" in line and "projected" in line


def test_missing_postgis_for_external_database(engine: object) -> None:
    """A server database without the postgis extension available names the package."""
    if shutil.which("psql") is None:
        pytest.fail("psql is required for this test")
    # The machine's PostgreSQL has PostGIS available; a template-less database that
    # refuses CREATE EXTENSION is simulated by a role without the right to create it.
    admin = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    sql = (
        "DROP DATABASE IF EXISTS parkgis_nopostgis; DROP ROLE IF EXISTS parkgis_weak; "
        "CREATE ROLE parkgis_weak LOGIN; CREATE DATABASE parkgis_nopostgis OWNER postgres;"
    )
    for stmt in sql.split("; "):
        subprocess.run(
            ["psql", admin.replace("+psycopg", ""), "-qc", stmt.rstrip(";")],
            check=True,
            capture_output=True,
        )
    line = one_line_error(
        run(
            "db",
            "up",
            PARKGIS_DATABASE_URL="postgresql+psycopg://parkgis_weak@127.0.0.1:5432/parkgis_nopostgis",
        )
    )
    assert "CREATE EXTENSION postgis" in line or "postgis" in line.lower()
