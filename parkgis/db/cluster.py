"""The embedded PostGIS cluster: a private PostgreSQL under ``PARKGIS_HOME``.

Layout of ``PARKGIS_HOME``::

    pgdata/         the cluster (made by initdb, owned by the cluster user)
    run/            the unix socket (mode 0700: the cluster user's alone)
    wal/ base/      archived WAL and base backups, for point-in-time restores
    log/            the server log, rotated (see :mod:`parkgis.db.config`)
    postgres.log    start-up messages of ``pg_ctl``
    password        the superuser's password (mode 0600)
    port            the TCP port, kept across restarts
    .lock           held while ``up``/``down`` run, so concurrent calls queue

``initdb`` refuses to run as root. When parkgis runs as root, the cluster belongs to a
dedicated system user (``PARKGIS_PG_USER``, default ``parkgis``, created on first use)
and every server command runs as that user.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parkgis.db import config as conf
from parkgis.db.pginstall import (
    blocked_parent,
    check_postgis_installed,
    extension_dir,
    find_bindir,
    free_port,
    is_postmaster,
    port_free,
    tail,
)
from parkgis.errors import ConfigError, DatabaseUnavailable
from parkgis.settings import DatabaseSettings

SUPERUSER = "parkgis"
FALLBACK_STORE = Path("/var/lib/parkgis/clusters")
_SOCKET_PATH_MAX = 100


@dataclass(frozen=True)
class ClusterPaths:
    """Where the pieces of an embedded cluster live.

    ``store`` is ``home`` except when parkgis runs as root and ``home`` sits below a
    directory the cluster user cannot enter (such as ``/root``): then the cluster lives in
    ``/var/lib/parkgis/clusters/<id of home>`` and ``home/CLUSTER_LOCATION`` says so.
    """

    home: Path
    store: Path

    @property
    def pgdata(self) -> Path:
        """Data directory."""
        return self.store / "pgdata"

    @property
    def sockdir(self) -> Path:
        """Unix socket directory."""
        return self.store / "run"

    @property
    def logfile(self) -> Path:
        """Server log."""
        return self.store / "postgres.log"

    @property
    def wal_dir(self) -> Path:
        """Archived WAL segments (gzip)."""
        return self.store / "wal"

    @property
    def base_dir(self) -> Path:
        """Base backups for point-in-time restores."""
        return self.store / "base"

    @property
    def log_dir(self) -> Path:
        """The rotated server logs."""
        return self.store / "log"

    @property
    def stopped_marker(self) -> Path:
        """Present while the cluster was stopped with ``db down``."""
        return self.home / "stopped"

    @property
    def lockfile(self) -> Path:
        """Lock serialising up/down."""
        return self.home / ".lock"


__all__ = [
    "SUPERUSER",
    "ClusterPaths",
    "EmbeddedCluster",
    "check_postgis_installed",
    "extension_dir",
    "find_bindir",
]


class EmbeddedCluster:
    """A private PostgreSQL cluster under ``PARKGIS_HOME``.

    Parameters
    ----------
    settings : DatabaseSettings
        ``home``, ``db_name``, ``pg_bindir``, ``pg_port`` and ``pg_user`` are used.
    """

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        home = settings.home.expanduser().absolute()
        store = home
        if self.as_root and blocked_parent(home) is not None:
            digest = hashlib.sha1(str(home).encode()).hexdigest()[:12]
            store = FALLBACK_STORE / digest
        self.paths = ClusterPaths(home, store)
        self._bindir: Path | None = None

    # --- helpers -------------------------------------------------------------------------

    @property
    def bindir(self) -> Path:
        """PostgreSQL bin directory (found lazily)."""
        if self._bindir is None:
            self._bindir = find_bindir(self.settings)
        return self._bindir

    @property
    def as_root(self) -> bool:
        """True when we must hand the cluster to a dedicated system user."""
        return os.geteuid() == 0

    def _owner(self) -> str | None:
        return self.settings.pg_user if self.as_root else None

    def _run(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 120,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        extra = env or {}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        env.update(extra)
        owner = self._owner()
        if owner:
            env["HOME"] = str(self.paths.store)
        try:
            proc = subprocess.run(
                [str(self.bindir / args[0]), *args[1:]],
                capture_output=True,
                text=True,
                env=env,
                user=owner,
                group=pwd.getpwnam(owner).pw_gid if owner else None,
                extra_groups=[] if owner else None,
                cwd=str(self.paths.store),
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise DatabaseUnavailable(
                f"{args[0]} did not finish in {timeout:.0f} s; see {self.paths.logfile}"
            ) from exc
        if check and proc.returncode != 0:
            msg = (proc.stderr or proc.stdout).strip().splitlines()
            raise DatabaseUnavailable(
                f"{args[0]} failed: {msg[-1] if msg else 'exit ' + str(proc.returncode)}"
                f" (log: {self.paths.logfile})"
            )
        return proc

    def run_as_owner(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 120,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool from the cluster's bin directory as the cluster's owner."""
        return self._run(*args, check=check, timeout=timeout, env=env)

    def chown_tree(self, root: Path) -> None:
        """Give ``root`` and everything below it to the cluster's owner (when we are root)."""
        if not self._owner():
            return
        self._chown(root)
        for dirpath, dirnames, filenames in os.walk(root):
            for name in [*dirnames, *filenames]:
                path = Path(dirpath) / name
                if not path.is_symlink():
                    self._chown(path)

    def _ensure_user(self) -> None:
        name = self.settings.pg_user
        try:
            pwd.getpwnam(name)
            return
        except KeyError:
            pass
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        proc = subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 and "already exists" not in proc.stderr:
            raise ConfigError(
                f"cannot create the system user {name!r} that owns the embedded database "
                f"({proc.stderr.strip()}); create it, or run parkgis as a normal user"
            )

    def _chown(self, path: Path) -> None:
        owner = self._owner()
        if owner:
            shutil.chown(path, user=owner, group=pwd.getpwnam(owner).pw_gid)

    def _prepare_home(self) -> None:
        home = self.paths.home
        try:
            home.mkdir(parents=True, exist_ok=True)
            probe = home / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise self._not_writable(exc) from exc
        sock = str(self.paths.sockdir / ".s.PGSQL.65535")
        if len(sock) > _SOCKET_PATH_MAX:
            raise ConfigError(
                f"PARKGIS_HOME {home} is too long for a unix socket path "
                f"({len(sock)} > {_SOCKET_PATH_MAX} characters); choose a shorter PARKGIS_HOME"
            )
        if self.as_root:
            self._ensure_user()
        store = self.paths.store
        if store != home:
            store.mkdir(parents=True, exist_ok=True)
            for d in (store, *store.parents):
                if d == Path("/var/lib"):
                    break
                d.chmod(0o755)
            (home / "CLUSTER_LOCATION").write_text(
                f"{home} is below a directory the database user {self.settings.pg_user!r} "
                f"cannot enter, so the cluster lives in {store}\n"
            )
        for private in (self.paths.sockdir, self.paths.wal_dir, self.paths.base_dir):
            private.mkdir(exist_ok=True)
            os.chmod(private, 0o700)
            self._chown(private)
        self.paths.log_dir.mkdir(exist_ok=True)
        os.chmod(self.paths.log_dir, 0o750)
        self._chown(self.paths.log_dir)
        if not self.paths.logfile.exists():
            self.paths.logfile.touch()
        self._rotate_startup_log()
        self._chown(self.paths.logfile)

    def _not_writable(self, exc: OSError) -> ConfigError:
        return ConfigError(
            f"PARKGIS_HOME {self.paths.home} is not writable ({exc.strerror}); set "
            "PARKGIS_HOME to a writable directory"
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.paths.home.mkdir(parents=True, exist_ok=True)
            fh = open(self.paths.lockfile, "a+")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise self._not_writable(exc) from exc
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- state ---------------------------------------------------------------------------

    @property
    def initialised(self) -> bool:
        """True when the data directory holds a complete cluster."""
        return (self.paths.pgdata / "PG_VERSION").exists()

    def running_port(self) -> int | None:
        """The port of the live postmaster of this cluster, or None when it is down."""
        pidfile = self.paths.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        if len(lines) < 4 or not is_postmaster(int(lines[0] or 0), self.paths.pgdata):
            return None
        return int(lines[3])

    @property
    def password(self) -> str | None:
        """The superuser's password (None for a cluster made before passwords)."""
        return conf.read_password(self.paths.home)

    def url(self, port: int | None = None, dbname: str | None = None) -> str:
        """SQLAlchemy URL over the unix socket (the port names the socket file).

        The port is the running server's, else the remembered one: it stays the same across
        restarts, so an engine made while the server was down reconnects once it is back.
        """
        port = port or self.running_port() or conf.remembered_port(self.paths.home)
        if port is None:
            raise DatabaseUnavailable(
                f"the embedded database in {self.paths.home} is not running: run `parkgis db up`"
            )
        password = self.password
        auth = f"{SUPERUSER}:{password}" if password else SUPERUSER
        return (
            f"postgresql+psycopg://{auth}@/{dbname or self.settings.db_name}"
            f"?host={self.paths.sockdir}&port={port}"
        )

    def conninfo(self, port: int, dbname: str = "postgres") -> dict[str, Any]:
        """libpq keywords for a direct psycopg connection over the socket."""
        info: dict[str, Any] = {
            "host": str(self.paths.sockdir),
            "port": str(port),
            "user": SUPERUSER,
            "dbname": dbname,
        }
        password = self.password
        if password:
            info["password"] = password
        return info

    # --- lifecycle -----------------------------------------------------------------------

    def init(self) -> None:
        """Create the cluster with initdb, atomically: a failed attempt leaves nothing."""
        if self.initialised:
            return
        check_postgis_installed(self.bindir)
        tmp = self.paths.store / f"pgdata.init-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        for stale in self.paths.store.glob("pgdata.init-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if self.paths.pgdata.exists():
            # Left by an interrupted run before PG_VERSION was written.
            shutil.rmtree(self.paths.pgdata)
        tmp.mkdir(mode=0o700)
        self._chown(tmp)
        password = conf.make_password()
        conf.store_password(self.paths.home, password)
        pwfile = self.paths.store / f".pwfile-{os.getpid()}"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        self._chown(pwfile)
        try:
            self._run(
                "initdb",
                "-D",
                str(tmp),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                timeout=300,
            )
            with (tmp / "postgresql.conf").open("a") as fh:
                fh.write(
                    "\n# parkgis embedded cluster (parkgis.conf is rewritten on every start)\n"
                    "max_connections = 100\n"
                    "shared_buffers = 256MB\n"
                    "timezone = 'UTC'\n"
                    "log_min_messages = warning\n"
                    f"{conf.INCLUDE_LINE}\n"
                )
            tmp.rename(self.paths.pgdata)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            pwfile.unlink(missing_ok=True)

    def write_config(self, *, hba: bool = True) -> bool:
        """Write ``parkgis.conf`` (and ``pg_hba.conf``); True when either changed."""
        pgdata = self.paths.pgdata
        main = pgdata / "postgresql.conf"
        if conf.INCLUDE_LINE not in main.read_text():
            with main.open("a") as fh:
                fh.write(f"\n{conf.INCLUDE_LINE}\n")
        wanted = {
            pgdata / "parkgis.conf": conf.server_conf(
                self.settings, self.paths.sockdir, self.paths.wal_dir, self.paths.log_dir
            )
        }
        if hba:
            wanted[pgdata / "pg_hba.conf"] = conf.HBA
        changed = False
        for path, text in wanted.items():
            if path.exists() and path.read_text() == text:
                continue
            path.write_text(text)
            os.chmod(path, 0o600)
            self._chown(path)
            changed = True
        return changed

    def _rotate_startup_log(self, max_bytes: int = 1 << 20) -> None:
        log = self.paths.logfile
        if log.exists() and log.stat().st_size > max_bytes:
            log.replace(log.with_suffix(".log.1"))
            log.touch()

    def _clear_stale_pidfile(self) -> None:
        pidfile = self.paths.pgdata / "postmaster.pid"
        if not pidfile.exists():
            return
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (ValueError, IndexError):
            pid = 0
        if not is_postmaster(pid, self.paths.pgdata):
            pidfile.unlink(missing_ok=True)
            for lock in self.paths.sockdir.glob(".s.PGSQL.*"):
                lock.unlink(missing_ok=True)

    def start(self) -> int:
        """Start the server when it is not running; return its port."""
        port = self.running_port()
        if port is not None:
            return port
        self._clear_stale_pidfile()
        fixed = self.settings.pg_port
        remembered = conf.remembered_port(self.paths.home)
        attempts = 1 if fixed else 5
        last: Exception | None = None
        for attempt in range(attempts):
            if fixed:
                port = fixed
            elif attempt == 0 and remembered and port_free(remembered):
                port = remembered  # the same port (and socket) as before: clients reconnect
            else:
                port = free_port()
            if fixed and not port_free(fixed):
                raise ConfigError(
                    f"port {fixed} on 127.0.0.1 is in use; unset PARKGIS_PG_PORT to pick a free "
                    "one, or stop what listens there"
                )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.paths.pgdata),
                    "-l",
                    str(self.paths.logfile),
                    "-w",
                    "-t",
                    "90",
                    "-o",
                    f"-p {port}",
                    "start",
                    timeout=120,
                )
                conf.remember_port(self.paths.home, port)
                return port
            except DatabaseUnavailable as exc:
                last = exc
                running = self.running_port()
                if running is not None:  # another `db up` won the race
                    return running
                if port_free(port):
                    break
        last_line = tail(self.paths.logfile)
        raise DatabaseUnavailable(f"{last}; last log line: {last_line}" if last_line else str(last))

    def stop(self) -> bool:
        """Stop the server (fast shutdown). Returns False when it was not running."""
        with self._locked():
            if not self.initialised or self.running_port() is None:
                return False
            self._run("pg_ctl", "-D", str(self.paths.pgdata), "-m", "fast", "-w", "stop")
            self.paths.stopped_marker.touch()  # on purpose: `parkgis serve` must not revive it
            return True

    @property
    def stopped_on_purpose(self) -> bool:
        """True after ``db down`` until the next ``up``: a watcher leaves it stopped."""
        return self.paths.stopped_marker.exists()

    def up(self) -> str:
        """Create (first time) and start the cluster; return the SQLAlchemy URL.

        Safe to call concurrently and repeatedly: calls queue on a file lock, a running
        cluster is reused, and a stale ``postmaster.pid`` from a crash is cleared.
        """
        with self._locked():
            self._prepare_home()
            self.paths.stopped_marker.unlink(missing_ok=True)
            self.init()
            legacy = self.password is None  # made with trust before parkgis set a password
            was_running = self.running_port() is not None
            changed = self.write_config(hba=not legacy)
            port = self.start()
            if legacy:
                self._set_password(port)
                changed = self.write_config() or changed
            if was_running and changed:
                self._reload(port)
            self._ensure_database(port)
            conf.remember_port(self.paths.home, port)
            conf.prune_logs(self.paths.log_dir, self.settings.pg_log_keep)
            return self.url(port)

    def _set_password(self, port: int) -> None:
        """Give a cluster made with ``trust`` a password, before its pg_hba.conf demands it."""
        import psycopg
        from psycopg import sql

        password = conf.make_password()
        with psycopg.connect(**self.conninfo(port), autocommit=True) as c:
            c.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(SUPERUSER), sql.Literal(password)
                )
            )
        conf.store_password(self.paths.home, password)

    def _reload(self, port: int) -> None:
        import psycopg

        with psycopg.connect(**self.conninfo(port), autocommit=True) as c:
            c.execute("SELECT pg_reload_conf()")

    def _ensure_database(self, port: int) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(**self.conninfo(port), autocommit=True) as conn:
                    exists = conn.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", (self.settings.db_name,)
                    ).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{self.settings.db_name}"')
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise DatabaseUnavailable(
                        f"embedded database did not accept connections: {exc}"
                    ) from exc
                time.sleep(0.3)
