"""The annual evaluation: one officer's figures recomputed here from the raw rows, the
composite and rank rules, roles, years, evidence and the workbook.

The year is 2025 seen from 1 June 2026 (:mod:`tests.programme.evaluation_zone`), built on
the rolled-back connection. The independent figures below read visits, activities,
requests, project events, holds and scores with plain SQL and Python, not the library.
"""

from __future__ import annotations

import csv
import io
import statistics
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from parkgis.programme import evaluation, evidence
from parkgis.programme.evaluation import composite, rank
from parkgis.programme.evaluation_sheet import COLUMNS, evaluation_xlsx
from parkgis.settings import Settings
from tests.programme.evaluation_zone import TODAY, YEAR, EvalZone, make_eval_zone

ADMIN = Principal(user_id=None, name="admin", role="admin")
STAGES = [
    "negotiating",
    "signed",
    "land_granted",
    "construction_started",
    "topped_out",
    "completed",
    "in_production",
]
HOLIDAYS = Path(__file__).resolve().parents[2] / "parkgis" / "data" / "holidays_cn.csv"
START, END = "2025-01-01T00:00:00+08:00", "2026-01-01T00:00:00+08:00"


@pytest.fixture
def z(conn: Connection) -> EvalZone:
    return make_eval_zone(conn)


def _working_days(a: date, b: date) -> int:
    """Working days in (a, b], from the holiday file read here with csv."""
    with HOLIDAYS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    off = {date.fromisoformat(r["date"]) for r in rows if r["kind"] == "holiday"}
    on = {date.fromisoformat(r["date"]) for r in rows if r["kind"] == "workday"}
    n, d = 0, a
    while d < b:
        d += timedelta(days=1)
        n += d in on or (d.weekday() < 5 and d not in off)
    return n


