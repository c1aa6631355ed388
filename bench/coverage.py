"""Officer coverage speed on the demo zone (scale 1) and on larger generated zones.

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/coverage.py [--scales 1,10] [--runs 7]

For each scale the demo files are loaded into the database ``parkgis_bench`` of the
embedded cluster (scale 1: the committed ``data/parcels``; scale N: ``bench/out/scale-N``,
generated when missing). Then it times, as the median of ``--runs`` runs after one warm-up:

- ``territories``: :func:`parkgis.coverage.territories`, every officer's territory and
  workload (the target: under 1 s at scale 1);
- ``api_response``: the same plus the FeatureCollection serialised with orjson, i.e. what
  ``GET /api/v1/coverage`` does for a planner;
- ``visit_report``, ``overdue``, ``rebalance``: the monthly report, the overdue lists and
  the rebalancing suggestion.

The figures go to stdout and to ``bench/out/coverage.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import orjson
from _common import OUT, demo_dir, timed
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.rebalance import suggest
from parkgis.coverage.report import monthly_report
from parkgis.coverage.requests import overdue_report
from parkgis.coverage.territories import coverage_for, territories
from parkgis.db.engine import db_up
from parkgis.demo import load_demo
from parkgis.settings import Settings
from parkgis.zonetime import Month, zone_today

PLANNER = Principal(name="bench", role="planner")


def bench_scale(scale: float, runs: int, settings: Settings) -> dict[str, Any]:
    db = settings.db.model_copy(update={"db_name": "parkgis_bench"})
    engine = db_up(db)
    today = zone_today(settings.zone.timezone)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        load_demo(conn, demo_dir(scale, today), today=today)
    load_s = time.perf_counter() - t0
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    out: dict[str, Any] = {"scale": scale, "load_s": round(load_s, 2)}
    with Session(engine) as session:
        counts = session.execute(
            text(
                "SELECT (SELECT count(*) FROM officers WHERE active) AS officers, "
                "(SELECT count(*) FROM enterprises) AS firms, "
                "(SELECT count(*) FROM assignments WHERE until IS NULL) AS assignments, "
                "(SELECT count(*) FROM visits) AS visits, "
                "(SELECT count(*) FROM service_requests) AS requests"
            )
        ).one()
        out.update(counts._asdict())
        month = Month.of(today)
        runs_for = {
            "territories": lambda: territories(session, settings, today=today),
            "api_response": lambda: orjson.dumps(
                coverage_for(session, PLANNER, settings, today=today).feature_collection()
            ),
            "visit_report": lambda: monthly_report(session, PLANNER, settings, month, today=today),
            "overdue": lambda: overdue_report(session, PLANNER, settings, today=today),
            "rebalance": lambda: suggest(session, PLANNER, settings),
        }
        for name, fn in runs_for.items():
            secs, result = timed(fn, runs if name != "rebalance" else max(1, runs // 2))
            out[f"{name}_s"] = round(secs, 3)
            if name == "territories":
                out["territories_with_shape"] = sum(1 for o in result.officers if o.geometry)
                out["unassigned"] = len(result.unassigned_enterprises)
                out["overlaps"] = len(result.overlaps)
                out["not_visited"] = sum(o.not_visited_this_month for o in result.officers)
            if name == "api_response":
                out["api_bytes"] = len(result)
            if name == "rebalance":
                out["rebalance_moves"] = len(result["moves"])
                out["max_workload"] = [
                    result["before"]["max_workload"],
                    result["after"]["max_workload"],
                ]
            print(f"  scale {scale:g} {name:<13} {secs * 1000:8.1f} ms", flush=True)
    engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10", help="comma list, e.g. 1,10")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    settings = Settings()
    results = [
        bench_scale(float(s), args.runs, settings) for s in args.scales.split(",") if s.strip()
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "coverage.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
