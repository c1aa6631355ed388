"""Match speed on large demo zones: in process, over HTTP, and against a brute-force scan.

    PARKGIS_HOME=/tmp/pg-match .venv/bin/python bench/match.py [--scales 10,100] [--runs 3]

For each scale the demo files (``bench/out/scale-N``, generated when missing) are loaded
into the database ``parkgis_bench_match`` of the embedded cluster and VACUUM ANALYZEd
(as a zone in service would be). A mix of request types (:func:`request_types`, each at
``--variants`` firm sites drawn from the zone) is then timed three ways, each request
``--runs`` times after one warm-up:

- **in process**: :func:`parkgis.matching.match` on a session, saving the request
  (the insert is rolled back after each call);
- **HTTP**: ``POST /api/v1/match`` to the app served by uvicorn in a subprocess (one
  keep-alive client, requests one after the other; includes saving and committing);
- **brute force**: the same rules as a geopandas/numpy scan over every row, with the
  data already in memory (spaces with their parcel's land use and the active holds,
  parcels; distances in the zone's projected CRS): feasible set, near-miss count,
  area and distance scores and the top 10. It leaves out combined units, same-chain
  affinity and saving, so it flatters the scan.

It prints p50/p95 per request type and for the whole mix, the ratio brute force / in
process, and writes everything to ``bench/out/match.json``. Goal at scale 100: p95 under
50 ms in process and under 100 ms over HTTP.
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
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import httpx
import numpy as np
import pandas as pd
from _common import OUT, ROOT, demo_dir, pct
from shapely.geometry import Point
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.auth import create_token
from parkgis.db.engine import db_up, session_scope
from parkgis.demo import load_demo
from parkgis.geo import to_crs
from parkgis.matching.service import match
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

DB = "parkgis_bench_match"
ADMIN = Principal(name="bench", role="admin")
CLASS = {"100101": 1, "100102": 2, "100103": 3}


def request_types(today: date) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """Request type → builder from a place ``{lon, lat, firm}`` (the mix that is timed)."""
    by = (today + timedelta(days=100)).isoformat()
    return {
        "issue_example": lambda p: {
            "floor_area_m2": {"min": 3000, "max": 6000},
            "ground_floor": True,
            "clear_height_m": 8,
            "floor_load_t_m2": 3,
            "power_kva": 1250,
            "max_rent_cny_m2_month": 25,
            "available_by": by,
            "enterprise_id": p["firm"],
            "near": {"max_distance_m": 5000},
        },
        "small_unit_near": lambda p: {
            "floor_area_m2": {"min": 500, "max": 1500},
            "clear_height_m": 6,
            "max_rent_cny_m2_month": 22,
            "near": {"lon": p["lon"], "lat": p["lat"], "max_distance_m": 3000},
        },
        "combined_units": lambda p: {
            "floor_area_m2": {"min": 4000, "max": 8000},
            "clear_height_m": 4.5,
            "near": {"lon": p["lon"], "lat": p["lat"], "max_distance_m": 4000},
            "industry_chain": "electronics",
        },
        "land_near": lambda p: {
            "land_area_m2": {"min": 20000, "max": 80000},
            "pollution_class": 2,
            "max_price_cny_m2": 900,
            "near": {"lon": p["lon"], "lat": p["lat"], "max_distance_m": 6000},
        },
        "any_kind_chain": lambda p: {
            "kind": "any",
            "floor_area_m2": {"min": 2000},
            "land_area_m2": {"min": 10000},
            "pollution_class": 1,
            "enterprise_id": p["firm"],
            "near": {"max_distance_m": 3000},
        },
        "zone_wide_power": lambda p: {
            "power_kva": 300,
            "clear_height_m": 7,
            "floor_area_m2": {"min": 800},
        },
        "crane_plant": lambda p: {
            "crane_t": 10,
            "floor_area_m2": {"min": 1000},
            "near": {"lon": p["lon"], "lat": p["lat"]},
        },
        "ready_soon_ground": lambda p: {
            "ground_floor": True,
            "available_by": (today + timedelta(days=30)).isoformat(),
            "floor_area_m2": {"min": 800, "max": 2500},
            "near": {"lon": p["lon"], "lat": p["lat"], "max_distance_m": 8000},
        },
        "zone_wide_land": lambda p: {
            "land_area_m2": {"min": 10000},
            "pollution_class": 3,
        },
        "near_miss_heavy": lambda p: {
            "floor_area_m2": {"min": 1200, "max": 1400},
            "clear_height_m": 9,
            "floor_load_t_m2": 2,
            "near": {"lon": p["lon"], "lat": p["lat"], "max_distance_m": 2500},
        },
    }


def summary(times: dict[str, list[float]]) -> dict[str, Any]:
    """p50/p95 in ms per request type and for the whole mix."""
    out: dict[str, Any] = {
        k: {"p50_ms": round(pct(v, 0.5), 2), "p95_ms": round(pct(v, 0.95), 2), "n": len(v)}
        for k, v in times.items()
    }
    every = [x for v in times.values() for x in v]
    out["mix"] = {
        "p50_ms": round(pct(every, 0.5), 2),
        "p95_ms": round(pct(every, 0.95), 2),
        "n": len(every),
    }
    return out


def places(engine: Engine, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` firm sites drawn from the zone (the firm's id and its lon/lat)."""
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT id, ST_X(geom), ST_Y(geom) FROM enterprises ORDER BY id")
        ).all()
    rnd = random.Random(seed)
    return [{"firm": r[0], "lon": r[1], "lat": r[2]} for r in rnd.sample(rows, n)]


