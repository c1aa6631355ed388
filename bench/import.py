"""Import speed: ``parkgis import parcels`` (with validation, mapping and audit) against
``ogr2ogr`` loading the same GeoPackage into a scratch table of the same database.

    PARKGIS_HOME=/tmp/pg-bench-io .venv/bin/python bench/import.py [--features 100000]
        [--runs 5] [--floor] [--memory-mb 1000] [--upsert-runs 1]

The file: the first ``--features`` parcels of the scale-100 demo zone
(``bench/out/scale-100``, made by ``parkgis demo generate --scale 100`` under
``flock bench/out/.gen.lock`` when missing), cut with ``ogr2ogr -limit`` into
``bench/out/import-N.gpkg``. The database: a fresh ``parkgis_bench_import`` in the embedded
cluster, migrated.

Each run of each side starts from an empty target; the sides alternate, so both see the
same machine load:

- ``parkgis``: a child process runs :func:`parkgis.io.importer.import_file` and commits
  (read in batches, encoding and CRS detection, geometry checks, field casts, SQL checks for
  duplicate keys, references and overlaps, insert, one audit row per parcel, the imports
  row). It reports its own time for the import call, its CPU time and peak RSS; the child's
  whole wall time (Python start-up and imports included) is reported too.
- ``ogr2ogr``: ``-f PostgreSQL`` with ``PG_USE_COPY`` into ``bench_scratch.parcels_ogr``
  (MULTIPOLYGON, EPSG:4326, GiST index), wall time of the process.

For both, the CPU seconds of the client process and of the database cluster (every
PostgreSQL process, background writers included) are measured over the run: on a shared
machine, wall time depends on what else runs, CPU time much less.

``--upsert-runs N`` then times, N times each, an upsert by code of the same file into the
rows a fresh load put there: unchanged (every row skipped), and with a ``--set`` that
changes every row (each updated, versioned and audited with before and after).

``--before DIR`` adds a third side: the same worker with ``PYTHONPATH=DIR``, so an older
``parkgis`` there (e.g. today's tree with ``parkgis/io`` of an older commit, from
``git archive``) runs against the same file, database and load.

``--floor`` then times, in the database alone and on the same rows, what each piece of the
target costs: an ``INSERT … SELECT`` into a plain table shaped like ogr2ogr's, into
``parcels`` as it is, into ``parcels`` without its generated geodesic area, and the
audit rows. ``--memory-mb N`` builds a GeoPackage of about N MB (copies of the file,
shifted and renamed) and reports the peak RSS and speed of a dry run and of an import of it.

Prints medians, features/second, the ratios and the load average; writes
``bench/out/import.json``.
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
from typing import Any

from _common import OUT, ROOT, demo_dir, write_json
from sqlalchemy import create_engine, text

DB_NAME = "parkgis_bench_import"
MAP = ["holder_enterprise_id="]  # the bench database holds no firms to point at
TICK = os.sysconf("SC_CLK_TCK")


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


def memory_file(base: Path, mb: int) -> Path:
    """About ``mb`` MB of parcels: copies of ``base``, each shifted 0.5° north and recoded."""
    import pyogrio

    target = OUT / f"import-mem-{mb}mb.gpkg"
    copies = max(1, round(mb * 1e6 / base.stat().st_size))
    with (OUT / ".gen.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        part = target.with_suffix(".part.gpkg")
        part.unlink(missing_ok=True)
        gdf = pyogrio.read_dataframe(base, layer="parcels")
        codes, geoms = gdf["code"].copy(), gdf.geometry.copy()
        for k in range(copies):
            gdf["code"] = codes + f"-{k}"
            gdf.geometry = geoms.translate(0, 0.5 * k)
            pyogrio.write_dataframe(gdf, part, layer="parcels", append=k > 0)
        part.rename(target)
    return target


def fresh_database() -> tuple[str, dict[str, str], int]:
    """URL and libpq keywords of the migrated bench database, and the postmaster's pid."""
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
    pid = int((cluster.paths.pgdata / "postmaster.pid").read_text().split()[0])
    return cluster.url(dbname=DB_NAME), cluster.conninfo(int(port or 0), DB_NAME), pid


