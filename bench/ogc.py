"""OGC API Features items speed: parkgis against tipg on the scale-10 zone.

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/ogc.py [--seconds 20] [--clients 8]

What it does:

1. Loads the scale-10 demo zone (``bench/out/scale-10``, generated when missing; 18k
   parcels) into the database ``parkgis_bench_ogc`` of the embedded cluster (once; again
   with ``--reload``).
2. Creates ``bench/.venv-tipg`` with tipg and uvicorn from PyPI when missing.
3. Starts both servers with uvicorn (one process each, same options) on free loopback
   ports, both reaching PostgreSQL over TCP on 127.0.0.1.
4. Picks 40 seeded bboxes that each hold more than ``--limit`` parcels, checks that both
   servers agree on ``numberMatched`` for them, then for each scenario runs ``--clients``
   threads (httpx, keep-alive) cycling through the bboxes for ``--seconds`` after a
   warm-up, and reports requests per second and p50/p95 latency.

Scenarios (each page holds ``--limit`` = 1000 features):

- ``parkgis planner``: ``/ogc/collections/parcels/items?bbox=…&limit=1000`` with a
  planner token (every parcel, every field; includes the token check per request);
- ``tipg``: ``/collections/public.parcels/items?bbox=…&limit=1000`` (same rows);
- ``parkgis anonymous``: the same URL without a token (available parcels, public fields);
- ``tipg status=available``: tipg with the same row filter.

The figures go to stdout and ``bench/out/ogc.json``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from _common import HERE, OUT, ROOT, demo_dir, free_port, http_load, start_server
from sqlalchemy import text

TIPG_VENV = HERE / ".venv-tipg"
DB_NAME = "parkgis_bench_ogc"


@dataclass
class Result:
    """One scenario's figures."""

    name: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    mean_kb: float


def prepare_db(reload: bool) -> tuple[str, str]:
    """Load the scale-10 zone once; return (TCP URL without driver, planner token)."""
    from datetime import date

    from parkgis.auth import create_token
    from parkgis.db.cluster import EmbeddedCluster
    from parkgis.db.engine import db_up, make_sessionmaker
    from parkgis.demo import load_demo
    from parkgis.settings import DatabaseSettings

    ds = DatabaseSettings(db_name=DB_NAME)
    if ds.database_url:
        sys.exit("bench/ogc.py uses the embedded cluster: unset PARKGIS_DATABASE_URL")
    engine = db_up(ds)
    data = demo_dir(10, date.today())
    with engine.connect() as c:
        have = c.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    want = json.loads((data / "meta.json").read_text())["counts"]["parcels"]
    if reload or have != want:
        print(f"loading {data} into {DB_NAME} …")
        with engine.begin() as c:
            c.execute(text("DELETE FROM users WHERE name = 'bench-ogc-planner'"))
            load_demo(c, data)
        with engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    with make_sessionmaker(engine)() as s:
        token = create_token(s, role="planner", name="bench-ogc-planner")
        s.commit()
    engine.dispose()
    cluster = EmbeddedCluster(ds)  # scram-sha-256: tipg needs the password too
    port, password = cluster.running_port(), cluster.password
    return f"postgresql://parkgis:{password}@127.0.0.1:{port}/{DB_NAME}", token


def tipg_python() -> Path:
    """The tipg venv's python, created with pip from PyPI when missing."""
    py = TIPG_VENV / "bin" / "python"
    if not py.exists():
        print("creating", TIPG_VENV)
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "tipg", "uvicorn"], check=True)
    return py


def pick_bboxes(url: str, limit: int, n: int = 40, seed: int = 7) -> list[str]:
    """Seeded bboxes, each intersecting more than ``limit`` parcels."""
    import psycopg

    rnd = random.Random(seed)
    out: list[str] = []
    with psycopg.connect(url) as c:
        minx, miny, maxx, maxy = c.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(geom) e FROM parcels) s"
        ).fetchone()  # type: ignore[misc]
        w, h = (maxx - minx) * 0.22, (maxy - miny) * 0.22
        while len(out) < n:
            x, y = rnd.uniform(minx, maxx - w), rnd.uniform(miny, maxy - h)
            env = (x, y, x + w, y + h)
            count = c.execute(
                "SELECT count(*) FROM parcels WHERE geom && ST_MakeEnvelope(%s,%s,%s,%s,4326) "
                "AND ST_Intersects(geom, ST_MakeEnvelope(%s,%s,%s,%s,4326))",
                env + env,
            ).fetchone()[0]  # type: ignore[index]
            if count > limit:
                out.append(",".join(f"{v:.6f}" for v in env))
    return out