# --- brute force -----------------------------------------------------------------------


class Brute:
    """Every row in memory as GeoDataFrames; each request is a vectorised scan."""

    def __init__(self, engine: Engine, settings: Settings, today: date) -> None:
        self.crs = settings.zone.projected_crs
        self.today = today
        self.m = settings.match
        with engine.connect() as c:
            self.spaces = gpd.read_postgis(
                "SELECT s.id, s.status, s.floor, s.area_m2, s.clear_height_m, s.floor_load_t_m2, "
                "s.power_kva, s.crane_t, s.rent_cny_m2_month, s.available_from, p.land_use, "
                "EXISTS (SELECT 1 FROM reservations r WHERE r.space_id = s.id AND "
                "tstzrange(r.held_from, r.expires_at) @> now()) AS held, s.geom "
                "FROM spaces s JOIN buildings b ON b.id = s.building_id "
                "LEFT JOIN parcels p ON p.id = b.parcel_id",
                c,
                geom_col="geom",
            ).to_crs(self.crs)
            self.parcels = gpd.read_postgis(
                "SELECT p.id, p.status, p.area_m2, p.price_cny_m2, p.land_use, "
                "EXISTS (SELECT 1 FROM reservations r WHERE r.parcel_id = p.id AND "
                "tstzrange(r.held_from, r.expires_at) @> now()) AS held, p.geom FROM parcels p",
                c,
                geom_col="geom",
            ).to_crs(self.crs)
            self.firms = gpd.read_postgis(
                "SELECT id, industry_chain, geom FROM enterprises", c, geom_col="geom"
            )
        for df in (self.spaces, self.parcels):
            df["cls"] = df["land_use"].map(CLASS).astype("float")
        self.spaces["avail_days"] = (
            pd.to_datetime(self.spaces["available_from"]) - pd.Timestamp(today)
        ).dt.days

    def run(self, req: dict[str, Any]) -> dict[str, Any]:
        kind = req.get("kind")
        if kind is None:
            sp = any(k in req for k in ("floor_area_m2", "clear_height_m", "ground_floor"))
            pa = any(k in req for k in ("land_area_m2", "max_price_cny_m2"))
            kind = "space" if sp and not pa else "parcel" if pa and not sp else "any"
        near = req.get("near") or {}
        point = None
        if "lon" in near:
            point = (near["lon"], near["lat"])
        elif "enterprise_id" in req:
            g = self.firms.loc[self.firms["id"] == req["enterprise_id"], "geom"].iloc[0]
            point = (g.x, g.y)
        pp = to_crs(Point(*point), "EPSG:4326", self.crs) if point else None
        out: dict[str, Any] = {"matched": 0, "near": 0}
        tops = []
        tol = self.m.near_miss_tolerance
        for k in ("space", "parcel") if kind == "any" else (kind,):
            df = self.spaces if k == "space" else self.parcels
            ok = (df["status"] == ("vacant" if k == "space" else "available")) & ~df["held"]
            soft: list[tuple[Any, Any]] = []  # (strict mask, relaxed mask) per soft criterion
            area = req.get("floor_area_m2" if k == "space" else "land_area_m2")
            if area:
                a = df["area_m2"]
                lo, hi = area.get("min", 0), area.get("max", np.inf)
                soft.append(((a >= lo) & (a <= hi), (a >= lo * (1 - tol)) & (a <= hi * (1 + tol))))
            if k == "space":
                for attr in ("clear_height_m", "floor_load_t_m2", "power_kva", "crane_t"):
                    if attr in req:
                        r = req[attr]
                        soft.append((df[attr] >= r, df[attr] >= r * (1 - tol)))
                if req.get("ground_floor"):
                    ok &= df["floor"] == 1
                if "max_rent_cny_m2_month" in req:
                    r, col = req["max_rent_cny_m2_month"], df["rent_cny_m2_month"]
                    soft.append((col <= r, col <= r * (1 + tol)))
                if "available_by" in req:
                    lim = (date.fromisoformat(req["available_by"]) - self.today).days
                    d = df["avail_days"]
                    slack = int(tol * max(0, lim))
                    soft.append((d.isna() | (d <= lim), d.isna() | (d <= lim + slack)))
            elif "max_price_cny_m2" in req:
                r, col = req["max_price_cny_m2"], df["price_cny_m2"]
                soft.append((col <= r, col <= r * (1 + tol)))
            if "pollution_class" in req:
                ok &= df["cls"] >= req["pollution_class"]
            score = np.zeros(len(df))
            if pp is not None:
                dist = df.geometry.distance(pp).to_numpy()
                if "max_distance_m" in near:
                    r = near["max_distance_m"]
                    soft.append((dist <= r, dist <= r * (1 + tol)))
                scale = near.get("max_distance_m") or self.m.distance_scale_m
                score += self.m.weight_distance * np.clip(1 - dist / scale, 0, 1)
            if area:
                t = area.get("min", area.get("max"))
                score += self.m.weight_area * np.clip(1 - np.abs(df["area_m2"] - t) / t, 0, 1)
            open_ = ok.to_numpy()
            fails = np.zeros(len(df), dtype=int)
            relaxed = np.ones(len(df), dtype=bool)
            for strict, loose in soft:
                fails += ~np.asarray(strict, dtype=bool)
                relaxed &= np.asarray(loose, dtype=bool)
            out["near"] += int((open_ & relaxed & (fails == 1)).sum())
            sel = np.flatnonzero(open_ & (fails == 0))
            out["matched"] += len(sel)
            order = sel[np.argsort(-score[sel], kind="stable")[:10]]
            tops.extend((score[i], k, int(df["id"].iat[i])) for i in order)
        tops.sort(reverse=True)
        out["top"] = tops[:10]
        return out


