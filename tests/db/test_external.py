"""The same commands against an existing PostGIS (the machine's own server on 5432)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from parkgis.db import db_status, db_up
from parkgis.db.migrate import head_revision
from parkgis.settings import DatabaseSettings

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/parkgis_external_test"


@pytest.fixture
def external() -> Iterator[DatabaseSettings]:
    for stmt in (
        "DROP DATABASE IF EXISTS parkgis_external_test",
        "CREATE DATABASE parkgis_external_test",
    ):
        subprocess.run(["psql", ADMIN, "-qc", stmt], check=True, capture_output=True)
    yield DatabaseSettings(database_url=URL)
    subprocess.run(
        ["psql", ADMIN, "-qc", "DROP DATABASE IF EXISTS parkgis_external_test WITH (FORCE)"],
        check=True,
        capture_output=True,
    )


def test_db_up_on_external_postgis(external: DatabaseSettings) -> None:
    engine = db_up(external)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT postgis_lib_version()")).scalar()
        assert conn.execute(text("SELECT count(*) FROM land_use_classes")).scalar_one() > 20
    engine.dispose()
    st = db_status(external)
    assert st.mode == "external" and st.up and st.revision == head_revision()
    assert "parkgis_external_test" in st.location


def test_status_of_unreachable_external() -> None:
    st = db_status(DatabaseSettings(database_url="postgresql+psycopg://x@127.0.0.1:1/none"))
    assert st.up is False and st.error
