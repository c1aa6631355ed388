"""Mixed HTTP load: 50 keep-alive clients for 60 s against ``parkgis serve``, one worker and N.

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/http_load.py \
        [--clients 50] [--seconds 60] [--workers 1,2] [--scale 1]

What it does:

1. Loads the demo zone (scale 1 by default) into the database ``parkgis_bench_http`` of the
   embedded cluster once, and makes a planner and an admin token.
2. For each worker count (default ``1`` then the number of cores), in the same run: starts
   ``parkgis serve --workers N`` on a free loopback port, warms it up, runs ``--clients``
   keep-alive clients for ``--seconds``, and stops it.
3. Each client loops over the probe's mix, chosen at random with these weights:

   ======================  ======  ====================================================
   kind                    weight  request
   ======================  ======  ====================================================
   ``ogc_anonymous``       25      ``GET /ogc/collections/spaces/items?limit=50&offset=…``
   ``ogc_planner``         20      ``GET /ogc/collections/parcels/items?limit=50&offset=…``
                                   with the planner token
   ``get_one``             25      ``GET /api/v1/enterprises/{id}`` (planner)
   ``match``               10      ``POST /api/v1/match`` (admin; a random request)
   ``map``                  5      ``GET /maps/parcels?bbox=…`` (planner; a small bbox)
   ``get_patch``           15      ``GET /api/v1/officers/{hot}`` then ``PATCH`` it with
                                   ``If-Match`` (admin; 5 hot rows, so 412s are expected)
   ======================  ======  ====================================================

The client is a small asyncio HTTP/1.1 client (one connection per client, reused), so the
load generator costs little CPU on the machine it shares with the server. It reports, per
kind: count, statuses, p50/p95/p99 latency; overall: requests per second, connection
errors (resets, early closes, timeouts) and 5xx; and the throughput ratio of N workers to
one. Expected statuses: 200/201, and 412 for a PATCH that lost a race. Anything else is an
error. Figures go to stdout and ``bench/out/http_load.json``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from _common import OUT, ROOT, demo_dir, free_port, pct

DB_NAME = "parkgis_bench_http"
MIX = {
    "ogc_anonymous": 25,
    "ogc_planner": 20,
    "get_one": 25,
    "match": 10,
    "map": 5,
    "get_patch": 15,
}
OK = {200, 201, 304, 412}
HOT_ROWS = 5


@dataclass
class Zone:
    """What the requests are built from."""

    planner: str
    admin: str
    enterprises: list[int]
    hot_officers: list[int]
    spaces: int
    parcels: int
    bbox: tuple[float, float, float, float]


def prepare(scale: float) -> Zone:
    """Load the zone once into ``parkgis_bench_http``; make tokens; pick ids."""
    from sqlalchemy import text

    from parkgis.auth import create_token
    from parkgis.db.engine import db_up, make_sessionmaker
    from parkgis.demo import load_demo
    from parkgis.settings import DatabaseSettings

    ds = DatabaseSettings(db_name=DB_NAME)
    if ds.database_url:
        sys.exit("bench/http_load.py uses the embedded cluster: unset PARKGIS_DATABASE_URL")
    engine = db_up(ds)
    data = demo_dir(scale, date.today())
    want = json.loads((data / "meta.json").read_text())["counts"]["parcels"]
    with engine.connect() as c:
        have = c.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    if have != want:
        print(f"loading {data} into {DB_NAME} …", flush=True)
        with engine.begin() as c:
            load_demo(c, data)
        with engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    with make_sessionmaker(engine)() as s:
        planner = create_token(s, role="planner", name="bench-http-planner")
        admin = create_token(s, role="admin", name="bench-http-admin")
        s.commit()
    with engine.connect() as c:
        enterprises = list(c.execute(text("SELECT id FROM enterprises ORDER BY id")).scalars())
        hot = list(
            c.execute(
                text("SELECT id FROM officers ORDER BY id LIMIT :n"), {"n": HOT_ROWS}
            ).scalars()
        )
        spaces = c.execute(text("SELECT count(*) FROM spaces")).scalar_one()
        parcels = c.execute(text("SELECT count(*) FROM parcels")).scalar_one()
        box = c.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                "FROM (SELECT ST_Extent(geom) AS e FROM parcels) x"
            )
        ).one()
    engine.dispose()
    return Zone(planner, admin, enterprises, hot, spaces, parcels, tuple(box))  # type: ignore[arg-type]


# --- a lean HTTP/1.1 keep-alive client ----------------------------------------------------


class ConnectionFailed(Exception):
    """The server reset or closed the connection, or did not answer in time."""


class Conn:
    """One keep-alive connection; reconnects (and counts it) when the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
        try:
            self.writer.write(raw)
            await self.writer.drain()
            return await asyncio.wait_for(self._response(), timeout=60)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self.close()
            raise ConnectionFailed(repr(exc)) from exc

    async def _response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        if not status_line:
            raise asyncio.IncompleteReadError(b"", None)
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# --- the mix -------------------------------------------------------------------------------