# --- runs ------------------------------------------------------------------------------


def run_in_process(
    engine: Engine, settings: Settings, reqs: list[tuple[str, dict[str, Any]]], runs: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    times: dict[str, list[float]] = {}
    matched: dict[str, int] = {}
    with Session(engine) as session:
        for _, body in reqs:  # warm-up
            match(session, body, ADMIN, settings)
            session.rollback()
        for _ in range(runs):
            for i, (name, body) in enumerate(reqs):
                t0 = time.perf_counter()
                result = match(session, body, ADMIN, settings)
                times.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
                session.rollback()
                matched[f"{i}"] = result["matched"]
    return times, matched


def run_http(
    settings: Settings, token: str, reqs: list[tuple[str, dict[str, Any]]], runs: int
) -> dict[str, list[float]]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PARKGIS_DB_NAME": DB, "PARKGIS_HOME": str(settings.db.home)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    times: dict[str, list[float]] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the app server did not start")
            time.sleep(0.2)
        h = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=h, timeout=30) as client:
            for _, body in reqs:
                assert client.post("/api/v1/match", json=body).status_code == 201
            for _ in range(runs):
                for name, body in reqs:
                    t0 = time.perf_counter()
                    r = client.post("/api/v1/match", json=body)
                    r.read()
                    times.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 201, r.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return times


