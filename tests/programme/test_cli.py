"""``parkgis programme checklist`` on the test database (the committed workbench zone)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from parkgis.cli import app
from parkgis.settings import DatabaseSettings
from tests.workbench.zone import WBZone


@pytest.fixture
def env(db_settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    if db_settings.database_url:
        monkeypatch.setenv("PARKGIS_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("PARKGIS_HOME", str(db_settings.home))
    monkeypatch.setenv("PARKGIS_DB_NAME", db_settings.db_name)


def test_checklist_command(env: None, zone: WBZone) -> None:
    runner = CliRunner()
    args = ["programme", "checklist", "--officer", str(zone.officer_a), "--month", "2026-11"]
    done = runner.invoke(app, [*args, "--json"])
    assert done.exit_code == 0, done.output
    got = json.loads(done.output)
    assert got["month"] == "2026-11"
    (row,) = got["officers"]
    assert row["officer_id"] == zone.officer_a and len(row["items"]) == 5
    assert row["items"][0]["required"] == 4 and row["all_done"] is False
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "五个一 2026-11: 0/1 all done" in table.output
    bad = runner.invoke(app, ["programme", "checklist", "--month", "2026-13"])
    assert bad.exit_code != 0 and "month" in bad.output
