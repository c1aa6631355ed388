"""Vector tile speed: parkgis against tipg on the scale-100 zone, and a tiled map's first render.

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/tiles.py [--seconds 20] [--clients 8]

What it does:

1. Loads the scale-100 demo zone (``bench/out/scale-100``, about 180,000 parcels;
   generated under ``flock bench/out/.gen.lock`` when missing) into the database
   ``parkgis_bench_tiles`` of the embedded cluster (once; again with ``--reload``), then
   ``VACUUM ANALYZE``.
2. Creates ``bench/.venv-tipg`` with tipg and uvicorn from PyPI when missing (as
   ``bench/ogc.py`` does) and starts both servers under uvicorn (one process each, same
   options), both reaching PostgreSQL over TCP on 127.0.0.1.
3. Picks ``--tiles`` (500) distinct tiles at zooms 12–17 where the data is: the tile
   holding a seeded random parcel at a seeded random zoom. It checks that both servers put
   the same parcel ids into a sample of them (decoded with mapbox-vector-tile).
4. For each scenario runs ``--clients`` threads (httpx, keep-alive) cycling through the
   tiles for ``--seconds`` after a warm-up: tiles/s over wall time, p50/p95 latency.
5. Reports tile sizes per zoom (median, max) for the planner's parcel tiles, and times
   the tiled parcels map in Chromium (Playwright, ``/usr/bin/chromium``): from navigation
   to the first full render (every visible tile drawn), median of ``--renders`` loads.

Scenarios:

- ``parkgis planner``: ``/tiles/parcels/{z}/{x}/{y}.mvt`` with a planner token (every
  parcel, every property; the token check is part of each request), on a server with the
  tile cache off (``PARKGIS_TILES_CACHE_MB=0``): every request builds its tile;
- ``parkgis planner cached``: the same on a server with the default cache (after the first
  pass over the 500 tiles, a request costs the token check and one stamp lookup);
- ``tipg``: ``/collections/public.parcels/tiles/WebMercatorQuad/{z}/{x}/{y}`` (the same
  rows, every column);
- ``parkgis anonymous``: public rows and fields only;
- ``parkgis map``: planner, ``?properties=id,status`` (what the tiled map asks for);
- ``parkgis 304``: planner revalidating with ``If-None-Match`` (no tile is built).

Figures go to stdout and ``bench/out/tiles.json``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from _common import OUT, ROOT, demo_dir, free_port, http_load, pct, start_server, write_json
from ogc import tipg_python
from sqlalchemy import text

DB_NAME = "parkgis_bench_tiles"


@dataclass
class Result:
    """One scenario's figures."""

    name: str
    requests: int
    errors: int
    seconds: float
    tiles_per_s: float
    p50_ms: float
    p95_ms: float
    mean_kb: float


def prepare_db(reload: bool, scale: int) -> tuple[str, str]:
    """Load the zone once; return (TCP URL without driver, planner token)."""
    from parkgis.auth import create_token
    from parkgis.db.cluster import EmbeddedCluster
    from parkgis.db.engine import db_up, make_sessionmaker
    from parkgis.demo import load_demo
    from parkgis.settings import DatabaseSettings

    ds = DatabaseSettings(db_name=DB_NAME)
    if ds.database_url:
        sys.exit("bench/tiles.py uses the embedded cluster: unset PARKGIS_DATABASE_URL")
    engine = db_up(ds)
    from datetime import date

    with engine.connect() as c:
        have = c.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    # A loaded zone is kept unless --reload: the files may be regenerated meanwhile.
    if reload or have < 1000 * scale:
        data = demo_dir(scale, date.today())
        print(f"loading {data} into {DB_NAME} …", flush=True)
        t0 = time.perf_counter()
        with engine.begin() as c:
            c.execute(text("DELETE FROM users WHERE name = 'bench-tiles-planner'"))
            load_demo(c, data)
        with engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        print(f"loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    with make_sessionmaker(engine)() as s:
        token = create_token(s, role="planner", name="bench-tiles-planner")
        s.commit()
    engine.dispose()
    cluster = EmbeddedCluster(ds)  # scram-sha-256: tipg and psycopg need the password
    port, password = cluster.running_port(), cluster.password
    return f"postgresql://parkgis:{password}@127.0.0.1:{port}/{DB_NAME}", token


def pick_tiles(url: str, n: int, seed: int = 15) -> list[tuple[int, int, int]]:
    """``n`` distinct tiles at zooms 12–17, each holding a seeded random parcel."""
    import psycopg

    from parkgis.tiles import lonlat_to_tile

    rnd = random.Random(seed)
    with psycopg.connect(url) as c:
        pts = c.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM parcels "
            "ORDER BY id) s"
        ).fetchall()
    out: dict[tuple[int, int, int], None] = {}
    while len(out) < n:
        lon, lat = pts[rnd.randrange(len(pts))]
        z = rnd.randint(12, 17)
        x, y = lonlat_to_tile(lon, lat, z)
        out[(z, x, y)] = None
    return list(out)


