"""How to reach a database with libpq tools (pg_dump, pg_restore) and with psycopg.

One :class:`PgTarget` works for both kinds of database: the embedded cluster (unix socket,
the password from ``PARKGIS_HOME``) and an external PostGIS (``PARKGIS_DATABASE_URL``).
Passwords travel in the environment, never on a command line.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from parkgis.db.cluster import EmbeddedCluster, find_bindir
from parkgis.errors import DatabaseUnavailable
from parkgis.settings import DatabaseSettings


@dataclass(frozen=True)
class PgTarget:
    """Connection keywords of one database, for psycopg and the libpq command-line tools."""

    host: str
    port: int
    user: str
    dbname: str
    password: str | None
    bindir: Path

    def conninfo(self) -> dict[str, Any]:
        """Keywords for ``psycopg.connect``."""
        info: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "dbname": self.dbname,
        }
        if self.password:
            info["password"] = self.password
        return info

    def other(self, dbname: str) -> PgTarget:
        """The same server, another database."""
        return replace(self, dbname=dbname)

    def sqlalchemy_url(self) -> str:
        """A ``postgresql+psycopg`` URL for this database."""
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=self.password,
            database=self.dbname,
            query={"host": self.host, "port": str(self.port)},
        ).render_as_string(hide_password=False)

    def run(self, tool: str, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
        """Run a libpq tool (``pg_dump`` ...) against this database; raise with its last line."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(
            PGHOST=self.host,
            PGPORT=str(self.port),
            PGUSER=self.user,
            PGDATABASE=self.dbname,
            LC_ALL="C.UTF-8",
        )
        if self.password:
            env["PGPASSWORD"] = self.password
        proc = subprocess.run(
            [str(self.bindir / tool), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            raise DatabaseUnavailable(
                f"{tool} failed: {lines[-1] if lines else 'exit ' + str(proc.returncode)}"
            )
        return proc


def target_for(settings: DatabaseSettings, dbname: str | None = None) -> PgTarget:
    """The configured database (embedded: it must be running)."""
    bindir = find_bindir(settings)
    if settings.database_url:
        u = make_url(settings.database_url)
        host = u.host or str(u.query.get("host") or "/var/run/postgresql")
        return PgTarget(
            host=host,
            port=int(u.port or u.query.get("port") or 5432),  # type: ignore[arg-type]
            user=u.username or "postgres",
            dbname=dbname or u.database or "postgres",
            password=u.password if isinstance(u.password, str) else None,
            bindir=bindir,
        )
    cluster = EmbeddedCluster(settings)
    port = cluster.running_port()
    if port is None:
        raise DatabaseUnavailable(
            f"the embedded database in {cluster.paths.home} is not running: run `parkgis db up`"
        )
    return PgTarget(
        host=str(cluster.paths.sockdir),
        port=port,
        user="parkgis",
        dbname=dbname or settings.db_name,
        password=cluster.password,
        bindir=bindir,
    )
