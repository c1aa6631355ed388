"""Land-use review speed and map size (issue 13).

    PARKGIS_HOME=/tmp/pg-landuse .venv/bin/python bench/landuse.py [--runs 5] [--skip-load]

Each zone (``bench/out/scale-N``, generated under ``bench/out/.gen.lock`` when missing) is
loaded into its own database of the embedded cluster (``parkgis_bench_landuse_N``) and
VACUUM ANALYZEd, as a zone in service would be. Then, each timed ``--runs`` times after one
warm-up (median and max reported):

- **scale 100** (about 180,000 parcels): :func:`parkgis.landuse.landuse_summary` for the
  whole zone (goal: under 1 s), and grouped by class, status and grid area (reported);
- **scale 10**: the 亩均 grading, :func:`parkgis.landuse.evaluate_firms` (goal: under 2 s);
- **scale 1** (the committed demo): ``/maps/landuse`` as a planner and as investment staff,
  the page and the one-file download (goal: the page under 2 MB), and its build time.

Wall times on the shared 2-core machine include waiting for a core, so each timing also
reports CPU seconds (this process plus the PostgreSQL backend, from ``/proc``) and the
load average. Writes ``bench/out/landuse.json``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import demo_dir, write_json
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.db.engine import db_up
from parkgis.demo import load_demo
from parkgis.landuse import evaluate_firms, landuse_summary
from parkgis.maps import render
from parkgis.maps.landuse import landuse_map
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

PLANNER = Principal(user_id=None, name="bench-landuse", role="planner")
INVESTMENT = Principal(user_id=None, name="bench-landuse", role="investment")
MB = 1_000_000


def zone_engine(settings: Settings, scale: float, skip_load: bool) -> tuple[Engine, float]:
    """The loaded, vacuumed database of ``scale`` and the load time in seconds."""
    db = settings.db.model_copy(update={"db_name": f"parkgis_bench_landuse_{scale:g}"})
    engine = db_up(db)
    today = zone_today(settings.zone.timezone)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        loaded = conn.execute(text("SELECT count(*) FROM parcels")).scalar_one() > 0
    if not (skip_load and loaded):
        files = demo_dir(scale, today)
        with engine.begin() as conn:
            load_demo(conn, files, today=today)
    load_s = time.perf_counter() - t0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) parcels, buildings, spaces, enterprises, projects"))
    return engine, load_s


def backend_cpu_s(session: Session) -> Callable[[], float]:
    """A reader of the CPU seconds used so far by ``session``'s PostgreSQL backend.

    The machine is shared, so wall times include waiting for a core; CPU time (this
    process's plus the backend's, from ``/proc/PID/stat``) is what the work costs on an
    idle machine, where it runs on one core.
    """
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return read


def timed(fn: Callable[[], Any], runs: int, session: Session) -> dict[str, float]:
    """Median and max wall seconds, and median CPU seconds, of ``runs`` calls after a warm-up."""
    fn()
    cpu = backend_cpu_s(session)
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0, b0 = time.perf_counter(), time.process_time(), cpu()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0 + cpu() - b0)
    return {
        "median_s": round(statistics.median(walls), 3),
        "max_s": round(max(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }


def bench_summary(settings: Settings, runs: int, skip_load: bool) -> dict[str, Any]:
    engine, load_s = zone_engine(settings, 100, skip_load)
    out: dict[str, Any] = {"scale": 100, "load_s": round(load_s, 1)}
    with Session(engine) as s:
        out["parcels"] = s.execute(text("SELECT count(*) FROM parcels")).scalar_one()
        for by in ("zone", "class", "status", "grid"):
            out[f"summary_by_{by}"] = timed(
                lambda by=by: landuse_summary(s, PLANNER, by=by), runs, s
            )
            print(f"scale 100 summary by {by:6s}: {out[f'summary_by_{by}']}", flush=True)
    engine.dispose()
    return out


def bench_grading(settings: Settings, runs: int, skip_load: bool) -> dict[str, Any]:
    engine, load_s = zone_engine(settings, 10, skip_load)
    out: dict[str, Any] = {"scale": 10, "load_s": round(load_s, 1)}
    with Session(engine) as s:
        result = evaluate_firms(s, PLANNER, settings.landuse)
        out["firms"] = len(result["firms"])
        out["graded"] = result["counts"]["graded"]
        out["grading"] = timed(lambda: evaluate_firms(s, PLANNER, settings.landuse), runs, s)
    print(f"scale 10 grading ({out['graded']} graded): {out['grading']}", flush=True)
    engine.dispose()
    return out


def bench_map(settings: Settings, runs: int, skip_load: bool) -> dict[str, Any]:
    engine, load_s = zone_engine(settings, 1, skip_load)
    out: dict[str, Any] = {"scale": 1, "load_s": round(load_s, 1)}
    with Session(engine) as s:
        for who in (PLANNER, INVESTMENT):
            m = landuse_map(s, who, settings, basemap="osm")
            page, download = render(m), render(m, download=True)
            row = {
                "page_mb": round(len(page.encode()) / MB, 3),
                "download_mb": round(len(download.encode()) / MB, 3),
                "build_and_render": timed(
                    lambda who=who: render(landuse_map(s, who, settings)), max(1, runs // 2), s
                ),
            }
            out[str(who.role)] = row
            print(f"scale 1 map as {who.role}: {row}", flush=True)
    engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-load", action="store_true", help="reuse loaded bench databases")
    args = ap.parse_args()
    settings = Settings()
    results = {
        "summary": bench_summary(settings, args.runs, args.skip_load),
        "grading": bench_grading(settings, args.runs, args.skip_load),
        "map": bench_map(settings, args.runs, args.skip_load),
    }
    results["goals"] = {
        "summary_scale_100_under_1s": results["summary"]["summary_by_zone"]["median_s"] < 1.0,
        "summary_scale_100_under_1s_cpu": (
            results["summary"]["summary_by_zone"]["cpu_median_s"] < 1.0
        ),
        "grading_scale_10_under_2s": results["grading"]["grading"]["median_s"] < 2.0,
        "grading_scale_10_under_2s_cpu": results["grading"]["grading"]["cpu_median_s"] < 2.0,
        "map_page_under_2mb": results["map"]["planner"]["page_mb"] < 2.0,
    }
    print(results["goals"])
    write_json("landuse", results)


if __name__ == "__main__":
    main()
