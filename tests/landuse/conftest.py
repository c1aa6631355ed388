"""Fixtures of the land-use tests: a small zone with known numbers in each test's
rolled-back transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tests.landuse.zone import LuZone, make_zone


@pytest.fixture
def lu_zone(conn: Connection) -> LuZone:
    """The zone of :mod:`tests.landuse.zone`, rolled back after the test."""
    return make_zone(conn)


@pytest.fixture
def lu_session(conn: Connection, lu_zone: LuZone) -> Session:
    """An ORM session on the same transaction as :func:`lu_zone`."""
    return Session(bind=conn, join_transaction_mode="create_savepoint")
