"""Overdue milestones and days late, idle land, reminder lists, the status query."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from parkgis.errors import Forbidden, InvalidInput
from parkgis.models import AuditLog, Parcel
from parkgis.params import parse_bbox
from parkgis.projects.idle_land import flag_idle_land, idle_land
from parkgis.projects.lifecycle import transition
from parkgis.projects.milestones import (
    STAGE_CODES,
    add_years,
    is_idle,
    month_ends,
    next_milestone,
    overdue_milestones,
    parse_milestones,
    stage_codes,
    stage_on,
)
from parkgis.projects.supervision import ProjectFilter, project_statuses, reminders
from parkgis.zonetime import zone_today
from tests.projects.factory import INVESTMENT, PLANNER, TZ, granted_parcel, milestones, plan
from tests.support.rows import officer, project


def _late(planned: date, today: date, stage: str = "signed") -> list[int]:
    ms = parse_milestones(milestones(**{stage: (planned, None)}))
    return [d for _, d in overdue_milestones("negotiating", ms, today)]


@pytest.mark.parametrize(
    ("planned", "today", "days"),
    [
        (date(2025, 1, 31), date(2025, 2, 1), [1]),  # month end
        (date(2025, 1, 31), date(2025, 3, 1), [29]),  # across a 28-day February
        (date(2024, 1, 31), date(2024, 3, 1), [30]),  # across a leap February
        (date(2024, 2, 29), date(2024, 3, 1), [1]),  # leap day
        (date(2024, 2, 29), date(2025, 2, 28), [365]),
        (date(2025, 4, 30), date(2025, 5, 1), [1]),  # 30-day month end
        (date(2024, 12, 31), date(2025, 1, 1), [1]),  # year end
        (date(2025, 3, 1), date(2025, 3, 1), []),  # due today: not yet overdue
        (date(2025, 3, 2), date(2025, 3, 1), []),
    ],
)
def test_days_late(planned: date, today: date, days: list[int]) -> None:
    assert _late(planned, today) == days


def test_today_in_the_zone_but_yesterday_in_utc() -> None:
    now = datetime(2025, 3, 10, 17, 30, tzinfo=UTC)  # 01:30 on 11 March in Shanghai
    assert now.date() == date(2025, 3, 10)
    today = zone_today(TZ, now)
    assert today == date(2025, 3, 11)
    assert _late(date(2025, 3, 10), today) == [1]  # UTC would still say "due today"
    assert _late(date(2025, 3, 11), today) == []
    assert _late(date(2025, 3, 10), zone_today("UTC", now)) == []


def test_reached_stages_and_cancelled_are_never_overdue() -> None:
    ms = parse_milestones(plan(date(2024, 1, 1)))  # every planned date is past, no actuals
    today = date(2025, 6, 1)
    late = overdue_milestones("topped_out", ms, today)
    assert [m.stage for m, _ in late] == ["completed", "in_production"]
    assert overdue_milestones("cancelled", ms, today) == []
    assert next_milestone("cancelled", ms) is None
    # stalled keeps slipping from the stage it was held at
    assert [m.stage for m, _ in overdue_milestones("stalled", ms, today, "completed")] == [
        "in_production"
    ]
    assert next_milestone("in_production", ms) is None
    nm = next_milestone("signed", ms)
    assert nm is not None and nm.stage == "land_granted"


@pytest.mark.parametrize(
    ("days", "idle"),
    [(364, False), (365, False), (366, True), (400, True)],
)
def test_idle_land_rule(days: int, idle: bool) -> None:
    agreed = date(2022, 6, 1)  # a year without 29 February follows: anniversary = day 365
    today = agreed + timedelta(days=days)
    assert (
        is_idle(
            granted_on=date(2022, 1, 1),
            agreed_start_on=agreed,
            construction_started=False,
            today=today,
        )
        is idle
    )
    assert not is_idle(
        granted_on=date(2022, 1, 1), agreed_start_on=agreed, construction_started=True, today=today
    )
    assert not is_idle(
        granted_on=None, agreed_start_on=agreed, construction_started=False, today=today
    )


def test_idle_land_leap_years() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    kw = {"granted_on": date(2024, 1, 1), "construction_started": False}
    assert not is_idle(agreed_start_on=date(2024, 2, 29), today=date(2025, 2, 28), **kw)  # type: ignore[arg-type]
    assert is_idle(agreed_start_on=date(2024, 2, 29), today=date(2025, 3, 1), **kw)  # type: ignore[arg-type]
    # a year holding 29 February: the anniversary is day 366 and still within the year
    assert not is_idle(agreed_start_on=date(2023, 3, 1), today=date(2024, 3, 1), **kw)  # type: ignore[arg-type]
    assert is_idle(agreed_start_on=date(2023, 3, 1), today=date(2024, 3, 2), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("days", "idle"), [(364, False), (365, False), (366, True)])
def test_idle_land_in_the_database_and_flagging(
    conn: Connection, session: Session, days: int, idle: bool
) -> None:
    agreed = date(2022, 6, 1)
    today = agreed + timedelta(days=days)
    par = granted_parcel(conn, granted_on=date(2022, 1, 1), agreed_start_on=agreed)
    ms = plan(date(2021, 1, 1), actual_upto=2)
    pid = project(conn, stage="land_granted", parcel_id=par, milestones=ms)
    found = [x for x in idle_land(session, PLANNER, today=today) if x.project_id == pid]
    assert bool(found) is idle
    with pytest.raises(Forbidden):
        flag_idle_land(session, today=today, principal=INVESTMENT)
    flag_idle_land(session, today=today, principal=PLANNER)
    parcel = session.get(Parcel, par)
    assert parcel is not None
    assert parcel.status == ("idle" if idle else "granted")
    assert parcel.idle_flagged_on == (today if idle else None)
    audits = session.scalars(
        select(AuditLog).where(AuditLog.entity == "parcels", AuditLog.entity_id == par)
    ).all()
    assert len(audits) == int(idle)
    if idle:
        assert audits[0].after is not None and audits[0].after["status"] == "idle"
        assert found[0].deadline == date(2023, 6, 1) and found[0].days_over == 1
        # flagging again keeps the first flag date
        flag_idle_land(session, today=today + timedelta(days=30), principal=PLANNER)
        assert parcel.idle_flagged_on == today


def test_idle_land_ignores_started_and_counts_cancelled(conn: Connection, session: Session) -> None:
    today = date(2025, 6, 1)
    kw = {"granted_on": date(2022, 1, 1), "agreed_start_on": date(2023, 1, 1)}
    started = project(
        conn,
        stage="construction_started",
        parcel_id=granted_parcel(conn, **kw, status="under_construction"),
    )
    gone = project(
        conn, stage="cancelled", stage_reason="撤资", parcel_id=granted_parcel(conn, **kw)
    )
    ids = {x.project_id for x in idle_land(session, PLANNER, today=today)}
    assert gone in ids and started not in ids


def test_status_query_filters(conn: Connection, session: Session) -> None:
    today = date(2025, 6, 1)
    o1, o2 = officer(conn, "张三"), officer(conn, "李四")
    late = project(
        conn, officer_id=o1, industry_chain="batteries", milestones=plan(date(2025, 1, 1))
    )
    fine = project(
        conn, officer_id=o2, stage="signed", milestones=plan(date(2025, 5, 1), actual_upto=1)
    )
    mine = (late, fine)
    rows = {r.id: r for r in project_statuses(session, PLANNER, today=today) if r.id in mine}
    assert rows[late].is_overdue and rows[late].officer_name == "张三"
    assert rows[late].days_late == (today - date(2025, 3, 2)).days  # signed planned 2025-03-02
    assert not rows[fine].is_overdue and rows[fine].next_dict() == {
        "stage": "land_granted",
        "planned": "2025-08-29",
        "days_late": 0,
        "days_left": 89,
    }

    def ids(f: ProjectFilter) -> set[int]:
        return {r.id for r in project_statuses(session, PLANNER, today=today, filters=f)} & set(
            mine
        )

    assert ids(ProjectFilter(overdue_only=True)) == {late}
    assert ids(ProjectFilter(stages=("signed",))) == {fine}
    assert ids(ProjectFilter(chains=("batteries",))) == {late}
    assert ids(ProjectFilter(officer_ids=(o2,))) == {fine}
    assert ids(ProjectFilter(bbox=(0.0, 0.0, 1.0, 1.0))) == set()
    assert ids(ProjectFilter(bbox=(112.0, 23.0, 113.0, 24.0))) == {late, fine}
    with pytest.raises(InvalidInput):
        ProjectFilter(stages=("built",))
    with pytest.raises(InvalidInput) as exc:
        parse_bbox("1,2,3")
    assert exc.value.field == "bbox"
    with pytest.raises(InvalidInput):
        parse_bbox("113,23,112,24")


def test_bbox_matches_the_parcel_too(conn: Connection, session: Session) -> None:
    par = granted_parcel(conn, granted_on=date(2022, 1, 1), agreed_start_on=date(2023, 1, 1))
    pid = project(conn, parcel_id=par)  # its point lies elsewhere
    (row,) = project_statuses(
        session, PLANNER, today=date(2025, 1, 1), filters=ProjectFilter(ids=(pid,))
    )
    env = conn.exec_driver_sql(
        f"SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM parcels "
        f"WHERE id = {par}"
    ).one()
    bbox = parse_bbox(",".join(str(v) for v in env))
    assert not (bbox[0] <= row.lon <= bbox[2] and bbox[1] <= row.lat <= bbox[3])
    got = project_statuses(
        session, PLANNER, today=date(2025, 1, 1), filters=ProjectFilter(bbox=bbox)
    )
    assert pid in {r.id for r in got}


def test_held_from_comes_from_the_event_log(conn: Connection, session: Session) -> None:
    pid = project(conn, stage="signed", milestones=plan(date(2024, 1, 1), actual_upto=1))
    now = datetime(2025, 1, 5, tzinfo=UTC)
    transition(session, pid, "stalled", principal=PLANNER, tz=TZ, now=now, reason="等待")
    (row,) = project_statuses(
        session, PLANNER, today=date(2025, 1, 6), filters=ProjectFilter(ids=(pid,))
    )
    assert row.held_from == "signed" and row.stage == "stalled"
    assert row.overdue[0][0].stage == "land_granted"


def test_reminders(conn: Connection, session: Session) -> None:
    today = date(2025, 6, 1)
    o = officer(conn)
    ms = milestones(
        signed=(date(2025, 5, 1), None),
        land_granted=(date(2025, 6, 1), None),
        construction_started=(date(2025, 7, 1), None),
        topped_out=(date(2025, 7, 2), None),
    )
    pid = project(conn, officer_id=o, milestones=ms)
    gone = project(conn, officer_id=o, stage="cancelled", stage_reason="x", milestones=ms)
    r = reminders(
        session, PLANNER, today=today, within_days=30, filters=ProjectFilter(officer_ids=(o,))
    )
    assert [(x["project_id"], x["milestone"], x["days_late"]) for x in r["overdue"]] == [
        (pid, "signed", 31)
    ]
    assert [(x["milestone"], x["days_left"]) for x in r["due_soon"]] == [
        ("land_granted", 0),
        ("construction_started", 30),
    ]
    assert all(x["project_id"] != gone for x in r["overdue"] + r["due_soon"])
    with pytest.raises(InvalidInput):
        reminders(session, PLANNER, today=today, within_days=-1)


def test_month_ends_and_stage_on() -> None:
    ends = month_ends(date(2025, 3, 15), 24)
    assert len(ends) == 24
    assert ends[0] == date(2023, 4, 30) and ends[-1] == date(2025, 3, 15)
    assert date(2024, 2, 29) in ends
    ms = parse_milestones(
        milestones(negotiating=(None, date(2024, 1, 10)), signed=(None, date(2024, 3, 5)))
    )
    holds = [(date(2024, 5, 2), "signed", "stalled"), (date(2024, 8, 9), "stalled", "signed")]
    at = {d: stage_on(d, stage="signed", milestones=ms, holds=holds) for d in ends}
    assert at[date(2023, 12, 31)] is None
    assert at[date(2024, 1, 31)] == "negotiating"
    assert at[date(2024, 3, 31)] == "signed"
    assert at[date(2024, 5, 31)] == "stalled" and at[date(2024, 7, 31)] == "stalled"
    assert at[date(2024, 8, 31)] == "signed"
    nothing = parse_milestones({})
    assert stage_on(date(2020, 1, 1), stage="signed", milestones=nothing) == "signed"
    assert (
        stage_on(
            date(2020, 1, 1),
            stage="signed",
            milestones=nothing,
            created=(date(2021, 1, 1), "signed"),
        )
        is None
    )


def test_stage_codes_agree_with_stage_on() -> None:
    ends = month_ends(date(2025, 3, 15), 24)
    cases = [
        (
            "signed",
            milestones(negotiating=(None, date(2024, 1, 10)), signed=(None, date(2024, 3, 5))),
            [(date(2024, 5, 2), "signed", "stalled"), (date(2024, 8, 9), "stalled", "signed")],
            None,
        ),
        (
            "cancelled",
            milestones(negotiating=(None, date(2023, 9, 1))),
            [
                (date(2024, 2, 1), "negotiating", "stalled"),
                (date(2024, 6, 1), "stalled", "cancelled"),
            ],
            (date(2023, 9, 1), "negotiating"),
        ),
        ("negotiating", milestones(), [], (date(2024, 7, 7), "negotiating")),
        ("topped_out", milestones(), [], None),
    ]
    for stage, ms, holds, created in cases:
        pm = parse_milestones(ms)
        want = "".join(
            "-"
            if (s := stage_on(d, stage=stage, milestones=pm, holds=holds, created=created)) is None
            else STAGE_CODES[s]
            for d in ends
        )
        got = stage_codes(ends, stage=stage, milestones=pm, holds=holds, created=created)
        assert got == want and len(got) == 24
    assert stage_codes(ends, stage="topped_out", milestones=parse_milestones({})) == "4" * 24


def test_project_reads_check_the_role_in_the_library(session: Session) -> None:
    """The API, the CLI and the maps share these functions, so the guard is here, once."""
    from parkgis.access import ANONYMOUS
    from parkgis.errors import Unauthorized
    from parkgis.projects import history, project_summary, project_timeline, yearly_summary
    from parkgis.settings import ProjectSettings

    day = date(2025, 1, 1)
    cfg = ProjectSettings()
    calls = {
        "statuses": lambda: project_statuses(session, ANONYMOUS, today=day),
        "reminders": lambda: reminders(session, ANONYMOUS, today=day, within_days=7),
        "idle_land": lambda: idle_land(session, ANONYMOUS, today=day),
        "summary": lambda: project_summary(session, ANONYMOUS, today=day, cfg=cfg),
        "yearly": lambda: yearly_summary(session, ANONYMOUS, year=2025, today=day, cfg=cfg),
        "history": lambda: history(session, ANONYMOUS, 1),
        "timeline": lambda: project_timeline(session, ANONYMOUS, 1, today=day, tz=TZ),
    }
    for name, call in calls.items():
        with pytest.raises(Unauthorized):
            call()
            pytest.fail(f"{name} answered an anonymous caller")
    assert isinstance(project_statuses(session, INVESTMENT, today=day), list)