def scenario(name: str, urls: list[str], headers: dict[str, str], args: Any) -> Result:
    t0 = time.perf_counter()
    lat, errors, nbytes = http_load(
        urls, headers, args.clients, args.seconds, warmup=24, ok=(200, 204, 304)
    )
    wall = time.perf_counter() - t0
    res = Result(
        name=name,
        requests=len(lat),
        errors=errors,
        seconds=round(wall, 1),
        tiles_per_s=round(len(lat) / wall, 1),
        p50_ms=round(pct(lat, 0.50) * 1000, 1),
        p95_ms=round(pct(lat, 0.95) * 1000, 1),
        mean_kb=round(nbytes / max(1, len(lat)) / 1024, 1),
    )
    print(
        f"{name:<20} {res.tiles_per_s:>7.1f} tiles/s  p50 {res.p50_ms:>6.1f} ms  "
        f"p95 {res.p95_ms:>6.1f} ms  {res.mean_kb:>6.1f} KiB/tile  "
        f"({res.requests} requests, {res.errors} errors)",
        flush=True,
    )
    return res


def ids_in(data: bytes, layer: str, extent: int = 4096) -> set[int]:
    """Ids (the ``id`` property, which both servers send) of features inside the tile.

    Features only in the buffer around the tile are left out: the two servers' buffers
    differ, the tiles themselves must not.
    """
    import mapbox_vector_tile

    if not data:
        return set()
    feats = mapbox_vector_tile.decode(data).get(layer, {}).get("features", [])
    out: set[int] = set()
    for f in feats:
        xs: list[float] = []
        ys: list[float] = []

        def walk(c: Any, xs: list[float] = xs, ys: list[float] = ys) -> None:
            if c and isinstance(c[0], int | float):
                xs.append(c[0])
                ys.append(c[1])
            else:
                for p in c:
                    walk(p)

        walk(f["geometry"]["coordinates"])
        if xs and max(xs) > 0 and min(xs) < extent and max(ys) > 0 and min(ys) < extent:
            out.add(int(f["properties"]["id"]))
    return out


def tile_sizes(base: str, tiles: list[tuple[int, int, int]], auth: dict[str, str]) -> dict:
    """Planner parcel tile sizes per zoom: count, median and max KiB."""
    by_z: dict[int, list[int]] = {}
    with httpx.Client(headers=auth, timeout=120) as c:
        for z, x, y in tiles:
            by_z.setdefault(z, []).append(len(c.get(f"{base}/{z}/{x}/{y}.mvt").content))
    return {
        z: {
            "tiles": len(v),
            "median_kib": round(statistics.median(v) / 1024, 1),
            "max_kib": round(max(v) / 1024, 1),
        }
        for z, v in sorted(by_z.items())
    }


