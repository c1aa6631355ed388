"""Project lifecycle: legal and illegal transitions, the event log, re-plans, roles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.access import ANONYMOUS
from parkgis.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed, Unauthorized
from parkgis.models import Parcel, Project
from parkgis.models.base import PROJECT_STAGES
from parkgis.projects.lifecycle import allowed_transitions, history, replan, transition
from tests.projects.factory import INVESTMENT, PLANNER, TZ, granted_parcel, officer_principal, plan
from tests.support.rows import officer, project

NOW = datetime(2025, 5, 20, 2, 0, tzinfo=UTC)  # 2025-05-20 10:00 in Shanghai


def _move(session: Session, pid: int, to: str, **kw: object) -> None:
    transition(session, pid, to, principal=PLANNER, tz=TZ, now=NOW, **kw)  # type: ignore[arg-type]


def test_forward_through_every_stage_sets_actuals_and_logs(
    conn: Connection, session: Session
) -> None:
    pid = project(conn, milestones=plan(date(2024, 1, 1)))
    for s in PROJECT_STAGES[1:]:
        _move(session, pid, s)
    p = session.get(Project, pid)
    assert p is not None and p.stage == "in_production"
    for s in PROJECT_STAGES[1:]:
        assert p.milestones[s]["actual"] == "2025-05-20"
    assert p.milestones["signed"]["planned"] == "2024-03-01"  # the plan is untouched
    events = history(session, PLANNER, pid)
    assert [(e.from_stage, e.to_stage) for e in events] == list(
        zip(PROJECT_STAGES[:-1], PROJECT_STAGES[1:], strict=True)
    )
    assert all(e.actor == "planner-t" and e.at == NOW for e in events)
    assert events[0].data == {"actual": "2025-05-20", "planned": "2024-03-01"}
    assert allowed_transitions("in_production") == []


def test_actual_date_is_the_zone_date(conn: Connection, session: Session) -> None:
    pid = project(conn, milestones=plan(date(2024, 1, 1)))
    late_evening_utc = datetime(2025, 5, 20, 16, 30, tzinfo=UTC)  # 00:30 on the 21st in zone
    transition(session, pid, "signed", principal=PLANNER, tz=TZ, now=late_evening_utc)
    assert session.get(Project, pid).milestones["signed"]["actual"] == "2025-05-21"  # type: ignore[union-attr]


def test_backdated_actual_checked(conn: Connection, session: Session) -> None:
    ms = plan(date(2024, 1, 1), actual_upto=0)  # negotiating actual 2024-01-01
    pid = project(conn, milestones=ms)
    with pytest.raises(InvalidInput) as e1:
        _move(session, pid, "signed", on=date(2025, 5, 21))
    assert e1.value.field == "on"
    with pytest.raises(InvalidInput) as e2:
        _move(session, pid, "signed", on=date(2023, 12, 31))
    assert "before the previous stage" in e2.value.message
    _move(session, pid, "signed", on=date(2024, 2, 10))
    assert session.get(Project, pid).milestones["signed"]["actual"] == "2024-02-10"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("stage", "to"),
    [
        ("negotiating", "land_granted"),  # skipping forward
        ("signed", "negotiating"),  # going back
        ("topped_out", "topped_out"),  # standing still
        ("completed", "signed"),
    ],
)
def test_illegal_forward_moves_name_the_allowed_ones(
    conn: Connection, session: Session, stage: str, to: str
) -> None:
    pid = project(conn, stage=stage, milestones=plan(date(2024, 1, 1)))
    with pytest.raises(Conflict) as exc:
        _move(session, pid, to)
    nxt = PROJECT_STAGES[PROJECT_STAGES.index(stage) + 1]
    assert exc.value.detail["allowed"] == [nxt, "stalled", "cancelled"]
    assert exc.value.field == "to"
    assert nxt in exc.value.message
    assert history(session, PLANNER, pid) == []


def test_terminal_stages(conn: Connection, session: Session) -> None:
    for stage in ("cancelled", "in_production"):
        pid = project(conn, stage=stage, stage_reason="x")
        with pytest.raises(Conflict) as exc:
            _move(session, pid, "stalled", reason="again")
        assert exc.value.detail["allowed"] == []


def test_stall_needs_reason_and_resumes_where_it_was(conn: Connection, session: Session) -> None:
    pid = project(conn, stage="negotiating", milestones=plan(date(2024, 1, 1)))
    _move(session, pid, "signed")
    _move(session, pid, "land_granted")
    with pytest.raises(InvalidInput) as exc:
        _move(session, pid, "stalled", reason="  ")
    assert exc.value.field == "reason"
    _move(session, pid, "stalled", reason="资金未到位")
    p = session.get(Project, pid)
    assert p is not None and p.stage == "stalled" and p.stage_reason == "资金未到位"
    # while stalled: only back to land_granted, or cancelled
    with pytest.raises(Conflict) as exc2:
        _move(session, pid, "construction_started")
    assert exc2.value.detail["allowed"] == ["land_granted", "cancelled"]
    _move(session, pid, "land_granted")
    assert p.stage == "land_granted" and p.stage_reason is None
    assert p.milestones["land_granted"]["actual"] == "2025-05-20"  # resuming sets no date
    _move(session, pid, "construction_started")
    events = history(session, PLANNER, pid)
    assert [e.to_stage for e in events] == [
        "signed",
        "land_granted",
        "stalled",
        "land_granted",
        "construction_started",
    ]
    assert events[2].reason == "资金未到位" and events[2].data == {"held_from": "land_granted"}
    assert events[3].data == {"resumed_to": "land_granted"}


def test_cancel_from_stalled_is_final(conn: Connection, session: Session) -> None:
    pid = project(conn, stage="signed", milestones=plan(date(2024, 1, 1), actual_upto=1))
    with pytest.raises(InvalidInput):
        _move(session, pid, "cancelled")
    _move(session, pid, "stalled", reason="待定")
    _move(session, pid, "cancelled", reason="企业撤资")
    p = session.get(Project, pid)
    assert p is not None and p.stage == "cancelled" and p.stage_reason == "企业撤资"
    with pytest.raises(Conflict):
        _move(session, pid, "signed")


def test_unknown_stage_is_invalid_input(conn: Connection, session: Session) -> None:
    pid = project(conn)
    with pytest.raises(InvalidInput) as exc:
        _move(session, pid, "finished")
    assert exc.value.field == "to"


def test_if_match_version(conn: Connection, session: Session) -> None:
    pid = project(conn)
    with pytest.raises(PreconditionFailed):
        _move(session, pid, "signed", expected_version=7)
    _move(session, pid, "signed", expected_version=1)
    assert session.get(Project, pid).version == 2  # type: ignore[union-attr]


def test_roles(conn: Connection, session: Session) -> None:
    mine, other = officer(conn), officer(conn)
    pid = project(conn, officer_id=mine)
    with pytest.raises(Unauthorized):
        transition(session, pid, "signed", principal=ANONYMOUS, tz=TZ, now=NOW)
    with pytest.raises(Forbidden):
        transition(session, pid, "signed", principal=INVESTMENT, tz=TZ, now=NOW)
    with pytest.raises(Forbidden):
        transition(session, pid, "signed", principal=officer_principal(other), tz=TZ, now=NOW)
    with pytest.raises(Forbidden):
        replan(session, pid, {"signed": date(2026, 1, 1)}, principal=officer_principal(other))
    ev = transition(session, pid, "signed", principal=officer_principal(mine), tz=TZ, now=NOW)
    assert ev.actor == f"officer-{mine}"


def test_replan_keeps_the_old_plan_in_the_log(conn: Connection, session: Session) -> None:
    pid = project(conn, stage="signed", milestones=plan(date(2025, 1, 1), actual_upto=1))
    ev = replan(
        session,
        pid,
        {"land_granted": date(2025, 6, 1), "construction_started": date(2025, 7, 1)},
        principal=PLANNER,
        now=NOW,
        reason="规划调整",
    )
    p = session.get(Project, pid)
    assert p is not None
    assert p.milestones["land_granted"] == {"planned": "2025-06-01", "actual": None}
    assert ev.kind == "replan" and ev.reason == "规划调整"
    assert ev.data == {
        "before": {"land_granted": "2025-05-01", "construction_started": "2025-06-30"},
        "after": {"land_granted": "2025-06-01", "construction_started": "2025-07-01"},
    }
    assert [e.kind for e in history(session, PLANNER, pid)] == ["replan"]


def test_replan_refusals(conn: Connection, session: Session) -> None:
    pid = project(conn, stage="signed", milestones=plan(date(2025, 1, 1), actual_upto=1))
    with pytest.raises(Conflict) as exc:
        replan(session, pid, {"signed": date(2025, 9, 1)}, principal=PLANNER)
    assert exc.value.field == "planned.signed"
    with pytest.raises(InvalidInput) as exc2:
        replan(session, pid, {"topped_out": date(2025, 2, 1)}, principal=PLANNER)
    assert exc2.value.field == "planned.topped_out"
    with pytest.raises(InvalidInput) as exc3:
        replan(session, pid, {"built": date(2025, 2, 1)}, principal=PLANNER)
    assert exc3.value.field == "planned.built"
    with pytest.raises(InvalidInput):
        replan(session, pid, {}, principal=PLANNER)
    gone = project(conn, stage="cancelled", stage_reason="x")
    with pytest.raises(Conflict):
        replan(session, gone, {"signed": date(2025, 9, 1)}, principal=PLANNER)


def test_construction_start_takes_parcel_out_of_idle(conn: Connection, session: Session) -> None:
    par = granted_parcel(
        conn, granted_on=date(2022, 1, 1), agreed_start_on=date(2022, 6, 1), status="idle"
    )
    pid = project(conn, stage="land_granted", parcel_id=par, milestones=plan(date(2021, 1, 1)))
    conn.exec_driver_sql(f"UPDATE parcels SET idle_flagged_on = '2023-07-01' WHERE id = {par}")
    _move(session, pid, "construction_started")
    parcel = session.get(Parcel, par)
    assert parcel is not None and parcel.status == "under_construction"
    assert parcel.idle_flagged_on == date(2023, 7, 1)
    audit = session.execute(
        text(
            "SELECT action, before, after FROM audit_log WHERE entity = 'parcels' "
            "AND entity_id = :p ORDER BY id"
        ),
        {"p": par},
    ).all()
    assert [(a.action, a.before, a.after["status"]) for a in audit] == [
        ("update", {"status": "idle"}, "under_construction")
    ]
    assert str(pid) in audit[0].after["reason"]


def test_transitions_and_replans_are_audited(conn: Connection, session: Session) -> None:
    from sqlalchemy import select

    from parkgis.models import AuditLog

    pid = project(conn, milestones=plan(date(2025, 1, 1)))
    _move(session, pid, "signed")
    replan(session, pid, {"land_granted": date(2025, 4, 1)}, principal=PLANNER, now=NOW)
    rows = session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "projects", AuditLog.entity_id == pid)
        .order_by(AuditLog.id)
    ).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("transition", "planner-t"),
        ("update", "planner-t"),
    ]
    assert rows[0].before == {"stage": "negotiating", "version": 1}
    assert rows[0].after is not None and rows[0].after["stage"] == "signed"
    assert rows[0].after["actual"] == "2025-05-20" and rows[0].after["version"] == 2
    assert rows[1].before == {"planned": {"land_granted": "2025-05-01"}, "version": 2}
    assert rows[1].after == {"planned": {"land_granted": "2025-04-01"}, "version": 3}
