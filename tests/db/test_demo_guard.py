"""`parkgis demo load` never erases data that is not the demo unless told so in so many words."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from parkgis.db import db_up
from parkgis.demo import DEMO_DIR, load_demo
from parkgis.demo.load import at_stake, read_demo
from parkgis.errors import Conflict
from parkgis.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 6, 1)


def test_a_database_holding_only_the_demo_may_be_reloaded(conn: Connection) -> None:
    load_demo(conn, DEMO_DIR, today=DAY)  # whatever was there (rolled back afterwards)
    _meta, tables = read_demo(DEMO_DIR)
    stake = at_stake(conn, tables)
    assert stake.only_demo, stake.foreign
    assert stake.erased_rows >= sum(t.num_rows for t in tables.values()) - len(tables["officers"])
    again = load_demo(conn, DEMO_DIR, today=DAY, replace_all_data=False)
    assert again.rows == sum(t.num_rows for t in tables.values())


@pytest.mark.parametrize(
    "foreign_sql,table",
    [
        ("INSERT INTO officers (id, name) VALUES (987654, 'not in the demo')", "officers"),
        (
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
            "VALUES (now(), 'someone', 'update', 'parcels', 1)",
            "audit_log",
        ),
        ("UPDATE parcels SET id = 987654 WHERE id = (SELECT min(id) FROM parcels)", "parcels"),
    ],
)
def test_other_data_is_refused_with_the_rows_it_would_erase(
    conn: Connection, foreign_sql: str, table: str
) -> None:
    load_demo(conn, DEMO_DIR, today=DAY)
    conn.execute(text(foreign_sql))
    before = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    with pytest.raises(Conflict, match=r"would erase [\d,]+ rows") as info:
        load_demo(conn, DEMO_DIR, today=DAY, replace_all_data=False)
    assert f"{table} 1" in str(info.value)
    assert info.value.detail["erased_rows"] > 0
    assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == before


def test_the_cli_refuses_then_replaces_when_told(ops_db: DatabaseSettings) -> None:
    engine = db_up(ops_db)
    with engine.begin() as c:
        c.execute(text("INSERT INTO officers (name) VALUES ('a real officer')"))
        officers = c.execute(text("SELECT count(*) FROM officers")).scalar_one()
    env = {**os.environ, "PARKGIS_HOME": str(ops_db.home), "PARKGIS_DB_NAME": ops_db.db_name}
    env.pop("PARKGIS_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "parkgis", "demo", "load", "--today", DAY.isoformat()]
    refused = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "not the demo" in refused.stderr and "--replace-all-data" in refused.stderr
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM officers")).scalar_one() == officers
    done = subprocess.run(
        [*cmd, "--replace-all-data"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "erased" in done.stdout and "demo loaded" in done.stdout
    with engine.connect() as c:
        calls = c.execute(
            text("SELECT count(*) FROM visits WHERE kind = 'investment_call'")
        ).scalar_one()
    assert calls > 0 and f"{calls:,} investment calls" in done.stdout
    with engine.connect() as c:
        assert (
            c.execute(
                text("SELECT count(*) FROM officers WHERE name = 'a real officer'")
            ).scalar_one()
            == 0
        )
    engine.dispose()
