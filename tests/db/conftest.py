"""A private embedded cluster for the operations tests (crash, lock-down, backup, PITR).

It lives in a short, throw-away PARKGIS_HOME (never the shared test cluster, since these
tests kill, restore and reconfigure it) and is removed at the end of the session.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from parkgis.db import db_down, db_up
from parkgis.settings import DatabaseSettings


@pytest.fixture(scope="session")
def ops_db() -> Iterator[DatabaseSettings]:
    """Settings of a fresh, migrated embedded cluster of our own."""
    home = Path(tempfile.mkdtemp(prefix="pgops-", dir="/tmp"))
    home.chmod(0o755)
    settings = DatabaseSettings(home=home, db_name="parkgis_ops")
    db_up(settings).dispose()
    yield settings
    db_down(settings)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def ops_engine(ops_db: DatabaseSettings) -> Iterator[Engine]:
    """An engine on :func:`ops_db` (started again if a test stopped it)."""
    engine = db_up(ops_db)
    yield engine
    engine.dispose()
