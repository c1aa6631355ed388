"""A ``kill -9`` in the middle of a 100k-parcel import leaves the database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import text

from tests.support.db import cli_env

ROOT = Path(__file__).resolve().parents[2]
N = 100_000


def big_gpkg(path: Path, tag: str) -> Path:
    i = np.arange(N)
    x = 113.0 + (i % 400) * 0.0002
    y = 23.0 + (i // 400) * 0.0002
    boxes = shapely.box(x, y, x + 0.00015, y + 0.00015)
    gdf = gpd.GeoDataFrame(
        {"code": [f"{tag}{k}" for k in i], "land_use": "100101", "status": "available"},
        geometry=boxes,
        crs="EPSG:4326",
    )
    gdf.to_file(path, layer="parcels", engine="pyogrio")
    return path


def test_kill_during_write_leaves_nothing(engine, tmp_path) -> None:
    tag = f"K{uuid.uuid4().hex[:5]}-"
    path = big_gpkg(tmp_path / "big.gpkg", tag)
    with engine.connect() as c:
        before = c.execute(text("SELECT count(*), coalesce(max(id), 0) FROM parcels")).one()
        imports = c.execute(text("SELECT count(*) FROM imports")).scalar_one()
    env = cli_env()
    proc = subprocess.Popen(
        [sys.executable, "-m", "parkgis", "import", "parcels", str(path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen = None
    deadline = time.monotonic() + 120
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            while time.monotonic() < deadline and proc.poll() is None:
                seen = c.execute(
                    text(
                        "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND state = 'active' AND "
                        "(query LIKE 'COPY io_stage%' OR query LIKE '%INSERT INTO parcels%' "
                        "OR query LIKE 'COPY \"parcels\"%')"
                    )
                ).scalar()
                # Rows are going into parcels: by INSERT … SELECT from the staging table, or
                # by COPY straight into the table (parkgis.io.direct).
                if seen and ("INSERT INTO parcels" in seen or seen.startswith('COPY "parcels"')):
                    break
                time.sleep(0.05)
        assert seen, "the import never reached the database"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)  # the server notices the dropped connection and rolls back
    with engine.connect() as c:
        after = c.execute(text("SELECT count(*), coalesce(max(id), 0) FROM parcels")).one()
        assert tuple(after) == tuple(before)
        assert (
            c.execute(
                text("SELECT count(*) FROM parcels WHERE code LIKE :t"), {"t": f"{tag}%"}
            ).scalar_one()
            == 0
        )
        assert c.execute(text("SELECT count(*) FROM imports")).scalar_one() == imports