def server_cpu(postmaster: int) -> float:
    """CPU seconds of the cluster: the postmaster, its reaped children, its live children."""

    def stat(pid: int) -> list[str]:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    f = stat(postmaster)
    ticks = sum(int(v) for v in f[11:15])
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                s = stat(int(entry))
            except OSError:
                continue
            if int(s[1]) == postmaster:
                ticks += int(s[11]) + int(s[12])
    return ticks / TICK


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def worker(path: Path, dry_run: bool, upsert: bool, set_pairs: list[str]) -> None:
    """Child: one import (committed unless a dry run); prints seconds, CPU and RSS as JSON."""
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
    opts = ImportOptions(
        kind="parcels",
        map=parse_pairs(MAP, "map"),
        set=parse_pairs(set_pairs, "set"),
        dry_run=dry_run,
        mode="upsert" if upsert else "insert",
        key="code" if upsert else None,
    )
    t0 = time.perf_counter()
    with make_sessionmaker(engine)() as session:
        report = import_file(session, path, opts, Principal(name="bench", role="admin"), settings)
        if not report["would_load"]:
            print(json.dumps(report["problems"], ensure_ascii=False)[:2000], file=sys.stderr)
            raise SystemExit(2)
        session.commit()
    seconds = time.perf_counter() - t0
    engine.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_mb": usage.ru_maxrss / 1024,
                "client_cpu": usage.ru_utime + usage.ru_stime,
                "features": report["features"],
                "inserted": report["counts"]["insert"],
                "counts": report["counts"],
                "path": report.get("load_path"),
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
        c.execute(text("CHECKPOINT"))  # neither side pays for the other's dirty pages
    eng.dispose()