def _by_hand(conn: Connection, oid: int) -> dict[str, Any]:
    """Officer ``oid``'s 2025 figures from the raw rows (zone time is +08:00 all year)."""

    def rows(sql: str, **p: Any) -> list[Any]:
        return list(conn.execute(text(sql), {"o": oid, **p}))

    firms = {
        r[0]
        for r in rows(
            "SELECT enterprise_id FROM assignments WHERE officer_id = :o AND until IS NULL"
        )
    }
    answered = (
        "(r.officer_id = :o OR (r.officer_id IS NULL AND r.enterprise_id IN (SELECT "
        "enterprise_id FROM assignments WHERE officer_id = :o AND until IS NULL)))"
    )
    months_done, contacted_months, missed = 0, [], set()
    for m in range(1, 13):
        first = date(YEAR, m, 1)
        nxt = date(YEAR + (m == 12), m % 12 + 1, 1)
        seen = {
            r[0]
            for r in rows(
                "SELECT DISTINCT enterprise_id FROM visits WHERE officer_id = :o "
                "AND kind IN ('visit', 'reception') AND visited_at >= CAST(:a AS timestamptz) "
                "AND visited_at < CAST(:b AS timestamptz)",
                a=f"{first}T00:00:00+08:00",
                b=f"{nxt}T00:00:00+08:00",
            )
        } & firms
        missed |= firms - seen
        contacted_months.append(len(seen))
        kinds = {
            r[0]
            for r in rows(
                "SELECT kind FROM activities WHERE officer_id = :o AND held_on >= :a "
                "AND held_on < :b",
                a=first,
                b=nxt,
            )
        }
        solved = rows(
            f"SELECT DISTINCT r.id FROM service_requests r WHERE {answered} "
            "AND r.resolved_on >= :a AND r.resolved_on < :b",
            a=first,
            b=nxt,
        )
        if seen == firms and {"ledger_review", "briefing", "volunteer"} <= kinds and solved:
            months_done += 1
    solved_year = rows(
        f"SELECT DISTINCT r.id, r.opened_on, r.resolved_on FROM service_requests r "
        f"WHERE {answered} AND r.resolved_on BETWEEN '2025-01-01' AND '2025-12-31'"
    )
    moves = rows(
        "SELECT ev.project_id, ev.from_stage, ev.to_stage FROM project_events ev "
        "JOIN projects p ON p.id = ev.project_id WHERE p.officer_id = :o "
        "AND ev.kind = 'transition' AND ev.at >= CAST(:a AS timestamptz) "
        "AND ev.at < CAST(:b AS timestamptz)",
        a=START,
        b=END,
    )
    gains = [
        (p, STAGES.index(t) - STAGES.index(f))
        for p, f, t in moves
        if f in STAGES and t in STAGES and STAGES.index(t) > STAGES.index(f)
    ]
    leases = rows(
        "SELECT r.id FROM reservations r JOIN users u ON u.id = r.user_id "
        "WHERE u.officer_id = :o AND r.outcome IN ('leased', 'granted') "
        "AND r.released_at >= CAST(:a AS timestamptz) AND r.released_at < CAST(:b AS timestamptz)",
        a=START,
        b=END,
    )
    scores = rows(
        "SELECT s.score, s.scale FROM draw_scores s JOIN draws d ON d.id = s.draw_id "
        "WHERE s.officer_id = :o AND d.month LIKE '2025-%'"
    )
    calls = rows(
        "SELECT id FROM visits WHERE officer_id = :o AND kind = 'investment_call' "
        "AND visited_at >= CAST(:a AS timestamptz) AND visited_at < CAST(:b AS timestamptz)",
        a=START,
        b=END,
    )
    days = [_working_days(o, r) for _, o, r in solved_year]
    return {
        "months_all_done": months_done,
        "firm_months_contacted": sum(contacted_months),
        "firm_months_assigned": 12 * len(firms),
        "firms_contacted_every_month": len(firms - missed),
        "requests": sorted(r[0] for r in solved_year),
        "median_working_days": statistics.median(days) if days else None,
        "projects_advanced": len({p for p, _ in gains}),
        "stages_gained": sum(g for _, g in gains),
        "leases": sorted(r[0] for r in leases),
        "mean_score_pct": (
            round(100 * statistics.mean(float(s) / c for s, c in scores), 2) if scores else None
        ),
        "calls": sorted(r[0] for r in calls),
    }


def _officer(ev: dict[str, Any], oid: int) -> dict[str, Any]:
    return next(o for o in ev["officers"] if o["officer_id"] == oid)


