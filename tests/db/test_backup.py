"""Backups and restores on a real embedded cluster: the A / backup / B / C scenario of issue 16,
a damaged or mismatching backup that leaves the live data alone, and WAL retention."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from parkgis.db.backup import backup, manifest_path, restore, sha256_of
from parkgis.db.cluster import EmbeddedCluster
from parkgis.db.migrate import head_revision
from parkgis.db.pitr import apply_retention, base_backups
from parkgis.errors import Conflict, InvalidInput
from parkgis.settings import DatabaseSettings


def _write(engine: Engine, code: str) -> datetime:
    """Commit one row; return the database's clock just after the commit."""
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO industry_chains (code, name_zh, name_en) VALUES (:c, :z, :e)"),
            {"c": code, "z": code, "e": code},
        )
    with engine.connect() as conn:
        return conn.execute(text("SELECT clock_timestamp()")).scalar_one()


def _codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code FROM industry_chains WHERE code LIKE 'ops_%'"))
        return {r[0] for r in rows}


@pytest.fixture(scope="module")
def scenario(ops_db: DatabaseSettings, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Write A, back up, write B (t1), write C (t2): what the restores start from."""
    from parkgis.db import db_up

    engine = db_up(ops_db)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM industry_chains WHERE code LIKE 'ops_%'"))
    _write(engine, "ops_a")
    dump = tmp_path_factory.mktemp("backups") / "zone.dump"
    manifest = backup(ops_db, dump, say=lambda _m: None)
    t1 = _write(engine, "ops_b")
    time.sleep(0.3)
    with engine.connect() as conn:
        between = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    time.sleep(0.3)
    t2 = _write(engine, "ops_c")
    engine.dispose()
    assert t1 < between < t2
    return {"dump": dump, "manifest": manifest, "between": between}


def test_backup_writes_a_checked_manifest(scenario: dict) -> None:
    dump: Path = scenario["dump"]
    raw = json.loads(manifest_path(dump).read_text())
    assert raw["revision"] == head_revision()
    assert raw["sha256"] == sha256_of(dump)
    assert raw["counts"]["industry_chains"] >= 1
    assert raw["counts"]["alembic_version"] == 1
    assert "spatial_ref_sys" not in raw["counts"]
    assert abs(datetime.fromisoformat(raw["created_at"]) - datetime.now(UTC)) < timedelta(minutes=5)
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump custom format


def test_restore_gives_the_state_after_a_only(ops_db: DatabaseSettings, scenario: dict) -> None:
    restore(ops_db, scenario["dump"], say=lambda _m: None)
    from parkgis.db import db_up

    engine = db_up(ops_db)
    assert _codes(engine) == {"ops_a"}
    engine.dispose()


def test_restore_to_a_moment_between_b_and_c(ops_db: DatabaseSettings, scenario: dict) -> None:
    restore(ops_db, scenario["dump"], to=scenario["between"], say=lambda _m: None)
    from parkgis.db import db_up

    engine = db_up(ops_db)
    assert _codes(engine) == {"ops_a", "ops_b"}
    engine.dispose()


def test_a_mismatching_restore_leaves_the_live_data_alone(
    ops_db: DatabaseSettings, scenario: dict, ops_engine: Engine, tmp_path: Path
) -> None:
    before = _codes(ops_engine)
    dump = tmp_path / "bad.dump"
    dump.write_bytes(scenario["dump"].read_bytes())
    raw = json.loads(manifest_path(scenario["dump"]).read_text())
    raw["counts"]["industry_chains"] += 1
    manifest_path(dump).write_text(json.dumps(raw))
    with pytest.raises(Conflict, match="industry_chains"):
        restore(ops_db, dump, say=lambda _m: None)
    assert _codes(ops_engine) == before
    dump.write_bytes(scenario["dump"].read_bytes()[:-10])  # damaged file
    with pytest.raises(InvalidInput, match="SHA-256"):
        restore(ops_db, dump, say=lambda _m: None)
    with pytest.raises(InvalidInput, match="before this backup"):
        restore(ops_db, scenario["dump"], to=datetime(2020, 1, 1, tzinfo=UTC), say=lambda _m: None)
    assert _codes(ops_engine) == before


def test_retention_keeps_the_newest_base_backup_and_the_wal_it_needs(
    ops_db: DatabaseSettings, scenario: dict
) -> None:
    cluster = EmbeddedCluster(ops_db)
    backup(ops_db, scenario["dump"].with_name("second.dump"), say=lambda _m: None)
    assert len(base_backups(cluster)) >= 2
    removed = apply_retention(ops_db, now=datetime.now(UTC) + timedelta(days=30))
    kept = base_backups(cluster)
    assert len(kept) == 1 and any(p.parent == cluster.paths.base_dir for p in removed)
    start = (kept[0][1] / "backup_label").read_text().split("(file ")[1][:24]
    left = sorted(p.name[:24] for p in cluster.paths.wal_dir.glob("*.gz"))
    assert left and left[0] >= start


def test_the_serve_watch_trims_logs_and_archive_hourly(ops_db: DatabaseSettings) -> None:
    from parkgis.db.watch import ClusterWatch

    cluster = EmbeddedCluster(ops_db)
    for i in range(3):  # stale rotated logs older than the live one
        (cluster.paths.log_dir / f"postgresql-20000101-00000{i}.log").write_text("old\n")
    keep = ops_db.model_copy(update={"pg_log_keep": 1})
    ClusterWatch(keep).housekeeping()
    logs = sorted(p.name for p in cluster.paths.log_dir.glob("postgresql-*.log"))
    assert len(logs) == 1 and not logs[0].startswith("postgresql-2000")


def test_backup_and_restore_on_an_external_postgis(tmp_path: Path) -> None:
    import subprocess

    from parkgis.db import db_up

    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    name = "parkgis_ops_external"
    drop = [f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in (name, f"{name}_before_restore")]
    for stmt in [*drop, f"CREATE DATABASE {name}"]:
        subprocess.run(["psql", admin, "-qc", stmt], check=True, capture_output=True)
    ext = DatabaseSettings(database_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        engine = db_up(ext)
        _write(engine, "ops_x")
        manifest = backup(ext, tmp_path / "ext.dump", say=lambda _m: None)
        assert manifest.base_backup is None  # no WAL archive of ours on someone else's server
        _write(engine, "ops_y")
        restore(ext, tmp_path / "ext.dump", say=lambda _m: None)
        assert _codes(engine) == {"ops_x"}
        with pytest.raises(InvalidInput, match="external PostGIS"):
            restore(ext, tmp_path / "ext.dump", to=datetime.now(UTC), say=lambda _m: None)
        engine.dispose()
    finally:
        for stmt in drop:
            subprocess.run(["psql", admin, "-qc", stmt], capture_output=True)


def test_the_cli_backs_up_and_restores(ops_db: DatabaseSettings, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PARKGIS_HOME": str(ops_db.home), "PARKGIS_DB_NAME": ops_db.db_name}
    env.pop("PARKGIS_DATABASE_URL", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "parkgis", "db", *args]
        return subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True)

    dump = tmp_path / "cli.dump"
    made = cli("backup", str(dump))
    assert made.returncode == 0, made.stderr
    assert "manifest:" in made.stdout and manifest_path(dump).exists()
    done = cli("restore", str(dump))
    assert done.returncode == 0, done.stderr
    assert f"{ops_db.db_name}_before_restore" in done.stdout


def test_restore_times_are_zone_time_unless_they_say_otherwise() -> None:
    from parkgis.commands.db import parse_time

    shanghai = parse_time("2026-12-01 10:00", "Asia/Shanghai")
    assert shanghai.astimezone(UTC) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    utc = parse_time("2026-12-01T10:00+00:00", "Asia/Shanghai")
    assert utc == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="not a time like"):
        parse_time("yesterday-ish", "Asia/Shanghai")