def run_brute(
    brute: Brute, reqs: list[tuple[str, dict[str, Any]]], runs: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    times: dict[str, list[float]] = {}
    matched: dict[str, int] = {}
    for _, body in reqs:
        brute.run(body)
    for _ in range(runs):
        for i, (name, body) in enumerate(reqs):
            t0 = time.perf_counter()
            res = brute.run(body)
            times.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            matched[f"{i}"] = res["matched"]
    return times, matched


def bench_scale(scale: float, args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    db = settings.db.model_copy(update={"db_name": DB})
    engine = db_up(db)
    today = zone_today(settings.zone.timezone)
    t0 = time.perf_counter()
    if not args.skip_load:
        with engine.begin() as conn:
            load_demo(conn, demo_dir(scale, today), today=today)
    load_s = time.perf_counter() - t0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # a zone in service is vacuumed: visibility map set (index-only counts), hint bits
        conn.execute(text("VACUUM (ANALYZE) spaces, parcels, buildings, enterprises"))
    with engine.connect() as conn:
        counts = (
            conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM spaces) AS spaces, "
                    "(SELECT count(*) FROM spaces WHERE status = 'vacant') AS vacant_spaces, "
                    "(SELECT count(*) FROM parcels) AS parcels, "
                    "(SELECT count(*) FROM parcels WHERE status = 'available') AS open_parcels, "
                    "(SELECT count(*) FROM enterprises) AS firms"
                )
            )
            .one()
            ._asdict()
        )
    print(f"scale {scale:g}: loaded in {load_s:.1f} s: {counts}", flush=True)
    bsettings = settings.model_copy(update={"db": db})
    with session_scope(engine) as s:
        token = create_token(s, role="admin", name=f"bench-match-{os.getpid()}")
    kinds = request_types(today)
    reqs = [
        (name, build(p)) for p in places(engine, args.variants) for name, build in kinds.items()
    ]
    out: dict[str, Any] = {"scale": scale, "load_s": round(load_s, 1), **counts}
    ip, ip_matched = run_in_process(engine, bsettings, reqs, args.runs)
    out["in_process"] = summary(ip)
    print(
        f"  in process   p50 {out['in_process']['mix']['p50_ms']:7.1f} ms  "
        f"p95 {out['in_process']['mix']['p95_ms']:7.1f} ms",
        flush=True,
    )
    if args.http:
        hp = run_http(bsettings, token, reqs, args.runs)
        out["http"] = summary(hp)
        print(
            f"  HTTP         p50 {out['http']['mix']['p50_ms']:7.1f} ms  "
            f"p95 {out['http']['mix']['p95_ms']:7.1f} ms",
            flush=True,
        )
    t0 = time.perf_counter()
    brute = Brute(engine, bsettings, today)
    out["brute_load_s"] = round(time.perf_counter() - t0, 2)
    bf, bf_matched = run_brute(brute, reqs, args.runs)
    out["brute_force"] = summary(bf)
    print(
        f"  brute force  p50 {out['brute_force']['mix']['p50_ms']:7.1f} ms  "
        f"p95 {out['brute_force']['mix']['p95_ms']:7.1f} ms "
        f"(+{out['brute_load_s']} s to read every row once)",
        flush=True,
    )
    out["ratio_brute_over_in_process"] = {
        q: round(out["brute_force"]["mix"][q] / out["in_process"]["mix"][q], 2)
        for q in ("p50_ms", "p95_ms")
    }
    out["requests"] = len(reqs)
    out["runs"] = args.runs
    out["types"] = list(kinds)
    out["matched_median"] = {
        name: {
            "in_process": statistics.median(
                n for i, n in ip_matched.items() if reqs[int(i)][0] == name
            ),
            "brute_force_singles": statistics.median(
                n for i, n in bf_matched.items() if reqs[int(i)][0] == name
            ),
        }
        for name in kinds
    }
    print(f"  ratio brute/in-process: {out['ratio_brute_over_in_process']}", flush=True)
    for name in kinds:
        print(
            f"    {name:<18} in-process p50 {out['in_process'][name]['p50_ms']:6.1f} "
            f"p95 {out['in_process'][name]['p95_ms']:6.1f} | brute p50 "
            f"{out['brute_force'][name]['p50_ms']:6.1f} ms",
            flush=True,
        )
    engine.dispose()
    return out


def main() -> None:
    """Run the benchmark at each scale and write ``bench/out/match.json``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="10,100")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--variants", type=int, default=12, help="Places per request type.")
    ap.add_argument("--no-http", dest="http", action="store_false")
    ap.add_argument(
        "--skip-load", action="store_true", help="Reuse the zone already loaded (one scale)."
    )
    args = ap.parse_args()
    settings = Settings()
    results = [bench_scale(float(s), args, settings) for s in args.scales.split(",")]
    OUT.mkdir(exist_ok=True)
    path = OUT / "match.json"
    path.write_text(
        json.dumps({"generated": time.strftime("%F %T"), "results": results}, indent=1),
        encoding="utf-8",
    )
    print(f"written {path}")


if __name__ == "__main__":
    main()