@dataclass
class Tally:
    """Per-kind statuses and latencies, and connection failures."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    conn_errors: list[str] = field(default_factory=list)
    reconnects: int = 0


def _match_body(rng: random.Random) -> bytes:
    body: dict[str, Any] = {
        "kind": rng.choice(["space", "parcel", "any"]),
        "floor_area_m2": {"min": rng.choice([500, 1000, 2000, 3000])},
        "clear_height_m": rng.choice([6, 8, 10]),
        "limit": 10,
    }
    if body["kind"] != "space":
        body["land_area_m2"] = {"min": rng.choice([5000, 10000, 20000])}
    return json.dumps(body).encode()


def _bbox(zone: Zone, rng: random.Random) -> str:
    x0, y0, x1, y1 = zone.bbox
    w, h = (x1 - x0) / 6, (y1 - y0) / 6
    x, y = x0 + rng.random() * (x1 - x0 - w), y0 + rng.random() * (y1 - y0 - h)
    return f"{x:.5f},{y:.5f},{x + w:.5f},{y + h:.5f}"


async def one(kind: str, conn: Conn, zone: Zone, rng: random.Random, tally: Tally) -> None:
    planner = {"Authorization": f"Bearer {zone.planner}"}
    admin = {"Authorization": f"Bearer {zone.admin}"}
    t0 = time.perf_counter()
    if kind == "ogc_anonymous":
        off = rng.randrange(0, max(zone.spaces - 50, 1))
        status, _, _ = await conn.request(
            "GET", f"/ogc/collections/spaces/items?limit=50&offset={off}", {}
        )
    elif kind == "ogc_planner":
        off = rng.randrange(0, max(zone.parcels - 50, 1))
        status, _, _ = await conn.request(
            "GET", f"/ogc/collections/parcels/items?limit=50&offset={off}", planner
        )
    elif kind == "get_one":
        fid = rng.choice(zone.enterprises)
        status, _, _ = await conn.request("GET", f"/api/v1/enterprises/{fid}", planner)
    elif kind == "match":
        status, _, _ = await conn.request("POST", "/api/v1/match", admin, _match_body(rng))
    elif kind == "map":
        status, _, _ = await conn.request("GET", f"/maps/parcels?bbox={_bbox(zone, rng)}", planner)
    else:  # get_patch
        oid = rng.choice(zone.hot_officers)
        status, headers, _ = await conn.request("GET", f"/api/v1/officers/{oid}", admin)
        if status == 200:
            body = json.dumps({"title": f"t{rng.randrange(1000)}"}).encode()
            etag = {**admin, "If-Match": headers.get("etag", '"0"')}
            status, _, _ = await conn.request("PATCH", f"/api/v1/officers/{oid}", etag, body)
    tally.latencies[kind].append(time.perf_counter() - t0)
    tally.statuses[kind][status] += 1


async def client(k: int, port: int, zone: Zone, deadline: float, tally: Tally) -> None:
    rng = random.Random(k)
    kinds, weights = list(MIX), list(MIX.values())
    conn = Conn(port)
    while time.perf_counter() < deadline:
        kind = rng.choices(kinds, weights)[0]
        try:
            await one(kind, conn, zone, rng, tally)
        except ConnectionFailed as exc:
            tally.conn_errors.append(f"{kind}: {exc}")
    conn.close()


async def run_load(port: int, zone: Zone, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(client(k, port, zone, deadline, tally) for k in range(clients)))
    return tally, time.perf_counter() - start


# --- servers --------------------------------------------------------------------------------


def serve(workers: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PARKGIS_DB_NAME": DB_NAME}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "parkgis",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    import httpx

    deadline = time.monotonic() + 120
    healthy = 0
    while time.monotonic() < deadline and healthy < workers * 3:
        if proc.poll() is not None:
            sys.exit(f"parkgis serve exited:\n{log.read_text()[-3000:]}")
        try:
            healthy += httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        except httpx.TransportError:
            time.sleep(0.3)
    return proc


def summarise(name: str, tally: Tally, seconds: float) -> dict[str, Any]:
    kinds = {}
    total = 0
    five = 0
    unexpected = 0
    for kind in MIX:
        lat = tally.latencies.get(kind, [])
        st = tally.statuses.get(kind, Counter())
        total += len(lat)
        five += sum(n for s, n in st.items() if s >= 500)
        unexpected += sum(n for s, n in st.items() if s not in OK)
        kinds[kind] = {
            "count": len(lat),
            "statuses": dict(sorted(st.items())),
            "p50_ms": round(pct(lat, 0.50) * 1000, 1),
            "p95_ms": round(pct(lat, 0.95) * 1000, 1),
            "p99_ms": round(pct(lat, 0.99) * 1000, 1),
        }
    everything = [x for lat in tally.latencies.values() for x in lat]
    return {
        "name": name,
        "seconds": round(seconds, 1),
        "requests": total,
        "rps": round(total / seconds, 1),
        "p50_ms": round(pct(everything, 0.50) * 1000, 1),
        "p99_ms": round(pct(everything, 0.99) * 1000, 1),
        "connection_errors": len(tally.conn_errors),
        "connection_error_samples": tally.conn_errors[:5],
        "status_5xx": five,
        "unexpected_status": unexpected,
        "kinds": kinds,
    }


def show(r: dict[str, Any]) -> None:
    print(
        f"\n== {r['name']}: {r['requests']} requests in {r['seconds']} s = {r['rps']} req/s; "
        f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms; connection errors "
        f"{r['connection_errors']}, 5xx {r['status_5xx']}, other unexpected "
        f"{r['unexpected_status'] - r['status_5xx']}"
    )
    print(f"   {'kind':<14} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for kind, k in r["kinds"].items():
        print(
            f"   {kind:<14} {k['count']:>6} {k['p50_ms']:>8} {k['p95_ms']:>8} "
            f"{k['p99_ms']:>8}  {k['statuses']}"
        )
    for sample in r["connection_error_samples"]:
        print(f"   ! {sample}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--workers", default=f"1,{os.cpu_count() or 2}")
    ap.add_argument("--scale", type=float, default=1)
    args = ap.parse_args()
    zone = prepare(args.scale)
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for n in [int(w) for w in args.workers.split(",")]:
        port = free_port()
        proc = serve(n, port, OUT / f"http_load-serve-{n}.log")
        try:
            asyncio.run(run_load(port, zone, min(args.clients, 10), args.warmup))
            tally, took = asyncio.run(run_load(port, zone, args.clients, args.seconds))
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        r = summarise(f"{n} worker{'s' if n > 1 else ''}", tally, took)
        r["workers"] = n
        show(r)
        results.append(r)
    base = results[0]["rps"]
    for r in results[1:]:
        r["throughput_vs_first"] = round(r["rps"] / base, 2) if base else None
        print(f"\nthroughput {r['name']} / {results[0]['name']}: {r['throughput_vs_first']}x")
    out = {
        "clients": args.clients,
        "seconds": args.seconds,
        "scale": args.scale,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "results": results,
    }
    (OUT / "http_load.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {OUT / 'http_load.json'}")


if __name__ == "__main__":
    main()
