"""A crash of the embedded PostgreSQL under write load, and a stop/start of the server.

``parkgis serve`` runs as a real process on the private cluster of :mod:`tests.db.conftest`.
Writers keep creating officers through the API while the postmaster is killed with SIGKILL:
during the outage they get JSON 503s (never a 500, never a dropped connection), service is
back within 10 s without touching the server, and every write that was acknowledged with a
201 is in the database afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from parkgis.auth import create_token
from parkgis.db import session_scope
from parkgis.db.cluster import EmbeddedCluster
from parkgis.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A ``parkgis serve`` process whose output goes to a file (a pipe could fill and block)."""

    db: DatabaseSettings
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int = 1, script: bool = False) -> None:
        env = {
            **os.environ,
            "PARKGIS_HOME": str(self.db.home),
            "PARKGIS_DB_NAME": self.db.db_name,
            "PARKGIS_ASSETS_DIR": str(ROOT / "node_modules"),
        }
        env.pop("PARKGIS_DATABASE_URL", None)
        # The console script, as people run it, or ``python -m parkgis``.
        cli = (
            [str(Path(sys.executable).parent / "parkgis")]
            if script
            else [sys.executable, "-m", "parkgis"]
        )
        cmd = [*cli, "serve", "--port", str(self.port), "--workers", str(workers)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()[-2000:]
            try:
                if httpx.get(f"{self.base}/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.base} did not become healthy: {self.output()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def admin_token(ops_db: DatabaseSettings) -> str:
    from parkgis.db import db_up

    engine = db_up(ops_db)
    try:
        with session_scope(engine) as s:
            return create_token(s, role="admin", name=f"ops-{uuid.uuid4().hex[:6]}")
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(ops_db: DatabaseSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``parkgis serve`` (one worker) on a free port of the loopback."""
    srv = Server(ops_db, _free_port(), tmp_path_factory.mktemp("serve") / "serve.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@dataclass
class Writers:
    """Threads creating officers through the API, keeping every acknowledged name."""

    base: str
    token: str
    acked: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    ok_times: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, n: int) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        return threads

    def _loop(self, i: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=30) as client:
            k = 0
            while not self.stop.is_set():
                k += 1
                name = f"crash-{i}-{k}-{uuid.uuid4().hex[:6]}"
                try:
                    r = client.post("/api/v1/officers", json={"name": name})
                except httpx.TransportError as exc:
                    self.failures.append(f"{name}: {exc!r}")
                    continue
                self.statuses[r.status_code] += 1
                if r.status_code == 201:
                    self.acked.append(name)
                    self.ok_times.append(time.monotonic())
                elif r.status_code == 503:
                    assert r.headers["retry-after"]
                    assert r.json()["code"] == "DatabaseUnavailable"
                    time.sleep(0.1)
                else:
                    self.failures.append(f"{name}: {r.status_code} {r.text[:200]}")


def test_kill_9_of_postgres_under_writes(
    server: Server, ops_db: DatabaseSettings, admin_token: str, ops_engine: Engine
) -> None:
    cluster = EmbeddedCluster(ops_db)
    port_before = cluster.running_port()
    writers = Writers(server.base, admin_token)
    threads = writers.run(4)
    time.sleep(1.5)
    pid = int((cluster.paths.pgdata / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    deadline = killed_at + 20
    while time.monotonic() < deadline and not any(t > killed_at + 0.5 for t in writers.ok_times):
        time.sleep(0.1)
    time.sleep(1.0)  # a little more load on the revived server
    writers.stop.set()
    for t in threads:
        t.join(timeout=30)
    back = min((t for t in writers.ok_times if t > killed_at + 0.5), default=None)
    assert writers.failures == [], writers.failures[:5]
    assert writers.statuses[503] > 0, writers.statuses  # the outage was seen, as 503s
    assert set(writers.statuses) <= {201, 503}, writers.statuses
    assert back is not None and back - killed_at < 10, f"back after {back and back - killed_at}"
    assert cluster.running_port() == port_before  # same port: the engines just reconnected
    with ops_engine.connect() as conn:
        stored = set(
            conn.execute(
                text("SELECT name FROM officers WHERE name = ANY(:n)"), {"n": writers.acked}
            ).scalars()
        )
    assert len(writers.acked) > 10
    assert stored == set(writers.acked)  # every acknowledged write survived the crash
    log = server.output()
    assert "is down; restarting it" in log and "is back on port" in log


def test_serve_starts_again_on_the_same_port_right_after_a_stop_under_load(
    server: Server, admin_token: str
) -> None:
    writers = Writers(server.base, admin_token)
    threads = writers.run(3)
    time.sleep(1.0)
    server.stop()  # while clients are connected: their sockets linger in TIME_WAIT
    writers.stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(writers.acked) > 0
    # The same port at once, now as people start it: the console script, two workers.
    server.start(workers=2, script=True)
    assert "cannot listen" not in server.output()
    oks = [httpx.get(f"{server.base}/health").status_code for _ in range(20)]
    assert oks == [200] * 20
    log = server.output()
    assert "with 2 worker(s)" in log and "died" not in log


def test_port_check_ignores_time_wait_like_the_server_does() -> None:
    from parkgis.commands.serve import port_is_free

    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = listener.accept()
        conn.close()  # the server closes first: its side of the connection enters TIME_WAIT
        client.recv(1)
        client.close()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what the old check did: "Address already in use"
    assert port_is_free("127.0.0.1", port) is None


def test_the_watch_leaves_a_db_down_alone_but_revives_a_crash(ops_db: DatabaseSettings) -> None:
    from parkgis.db import db_down, db_up
    from parkgis.db.watch import ClusterWatch

    cluster = EmbeddedCluster(ops_db)
    db_down(ops_db)
    watch = ClusterWatch(ops_db, interval_s=0.1).start()
    try:
        time.sleep(1.0)
        assert cluster.running_port() is None and watch.restarts == 0  # the operator's stop
        db_up(ops_db).dispose()
        pid = int((cluster.paths.pgdata / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        # Back within 10 s: restarted once, and its postmaster.pid names the live server
        # (pg_ctl may return a moment before the file's port line is there to read).
        while (watch.restarts == 0 or cluster.running_port() is None) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert watch.restarts == 1 and cluster.running_port() is not None
    finally:
        watch.stop()
