"""``parkgis draw`` on the test database (it commits, so it uses a far-future month)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from parkgis.cli import app
from parkgis.settings import DatabaseSettings
from tests.coverage.layout import Layout

MONTH = "2397-03"


@pytest.fixture
def cli_env(
    engine: Engine, db_settings: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    if db_settings.database_url:
        monkeypatch.setenv("PARKGIS_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("PARKGIS_HOME", str(db_settings.home))
    monkeypatch.setenv("PARKGIS_DB_NAME", db_settings.db_name)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM draws WHERE month = :m"), {"m": MONTH})
        lay = Layout(conn)
        made = [lay.officer("抽签甲"), lay.officer("抽签乙")]
        firm = lay.firm(200_000, 0)  # far from other tests' rows
        lay.assign(made[0], firm)
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM draws WHERE month = :m"), {"m": MONTH})
        conn.execute(text("DELETE FROM officers WHERE id = ANY(:ids)"), {"ids": made})
        conn.execute(text("DELETE FROM enterprises WHERE id = :f"), {"f": firm})


def test_draw_command(cli_env: Engine) -> None:
    r = CliRunner().invoke(app, ["draw", "--month", MONTH, "--count", "2", "--seed", "s1"])
    assert r.exit_code == 0, r.output
    assert f"draw {MONTH}: 2 of" in r.output and "seed: s1" in r.output
    assert "verified: yes" in r.output
    with cli_env.connect() as conn:
        stored = conn.execute(
            text("SELECT seed, officer_ids FROM draws WHERE month = :m"), {"m": MONTH}
        ).one()
    assert stored.seed == "s1" and len(stored.officer_ids) == 2
    again = CliRunner().invoke(app, ["draw", "--month", MONTH, "--count", "2"])
    assert again.exit_code == 1 and "drawn already" in again.output
    shown = CliRunner().invoke(app, ["draw", "--month", MONTH, "--show"])
    assert shown.exit_code == 0 and f"officer {stored.officer_ids[0]}" in shown.output
    bad = CliRunner().invoke(app, ["draw", "--month", "2397-3"])
    assert bad.exit_code == 1 and "month" in bad.output


def test_map_command(cli_env: Engine, tmp_path: Path) -> None:
    out = tmp_path / "coverage.html"
    r = CliRunner().invoke(app, ["map", "coverage", "--out", str(out), "--basemap", "none"])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert '"__layer": "territories"' in html and "pg-cov-officer" in html
    assert 'src="/assets/' not in html  # one self-contained file
    bad = CliRunner().invoke(app, ["map", "coverage", "--out", str(out), "route=1"])
    assert bad.exit_code == 1 and "officer_id" in bad.output