def first_render(base: str, token: str, bbox: str, runs: int) -> list[float]:
    """Seconds from navigation to every visible parcel tile drawn, per load of the map."""
    from playwright.sync_api import sync_playwright

    out: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for _ in range(runs):
                ctx = browser.new_context(viewport={"width": 1366, "height": 900})
                host = base.split("//", 1)[1].split(":")[0]
                ctx.add_cookies(
                    [{"name": "parkgis_token", "value": token, "domain": host, "path": "/"}]
                )
                ctx.route(
                    "**/*",
                    lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort(),
                )
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(f"{base}/maps/parcels?bbox={bbox}&basemap=zone")
                page.wait_for_function(
                    "() => window.parkgisTiles && window.parkgisTiles.ready()", timeout=60_000
                )
                out.append(time.perf_counter() - t0)
                n = page.evaluate("() => window.parkgisTiles.drawn()")
                assert n > 0, "no parcel drawn"
                ctx.close()
        finally:
            browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--tiles", type=int, default=500)
    ap.add_argument("--scale", type=int, default=100)
    ap.add_argument("--renders", type=int, default=5)
    ap.add_argument("--reload", action="store_true", help="load the zone again")
    ap.add_argument("--prepare", action="store_true", help="only load the zone")
    ap.add_argument("--only", help="comma list of scenario names to run")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)

    pg_url, token = prepare_db(args.reload, args.scale)
    if args.prepare:
        return
    tiles = pick_tiles(pg_url, args.tiles)
    py_tipg = tipg_python()
    ours_port, cold_port, tipg_port = free_port(), free_port(), free_port()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PARKGIS_", "TIPG_"))}
    ours_env = {
        **base_env,
        "PARKGIS_DATABASE_URL": pg_url.replace("postgresql://", "postgresql+psycopg://"),
        "PARKGIS_ASSETS_DIR": str(ROOT / "node_modules"),
        "PYTHONPATH": str(ROOT),
    }
    tipg_env = {
        **base_env,
        "DATABASE_URL": pg_url,
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.parcels"]',
        "TIPG_MAX_FEATURES_PER_TILE": "1000000",
    }
    uv = ["-m", "uvicorn", "--host", "127.0.0.1", "--log-level", "warning"]
    ours = start_server(
        [sys.executable, *uv, "--port", str(ours_port), "--factory", "api.app:create_app"],
        ours_env,
        f"http://127.0.0.1:{ours_port}/health",
        OUT / "tiles-parkgis.log",
    )
    cold = start_server(
        [sys.executable, *uv, "--port", str(cold_port), "--factory", "api.app:create_app"],
        {**ours_env, "PARKGIS_TILES_CACHE_MB": "0"},
        f"http://127.0.0.1:{cold_port}/health",
        OUT / "tiles-parkgis-nocache.log",
    )
    tipg = start_server(
        [str(py_tipg), *uv, "--port", str(tipg_port), "tipg.main:app"],
        tipg_env,
        f"http://127.0.0.1:{tipg_port}/collections",
        OUT / "tiles-tipg.log",
    )
    try:
        base = f"http://127.0.0.1:{ours_port}"
        ours_t = f"{base}/tiles/parcels"
        cold_t = f"http://127.0.0.1:{cold_port}/tiles/parcels"
        tipg_t = f"http://127.0.0.1:{tipg_port}/collections/public.parcels/tiles/WebMercatorQuad"
        auth = {"Authorization": f"Bearer {token}"}
        same = theirs_only = ours_only = 0
        for z, x, y in tiles[:: max(1, len(tiles) // 25)]:  # both answer the same question
            a = httpx.get(f"{cold_t}/{z}/{x}/{y}.mvt", headers=auth, timeout=60)
            t = httpx.get(f"{tipg_t}/{z}/{x}/{y}", timeout=60)
            assert a.status_code in (200, 204) and t.status_code == 200, (a.text, t.text)
            mine, theirs = ids_in(a.content, "parcels"), ids_in(t.content, "default")
            same += len(mine & theirs)
            ours_only += len(mine - theirs)
            theirs_only += len(theirs - mine)
        print(
            f"same parcels in both servers' tiles: {same} (parkgis only {ours_only}, "
            f"tipg only {theirs_only}: buffers and sub-pixel slivers differ)"
        )
        assert same > 0 and theirs_only + ours_only <= 0.02 * same
        print(f"{len(tiles)} tiles at z12-17, {args.clients} clients, {args.seconds:.0f} s each")
        plan = [
            ("parkgis planner", [f"{cold_t}/{z}/{x}/{y}.mvt" for z, x, y in tiles], auth),
            ("tipg", [f"{tipg_t}/{z}/{x}/{y}" for z, x, y in tiles], {}),
            ("parkgis planner cached", [f"{ours_t}/{z}/{x}/{y}.mvt" for z, x, y in tiles], auth),
            ("parkgis anonymous", [f"{cold_t}/{z}/{x}/{y}.mvt" for z, x, y in tiles], {}),
            (
                "parkgis map",
                [f"{cold_t}/{z}/{x}/{y}.mvt?properties=id,status" for z, x, y in tiles],
                auth,
            ),
        ]
        wanted = set(args.only.split(",")) if args.only else None
        results: list[Result] = []
        for name, urls, headers in plan:
            if wanted is None or name in wanted:
                results.append(scenario(name, urls, headers, args))
        etag = httpx.get(plan[0][1][0], headers=auth).headers["etag"]
        if wanted is None or "parkgis 304" in wanted:
            results.append(
                scenario("parkgis 304", plan[0][1][:1], {**auth, "If-None-Match": etag}, args)
            )
        sizes = tile_sizes(ours_t, tiles, auth)
        for z, s in sizes.items():
            print(f"z{z}: {s['tiles']} tiles, median {s['median_kib']} KiB, max {s['max_kib']} KiB")
        with httpx.Client() as c:
            doc = c.get(f"{base}/tiles/parcels.json", headers=auth).json()
        w, s_, e, n = doc["bounds"]
        cx, cy = (w + e) / 2, (s_ + n) / 2
        bbox = f"{cx - 0.02:.5f},{cy - 0.012:.5f},{cx + 0.02:.5f},{cy + 0.012:.5f}"
        renders = first_render(base, token, bbox, args.renders)
        print(
            "first full render of the tiled parcels map: "
            + ", ".join(f"{r:.2f}" for r in renders)
            + f" s (median {statistics.median(renders):.2f} s)"
        )
        write_json(
            "tiles",
            {
                "clients": args.clients,
                "seconds": args.seconds,
                "tiles": len(tiles),
                "results": [asdict(r) for r in results],
                "sizes": sizes,
                "first_render_s": renders,
            },
        )
    finally:
        for proc in (ours, cold, tipg):
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
