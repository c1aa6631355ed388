"""Shared fixtures: one real PostGIS per test session, one rolled-back transaction per test.

The database is the embedded cluster under ``PARKGIS_HOME`` (default: a directory in
/tmp named after this checkout), database ``parkgis_test``; with
``PARKGIS_TEST_DATABASE_URL`` set, that PostGIS is used instead. A database that
cannot be started fails the run: nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from parkgis.db.engine import db_up
from parkgis.settings import DatabaseSettings, Settings
from tests.support.db import db_settings_for_tests

pytest_plugins = ["tests.browser_utils"]  # live_server, browser, watched (Chromium tests)

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def db_settings() -> DatabaseSettings:
    """Settings of the test database."""
    return db_settings_for_tests()


@pytest.fixture(scope="session")
def settings(db_settings: DatabaseSettings) -> Settings:
    """Full settings with the test database."""
    return Settings(db=db_settings)


@pytest.fixture(scope="session")
def engine(db_settings: DatabaseSettings) -> Iterator[Engine]:
    """The test database, started and migrated once per session."""
    eng = db_up(db_settings)
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection
        finally:
            if trans.is_active:
                trans.rollback()


@pytest.fixture
def session(conn: Connection) -> Iterator[Session]:
    """An ORM session on :func:`conn`; its commits become savepoints, all rolled back."""
    with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
        yield s
