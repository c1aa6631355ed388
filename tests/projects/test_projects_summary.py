"""Summaries add up to their rows; the yearly XLSX; the timeline and the monthly frames."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from parkgis.projects.lifecycle import replan, transition
from parkgis.projects.milestones import STAGE_CODES
from parkgis.projects.summary import project_summary, yearly_summary, yearly_summary_xlsx
from parkgis.projects.supervision import ProjectFilter, project_statuses
from parkgis.projects.timeline import project_timeline, stage_frames
from parkgis.settings import ProjectSettings
from tests.projects.factory import PLANNER, TZ, milestones, plan
from tests.support.rows import officer, project

TODAY = date(2025, 6, 15)
CFG = ProjectSettings(target_starts=4, target_completions=2, target_productions=0)


def _zone(conn: Connection) -> tuple[int, int, list[int]]:
    o1, o2 = officer(conn, "甲"), officer(conn, "乙")
    ids = [
        project(
            conn,
            officer_id=o1,
            industry_chain="batteries",
            investment_cny=3e8,
            stage="construction_started",
            milestones=plan(date(2024, 11, 1), actual_upto=3),
        ),
        project(
            conn,
            officer_id=o1,
            industry_chain="batteries",
            investment_cny=1.5e8,
            stage="completed",
            milestones=plan(date(2024, 9, 1), step_days=45, actual_upto=5),
        ),
        project(
            conn,
            officer_id=o2,
            industry_chain="electronics",
            investment_cny=None,
            milestones=plan(date(2025, 1, 1)),
        ),
        project(
            conn,
            officer_id=None,
            industry_chain=None,
            investment_cny=2e8,
            stage="cancelled",
            stage_reason="撤资",
            milestones=plan(date(2024, 1, 1)),
        ),
    ]
    return o1, o2, ids


def test_summary_sums_equal_the_rows(conn: Connection, session: Session) -> None:
    o1, o2, ids = _zone(conn)
    f = ProjectFilter(ids=tuple(ids))
    s = project_summary(session, PLANNER, today=TODAY, cfg=CFG, filters=f)
    rows = project_statuses(session, PLANNER, today=TODAY, filters=f)
    assert s["total"]["count"] == len(rows) == 4
    assert s["total"]["investment_cny"] == 6.5e8 and s["total"]["investment_yi"] == 6.5
    for key in ("by_stage", "by_chain", "by_officer"):
        assert sum(g["count"] for g in s[key]) == s["total"]["count"], key
        assert sum(g["investment_cny"] for g in s[key]) == s["total"]["investment_cny"], key
        assert sum(g["overdue"] for g in s[key]) == s["overdue"]["projects"], key
    assert [g["stage"] for g in s["by_stage"]][:3] == ["negotiating", "signed", "land_granted"]
    stage = {g["stage"]: g for g in s["by_stage"]}
    assert stage["negotiating"]["count"] == 1 and stage["signed"]["count"] == 0
    assert stage["cancelled"]["investment_yi"] == 2.0
    # overdue: the negotiating one (signed planned 2025-03-02) and the completed one
    # (in_production planned 2025-05-29); not the one under construction (topped_out
    # planned 2025-06-29) nor the cancelled one
    assert s["overdue"]["projects"] == sum(1 for r in rows if r.is_overdue) == 2
    assert s["overdue"]["milestones"] == 2 + 1  # signed + land_granted, in_production
    chains = {g["chain"]: g for g in s["by_chain"]}
    assert chains["batteries"]["count"] == 2 and chains[None]["count"] == 1
    officers = {g["officer_id"]: g for g in s["by_officer"]}
    assert officers[o1]["officer_name"] == "甲" and officers[o1]["investment_yi"] == 4.5
    assert officers[None]["count"] == 1
    ty = s["this_year"]
    assert ty["year"] == 2025
    # starts: 2025-04-30 and 2025-01-14; completions: 2025-04-14
    assert ty["starts"] == {
        "milestone": "construction_started",
        "actual": 2,
        "target": 4,
        "ratio": 0.5,
    }
    assert ty["completions"]["actual"] == 1
    assert ty["productions"]["ratio"] is None


def test_yearly_summary_and_xlsx(conn: Connection, session: Session) -> None:
    _, _, ids = _zone(conn)
    f = ProjectFilter(ids=tuple(ids))
    y = yearly_summary(session, PLANNER, year=2025, today=TODAY, cfg=CFG, filters=f)
    assert [m["month"] for m in y["months"]] == list(range(1, 13))
    for s, total in y["totals"].items():
        assert total == sum(m[s] for m in y["months"])
    rows = project_statuses(session, PLANNER, today=TODAY, filters=f)
    expected = sum(
        1 for r in rows for m in r.milestones.values() if m.actual and m.actual.year == 2025
    )
    assert sum(y["totals"].values()) == expected > 0
    assert y["targets"]["completions"]["actual"] == y["totals"]["completed"]
    book = load_workbook(io.BytesIO(yearly_summary_xlsx(y)))
    assert book.sheetnames == ["Targets", "Months", "Projects"]
    months = list(book["Months"].iter_rows(values_only=True))
    assert months[0][1] == "洽谈" and months[-1][0] == "total"
    assert list(months[-1][1:]) == [y["totals"][s] for s in y["totals"]]
    n_rows = sum(len(p["milestones"]) for p in y["projects"])
    assert book["Projects"].max_row == n_rows + 1


def test_xlsx_keeps_formula_like_names_as_text(conn: Connection, session: Session) -> None:
    pid = project(
        conn, name='=HYPERLINK("http://x")', milestones=plan(date(2025, 1, 1), actual_upto=0)
    )
    y = yearly_summary(
        session, PLANNER, year=2025, today=TODAY, cfg=CFG, filters=ProjectFilter(ids=(pid,))
    )
    ws = load_workbook(io.BytesIO(yearly_summary_xlsx(y)))["Projects"]
    cell = ws.cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_timeline_shows_slips_and_the_original_plan(conn: Connection, session: Session) -> None:
    ms = milestones(
        negotiating=(date(2025, 1, 1), date(2025, 1, 1)),
        signed=(date(2025, 2, 1), date(2025, 2, 11)),
        land_granted=(date(2025, 4, 1), None),
        construction_started=(date(2025, 9, 1), None),
    )
    pid = project(conn, stage="signed", milestones=ms)
    replan(
        session,
        pid,
        {"construction_started": date(2025, 10, 1)},
        principal=PLANNER,
        now=datetime(2025, 5, 1, tzinfo=UTC),
    )
    tl = project_timeline(session, PLANNER, pid, today=TODAY, tz=TZ)
    rows = {r["stage"]: r for r in tl["stages"]}
    assert rows["signed"]["slip_days"] == 10 and rows["signed"]["state"] == "late"
    assert rows["negotiating"]["state"] == "done" and rows["negotiating"]["slip_days"] == 0
    assert rows["land_granted"]["state"] == "overdue" and rows["land_granted"]["slip_days"] == 75
    cs = rows["construction_started"]
    assert cs["original_planned"] == "2025-09-01" and cs["planned"] == "2025-10-01"
    assert cs["replanned"] and cs["state"] == "open"
    assert tl["events"][0]["kind"] == "replan"
    assert 0 <= tl["axis"]["today_pct"] <= 100
    assert rows["negotiating"]["planned_pct"] == 0.0


def test_frames_one_per_month(conn: Connection, session: Session) -> None:
    ms = milestones(
        negotiating=(None, date(2024, 2, 10)),
        signed=(None, date(2024, 6, 1)),
    )
    pid = project(conn, stage="signed", milestones=ms)
    transition(
        session,
        pid,
        "land_granted",
        principal=PLANNER,
        tz=TZ,
        now=datetime(2025, 1, 20, 3, tzinfo=UTC),
        on=date(2025, 1, 20),
    )
    transition(
        session,
        pid,
        "stalled",
        principal=PLANNER,
        tz=TZ,
        now=datetime(2025, 3, 31, 17, tzinfo=UTC),
        reason="等待环评",
    )  # 1 April in zone
    rows = project_statuses(session, PLANNER, today=TODAY, filters=ProjectFilter(ids=(pid,)))
    labels, codes = stage_frames(session, rows, today=TODAY, tz=TZ, months=24)
    assert len(labels) == 24 == len(codes[pid])
    assert labels[0] == "2023-07" and labels[-1] == "2025-06"
    frames = dict(zip(labels, codes[pid], strict=True))
    assert frames["2024-01"] == "-"
    assert frames["2024-02"] == STAGE_CODES["negotiating"]
    assert frames["2024-06"] == STAGE_CODES["signed"]
    assert frames["2025-01"] == STAGE_CODES["land_granted"]
    assert frames["2025-03"] == STAGE_CODES["land_granted"]  # stalled on 1 April, zone time
    assert frames["2025-04"] == frames["2025-06"] == "s"
