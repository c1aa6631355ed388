"""Map rendering speed and page size on the demo zone (scale 1) and larger generated zones.

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/maps.py [--scales 1,16] [--runs 7]
        [--kinds projects]

For each scale the demo files are loaded into the database ``parkgis_bench_maps`` of the
embedded cluster (scale 1: the committed ``data/parcels``, or ``--demo-dir``; scale N:
``bench/out/scale-N``, generated when missing; the demo has 330 projects per tile, so
scale 16 holds 5,280). Then, for each map kind (``parkgis map KIND``), as the median of
``--runs`` runs after one warm-up:

- ``build_render_s``: the builder (its queries included) plus :func:`parkgis.maps.render`,
  i.e. the server-side work of ``GET /maps/KIND``;
- ``http_s``: the whole request through the app (``TestClient``, planner token), for
  ``/maps/KIND?basemap=none``;
- ``html_kib`` and ``download_kib``: the page, and the one-file ``?download=1`` version.

Targets (issue "Project status"): projects at scale 1 under 0.5 s; 5,000 projects under
3 s with HTML under 3 MB. Figures go to stdout and ``bench/out/maps.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from _common import OUT, demo_dir, timed
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.db.engine import db_up
from parkgis.demo import DEMO_DIR, load_demo
from parkgis.maps import render
from parkgis.maps.registry import build_map
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

PLANNER = Principal(name="bench", role="planner")


def bench_scale(
    scale: float, runs: int, kinds: list[str], settings: Settings, scale1: Path
) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from parkgis.auth import create_token

    db = settings.db.model_copy(update={"db_name": "parkgis_bench_maps"})
    bench_settings = settings.model_copy(update={"db": db})
    engine = db_up(db)
    today = zone_today(settings.zone.timezone)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        load_demo(conn, scale1 if scale == 1 else demo_dir(scale, today), today=today)
    load_s = time.perf_counter() - t0
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
        n_projects = conn.execute(text("SELECT count(*) FROM projects")).scalar_one()
    out: dict[str, Any] = {"scale": scale, "load_s": round(load_s, 2), "n_projects": n_projects}
    with Session(engine) as session:
        token = create_token(session, role="planner", name="bench-maps")
        session.commit()
    with Session(engine) as session, TestClient(create_app(bench_settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        for kind in kinds:

            def page(kind: str = kind, download: bool = False) -> str:
                m = build_map(kind, session, PLANNER, bench_settings, basemap="none")
                return render(m, download=download)

            build_s, html = timed(page, runs)
            _, dl = timed(lambda kind=kind: page(kind, True), 1)

            def http(kind: str = kind) -> bytes:
                r = client.get(f"/maps/{kind}?basemap=none", headers=headers)
                r.raise_for_status()
                return r.content

            http_s, body = timed(http, runs)
            out[kind] = {
                "build_render_s": round(build_s, 3),
                "http_s": round(http_s, 3),
                "html_kib": round(len(html.encode()) / 1024, 1),
                "http_kib": round(len(body) / 1024, 1),
                "download_kib": round(len(dl.encode()) / 1024, 1),
            }
            session.rollback()
    engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", default="1,16", help="comma list, e.g. 1,16")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--kinds", default="projects", help="map kinds, e.g. projects,parcels")
    ap.add_argument("--demo-dir", type=Path, default=DEMO_DIR, help="scale-1 demo files")
    args = ap.parse_args()
    settings = Settings()
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    results = []
    for s in args.scales.split(","):
        r = bench_scale(float(s), args.runs, kinds, settings, args.demo_dir)
        results.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "maps.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print()
    print(
        f"{'scale':>6} {'projects':>9} {'kind':<10} {'build+render':>13} {'http':>8} "
        f"{'html':>10} {'download':>10}"
    )
    for r in results:
        for k in kinds:
            f = r[k]
            print(
                f"{r['scale']:>6g} {r['n_projects']:>9,} {k:<10} {f['build_render_s']:>12.3f}s "
                f"{f['http_s']:>7.3f}s {f['html_kib']:>8,.0f}KiB {f['download_kib']:>8,.0f}KiB"
            )


if __name__ == "__main__":
    main()