def scenario(name: str, urls: list[str], headers: dict[str, str], args: Any) -> Result:
    t0 = time.perf_counter()
    lat, errors, nbytes = http_load(urls, headers, args.clients, args.seconds)
    wall = time.perf_counter() - t0
    q = statistics.quantiles(lat, n=100)
    res = Result(
        name=name,
        requests=len(lat),
        errors=errors,
        seconds=round(wall, 1),
        rps=round(len(lat) / wall, 1),  # wall: includes requests finishing after the deadline
        p50_ms=round(q[49] * 1000, 1),
        p95_ms=round(q[94] * 1000, 1),
        mean_kb=round(nbytes / max(1, len(lat)) / 1024, 1),
    )
    print(
        f"{name:<26} {res.rps:>7.1f} req/s  p50 {res.p50_ms:>7.1f} ms  p95 {res.p95_ms:>7.1f} ms"
        f"  {res.mean_kb:>6.0f} KiB/page  ({res.requests} requests, {res.errors} errors)",
        flush=True,
    )
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--reload", action="store_true", help="load the zone again")
    ap.add_argument("--only", choices=("parkgis", "tipg"), help="run one server's scenarios")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)

    pg_url, token = prepare_db(args.reload)
    bboxes = pick_bboxes(pg_url, args.limit)
    py_tipg = tipg_python()
    ours_port, tipg_port = free_port(), free_port()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PARKGIS_", "TIPG_"))}
    ours_env = {
        **base_env,
        "PARKGIS_DATABASE_URL": pg_url.replace("postgresql://", "postgresql+psycopg://"),
        "PYTHONPATH": str(ROOT),
    }
    tipg_env = {
        **base_env,
        "DATABASE_URL": pg_url,
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.parcels"]',
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
    }
    uv = ["-m", "uvicorn", "--host", "127.0.0.1", "--log-level", "warning"]
    ours = start_server(
        [sys.executable, *uv, "--port", str(ours_port), "--factory", "api.app:create_app"],
        ours_env,
        f"http://127.0.0.1:{ours_port}/ogc",
        OUT / "ogc-parkgis.log",
    )
    tipg = start_server(
        [str(py_tipg), *uv, "--port", str(tipg_port), "tipg.main:app"],
        tipg_env,
        f"http://127.0.0.1:{tipg_port}/collections",
        OUT / "ogc-tipg.log",
    )
    try:
        ours_items = f"http://127.0.0.1:{ours_port}/ogc/collections/parcels/items"
        tipg_items = f"http://127.0.0.1:{tipg_port}/collections/public.parcels/items"
        auth = {"Authorization": f"Bearer {token}"}
        for b in bboxes[:5]:  # both servers must answer the same question
            a = httpx.get(ours_items, params={"bbox": b, "limit": args.limit}, headers=auth)
            t = httpx.get(tipg_items, params={"bbox": b, "limit": args.limit})
            a_json, t_json = a.json(), t.json()
            assert a_json["numberMatched"] == t_json["numberMatched"], (b, a.text[:200])
            assert a_json["numberReturned"] == t_json["numberReturned"] == args.limit
        q = f"limit={args.limit}"
        results: list[Result] = []
        print(
            f"{len(bboxes)} bboxes of >{args.limit} parcels, {args.clients} clients, "
            f"{args.seconds:.0f} s each"
        )
        plan = [
            ("parkgis planner", [f"{ours_items}?bbox={b}&{q}" for b in bboxes], auth),
            ("tipg", [f"{tipg_items}?bbox={b}&{q}" for b in bboxes], {}),
            ("parkgis anonymous", [f"{ours_items}?bbox={b}&{q}" for b in bboxes], {}),
            (
                "tipg status=available",
                [f"{tipg_items}?bbox={b}&{q}&status=available" for b in bboxes],
                {},
            ),
        ]
        for name, urls, headers in plan:
            if args.only and not name.startswith(args.only):
                continue
            results.append(scenario(name, urls, headers, args))
        (OUT / "ogc.json").write_text(
            json.dumps(
                {
                    "clients": args.clients,
                    "limit": args.limit,
                    "results": [asdict(r) for r in results],
                },
                indent=2,
            )
        )
    finally:
        for proc in (ours, tipg):
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