def run_parkgis(
    path: Path,
    url: str,
    postmaster: int,
    *,
    dry_run: bool = False,
    env: dict[str, str] | None = None,
    upsert: list[str] | None = None,
) -> dict[str, Any]:
    """One import in a child process. ``upsert``: instead, upsert by code into the rows
    already there, with these ``--set`` pairs (``[]`` for none)."""
    if upsert is None:
        empty(url)
    load = os.getloadavg()[0]
    s0 = server_cpu(postmaster)
    t0 = time.perf_counter()
    args = [sys.executable, __file__, "--worker", str(path)] + (["--dry-run"] if dry_run else [])
    if upsert is not None:
        args += ["--upsert", *(a for pair in upsert for a in ("--set", pair))]
    proc = subprocess.run(
        args, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"parkgis import failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    out["server_cpu"] = server_cpu(postmaster) - s0
    out["load"] = load
    return out


def run_ogr(path: Path, url: str, info: dict[str, str], postmaster: int) -> dict[str, Any]:
    empty(url)
    pg = " ".join(f"{k}={v}" for k, v in info.items())
    env = dict(os.environ, PG_USE_COPY="YES")
    load = os.getloadavg()[0]
    s0, c0 = server_cpu(postmaster), children_cpu()
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
    wall = time.perf_counter() - t0
    return {
        "wall": wall,
        "client_cpu": children_cpu() - c0,
        "server_cpu": server_cpu(postmaster) - s0,
        "load": load,
    }


FLOOR_COLS = (
    "code, land_use, status, granted_on, agreed_start_on, max_far, price_cny_m2, address, "
    "idle_flagged_on"
)


def floor(url: str) -> dict[str, float]:
    """Seconds the database alone spends on pieces of the work, the same rows each time.

    The rows come from ogr2ogr's scratch table (the last run left them there). Every step
    runs in a transaction that is rolled back; keys and indexes of ``parcels`` are dropped
    first and rebuilt after, as a big import does.
    """
    from parkgis.io.bulk import keys_and_indexes_deferred
    from parkgis.io.stage import tune

    src = "bench_scratch.parcels_ogr"
    sel = f"SELECT {FLOOR_COLS}, ST_Multi(geom) FROM {src}"
    insert = f"INSERT INTO parcels ({FLOOR_COLS}, geom) {sel}"
    audit = (  # as parkgis.io.write.audit_new writes them
        "INSERT INTO audit_log (actor, action, entity, entity_id, after) "
        "SELECT 'bench', 'import', 'parcels', x.id, "
        '\'{"_import": {"id": 1, "sha256": "0"}}\'::jsonb FROM parcels x'
    )
    # (name, set-up not timed, timed)
    steps = [
        (
            "plain table like ogr2ogr's (+ GiST)",
            [f"CREATE TABLE bench_scratch.plain AS SELECT {FLOOR_COLS}, geom FROM {src} LIMIT 0"],
            [
                f"INSERT INTO bench_scratch.plain {sel}",
                "CREATE INDEX ON bench_scratch.plain USING gist (geom)",
            ],
        ),
        (
            "parcels without its generated area",
            ["ALTER TABLE parcels DROP COLUMN area_m2 CASCADE"],
            [insert],
        ),
        ("parcels as it is", [], [insert]),
        ("parcels as it is, and the audit rows", [], [insert, audit]),
    ]
    eng = create_engine(url)
    out: dict[str, float] = {}
    for name, setup, timed in steps:
        with eng.connect() as c:
            trans = c.begin()
            tune(c)
            for sql in setup:
                c.execute(text(sql))
            t0 = time.perf_counter()
            with keys_and_indexes_deferred(c, ["parcels"]):
                for sql in timed:
                    c.execute(text(sql))
            out[name] = time.perf_counter() - t0
            trans.rollback()
    eng.dispose()
    return out


def upserts(path: Path, url: str, postmaster: int, runs: int) -> dict[str, Any]:
    """Seconds of ``--mode upsert --key code`` of the file over its own rows: unchanged (every
    row skipped), and with ``--set price_cny_m2=…`` (every row updated and audited)."""
    out: dict[str, list[dict[str, Any]]] = {"unchanged": [], "all_changed": []}
    print("\n  upsert by code into the same rows (staging path):")
    for i in range(runs):
        run_parkgis(path, url, postmaster)  # a fresh load to upsert into
        out["unchanged"].append(run_parkgis(path, url, postmaster, upsert=[]))
        out["all_changed"].append(
            run_parkgis(path, url, postmaster, upsert=[f"price_cny_m2={1000 + i}"])
        )
    summary: dict[str, Any] = {}
    for name, rows in out.items():
        secs, phases = med(rows, "seconds"), rows[0]["phases"]
        summary[name] = {"seconds": round(secs, 3), "counts": rows[0]["counts"], "all": rows}
        print(f"    {name:12s} {secs:7.2f} s in call, counts {rows[0]['counts']}, phases {phases}")
    return summary


def med(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--floor", action="store_true", help="time the database's pieces")
    ap.add_argument("--memory-mb", type=int, default=0, help="peak RSS on a file this big")
    ap.add_argument(
        "--before",
        type=Path,
        help="a directory holding an older parkgis package, run as a third side (PYTHONPATH)",
    )
    ap.add_argument(
        "--upsert-runs",
        type=int,
        default=0,
        help="also time upserts by code of the same file: unchanged, then every row changed",
    )
    ap.add_argument("--worker", type=Path)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--upsert", action="store_true")
    ap.add_argument("--set", action="append", default=[])
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.dry_run, args.upsert, args.set)
        return
    path = source_file(args.features)
    size_mb = path.stat().st_size / 1e6
    url, info, postmaster = fresh_database()
    ours, theirs, before = [], [], []
    for i in range(args.runs):  # interleaved, so both sides see the same machine load
        if args.before:
            old = {"PYTHONPATH": str(args.before.resolve())}
            before.append(run_parkgis(path, url, postmaster, env=old))
            b = before[-1]
            print(
                f"run {i + 1}: before {b['seconds']:.2f} s in call ({b['wall']:.2f} s process, "
                f"CPU {b['client_cpu']:.1f} + {b['server_cpu']:.1f} s); load {b['load']:.1f}"
            )
        ours.append(run_parkgis(path, url, postmaster))
        theirs.append(run_ogr(path, url, info, postmaster))
        p, o = ours[-1], theirs[-1]
        print(
            f"run {i + 1}: parkgis {p['seconds']:.2f} s in call ({p['wall']:.2f} s process, "
            f"CPU {p['client_cpu']:.1f} + {p['server_cpu']:.1f} s, {p['path']}), "
            f"ogr2ogr {o['wall']:.2f} s (CPU {o['client_cpu']:.1f} + {o['server_cpu']:.1f} s); "
            f"load {p['load']:.1f}/{o['load']:.1f}",
            flush=True,
        )
    call, wall, ogr = med(ours, "seconds"), med(ours, "wall"), med(theirs, "wall")
    n = int(ours[0]["inserted"])
    loads = [r["load"] for r in ours + theirs]
    result: dict[str, Any] = {
        "file": str(path.relative_to(ROOT)),
        "file_mb": round(size_mb, 1),
        "features": n,
        "runs": args.runs,
        "parkgis_call_s": round(call, 3),
        "parkgis_process_s": round(wall, 3),
        "ogr2ogr_s": round(ogr, 3),
        "parkgis_features_per_s": round(n / call),
        "ogr2ogr_features_per_s": round(n / ogr),
        "ratio_call_vs_ogr2ogr": round(call / ogr, 2),
        "ratio_process_vs_ogr2ogr": round(wall / ogr, 2),
        "parkgis_cpu_s": round(med(ours, "client_cpu") + med(ours, "server_cpu"), 2),
        "ogr2ogr_cpu_s": round(med(theirs, "client_cpu") + med(theirs, "server_cpu"), 2),
        "parkgis_peak_rss_mb": round(max(r["rss_mb"] for r in ours)),
        "load_average_1min": [
            round(min(loads), 2),
            round(statistics.median(loads), 2),
            round(max(loads), 2),
        ],
        "all": {"parkgis": ours, "ogr2ogr": theirs},
    }
    print(f"\n{n:,} parcels from {path.name} ({size_mb:.1f} MB), median of {args.runs}:")
    print(
        f"  parkgis import  {call:6.2f} s in call  {n / call:9,.0f} features/s  "
        f"(process {wall:.2f} s), CPU {result['parkgis_cpu_s']:.1f} s (client + database), "
        f"peak RSS {result['parkgis_peak_rss_mb']} MB"
    )
    print(
        f"  ogr2ogr         {ogr:6.2f} s            {n / ogr:9,.0f} features/s  "
        f"CPU {result['ogr2ogr_cpu_s']:.1f} s (client + database)"
    )
    print(f"  ratio parkgis/ogr2ogr: {call / ogr:.2f} (call), {wall / ogr:.2f} (process)")
    lo, mid, hi = result["load_average_1min"]
    print(f"  load average (1 min) at the starts of the runs: {lo} .. {mid} .. {hi}")
    phases = sorted({k for r in ours for k in r["phases"]})
    for phase in phases:
        vals = [r["phases"][phase] for r in ours if phase in r["phases"]]
        print(f"  parkgis phase {phase}: median {statistics.median(vals):.2f} s")
    if before:
        b_call, b_wall = med(before, "seconds"), med(before, "wall")
        result["before"] = {
            "code": str(args.before),
            "call_s": round(b_call, 3),
            "process_s": round(b_wall, 3),
            "features_per_s": round(n / b_call),
            "ratio_call_vs_ogr2ogr": round(b_call / ogr, 2),
            "cpu_s": round(med(before, "client_cpu") + med(before, "server_cpu"), 2),
            "peak_rss_mb": round(max(r["rss_mb"] for r in before)),
            "all": before,
        }
        print(
            f"  before ({args.before}): {b_call:.2f} s in call, {n / b_call:,.0f} features/s, "
            f"{b_call / ogr:.2f}x ogr2ogr, CPU {result['before']['cpu_s']:.1f} s"
        )
    if args.floor:
        result["floor_s"] = {k: round(v, 3) for k, v in floor(url).items()}
        print("\n  the database alone, same rows (INSERT … SELECT, keys and indexes rebuilt):")
        for name, secs in result["floor_s"].items():
            print(f"    {name:40s} {secs:6.2f} s")
    if args.upsert_runs:
        result["upsert"] = upserts(path, url, postmaster, args.upsert_runs)
    if args.memory_mb:
        big = memory_file(path, args.memory_mb)
        env = {"PARKGIS_IMPORT_MAX_BYTES": str(2 * big.stat().st_size)}
        result["memory"] = {"file": big.name, "file_mb": round(big.stat().st_size / 1e6)}
        for label, dry in (("dry_run", True), ("import", False)):
            r = run_parkgis(big, url, postmaster, dry_run=dry, env=env)
            result["memory"][label] = r
            print(
                f"\n  {big.name} ({result['memory']['file_mb']} MB, {r['features']:,} features), "
                f"{label}: {r['seconds']:.1f} s, {r['features'] / r['seconds']:,.0f} features/s, "
                f"peak RSS {r['rss_mb']:.0f} MB ({r['path']})"
            )
    write_json("import", result)


if __name__ == "__main__":
    main()
