"""Database access: engines and sessions, the embedded cluster, and migrations."""

from parkgis.db.engine import (
    db_down,
    db_status,
    db_up,
    make_engine,
    make_sessionmaker,
    resolve_url,
    session_scope,
)

__all__ = [
    "db_down",
    "db_status",
    "db_up",
    "make_engine",
    "make_sessionmaker",
    "resolve_url",
    "session_scope",
]
