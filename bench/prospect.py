"""Prospect speed and sizes: /find, site-sheet PDFs, the prospect map and a shortlist pack.

    PARKGIS_HOME=/tmp/pg-prospect .venv/bin/python bench/prospect.py [--runs 40] [--skip-load]

The demo zone (scale 1, ``data/parcels``) and the scale-10 zone (``bench/out/scale-10``,
generated under ``bench/out/.gen.lock`` when missing) are loaded into their own databases
of the embedded cluster (``parkgis_bench_prospect_1`` / ``_10``) and ANALYZEd. Requests go
through the app in process (``TestClient``: routing, rendering, serialisation included).

- ``/find`` on scale 10: a mix of forms (plant by area and height near a place, land in 亩
  with a price cap, any kind with power and a chain, ground floor with rent), anonymous
  and investment, at places drawn from the zone; p50/p95 of ``--runs`` requests after a
  warm-up. Goal: p95 < 300 ms.
- A site sheet PDF (``?f=pdf``) on scale 10, 5 parcels and 5 spaces. Goal: < 1 s each.
- ``/maps/prospect`` on the demo zone, page and ``?download=1``. Goal: < 1.5 MB.
- A shortlist of 10 sites on scale 10: the offline pack (``?download=1``) size and the
  brochure PDF time. Goal: pack < 3 MB.

Writes ``bench/out/prospect.json``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from typing import Any

from _common import demo_dir, pct, write_json
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.auth import create_token
from parkgis.db.engine import db_up
from parkgis.demo import load_demo
from parkgis.settings import Settings
from parkgis.zonetime import zone_today


def setup(settings: Settings, scale: float, skip_load: bool) -> tuple[Settings, Any, str]:
    db = settings.db.model_copy(update={"db_name": f"parkgis_bench_prospect_{scale:g}"})
    engine = db_up(db)
    today = zone_today(settings.zone.timezone)
    if not skip_load:
        t0 = time.perf_counter()
        with engine.begin() as conn:
            load_demo(conn, demo_dir(scale, today), today=today, replace_all_data=True)
        print(f"scale {scale:g} loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) spaces, parcels, buildings, enterprises"))
    with Session(engine) as s:
        token = create_token(s, role="investment", name=f"bench-prospect-{random.random():.6f}")
        s.commit()
    return settings.model_copy(update={"db": db}), engine, token


def forms(rng: random.Random, places: list[tuple[float, float]]) -> list[dict[str, str]]:
    out = []
    for i in range(len(places)):
        lon, lat = places[i]
        near = {"near_lon": f"{lon:.6f}", "near_lat": f"{lat:.6f}"}
        kind = i % 4
        if kind == 0:
            out.append(
                {
                    "kind": "space",
                    "area_min": str(rng.choice((500, 1500, 3000))),
                    "clear_height_m": str(rng.choice((6, 8))),
                    "max_distance_m": "5000",
                    **near,
                }
            )
        elif kind == 1:
            out.append(
                {
                    "kind": "parcel",
                    "area_min": str(rng.choice((10, 30, 60))),
                    "area_unit": "mu",
                    "max_price_cny_m2": "600",
                    **near,
                }
            )
        elif kind == 2:
            out.append(
                {
                    "kind": "any",
                    "power_kva": "630",
                    "industry_chain": rng.choice(
                        ("new_energy_vehicles", "electronics", "batteries")
                    ),
                    "max_distance_m": "8000",
                    **near,
                }
            )
        else:
            out.append(
                {
                    "kind": "space",
                    "ground_floor": "1",
                    "max_rent_cny_m2_month": "30",
                    "floor_load_t_m2": "2",
                    **near,
                }
            )
    return out


def bench_find(client: TestClient, engine: Any, token: str, runs: int) -> dict[str, Any]:
    with engine.connect() as conn:
        pts = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM enterprises ORDER BY random() LIMIT :n"),
            {"n": runs},
        ).all()
    rng = random.Random(12)
    mix = forms(rng, [(float(a), float(b)) for a, b in pts])
    auth = {"Authorization": f"Bearer {token}"}
    for f in mix[:4]:
        client.get("/find", params=f)
    times: list[float] = []
    cpu: list[float] = []
    by_role: dict[str, list[float]] = {"anonymous": [], "investment": []}
    for i, f in enumerate(mix):
        role = "investment" if i % 2 else "anonymous"
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.get("/find", params=f, headers=auth if role == "investment" else {})
        ms = (time.perf_counter() - t0) * 1000
        cpu.append((time.process_time() - c0) * 1000)
        assert r.status_code == 200, r.text[:500]
        times.append(ms)
        by_role[role].append(ms)
    return {
        "requests": len(times),
        "p50_ms": round(pct(times, 0.5), 1),
        "p95_ms": round(pct(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "cpu_p95_ms": round(pct(cpu, 0.95), 1),
        "by_role_p95_ms": {k: round(pct(v, 0.95), 1) for k, v in by_role.items()},
    }


def bench_sheets(client: TestClient, engine: Any) -> tuple[dict[str, Any], list[str]]:
    with engine.connect() as conn:
        parcels = conn.scalars(
            text("SELECT id FROM parcels WHERE status = 'available' ORDER BY id LIMIT 5")
        ).all()
        spaces = conn.scalars(
            text("SELECT id FROM spaces WHERE status = 'vacant' ORDER BY id LIMIT 5")
        ).all()
    sites = [f"parcel:{i}" for i in parcels] + [f"space:{i}" for i in spaces]
    client.get(f"/sites/parcel/{parcels[0]}", params={"f": "pdf"})
    times = []
    cpu = []
    sizes = []
    for s in sites:
        kind, sid = s.split(":")
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.get(f"/sites/{kind}/{sid}", params={"f": "pdf", "lang": "en"})
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        sizes.append(len(r.content))
    out = {
        "sheets": len(times),
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
        "cpu_max_s": round(max(cpu), 3),
        "median_kb": round(statistics.median(sizes) / 1024, 1),
    }
    return out, sites


def bench_map(client: TestClient) -> dict[str, Any]:
    out = {}
    for name, params in (("page", {"lang": "zh"}), ("download", {"download": "1"})):
        t0 = time.perf_counter()
        r = client.get("/maps/prospect", params=params)
        assert r.status_code == 200
        out[name] = {
            "mb": round(len(r.content) / 1e6, 3),
            "s": round(time.perf_counter() - t0, 2),
        }
    return out


def bench_pack(client: TestClient, token: str, sites: list[str]) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    made = client.post(
        "/api/v1/shortlists",
        json={"sites": sites, "prospect": "Bench Co.", "lang": "en"},
        headers=auth,
    )
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    t0 = time.perf_counter()
    pack = client.get(url, params={"download": "1"})
    pack_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pdf = client.get(url, params={"f": "pdf"})
    pdf_s = time.perf_counter() - t0
    assert pack.status_code == 200 and pdf.status_code == 200
    return {
        "sites": len(sites),
        "pack_mb": round(len(pack.content) / 1e6, 3),
        "pack_s": round(pack_s, 2),
        "brochure_mb": round(len(pdf.content) / 1e6, 3),
        "brochure_s": round(pdf_s, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--skip-load", action="store_true", help="reuse loaded bench databases")
    args = ap.parse_args()
    settings = Settings()
    results: dict[str, Any] = {}
    s1, _, _ = setup(settings, 1, args.skip_load)
    with TestClient(create_app(s1)) as client:
        results["map_scale_1"] = bench_map(client)
    s10, engine, token = setup(settings, 10, args.skip_load)
    with TestClient(create_app(s10)) as client:
        results["find_scale_10"] = bench_find(client, engine, token, args.runs)
        results["sheet_pdf_scale_10"], sites = bench_sheets(client, engine)
        results["pack_scale_10"] = bench_pack(client, token, sites)
    results["goals"] = {
        "find_p95_under_300ms": results["find_scale_10"]["p95_ms"] < 300,
        "find_cpu_p95_under_300ms": results["find_scale_10"]["cpu_p95_ms"] < 300,
        "sheet_pdf_under_1s": results["sheet_pdf_scale_10"]["max_s"] < 1.0,
        "sheet_pdf_cpu_under_1s": results["sheet_pdf_scale_10"]["cpu_max_s"] < 1.0,
        "map_under_1_5mb": results["map_scale_1"]["page"]["mb"] < 1.5,
        "pack_10_sites_under_3mb": results["pack_scale_10"]["pack_mb"] < 3.0,
    }
    load1, _, _ = os.getloadavg()
    results["load_average_1min"] = round(load1, 2)
    print(results)
    write_json("prospect", results)


if __name__ == "__main__":
    main()
