"""Import speed: ``parkgis import parcels`` (with validation, mapping and audit) against
``ogr2ogr`` loading the same GeoPackage into a scratch table of the same database.

    PARKGIS_HOME=/tmp/pg-bench-io .venv/bin/python bench/import.py [--features 100000] [--runs 3]

The file: the first ``--features`` parcels of the scale-100 demo zone
(``bench/out/scale-100``, made by ``parkgis demo generate --scale 100`` under
``flock bench/out/.gen.lock`` when missing), cut with ``ogr2ogr -limit`` into
``bench/out/import-N.gpkg``. The database: a fresh ``parkgis_bench_import`` in the embedded
cluster, migrated.

Each run of each side starts from an empty target:

- ``parkgis``: a child process runs :func:`parkgis.io.importer.import_file` and commits
  (read in batches, encoding and CRS detection, geometry checks, field casts, SQL checks for
  duplicate keys, references and overlaps, insert, one audit row per parcel, the imports
  row). It reports its own time for the import call and its peak RSS; the child's whole
  wall time (Python start-up and imports included) is reported too.
- ``ogr2ogr``: ``-f PostgreSQL`` with ``PG_USE_COPY`` into ``bench_scratch.parcels_ogr``
  (MULTIPOLYGON, EPSG:4326, GiST index), wall time of the process.

Prints medians, features/second and the ratios; writes ``bench/out/import.json``.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from _common import OUT, ROOT, demo_dir, write_json
from sqlalchemy import create_engine, text

DB_NAME = "parkgis_bench_import"
MAP = ["holder_enterprise_id="]  # the bench database holds no firms to point at


def source_file(features: int) -> Path:
    """The ``features``-parcel GeoPackage, cut from the scale-100 zone under the lock."""
    zone = demo_dir(100, date.today())
    target = OUT / f"import-{features}.gpkg"
    with (OUT / ".gen.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            subprocess.run(
                [
                    "ogr2ogr",
                    "-f",
                    "GPKG",
                    str(target),
                    str(zone / "zone.gpkg"),
                    "parcels",
                    "-limit",
                    str(features),
                    "-nln",
                    "parcels",
                ],
                check=True,
            )
    return target


def fresh_database() -> tuple[str, dict[str, str]]:
    from parkgis.db.cluster import EmbeddedCluster
    from parkgis.db.engine import db_up
    from parkgis.settings import Settings

    settings = Settings()
    if settings.db.database_url:
        raise SystemExit("bench/import.py needs the embedded cluster: unset PARKGIS_DATABASE_URL")
    db = settings.db.model_copy(update={"db_name": DB_NAME})
    cluster = EmbeddedCluster(db)
    cluster.up()
    admin = create_engine(cluster.url(dbname="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
    admin.dispose()
    db_up(db).dispose()
    port = cluster.running_port()
    return cluster.url(dbname=DB_NAME), cluster.conninfo(int(port or 0), DB_NAME)


def worker(path: Path) -> None:
    """Child: one import, committed; prints seconds and peak RSS as JSON."""
    from parkgis.access import Principal
    from parkgis.db import make_engine, make_sessionmaker
    from parkgis.io.fields import parse_pairs
    from parkgis.io.importer import ImportOptions, import_file
    from parkgis.settings import Settings

    settings = Settings()
    settings = settings.model_copy(
        update={"db": settings.db.model_copy(update={"db_name": DB_NAME})}
    )
    engine = make_engine(settings.db)
    opts = ImportOptions(kind="parcels", map=parse_pairs(MAP, "map"))
    t0 = time.perf_counter()
    with make_sessionmaker(engine)() as session:
        report = import_file(session, path, opts, Principal(name="bench", role="admin"), settings)
        if not report["loaded"]:
            print(json.dumps(report["problems"], ensure_ascii=False)[:2000], file=sys.stderr)
            raise SystemExit(2)
        session.commit()
    seconds = time.perf_counter() - t0
    engine.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_mb": rss_mb,
                "inserted": report["counts"]["insert"],
                "phases": report["timing_s"],
            }
        )
    )


def empty(url: str) -> None:
    eng = create_engine(url)
    with eng.begin() as c:
        c.execute(text("TRUNCATE parcels, imports, audit_log RESTART IDENTITY CASCADE"))
        c.execute(text("CREATE SCHEMA IF NOT EXISTS bench_scratch"))
        c.execute(text("DROP TABLE IF EXISTS bench_scratch.parcels_ogr"))
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE parcels"))
    eng.dispose()


def run_parkgis(path: Path, url: str) -> dict[str, float]:
    empty(url)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"parkgis import failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    return out


def run_ogr(path: Path, url: str, info: dict[str, str]) -> float:
    empty(url)
    pg = " ".join(f"{k}={v}" for k, v in info.items())
    env = dict(os.environ, PG_USE_COPY="YES")
    t0 = time.perf_counter()
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            f"PG:{pg}",
            str(path),
            "parcels",
            "-nln",
            "bench_scratch.parcels_ogr",
            "-nlt",
            "MULTIPOLYGON",
            "-t_srs",
            "EPSG:4326",
            "-lco",
            "GEOMETRY_NAME=geom",
            "-lco",
            "SPATIAL_INDEX=GIST",
            "--config",
            "PG_USE_COPY",
            "YES",
        ],
        check=True,
        env=env,
    )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--worker", type=Path)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return
    path = source_file(args.features)
    size_mb = path.stat().st_size / 1e6
    url, info = fresh_database()
    ours, theirs = [], []
    for i in range(args.runs):  # interleaved, so both sides see the same machine load
        ours.append(run_parkgis(path, url))
        theirs.append(run_ogr(path, url, info))
        print(
            f"run {i + 1}: parkgis {ours[-1]['seconds']:.2f} s in call "
            f"({ours[-1]['wall']:.2f} s process), ogr2ogr {theirs[-1]:.2f} s",
            flush=True,
        )
    call = statistics.median(r["seconds"] for r in ours)
    wall = statistics.median(r["wall"] for r in ours)
    ogr = statistics.median(theirs)
    n = int(ours[0]["inserted"])
    result = {
        "file": str(path.relative_to(ROOT)),
        "file_mb": round(size_mb, 1),
        "features": n,
        "runs": args.runs,
        "parkgis_call_s": round(call, 3),
        "parkgis_process_s": round(wall, 3),
        "ogr2ogr_s": round(ogr, 3),
        "parkgis_features_per_s": round(n / call),
        "ratio_call_vs_ogr2ogr": round(call / ogr, 2),
        "ratio_process_vs_ogr2ogr": round(wall / ogr, 2),
        "parkgis_peak_rss_mb": round(max(r["rss_mb"] for r in ours)),
        "all": {"parkgis": ours, "ogr2ogr": theirs},
    }
    write_json("import", result)
    print(f"\n{n:,} parcels from {path.name} ({size_mb:.1f} MB), median of {args.runs}:")
    print(
        f"  parkgis import  {call:6.2f} s in call  {n / call:9,.0f} features/s  "
        f"(process {wall:.2f} s), peak RSS {result['parkgis_peak_rss_mb']} MB"
    )
    print(f"  ogr2ogr         {ogr:6.2f} s            {n / ogr:9,.0f} features/s")
    print(f"  ratio parkgis/ogr2ogr: {call / ogr:.2f} (call), {wall / ogr:.2f} (process)")
    for phase in ours[0]["phases"]:
        med = statistics.median(r["phases"][phase] for r in ours)
        print(f"  parkgis phase {phase}: median {med:.2f} s")


if __name__ == "__main__":
    main()