def test_one_officers_figures_match_the_raw_rows(
    session: Session, conn: Connection, settings: Settings, z: EvalZone
) -> None:
    ev = evaluation(session, ADMIN, settings, YEAR, today=TODAY)
    assert ev["months_judged"] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert str(ev["as_of"]) == "2025-12-31"
    for oid in (z.x, z.y):
        got, want = _officer(ev, oid), _by_hand(conn, oid)
        assert got["checklist"]["months_all_done"] == want["months_all_done"]
        assert got["checklist"]["months_judged"] == 12
        ct = got["contact"]
        assert ct["firm_months_contacted"] == want["firm_months_contacted"]
        assert ct["firm_months_assigned"] == want["firm_months_assigned"]
        assert ct["firms_contacted_every_month"] == want["firms_contacted_every_month"]
        assert got["requests"]["resolved"] == len(want["requests"])
        assert got["requests"]["median_working_days"] == want["median_working_days"]
        assert got["projects"]["advanced"] == want["projects_advanced"]
        assert got["projects"]["stages_gained"] == want["stages_gained"]
        assert got["leases"]["units"] == len(want["leases"])
        assert got["draws"]["mean_score_pct"] == want["mean_score_pct"]
        assert got["calls"]["count"] == len(want["calls"])
    # The same numbers, written out for X, so a wrong fixture cannot hide a wrong rule.
    x = _officer(ev, z.x)
    assert x["checklist"]["months_all_done"] == 3  # January to March
    assert [m["month"] for m in x["checklist"]["months"] if m["all_done"]] == [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert (x["contact"]["firm_months_contacted"], x["contact"]["rate"]) == (30, 0.8333)
    assert x["contact"]["firms_contacted_every_month"] == 2
    assert x["requests"]["resolved"] == 5  # one through the firm's assignment
    assert (x["projects"]["advanced"], x["projects"]["stages_gained"]) == (2, 3)
    assert x["leases"]["units"] == 1
    assert (x["draws"]["drawn"], x["draws"]["scored"], x["draws"]["mean_score_pct"]) == (
        2,
        2,
        90.25,
    )
    assert x["calls"]["count"] == 3  # not the 2024 call, and no call is a firm contact
    y = _officer(ev, z.y)
    assert (y["leases"]["units"], y["draws"]["mean_score_pct"], y["calls"]["count"]) == (0, 70, 0)


def test_every_figure_links_to_evidence_listing_its_rows(
    session: Session, conn: Connection, settings: Settings, z: EvalZone
) -> None:
    ev = evaluation(session, ADMIN, settings, YEAR, today=TODAY)
    x, want = _officer(ev, z.x), _by_hand(conn, z.x)
    for fig in ("checklist", "contact", "requests", "projects", "leases", "calls"):
        assert x[fig]["link"] == (
            f"/api/v1/programme/evaluation/evidence?year=2025&officer_id={z.x}&figure={fig}"
        )
    assert x["draws"]["link"] == f"/api/v1/officers/{z.x}/draws?year=2025"
    assert x["checklist"]["months"][0]["link"] == (
        f"/api/v1/programme/checklist?month=2025-01&officer_id={z.x}"
    )
    assert x["contact"]["months"][6]["link"] == f"/api/v1/coverage?officer_id={z.x}&month=2025-07"

    def ids(figure: str, key: str = "id") -> list[int]:
        got = evidence(
            session, ADMIN, settings, year=YEAR, officer_id=z.x, figure=figure, today=TODAY
        )
        assert got["numberReturned"] == len(got["items"])
        return sorted(i[key] for i in got["items"])

    assert ids("requests") == want["requests"]
    assert ids("leases", "reservation_id") == want["leases"]
    assert ids("calls") == want["calls"]
    assert len(ids("projects", "event_id")) == 3
    draws = evidence(
        session, ADMIN, settings, year=YEAR, officer_id=z.x, figure="draws", today=TODAY
    )
    assert [(d["month"], d["score"]) for d in draws["items"]] == [
        ("2025-03", 88.0),
        ("2025-08", 92.5),
    ]
    months = evidence(
        session, ADMIN, settings, year=YEAR, officer_id=z.x, figure="checklist", today=TODAY
    )
    assert [m["all_done"] for m in months["items"]][:5] == [True, True, True, False, False]
    contact = evidence(
        session, ADMIN, settings, year=YEAR, officer_id=z.x, figure="contact", today=TODAY
    )
    assert contact["items"][11]["evidence"]["not_contacted_ids"] == [z.f3]
    with pytest.raises(InvalidInput) as bad:
        evidence(session, ADMIN, settings, year=YEAR, officer_id=z.x, figure="tax", today=TODAY)
    assert bad.value.field == "figure"
    with pytest.raises(NotFound):
        evidence(session, ADMIN, settings, year=YEAR, officer_id=-5, figure="calls", today=TODAY)


def test_composite_weights_and_rank_rules(
    session: Session, settings: Settings, z: EvalZone
) -> None:
    assert composite({"a": 1.0, "b": 0.5, "c": None}, {"a": 1, "b": 3, "c": 5}) == 62.5
    assert composite({"a": None}, {"a": 1}) is None
    assert composite({"a": 0.4, "b": 1.0}, {"a": 1, "b": 0}) == 40.0  # weight 0: left out
    rows = [
        {"officer_id": 4, "name": "丁", "composite": 70.0},
        {"officer_id": 1, "name": "乙", "composite": 80.0},
        {"officer_id": 2, "name": "甲", "composite": 80.0},
        {"officer_id": 3, "name": "丙", "composite": None},
        {"officer_id": 5, "name": "戊", "composite": 90.5},
    ]
    ranked = rank(rows)
    assert [(r["officer_id"], r["rank"]) for r in ranked] == [
        (5, 1),
        (1, 2),
        (2, 2),
        (4, 4),
        (3, None),
    ]
    ev = evaluation(session, ADMIN, settings, YEAR, today=TODAY)
    x = _officer(ev, z.x)
    assert x["composite"] == composite(x["parts"], ev["weights"])
    assert x["parts"]["checklist"] == round(3 / 12, 4)
    assert x["parts"]["draws"] == 0.9025
    assert x["parts"]["leases"] == 1.0 or ev["officers"][0]["leases"]["units"] > 1
    places = [o["rank"] for o in ev["officers"] if o["rank"] is not None]
    assert places == sorted(places) and places[0] == 1
    # The weights are settings: weighing only the draws makes the composite the draw share.
    only_draws = settings.model_copy(deep=True)
    for part in ev["weights"]:
        setattr(only_draws.programme, f"weight_{part}", 0.0)
    only_draws.programme.weight_draws = 1.0
    ev2 = evaluation(session, ADMIN, only_draws, YEAR, today=TODAY)
    assert _officer(ev2, z.x)["composite"] == 90.25
    assert _officer(ev2, z.y)["composite"] == 70.0
    assert _officer(ev2, z.x)["rank"] < _officer(ev2, z.y)["rank"]


def test_roles_and_years(session: Session, settings: Settings, z: EvalZone) -> None:
    for role in ("officer", "planner", "investment"):
        who = Principal(user_id=None, name=role, role=role, officer_id=z.x)  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            evaluation(session, who, settings, YEAR, today=TODAY)
        with pytest.raises(Forbidden):
            evidence(session, who, settings, year=YEAR, officer_id=z.x, figure="draws")
    with pytest.raises(Unauthorized):
        evaluation(session, Principal(), settings, YEAR, today=TODAY)
    with pytest.raises(InvalidInput) as future:
        evaluation(session, ADMIN, settings, 2027, today=TODAY)
    assert future.value.field == "year"
    # This year: the running month is not judged yet; figures count to today.
    now = evaluation(session, ADMIN, settings, 2026, today=TODAY)
    assert now["months_judged"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert str(now["as_of"]) == "2026-06-01"
    assert _officer(now, z.x)["calls"]["count"] == 0


def test_the_workbook_opens_and_holds_the_ranking(
    session: Session, settings: Settings, z: EvalZone
) -> None:
    ev = evaluation(session, ADMIN, settings, YEAR, today=TODAY)
    data = evaluation_xlsx(ev, lang="en", base_url="http://zone.example")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["evaluation", "links", "months", "weights"]
    sheet = list(wb["evaluation"].values)
    assert list(sheet[0]) == [c[2] for c in COLUMNS]
    row = next(r for r in sheet[1:] if r[1] == z.x)
    col = {c[0]: i for i, c in enumerate(COLUMNS)}
    assert row[col["months_all_done"]] == 3 and row[col["investment_calls"]] == 3
    assert (
        row[col["mean_score_pct"]] == 90.25
        and row[col["composite"]] == _officer(ev, z.x)["composite"]
    )
    cells = next(r for r in wb["evaluation"].iter_rows(min_row=2) if r[1].value == z.x)
    link = cells[col["investment_calls"]].hyperlink
    assert link is not None and link.target == (
        f"http://zone.example/api/v1/programme/evaluation/evidence?year=2025&officer_id={z.x}"
        "&figure=calls"
    )
    months = [r for r in wb["months"].values if r[0] == z.x]
    assert len(months) == 12 and months[0][3] is True and months[11][5:] == (2, 3)
