"""Speed of the officer's workbench page ``/me`` on a large zone (target: under 150 ms).

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/pages.py [--scale 10] [--runs 15]

The zone ``bench/out/scale-N`` comes from ``_common.demo_dir`` (generated when missing,
under the shared lock ``bench/out/.gen.lock``), is loaded into
the database ``parkgis_bench_pages`` of the embedded cluster, and analysed. The officer with
the most firms is given the nearest others' until they have ``--firms`` (default 15), signed
in with a token, and a visit, a request and a hold are added so every section has rows. Then,
as the median (and 95th percentile) of ``--runs`` runs after one warm-up:

- ``library``: :func:`parkgis.workbench.officer_workbench` (the page's data);
- ``server_me``: ``GET /me`` inside the app (timed by an ASGI wrapper: sign-in cookie,
  CSRF token, frame, data, HTML from the shared Jinja environment): the server-side render
  the target is about;
- ``client_round_trip``: the same seen from the in-process test client (adds its thread
  hand-offs, which on a loaded machine cost more than the page).

The figures go to stdout and to ``bench/out/pages.json``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from _common import demo_dir, pct, write_json
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, own_enterprise_ids
from parkgis.auth import create_token
from parkgis.db.engine import db_up
from parkgis.demo import load_demo
from parkgis.settings import Settings
from parkgis.workbench import officer_workbench
from parkgis.zonetime import zone_today

DB_NAME = "parkgis_bench_pages"


def stats(times_ms: list[float]) -> dict[str, float]:
    """Median and p95 of some milliseconds."""
    return {"median_ms": round(pct(times_ms, 0.5), 1), "p95_ms": round(pct(times_ms, 0.95), 1)}


def timed_ms(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    """Median and p95 milliseconds of ``runs`` calls after one warm-up."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return stats(times)


class ServerTimer:
    """ASGI wrapper: how long the app took for each HTTP request, inside the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        t0 = time.perf_counter()
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.times.append((time.perf_counter() - t0) * 1000)


def officer_with(session: Session, firms: int) -> int:
    """The officer with the most current firms, given more (the nearest) until ``firms``.

    A generated zone gives each officer about eight firms; the target is about an officer
    with ``firms`` of them, so the nearest firms of other officers are handed over (their
    old assignment ends today, as a hand-over does).
    """
    oid, have = session.execute(
        text(
            "SELECT a.officer_id, count(*) FROM assignments a JOIN officers o ON o.id = "
            "a.officer_id WHERE a.until IS NULL AND o.active GROUP BY a.officer_id "
            "ORDER BY count(*) DESC, a.officer_id LIMIT 1"
        )
    ).one()
    if have < firms:
        session.execute(
            text(
                """
                WITH mine AS (
                    SELECT ST_Centroid(ST_Collect(e.geom)) AS c FROM assignments a
                    JOIN enterprises e ON e.id = a.enterprise_id
                    WHERE a.officer_id = :o AND a.until IS NULL
                ), moved AS (
                    UPDATE assignments a SET until = CURRENT_DATE
                    WHERE a.id IN (
                        SELECT a2.id FROM assignments a2
                        JOIN enterprises e ON e.id = a2.enterprise_id, mine
                        WHERE a2.until IS NULL AND a2.officer_id <> :o
                          AND a2.since < CURRENT_DATE
                        ORDER BY e.geom <-> mine.c LIMIT :n)
                    RETURNING a.enterprise_id
                )
                INSERT INTO assignments (officer_id, enterprise_id, since)
                SELECT :o, enterprise_id, CURRENT_DATE FROM moved
                """
            ),
            {"o": oid, "n": firms - have},
        )
        session.commit()
    return int(oid)


def seed_rows(session: Session, principal: Principal, settings: Settings) -> None:
    """One visit, one request and one hold of the officer, so every section has rows."""
    from parkgis.matching import hold
    from parkgis.workbench import log_request, log_visit

    firm = min(principal.own_enterprise_ids)
    log_visit(session, principal, settings, enterprise_id=firm, summary="bench")
    log_request(session, principal, settings, enterprise_id=firm, category="land", title="bench")
    space = session.scalar(text("SELECT id FROM spaces WHERE status = 'vacant' LIMIT 1"))
    if space is not None:
        hold(
            session, space_id=space, holder="bench", days=3, principal=principal, settings=settings
        )
    session.commit()


def main() -> None:
    """Run the benchmark and print/write the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=10)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--firms", type=int, default=15)
    args = ap.parse_args()

    settings = Settings()
    settings = settings.model_copy(
        update={"db": settings.db.model_copy(update={"db_name": DB_NAME})}
    )
    engine = db_up(settings.db)
    today = zone_today(settings.zone.timezone)
    source = demo_dir(args.scale, today)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        load_demo(conn, source, today=today)
    load_s = time.perf_counter() - t0
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()

    with Session(engine) as session:
        officer_id = officer_with(session, args.firms)
        token = create_token(
            session, role="officer", name=f"bench-{officer_id}", officer_id=officer_id
        )
        session.commit()
        me = Principal(
            user_id=session.scalar(
                text("SELECT id FROM users WHERE name = :n"), {"n": f"bench-{officer_id}"}
            ),
            name=f"bench-{officer_id}",
            role="officer",
            officer_id=officer_id,
            own_enterprise_ids=own_enterprise_ids(session, officer_id),
        )
        n_firms = len(me.own_enterprise_ids)
        seed_rows(session, me, settings)
        counts = {
            k: session.scalar(text(f"SELECT count(*) FROM {k}"))
            for k in ("officers", "enterprises", "visits", "service_requests", "projects")
        }
        wb = officer_workbench(session, me, settings)
        sections = {
            "firms": len(wb.firms),
            "requests": len(wb.requests),
            "projects": len(wb.projects),
            "holds": len(wb.holds),
        }
        library = timed_ms(lambda: officer_workbench(session, me, settings), args.runs)

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.deps import COOKIE_NAME

    timer = ServerTimer(create_app(settings))
    with TestClient(timer) as client:
        client.cookies.set(COOKIE_NAME, token)
        first = client.get("/me?lang=en")
        assert first.status_code == 200, first.text[:500]
        assert first.text.count('class="card firm') == n_firms
        timer.times.clear()
        http = timed_ms(lambda: client.get("/me?lang=en"), args.runs)
        server = stats(timer.times[1:])  # after the warm-up
        size_kb = round(len(first.content) / 1024, 1)

    result = {
        "scale": args.scale,
        "load_s": round(load_s, 1),
        "zone": counts,
        "officer_id": officer_id,
        "officer_firms": n_firms,
        "sections": sections,
        "library": library,
        "server_me": server,
        "client_round_trip": http,
        "html_kb": size_kb,
        "target_ms": 150,
        "ok": server["median_ms"] < 150,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    write_json("pages", result)


if __name__ == "__main__":
    main()
