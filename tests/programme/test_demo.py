"""The checklist on the demo zone, through the app: item 1 agrees with ``/api/v1/coverage``
for every officer, the demo has a believable year of activities (and officers who miss
items), and a reload of the demo still counts those activities as the demo's own.

The demo lives in a database of its own (``<test db>_programme``): loading it empties the
demo tables, which the shared test database must keep.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text

from api.app import create_app
from parkgis.auth import create_token
from parkgis.db import db_up, session_scope
from parkgis.demo import DEMO_DIR, load_demo
from parkgis.demo.load import at_stake, read_demo
from parkgis.settings import DatabaseSettings, Settings
from parkgis.zonetime import Month, zone_today

TZ = "Asia/Shanghai"


def _database(db: DatabaseSettings) -> DatabaseSettings:
    if not db.database_url:
        return DatabaseSettings(home=db.home, db_name=f"{db.db_name}_programme")
    url = make_url(db.database_url)
    name = f"{url.database}_programme"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return DatabaseSettings(database_url=url.set(database=name).render_as_string(False))


@pytest.fixture(scope="module")
def demo(db_settings: DatabaseSettings) -> Iterator[tuple[Engine, Settings, str]]:
    """The demo zone loaded today (committed), its settings and an admin's token."""
    ds = _database(db_settings)
    engine = db_up(ds)
    with engine.begin() as c:
        c.execute(text("DELETE FROM users WHERE name LIKE 'programme-demo-%'"))  # earlier runs
        load_demo(c, DEMO_DIR)
    with session_scope(engine) as s:
        token = create_token(s, role="admin", name="programme-demo-admin")
    try:
        yield engine, Settings(db=ds), token
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def client(demo: tuple[Engine, Settings, str]) -> Iterator[TestClient]:
    _, settings, token = demo
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


@pytest.mark.parametrize("back", [0, 1, 5])
def test_item_one_agrees_with_coverage_for_every_officer(client: TestClient, back: int) -> None:
    month = Month.of(zone_today(TZ))
    for _ in range(back):
        month = month.prev()
    cov = client.get(f"/api/v1/coverage?month={month}")
    cl = client.get(f"/api/v1/programme/checklist?month={month}")
    assert cov.status_code == 200 and cl.status_code == 200
    by_officer = {f["id"]: f["properties"] for f in cov.json()["features"]}
    rows = cl.json()["officers"]
    assert len(rows) == len(by_officer) >= 100
    gaps = 0
    for row in rows:
        props = by_officer[row["officer_id"]]
        item: dict[str, Any] = row["items"][0]
        assert item["key"] == "contact_firms"
        assert item["done"] == (props["not_visited_this_month"] == 0)
        assert item["required"] == props["firms"]
        assert item["count"] == props["firms"] - props["not_visited_this_month"]
        assert item["evidence"]["not_contacted_ids"] == props["not_visited_ids"]
        gaps += not item["done"]
    assert gaps > 0  # some officers miss some firms: the comparison is not vacuous


def test_a_believable_year_with_officers_missing_items(
    demo: tuple[Engine, Settings, str], client: TestClient
) -> None:
    engine, _, _ = demo
    with engine.connect() as conn:
        per_month = conn.execute(
            text(
                "SELECT to_char(held_on, 'YYYY-MM') AS m, kind, count(*) AS n, "
                "count(DISTINCT officer_id) AS officers, max(held_on) AS last "
                "FROM activities GROUP BY 1, 2 ORDER BY 1, 2"
            )
        ).all()
        names = conn.scalar(
            text(
                "SELECT count(*) FROM activities "
                "WHERE kind = 'ledger_review' AND summary IS NOT NULL"
            )
        )
    today = zone_today(TZ)
    assert max(r.last for r in per_month) <= today
    months = sorted({r.m for r in per_month})
    assert len(months) == 13 and months[-1] == f"{today:%Y-%m}"
    assert names == 0
    last = Month.of(today).prev()
    full = {r.kind: r for r in per_month if r.m == str(last)}
    assert set(full) == {"briefing", "volunteer", "ledger_review"}
    assert all(80 <= r.officers < 132 for r in full.values())  # most, not all, officers
    rows = client.get(f"/api/v1/programme/checklist?month={last}").json()["officers"]
    missing = Counter(k for r in rows for k in r["missing"])
    assert 0 < sum(r["all_done"] for r in rows) < len(rows)
    assert all(missing[k] > 0 for k in ("ledger", "briefing", "volunteer"))


def test_a_reload_counts_the_activities_as_the_demos(demo: tuple[Engine, Settings, str]) -> None:
    engine, _, _ = demo
    _, tables = read_demo(DEMO_DIR)
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            stake = at_stake(conn, tables)
            assert stake.erased["activities"] > 1000 and stake.foreign["activities"] == 0
            assert stake.foreign["activity_firms"] == 0 and stake.only_demo
            conn.execute(
                text(
                    "INSERT INTO activities (officer_id, kind, held_on, member_count, client_key) "
                    "SELECT min(id), 'ledger_review', current_date, 3, 'demo-999999x' FROM officers"
                )
            )
            assert at_stake(conn, tables).foreign["activities"] == 1  # someone's, not the demo's
        finally:
            trans.rollback()


def test_the_report_has_the_checklist_sheet_and_section(client: TestClient) -> None:
    import io

    from openpyxl import load_workbook

    month = Month.of(zone_today(TZ)).prev()
    api = client.get(f"/api/v1/programme/checklist?month={month}").json()["officers"]
    by_id = {o["officer_id"]: o for o in api}
    xlsx = client.get(f"/api/v1/reports/visits?month={month}&format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["checklist"]
    rows = list(sheet.iter_rows(values_only=True))
    head, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert head[:5] == ("officer_id", "name", "unit", "items_done", "missing")
    assert len(body) == len(api)
    done = [r["items_done"] for r in body]
    first_complete = done.index(5)
    assert first_complete > 0 and all(d < 5 for d in done[:first_complete])
    assert all(d == 5 for d in done[first_complete:])  # missing items first
    for r in body:
        o = by_id[r["officer_id"]]
        assert r["items_done"] == o["done_count"]
        assert (r["missing"] or "") == ", ".join(o["missing"])
        items = {i["key"]: i for i in o["items"]}
        assert r["firms_contacted"] == items["contact_firms"]["count"]
        assert bool(r["ledger_done"]) == items["ledger"]["done"]
        assert r["requests_resolved"] == items["requests"]["count"]

    html = client.get(f"/api/v1/reports/visits?month={month}&format=html&lang=en")
    assert html.status_code == 200
    page = html.text
    assert 'id="checklist"' in page and "The five duties" in page
    section = page[page.index('id="checklist"') :]
    order = [int(x.split('"')[0]) for x in section.split('data-officer-id="')[1:]]
    assert order == [r["officer_id"] for r in body]
    assert f"All five done: {len(body) - first_complete}/{len(body)}" in section
