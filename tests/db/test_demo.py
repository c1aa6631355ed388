"""The demo zone: a deterministic generator, the committed files, and an idempotent load.

The load tests share one module-wide transaction (loading takes a second or two) that is
rolled back at the end, so the test database keeps no demo rows and no moved sequences.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from parkgis.cli import app
from parkgis.demo import DEMO_DIR, LoadReport, generate, load_demo
from parkgis.demo.files import read_layer, read_meta
from parkgis.demo.schema import LAYERS
from parkgis.demo.shift import rebase_visit_day, rebase_visits, shift_milestones
from parkgis.errors import Conflict, InvalidInput
from parkgis.models.base import (
    ALL_PROJECT_STAGES,
    PARCEL_STATUSES,
    PROJECT_STAGES,
    REQUEST_CATEGORIES,
    REQUEST_STATUSES,
)

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
META = read_meta(DEMO_DIR)
GENERATED_ON = date.fromisoformat(META["generated_on"])
_m = GENERATED_ON.year * 12 + GENERATED_ON.month + 1
LOAD_DAY = date(_m // 12, _m % 12 + 1, 3)
"""Load two months after generation, on the 3rd: early in a month, so re-basing matters."""
TABLES = [layer.name for layer in LAYERS]


def layer_tables(directory: Path) -> dict[str, pa.Table]:
    return {layer.name: read_layer(directory, layer) for layer in LAYERS}


def assert_same_layers(a: Path, b: Path) -> None:
    left, right = layer_tables(a), layer_tables(b)
    for name in TABLES:
        assert left[name].num_rows == right[name].num_rows, name
        assert left[name].equals(right[name]), f"layer {name} differs"


# --- generator ---------------------------------------------------------------------------


def test_generator_is_deterministic_across_processes(tmp_path: Path) -> None:
    day = "2026-03-31"
    generate(tmp_path / "a", scale=0.1, today=date.fromisoformat(day))
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "parkgis.demo",
            "--scale",
            "0.1",
            "--out",
            str(tmp_path / "b"),
            "--today",
            day,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert_same_layers(tmp_path / "a", tmp_path / "b")
    assert read_meta(tmp_path / "a") == read_meta(tmp_path / "b")
    other = generate(tmp_path / "c", scale=0.1, today=date.fromisoformat(day), seed=7)
    assert not layer_tables(tmp_path / "c")["parcels"].equals(
        layer_tables(tmp_path / "a")["parcels"]
    ), "a different seed gives a different zone"
    assert other.counts["officers"] >= 2


def test_committed_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    report = generate(tmp_path, scale=META["scale"], today=GENERATED_ON, seed=META["seed"])
    assert report.counts == META["counts"]
    assert_same_layers(DEMO_DIR, tmp_path)


def test_scale_must_be_whole_above_one(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="whole number"):
        generate(tmp_path, scale=2.5, today=GENERATED_ON)
    with pytest.raises(InvalidInput, match="positive"):
        generate(tmp_path, scale=0, today=GENERATED_ON)


# --- dates ---------------------------------------------------------------------------------


def test_visits_rebase_into_the_load_month() -> None:
    gen = date(2026, 11, 21)
    assert rebase_visit_day(date(2026, 11, 21), gen, date(2027, 2, 3)) == date(2027, 2, 3)
    assert rebase_visit_day(date(2026, 11, 1), gen, date(2027, 2, 3)) == date(2027, 2, 1)
    assert rebase_visit_day(date(2026, 10, 31), gen, date(2027, 3, 2)) == date(2027, 2, 28)
    assert rebase_visit_day(date(2025, 11, 5), gen, date(2027, 1, 9)) == date(2026, 1, 5)
    moments = [datetime(2026, 11, 21, 9, 30, tzinfo=TZ), None]
    out = rebase_visits(pa.array(moments, pa.timestamp("ms", tz="UTC")), gen, date(2027, 1, 3), TZ)
    assert out == ["2027-01-03T01:30:00.000Z", None]


def test_milestone_dates_move_and_nulls_stay() -> None:
    text_in = '{"signed": {"planned": "2026-01-30", "actual": null}}'
    assert shift_milestones(text_in, 2) == '{"signed": {"planned": "2026-02-01", "actual": null}}'


# --- load ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(engine: Engine) -> Iterator[tuple[Connection, LoadReport]]:
    """The committed demo loaded on LOAD_DAY in a transaction rolled back after the module."""
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection, load_demo(connection, DEMO_DIR, today=LOAD_DAY)
        finally:
            trans.rollback()


def scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar()


def checksums(conn: Connection) -> dict[str, str]:
    return {
        t: str(
            scalar(
                conn, f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) FROM {t} x"
            )
        )
        for t in TABLES
    }


def test_load_counts_match_meta(demo: tuple[Connection, LoadReport]) -> None:
    conn, report = demo
    assert report.counts == META["counts"]
    assert report.shift_days == (LOAD_DAY - GENERATED_ON).days
    for table, n in META["counts"].items():
        # The load adds investment calls (parkgis.demo.evaluation) to the files' visits.
        added = " WHERE kind <> 'investment_call'" if table == "visits" else ""
        assert scalar(conn, f"SELECT count(*) FROM {table}{added}") == n, table
    calls = scalar(conn, "SELECT count(*) FROM visits WHERE kind = 'investment_call'")
    assert calls == report.derived["calls"] and calls > 0
    nxt = scalar(conn, "SELECT nextval(pg_get_serial_sequence('parcels', 'id'))")
    assert nxt == META["counts"]["parcels"] + 1


def test_land_meets_the_brief(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    assert scalar(conn, "SELECT count(*) FROM grid_areas") == 24
    assert scalar(conn, "SELECT count(*) FROM parcels WHERE land_use <> '1207'") >= 1500
    statuses = conn.execute(text("SELECT DISTINCT status FROM parcels")).scalars().all()
    assert set(statuses) == set(PARCEL_STATUSES)
    uses = set(conn.execute(text("SELECT DISTINCT land_use FROM parcels")).scalars())
    assert {
        "100101",
        "100102",
        "100103",
        "1101",
        "0901",
        "0902",
        "0701",
        "1401",
        "1402",
        "1207",
    } <= uses
    assert (
        scalar(
            conn,
            "SELECT count(*) FROM parcels WHERE status = 'available' AND "
            "price_cny_m2 > 0 AND land_use LIKE '1001%'",
        )
        >= 50
    )
    bad_idle = scalar(
        conn,
        "SELECT count(*) FROM parcels p WHERE status = 'idle' AND (granted_on > :d - 365 "
        "OR agreed_start_on > :d - 365 OR EXISTS (SELECT 1 FROM buildings b "
        "WHERE b.parcel_id = p.id))",
        d=LOAD_DAY,
    )
    assert bad_idle == 0 and scalar(conn, "SELECT count(*) FROM parcels WHERE status='idle'") > 5
    far = conn.execute(text("SELECT min(max_far), max(max_far) FROM parcels")).one()
    assert far[0] >= 0.5 and far[1] <= 8
    centre = scalar(
        conn,
        "SELECT ST_Distance(ST_Centroid(ST_Collect(geom))::geography, "
        "ST_Point(112.70, 23.33, 4326)::geography) FROM parcels",
    )
    assert centre < 5000
    overlaps = scalar(
        conn,
        "SELECT count(*) FROM parcels a JOIN parcels b ON a.id < b.id "
        "AND a.geom && b.geom AND ST_Overlaps(a.geom, b.geom)",
    )
    assert overlaps == 0


def test_buildings_and_spaces_meet_the_brief(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    assert scalar(conn, "SELECT count(*) FROM buildings") >= 400
    outside = scalar(
        conn,
        "SELECT count(*) FROM buildings b JOIN parcels p ON p.id = b.parcel_id "
        "WHERE NOT ST_Within(b.geom, p.geom)",
    )
    assert (
        outside == 0 and scalar(conn, "SELECT count(*) FROM buildings WHERE parcel_id IS NULL") == 0
    )
    assert scalar(conn, "SELECT count(*) FROM spaces") >= 1200
    assert scalar(conn, "SELECT count(*) FROM spaces WHERE status = 'vacant'") >= 150
    assert scalar(conn, "SELECT count(DISTINCT status) FROM spaces") == 3
    not_in_building = scalar(
        conn,
        "SELECT count(*) FROM spaces s JOIN buildings b ON b.id = s.building_id "
        "WHERE NOT ST_CoveredBy(s.geom, b.geom)",
    )
    assert not_in_building == 0
    sizes = conn.execute(text("SELECT min(area_m2), max(area_m2) FROM spaces")).one()
    assert sizes[0] >= 300 and sizes[1] <= 6000
    floors = conn.execute(
        text(
            "SELECT s.floor, min(clear_height_m), max(clear_height_m), max(floor_load_t_m2) "
            "FROM spaces s JOIN buildings b ON b.id = s.building_id WHERE b.standard_factory "
            "GROUP BY s.floor ORDER BY s.floor"
        )
    ).all()
    by_floor = {f: (lo, hi, load) for f, lo, hi, load in floors}
    assert by_floor[1][0] >= 8 and by_floor[2][1] <= 6 and by_floor[3][1] <= 4.5
    assert by_floor[1][2] > by_floor[2][2] > by_floor[3][2]
    stacked = scalar(
        conn,
        "SELECT count(*) FROM spaces a JOIN spaces b ON a.building_id = b.building_id "
        "AND b.floor = a.floor + 1 AND ST_Equals(a.geom, b.geom)",
    )
    assert stacked > 300
    cranes = conn.execute(text("SELECT min(crane_t), max(crane_t) FROM spaces")).one()
    assert cranes[0] >= 5 and cranes[1] <= 32
    rents = conn.execute(
        text("SELECT min(rent_cny_m2_month), max(rent_cny_m2_month) FROM spaces")
    ).one()
    assert rents[0] >= 10 and rents[1] <= 40
    avail = conn.execute(
        text(
            "SELECT count(*) FILTER (WHERE available_from < :d), count(*) FILTER "
            "(WHERE available_from > :d) FROM spaces WHERE status = 'vacant'"
        ),
        {"d": LOAD_DAY},
    ).one()
    assert avail[0] > 0 and avail[1] > 0
    occupied = scalar(
        conn,
        "SELECT count(*) FROM spaces WHERE status='occupied' "
        "AND occupant_enterprise_id IS NOT NULL",
    )
    assert occupied > 500


def test_firms_and_officers_meet_the_brief(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    assert scalar(conn, "SELECT count(*) FROM enterprises") >= 1000
    misplaced = scalar(
        conn,
        "SELECT count(*) FROM enterprises e LEFT JOIN buildings b ON b.id = e.building_id "
        "LEFT JOIN parcels p ON p.id = e.parcel_id WHERE NOT coalesce(ST_Within(e.geom, b.geom), "
        "ST_Within(e.geom, p.geom), false)",
    )
    assert misplaced == 0
    assert scalar(conn, "SELECT count(DISTINCT uscc) FROM enterprises") == scalar(
        conn, "SELECT count(*) FROM enterprises"
    )
    chains = set(conn.execute(text("SELECT DISTINCT industry_chain FROM enterprises")).scalars())
    assert {
        "new_energy_vehicles",
        "batteries",
        "biomedicine",
        "metal_processing",
        "furniture",
        "food_beverage",
        "electronics",
    } <= chains
    blanks = scalar(
        conn,
        "SELECT count(*) FROM enterprises WHERE name_en IS NULL OR contact_name IS NULL OR "
        "contact_phone IS NULL OR contact_email IS NULL OR industry_code IS NULL "
        "OR employees IS NULL OR output_cny IS NULL OR tax_cny IS NULL",
    )
    assert blanks == 0
    above = scalar(conn, "SELECT avg(above_scale::int) FROM enterprises")
    assert 0.2 < above < 0.8
    assert scalar(conn, "SELECT count(*) FROM officers") == 132
    assert (
        scalar(
            conn,
            "SELECT count(*) FROM officers WHERE assistant_name IS NULL OR "
            "title IS NULL OR unit IS NULL OR phone IS NULL OR office_geom IS NULL",
        )
        == 0
    )
    unserved = scalar(
        conn,
        "SELECT count(*) FROM enterprises e WHERE NOT EXISTS (SELECT 1 FROM assignments a "
        "WHERE a.enterprise_id = e.id AND a.until IS NULL)",
    )
    assert unserved == 0
    load = conn.execute(
        text(
            "SELECT min(n), max(n) FROM (SELECT count(*) n FROM assignments WHERE until IS NULL "
            "GROUP BY officer_id) x"
        )
    ).one()
    assert load[0] >= 5 and load[1] <= 12
    assert scalar(conn, "SELECT count(*) FROM assignments WHERE until IS NOT NULL") > 20


def test_projects_meet_the_brief(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    assert scalar(conn, "SELECT count(*) FROM projects") >= 300
    stages = set(conn.execute(text("SELECT DISTINCT stage FROM projects")).scalars())
    assert stages == set(ALL_PROJECT_STAGES)
    assert (
        scalar(
            conn,
            "SELECT count(*) FROM projects WHERE stage IN ('stalled', 'cancelled') "
            "AND stage_reason IS NULL",
        )
        == 0
    )
    outside = scalar(
        conn,
        "SELECT count(*) FROM projects pr JOIN parcels p ON p.id = pr.parcel_id "
        "WHERE NOT ST_Intersects(pr.geom, p.geom)",
    )
    assert outside == 0
    bad_money = scalar(
        conn,
        "SELECT count(*) FROM projects WHERE investment_cny NOT BETWEEN "
        "1e7 AND 5e9 OR officer_id IS NULL OR enterprise_id IS NULL OR industry_chain IS NULL",
    )
    assert bad_money == 0
    overdue = 0
    rows = conn.execute(text("SELECT stage, milestones FROM projects")).all()
    for stage, ms in rows:
        assert list(ms) == list(PROJECT_STAGES) or set(ms) == set(PROJECT_STAGES)
        actual = [ms[s]["actual"] for s in PROJECT_STAGES]
        reached = [a for a in actual if a]
        assert actual[: len(reached)] == reached, "actual dates are set in stage order"
        assert reached == sorted(reached) and all(
            date.fromisoformat(a) <= LOAD_DAY for a in reached
        )
        if stage in PROJECT_STAGES:
            assert len(reached) == PROJECT_STAGES.index(stage) + 1
        late = [
            s
            for s in PROJECT_STAGES
            if not ms[s]["actual"] and date.fromisoformat(ms[s]["planned"]) < LOAD_DAY
        ]
        overdue += bool(late) and stage != "cancelled"
    assert 20 < overdue < len(rows) / 2
    missing_events = scalar(
        conn,
        "SELECT count(*) FROM projects p, jsonb_each(p.milestones) m "
        "WHERE m.value->>'actual' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM project_events e "
        "WHERE e.project_id = p.id AND e.to_stage = m.key "
        "AND (e.at AT TIME ZONE 'Asia/Shanghai')::date = (m.value->>'actual')::date)",
    )
    assert missing_events == 0


def test_visits_and_requests_meet_the_brief(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    firms = scalar(conn, "SELECT count(*) FROM enterprises")
    month_start = LOAD_DAY.replace(day=1)
    visited = scalar(
        conn,
        "SELECT count(DISTINCT enterprise_id) FROM visits "
        "WHERE (visited_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN :a AND :b",
        a=month_start,
        b=LOAD_DAY,
    )
    assert 0.8 * firms <= visited < firms, "most firms, but not all, visited this month"
    span = conn.execute(
        text(
            "SELECT min((visited_at AT TIME ZONE 'Asia/Shanghai')::date), "
            "max((visited_at AT TIME ZONE 'Asia/Shanghai')::date) FROM visits"
        )
    ).one()
    assert span[1] <= LOAD_DAY and span[0] >= LOAD_DAY - timedelta(days=400)
    hours = conn.execute(
        text(
            "SELECT min(extract(hour FROM visited_at AT TIME ZONE 'Asia/Shanghai')), "
            "max(extract(hour FROM visited_at AT TIME ZONE 'Asia/Shanghai')) FROM visits"
        )
    ).one()
    assert hours[0] >= 8 and hours[1] <= 18
    stranger = scalar(
        conn,
        "SELECT count(*) FROM visits v WHERE v.enterprise_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM assignments a WHERE "
        "a.enterprise_id = v.enterprise_id AND a.officer_id = v.officer_id "
        "AND (v.visited_at AT TIME ZONE 'Asia/Shanghai')::date >= a.since "
        "AND (a.until IS NULL OR (v.visited_at AT TIME ZONE 'Asia/Shanghai')::date <= a.until))",
    )
    assert stranger == 0
    assert set(conn.execute(text("SELECT DISTINCT kind FROM visits")).scalars()) == {
        "visit",
        "reception",
        "investment_call",  # added by the load (parkgis.demo.evaluation), with no firm
    }
    pairs = conn.execute(text("SELECT DISTINCT status, category FROM service_requests")).all()
    assert {s for s, _ in pairs} == set(REQUEST_STATUSES)
    assert {c for _, c in pairs} == set(REQUEST_CATEGORIES)
    late = scalar(
        conn,
        "SELECT count(*) FROM service_requests WHERE greatest(opened_on, in_progress_on, "
        "resolved_on, closed_on) > :d OR department IS NULL OR closed_on < resolved_on",
        d=LOAD_DAY,
    )
    assert late == 0


def test_load_twice_changes_nothing(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    before = checksums(conn)
    again = load_demo(conn, DEMO_DIR, today=LOAD_DAY)
    assert again.counts == META["counts"]
    assert checksums(conn) == before
    assert len(set(before.values())) == len(TABLES), "every table has its own content"


def test_load_refuses_broken_files(demo: tuple[Connection, LoadReport], tmp_path: Path) -> None:
    conn, _ = demo
    with pytest.raises(InvalidInput, match="meta.json"):
        load_demo(conn, tmp_path, today=LOAD_DAY)
    assert scalar(conn, "SELECT count(*) FROM parcels") == META["counts"]["parcels"]


def test_load_keeps_users_and_their_officers(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    savepoint = conn.begin_nested()
    try:
        conn.execute(
            text(
                "INSERT INTO users (name, role, officer_id) VALUES ('demo-officer-user', "
                "'officer', 5), ('demo-planner', 'planner', NULL)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO api_tokens (user_id, token_hash, prefix) SELECT id, "
                "repeat('a', 64), 'pk_demo' FROM users WHERE name = 'demo-planner'"
            )
        )
        load_demo(conn, DEMO_DIR, today=LOAD_DAY)
        users = conn.execute(
            text("SELECT name, officer_id FROM users WHERE name LIKE 'demo-%' ORDER BY name")
        ).all()
        assert users == [("demo-officer-user", 5), ("demo-planner", None)]
        assert scalar(conn, "SELECT count(*) FROM api_tokens WHERE prefix = 'pk_demo'") == 1
        assert scalar(conn, "SELECT count(*) FROM land_use_classes") > 20
        assert scalar(conn, "SELECT count(*) FROM industry_chains") == 7
    finally:
        savepoint.rollback()


def test_load_refuses_to_orphan_an_officer_user(demo: tuple[Connection, LoadReport]) -> None:
    conn, _ = demo
    savepoint = conn.begin_nested()
    try:
        conn.execute(text("INSERT INTO officers (id, name) VALUES (9001, '临时')"))
        conn.execute(
            text("INSERT INTO users (name, role, officer_id) VALUES ('demo-x', 'officer', 9001)")
        )
        with pytest.raises(Conflict, match="demo-x"):
            load_demo(conn, DEMO_DIR, today=LOAD_DAY)
    finally:
        savepoint.rollback()
    assert scalar(conn, "SELECT count(*) FROM officers") == 132


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (
        ["demo", "load", "--dir", str(tmp_path)],
        ["demo", "generate", "--scale", "2.5", "--out", str(tmp_path)],
        ["demo", "load", "--today", "someday"],
    ):
        result = runner.invoke(app, args)
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert result.exit_code == 1 and len(lines) == 1, (args, result.output)
        assert lines[0].startswith("error:") and "Traceback" not in result.output
    assert not (tmp_path / "meta.json").exists()


def test_visit_month_share_survives_any_load_day() -> None:
    table = read_layer(DEMO_DIR, LAYERS[TABLES.index("visits")])
    firms = META["counts"]["enterprises"]
    ids = table.column("enterprise_id").to_pylist()
    for day in (date(2027, 2, 28), date(2027, 3, 1), date(2027, 12, 31), GENERATED_ON):
        moved = rebase_visits(table.column("visited_at"), GENERATED_ON, day, TZ)
        days = [datetime.fromisoformat(m).astimezone(TZ).date() for m in moved if m]
        seen = {f for f, d in zip(ids, days, strict=True) if d >= day.replace(day=1)}
        assert 0.8 * firms <= len(seen) < firms, day
        assert max(days) <= day
        assert min(days) >= date(day.year - 1, day.month, 1)
