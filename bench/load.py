"""Demo load speed: ``parkgis demo load`` (COPY) against geopandas ``to_postgis``.

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/load.py [--scales 1,10] [--runs 3]

For each scale the demo files are taken from ``data/parcels`` (scale 1) or
``bench/out/scale-N`` (generated when missing). A fresh database ``parkgis_bench_load`` is
created in the embedded cluster and migrated, then:

- ``copy``: :func:`parkgis.demo.load_demo` runs ``--runs`` times, each in its own
  committed transaction like ``parkgis demo load`` (read files, move dates, TRUNCATE,
  COPY, rebuild keys and indexes); the median wall time and rows/second are reported.
- ``to_postgis``: the same layers are read as GeoDataFrames (pyogrio) and DataFrames (CSV)
  and written with ``GeoDataFrame.to_postgis`` / ``DataFrame.to_sql`` into scratch
  tables of the same shape (``CREATE TABLE bench_scratch.t (LIKE public.t INCLUDING ALL)``:
  same columns, defaults, generated areas, CHECKs and indexes, but no foreign keys),
  ``--baseline-runs`` times. The ratio is to_postgis time / copy time.

Prints a table and writes ``bench/out/load.json``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from _common import OUT, demo_dir
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.dialects.postgresql import JSONB

from parkgis.db.cluster import EmbeddedCluster
from parkgis.db.engine import db_up
from parkgis.demo import load_demo
from parkgis.demo.files import csv_path, read_meta
from parkgis.demo.schema import GPKG_NAME, LAYERS
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

DB_NAME = "parkgis_bench_load"


def fresh_database(settings: Settings) -> Engine:
    """Drop and re-create the bench database, migrated to head (embedded cluster only)."""
    if settings.db.database_url:
        raise SystemExit("bench/load.py needs the embedded cluster: unset PARKGIS_DATABASE_URL")
    db = settings.db.model_copy(update={"db_name": DB_NAME})
    cluster = EmbeddedCluster(db)
    cluster.up()
    admin = create_engine(cluster.url(dbname="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
    admin.dispose()
    return db_up(db)


def bench_copy(engine: Engine, directory: Path, runs: int) -> dict[str, Any]:
    times, rows, steps = [], 0, {}
    for _ in range(runs):
        t0 = time.perf_counter()
        with engine.begin() as conn:
            report = load_demo(conn, directory)
        times.append(time.perf_counter() - t0)
        rows, steps = report.rows, report.seconds
    med = statistics.median(times)
    return {
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(med, 3),
        "rows": rows,
        "rows_per_s": round(rows / med),
        "last_run_steps_s": {k: round(v, 3) for k, v in steps.items()},
    }


def scratch_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS bench_scratch CASCADE"))
        conn.execute(text("CREATE SCHEMA bench_scratch"))
        for layer in LAYERS:
            conn.execute(
                text(
                    f"CREATE TABLE bench_scratch.{layer.name} "
                    f"(LIKE public.{layer.name} INCLUDING ALL)"
                )
            )


def read_frames(directory: Path) -> dict[str, pd.DataFrame]:
    """Every layer as the GeoDataFrame (or DataFrame) a geopandas user would load."""
    frames: dict[str, pd.DataFrame] = {}
    for layer in LAYERS:
        if layer.spatial:
            gdf = pyogrio.read_dataframe(directory / GPKG_NAME, layer=layer.name, fid_as_index=True)
            gdf.index.name = "id"
            gdf = gdf.reset_index()
            gdf = gdf.rename_geometry(str(layer.geometry))
            frames[layer.name] = gdf
        else:
            frames[layer.name] = pd.read_csv(csv_path(directory, layer))
        frame = frames[layer.name]
        for column in layer.kinds("int"):
            frame[column] = frame[column].astype("Int64")
        if not layer.spatial:
            for column in layer.kinds("date"):
                frame[column] = pd.to_datetime(frame[column]).dt.date
            for column in layer.kinds("ts"):
                frame[column] = pd.to_datetime(frame[column], utc=True)
    return frames


def bench_to_postgis(engine: Engine, directory: Path, runs: int) -> dict[str, Any]:
    scratch_tables(engine)
    times, rows = [], 0
    for _ in range(runs):
        with engine.begin() as conn:
            names = ", ".join(f"bench_scratch.{layer.name}" for layer in LAYERS)
            conn.execute(text(f"TRUNCATE {names}"))
        t0 = time.perf_counter()
        frames = read_frames(directory)
        rows = 0
        for name, frame in frames.items():
            dtype = {c: JSONB for c in ("milestones", "data") if c in frame.columns}
            if isinstance(frame, gpd.GeoDataFrame):
                frame.to_postgis(
                    name,
                    engine,
                    schema="bench_scratch",
                    if_exists="append",
                    index=False,
                    dtype=dtype,
                )
            else:
                frame.to_sql(
                    name,
                    engine,
                    schema="bench_scratch",
                    if_exists="append",
                    index=False,
                    dtype=dtype,
                )
            rows += len(frame)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(med, 3),
        "rows": rows,
        "rows_per_s": round(rows / med),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10", help="comma-separated scales (default 1,10)")
    ap.add_argument("--runs", type=int, default=3, help="COPY loads per scale (median)")
    ap.add_argument("--baseline-runs", type=int, default=1, help="to_postgis loads per scale")
    args = ap.parse_args()
    settings = Settings()
    results = []
    for scale in (float(s) for s in args.scales.split(",")):
        directory = demo_dir(scale, zone_today(settings.zone.timezone))
        meta = read_meta(directory)
        engine = fresh_database(settings)
        try:
            print(f"scale {scale:g}: {sum(meta['counts'].values()):,} rows ...", flush=True)
            copy = bench_copy(engine, directory, args.runs)
            base = bench_to_postgis(engine, directory, args.baseline_runs)
        finally:
            engine.dispose()
        results.append(
            {
                "scale": scale,
                "counts": meta["counts"],
                "copy": copy,
                "to_postgis": base,
                "to_postgis_over_copy": round(base["median_s"] / copy["median_s"], 1),
            }
        )
    print()
    head = f"{'scale':>5} {'rows':>9} {'copy s':>8} {'rows/s':>9} {'to_postgis s':>13} "
    print(head + f"{'rows/s':>9} {'ratio':>6}")
    for r in results:
        c, b = r["copy"], r["to_postgis"]
        print(
            f"{r['scale']:>5g} {c['rows']:>9,} {c['median_s']:>8.2f} {c['rows_per_s']:>9,} "
            f"{b['median_s']:>13.2f} {b['rows_per_s']:>9,} {r['to_postgis_over_copy']:>5.1f}x"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"when": datetime.now().astimezone().isoformat(timespec="seconds"), "results": results}
    (OUT / "load.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT / 'load.json'}")


if __name__ == "__main__":
    main()
