"""Engines, sessions, and the ``db up / down / status`` operations for both kinds of database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from parkgis.db.cluster import EmbeddedCluster
from parkgis.errors import ConfigError, DatabaseUnavailable
from parkgis.settings import DatabaseSettings

EXTENSIONS = ("postgis", "btree_gist")


def resolve_url(settings: DatabaseSettings) -> str:
    """The SQLAlchemy URL to use: the external one, or the running embedded cluster's."""
    if settings.database_url:
        return settings.database_url
    return EmbeddedCluster(settings).url()


def make_engine(settings: DatabaseSettings, url: str | None = None, **kw: Any) -> Engine:
    """Create an engine (UTC sessions, pre-ping) for ``url`` or the configured database."""
    target = url or resolve_url(settings)
    try:
        make_url(target)
    except ArgumentError as exc:
        raise ConfigError(f"PARKGIS_DATABASE_URL is not a valid URL: {exc}") from exc
    kw.setdefault("pool_size", settings.pool_size)
    kw.setdefault("pool_pre_ping", True)
    engine = create_engine(target, **kw)

    @event.listens_for(engine, "connect")
    def _utc(dbapi_conn: Any, _rec: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
        dbapi_conn.commit()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with make_sessionmaker(engine)() as session, session.begin():
        yield session


def _describe(exc: Exception) -> str:
    msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__


def ensure_extensions(engine: Engine) -> str:
    """Create PostGIS (and btree_gist) when missing; return the PostGIS version.

    Raises
    ------
    ConfigError
        PostGIS is not installed on the server, or we may not create it.
    """
    with engine.connect() as conn:
        for ext in EXTENSIONS:
            have = conn.execute(
                text("SELECT extversion FROM pg_extension WHERE extname = :e"), {"e": ext}
            ).scalar()
            if have:
                continue
            available = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = :e"), {"e": ext}
            ).scalar()
            if not available:
                major = conn.execute(text("SHOW server_version_num")).scalar_one()
                raise ConfigError(
                    f"the server has no {ext} extension: install it on the database host "
                    f"(apt-get install postgresql-{int(major) // 10000}-postgis-3)"
                )
            try:
                conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {ext}"))
                conn.commit()
            except ProgrammingError as exc:
                raise ConfigError(
                    f"{ext} is not enabled in this database and we may not enable it "
                    f"({_describe(exc)}); ask a superuser to run CREATE EXTENSION {ext}"
                ) from exc
        return str(conn.execute(text("SELECT postgis_lib_version()")).scalar_one())


def connect_checked(settings: DatabaseSettings, url: str | None = None) -> Engine:
    """An engine whose database answered, with a one-line error naming the fix if not."""
    engine = make_engine(settings, url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        where = "PARKGIS_DATABASE_URL" if settings.database_url else "the embedded database"
        raise DatabaseUnavailable(
            f"cannot connect to {where}: {_describe(exc)}; check the host, port, user and "
            "database name, or unset PARKGIS_DATABASE_URL to use the embedded one"
        ) from exc
    return engine


def db_up(settings: DatabaseSettings) -> Engine:
    """Start (embedded) or check (external) the database, enable PostGIS, migrate to head."""
    from parkgis.db.migrate import upgrade

    url = None if settings.database_url else EmbeddedCluster(settings).up()
    engine = connect_checked(settings, url)
    # Concurrent `db up`s queue here, so extensions and migrations run once.
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(hashtext('parkgis db up'))"))
        try:
            ensure_extensions(engine)
            upgrade(engine)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(hashtext('parkgis db up'))"))
    return engine


@dataclass
class DbStatus:
    """What ``parkgis db status`` reports."""

    mode: str
    location: str
    up: bool
    url: str | None = None
    port: int | None = None
    postgis: str | None = None
    revision: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


def db_status(settings: DatabaseSettings) -> DbStatus:
    """Where the database is and whether it answers; never raises for a down database."""
    from parkgis.db.migrate import current_revision

    if settings.database_url:
        u = make_url(settings.database_url)
        st = DbStatus(
            mode="external",
            location=f"{u.host or 'socket'}:{u.port or 5432}/{u.database}",
            up=False,
            url=u.render_as_string(hide_password=True),
        )
    else:
        cluster = EmbeddedCluster(settings)
        port = cluster.running_port()
        st = DbStatus(
            mode="embedded",
            location=str(cluster.paths.pgdata),
            up=False,
            port=port,
        )
        if port is None:
            st.error = (
                "not initialised" if not cluster.initialised else "stopped"
            ) + "; run `parkgis db up`"
            return st
        st.url = cluster.url(port)
    url = None if settings.database_url else st.url
    if url:
        st.url = make_url(url).render_as_string(hide_password=True)
    try:
        engine = make_engine(settings, url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            st.up = True
            st.postgis = conn.execute(
                text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            ).scalar()
        st.revision = current_revision(engine)
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - status reports, it never raises
        st.error = _describe(exc)
    return st


def db_down(settings: DatabaseSettings) -> bool:
    """Stop the embedded cluster; external databases are left alone (returns False)."""
    if settings.database_url:
        return False
    return EmbeddedCluster(settings).stop()
