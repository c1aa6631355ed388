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
  the page and the one-file download (goal: the page under 2 MB), and its build time;
- **scale 10** (about 18,000 parcels, above ``PARKGIS_TILES_MAP_THRESHOLD``): the same map
  switched to the land-use vector tiles, its page bytes and build time against the
  baseline of inlining every parcel in the same run (``max_limit`` and threshold raised),
  the zone's theme facts (built once per change), and single tiles
  (:func:`parkgis.tiles.landuse.landuse_tile`, z15 and z16 tiles over the zone, facts
  cached as in the app, tile cache off): median and p95 milliseconds and bytes of the
  tiles holding parcels, for a planner and for investment staff.

``--parts summary,grading,map,tiled`` runs some of them (default: all).

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
from parkgis.landuse.themes import theme_facts
from parkgis.maps import render
from parkgis.maps.landuse import landuse_map
from parkgis.settings import APISettings, Settings, TileSettings
from parkgis.tiles import lonlat_to_tile
from parkgis.tiles.landuse import FactsCache, landuse_tile
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


def _tiles_over(session: Session, z: int, limit: int) -> list[tuple[int, int, int]]:
    """Up to ``limit`` zoom-``z`` tiles over the zone's parcels, spread evenly."""
    w, s, e, n = session.execute(
        text(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) "
            "FROM (SELECT ST_Extent(geom)::geometry AS b FROM parcels) q"
        )
    ).one()
    x0, y0 = lonlat_to_tile(w, n, z)
    x1, y1 = lonlat_to_tile(e, s, z)
    every = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    step = max(1, len(every) // limit)
    return every[::step][:limit]


def bench_tiled(settings: Settings, runs: int, skip_load: bool) -> dict[str, Any]:
    engine, load_s = zone_engine(settings, 10, skip_load)
    out: dict[str, Any] = {"scale": 10, "load_s": round(load_s, 1)}
    today = zone_today(settings.zone.timezone)
    with Session(engine) as s:
        n = s.execute(text("SELECT count(*) FROM parcels")).scalar_one()
        out["parcels"] = n
        out["threshold"] = settings.tiles.map_threshold
        inline_settings = settings.model_copy(
            update={
                "tiles": TileSettings(map_threshold=n + 1),
                "api": APISettings(max_limit=n + 1),
            }
        )
        for who in (PLANNER, INVESTMENT):
            page = render(landuse_map(s, who, settings, basemap="osm"))
            assert "/tiles/landuse/" in page, "the map did not switch to tiles"
            inline = render(landuse_map(s, who, inline_settings, basemap="osm"))
            assert "/tiles/landuse/" not in inline
            row = {
                "tiled_page_bytes": len(page.encode()),
                "inline_page_bytes": len(inline.encode()),
                "inline_over_tiled": round(len(inline.encode()) / len(page.encode()), 1),
                "tiled_build_and_render": timed(
                    lambda who=who: render(landuse_map(s, who, settings)), runs, s
                ),
                "inline_build_and_render": timed(
                    lambda who=who: render(landuse_map(s, who, inline_settings)),
                    max(1, runs // 2),
                    s,
                ),
            }
            out[f"map_{who.role}"] = row
            print(f"scale 10 map as {who.role}: {row}", flush=True)
        out["facts_build"] = timed(
            lambda: theme_facts(s, settings.landuse, today=today), max(1, runs // 2), s
        )
        print(f"scale 10 theme facts (whole zone): {out['facts_build']}", flush=True)
        for z in (15, 16):
            tiles = _tiles_over(s, z, 40)
            for who in (PLANNER, INVESTMENT):
                facts = FactsCache()
                ms: list[float] = []
                sizes: list[int] = []
                for _, x, y in tiles:  # warm-up: the facts, the statements' plans
                    landuse_tile(
                        s, who, z, x, y, landuse=settings.landuse, today=today, facts_cache=facts
                    )
                for _ in range(max(1, runs // 2)):
                    for _, x, y in tiles:
                        t0 = time.perf_counter()
                        t = landuse_tile(
                            s,
                            who,
                            z,
                            x,
                            y,
                            landuse=settings.landuse,
                            today=today,
                            settings=settings.tiles,
                            facts_cache=facts,
                        )
                        took = (time.perf_counter() - t0) * 1000
                        assert t is not None
                        if t.data:  # medians of tiles holding parcels only
                            ms.append(took)
                            sizes.append(len(t.data))
                row = {
                    "tiles": len(tiles),
                    "tiles_with_parcels": len(sizes) // max(1, runs // 2),
                    "median_ms": round(statistics.median(ms), 1),
                    "p95_ms": round(sorted(ms)[int(0.95 * (len(ms) - 1))], 1),
                    "median_bytes": int(statistics.median(sizes)) if sizes else 0,
                    "max_bytes": max(sizes, default=0),
                    "facts_builds": facts.builds,
                }
                out[f"tile_z{z}_{who.role}"] = row
                print(f"scale 10 landuse tile z{z} as {who.role}: {row}", flush=True)
    engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-load", action="store_true", help="reuse loaded bench databases")
    ap.add_argument(
        "--parts", default="summary,grading,map,tiled", help="comma list of the parts to run"
    )
    args = ap.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    settings = Settings()
    benches = {
        "summary": bench_summary,
        "grading": bench_grading,
        "map": bench_map,
        "tiled": bench_tiled,
    }
    results = {
        name: fn(settings, args.runs, args.skip_load)
        for name, fn in benches.items()
        if name in parts
    }
    goals: dict[str, bool] = {}
    if "summary" in results:
        zone = results["summary"]["summary_by_zone"]
        goals["summary_scale_100_under_1s"] = zone["median_s"] < 1.0
        goals["summary_scale_100_under_1s_cpu"] = zone["cpu_median_s"] < 1.0
    if "grading" in results:
        goals["grading_scale_10_under_2s"] = results["grading"]["grading"]["median_s"] < 2.0
        goals["grading_scale_10_under_2s_cpu"] = results["grading"]["grading"]["cpu_median_s"] < 2.0
    if "map" in results:
        goals["map_page_under_2mb"] = results["map"]["planner"]["page_mb"] < 2.0
    if "tiled" in results:
        goals["map_scale_10_tiled_under_2mb"] = (
            results["tiled"]["map_planner"]["tiled_page_bytes"] < 2 * MB
        )
    results["goals"] = goals
    print(goals)
    name = "landuse" if parts == set(benches) else f"landuse-{'-'.join(sorted(parts))}"
    write_json(name, results)


if __name__ == "__main__":
    main()
