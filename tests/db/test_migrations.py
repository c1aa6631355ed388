"""Migrations upgrade and downgrade cleanly, and the models match the migrated schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import Engine, inspect, text

from parkgis.db.engine import ensure_extensions, make_engine
from parkgis.db.migrate import current_revision, downgrade, head_revision, upgrade
from parkgis.models import Base
from parkgis.settings import DatabaseSettings

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def scratch(engine: Engine) -> Iterator[Engine]:
    """An empty database in the embedded test cluster."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DROP DATABASE IF EXISTS parkgis_migrations"))
        conn.execute(text("CREATE DATABASE parkgis_migrations"))
    url = engine.url.set(database="parkgis_migrations")
    eng = make_engine(DatabaseSettings(), url.render_as_string(hide_password=False))
    ensure_extensions(eng)
    yield eng
    eng.dispose()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DROP DATABASE IF EXISTS parkgis_migrations WITH (FORCE)"))


def _tables(eng: Engine) -> set[str]:
    return set(inspect(eng).get_table_names()) - {"spatial_ref_sys", "alembic_version"}


def test_upgrade_downgrade_upgrade(scratch: Engine) -> None:
    upgrade(scratch)
    assert current_revision(scratch) == head_revision()
    assert _tables(scratch) == set(Base.metadata.tables)
    downgrade(scratch, "base")
    assert current_revision(scratch) is None
    assert _tables(scratch) == set()
    upgrade(scratch)
    assert _tables(scratch) == set(Base.metadata.tables)


def test_every_revision_steps_down_and_up(scratch: Engine) -> None:
    from alembic.script import ScriptDirectory

    from parkgis.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(scratch))
    revs = [r.revision for r in script.walk_revisions("base", "heads")][::-1]
    for rev in revs:
        upgrade(scratch, rev)
        assert current_revision(scratch) == rev
    for rev in reversed(revs):
        downgrade(scratch, f"{rev}-1" if rev != revs[0] else "base")
    assert current_revision(scratch) is None


def test_models_match_migrations(scratch: Engine) -> None:
    upgrade(scratch)
    with scratch.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_object": alembic_helpers.include_object,
                "compare_type": False,
            },
        )
        diff = compare_metadata(ctx, Base.metadata)
    meaningful = [d for d in diff if not _ignorable(d)]
    assert meaningful == []


def _ignorable(d: object) -> bool:
    # Exclusion constraints and spatial indexes are made by hand in the migration.
    text_ = repr(d)
    return "no_double_" in text_ or "idx_" in text_ or "spatial_ref_sys" in text_


def test_single_head() -> None:
    assert head_revision() is not None
