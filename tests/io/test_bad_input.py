"""Bad files: each gets one clear error (CLI: one line, exit 2) and nothing is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from parkgis.access import Principal
from parkgis.errors import InvalidInput, PayloadTooLarge
from parkgis.io.importer import ImportOptions, import_file
from parkgis.settings import ImportSettings, Settings
from tests.io import files
from tests.support.db import cli_env

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Principal(name="io-test", role="admin")


def bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp / "empty.gpkg"
    empty.write_bytes(b"")
    shp_dir = tmp / "nodbf"
    shp = files.gbk_shapefile(shp_dir, cpg=None)
    shp.with_suffix(".dbf").unlink()
    unknown = tmp / "plots.txt"
    unknown.write_text("hello")
    return {
        "empty": (empty, "empty (0 bytes)"),
        "no_dbf": (shp, "needs its .dbf"),
        "bomb": (files.zip_bomb(tmp / "bomb.zip"), "zip bomb"),
        "traversal": (files.traversal_zip(tmp / "evil.zip"), "path traversal"),
        "unknown": (unknown, "unknown format '.txt'"),
    }


@pytest.mark.parametrize("name", ["empty", "no_dbf", "bomb", "traversal", "unknown"])
def test_library_refuses_with_reason(session, settings, tmp_path, name) -> None:
    path, reason = bad_files(tmp_path)[name]
    before = session.execute(text("SELECT count(*) FROM imports")).scalar_one()
    with pytest.raises(InvalidInput) as err:
        import_file(session, path, ImportOptions(kind="parcels"), ADMIN, settings)
    assert reason in str(err.value)
    assert session.execute(text("SELECT count(*) FROM imports")).scalar_one() == before


def test_over_the_limit(session, settings, tmp_path) -> None:
    small = Settings(db=settings.db, imports=ImportSettings(import_max_bytes=1024))
    path = files.firms_xlsx(tmp_path / "firms.xlsx")
    with pytest.raises(PayloadTooLarge, match="over the import limit of 1,024"):
        import_file(session, path, ImportOptions(kind="parcels"), ADMIN, small)


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = cli_env(**env)
    return subprocess.run(
        [sys.executable, "-m", "parkgis", *args],
        env=full,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_one_line_exit_2(engine, tmp_path) -> None:
    cases = bad_files(tmp_path)
    for name in ("empty", "bomb", "unknown"):
        path, reason = cases[name]
        proc = cli("import", "parcels", str(path))
        assert proc.returncode == 2, proc.stderr
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and reason in lines[0] and "Traceback" not in proc.stderr
    big = files.firms_xlsx(tmp_path / "big.xlsx")
    proc = cli("import", "parcels", str(big), PARKGIS_IMPORT_MAX_BYTES="1024")
    assert proc.returncode == 2 and "over the import limit" in proc.stderr


def test_cli_refused_report_exits_2_and_writes_nothing(engine, tmp_path) -> None:
    g = files.bowtie_geojson(tmp_path / "p.geojson")
    with engine.connect() as c:
        n0 = c.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    proc = cli("import", "parcels", str(g))
    assert proc.returncode == 2
    assert "Self-intersection" in proc.stdout and "would NOT load" in proc.stdout
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM parcels")).scalar_one() == n0


def test_http_names_the_problem(engine, settings, tmp_path) -> None:
    import uuid

    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session

    from api.app import create_app
    from parkgis.auth import create_token

    name = f"io-bad-{uuid.uuid4().hex[:6]}"
    with Session(engine) as s:
        token = create_token(s, role="planner", name=name)
        s.commit()
    auth = {"Authorization": f"Bearer {token}"}
    cases = bad_files(tmp_path)
    small = Settings(db=settings.db, imports=ImportSettings(import_max_bytes=20_000))
    try:
        with TestClient(create_app(small)) as client:
            for key in ("empty", "bomb", "traversal", "unknown"):
                path, reason = cases[key]
                r = client.post(
                    "/api/v1/imports?kind=parcels&commit=true",
                    headers=auth,
                    files={"file": (path.name, path.read_bytes())},
                )
                assert 400 <= r.status_code < 500 and reason in r.json()["description"], r.text
            big = b'{"type": "FeatureCollection", "features": []}' + b" " * 30_000
            r = client.post(
                "/api/v1/imports?kind=enterprises",
                headers=auth,
                files={"file": ("big.geojson", big)},
            )
            assert r.status_code == 413 and "over the import limit" in r.json()["description"]
        with engine.connect() as c:
            n = c.execute(
                text(
                    "SELECT count(*) FROM imports i JOIN users u ON u.id = i.user_id "
                    "WHERE u.name = :n"
                ),
                {"n": name},
            ).scalar_one()
        assert n == 0
    finally:
        with engine.begin() as c:
            c.execute(
                text(
                    "DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE name = :n)"
                ),
                {"n": name},
            )
            c.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})


@pytest.mark.parametrize("suffix", ["csv", "gpkg", "dxf", "xlsx", "kml", "fgb", "geojson"])
def test_garbage_with_a_data_suffix(session, settings, tmp_path, suffix) -> None:
    path = tmp_path / f"junk.{suffix}"
    path.write_bytes(b'\x00\x01garbage\xff\xfe,,,"\n"a\r\n')
    with pytest.raises(InvalidInput) as err:
        import_file(session, path, ImportOptions(kind="parcels"), ADMIN, settings)
    text_ = str(err.value)
    assert "junk." in text_ and "\n" not in text_ and "\x00" not in text_


def test_upload_names_are_made_safe() -> None:
    from api.routes.io import safe_name

    assert safe_name("../../x.gpkg") == "x.gpkg"
    assert safe_name("..") == safe_name(None) == "upload"
    assert safe_name("a\x00b.csv") == "a_b.csv" and safe_name("地块.zip") == "地块.zip"
