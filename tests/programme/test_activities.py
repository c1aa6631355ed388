"""Logging activities in the library: the visit rules (date, point), whose firms, the
counts and the summary, the idempotency key, the audit row, and the ledger's lack of names.

Every refusal names its field and writes nothing. The clock is fixed at 1 December 2026,
10:00 in the zone (``NOW``); the fixture month's officers and firms are used.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import Conflict, Forbidden, InvalidGeometry, InvalidInput
from parkgis.models.programme import SUMMARY_MAX_CHARS
from parkgis.programme import list_activities, log_activity
from parkgis.settings import Settings
from parkgis.zonetime import Month
from tests.programme.fixture import FixtureMonth

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
ADMIN = Principal(user_id=None, name="admin", role="admin")


def count(session: Session, officer_id: int) -> int:
    return int(
        session.scalar(
            text("SELECT count(*) FROM activities WHERE officer_id = :o"), {"o": officer_id}
        )
        or 0
    )


def log(session: Session, settings: Settings, p: Principal, **kw: Any) -> Any:
    return log_activity(session, p, settings, now=NOW, **kw)


def test_an_officer_logs_a_briefing_for_their_firms_with_a_point(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    row = log(
        session,
        settings,
        f.officer("a"),
        kind="briefing",
        enterprise_ids=[f.a2, f.a1, f.a1],
        attendance=31,
        summary="  解读稳岗补贴政策  ",
        lon=112.7,
        lat=23.33,
        client_key="brief-0001",
    )
    assert (row.officer_id, row.kind, row.held_on) == (f.a, "briefing", date(2026, 12, 1))
    assert row.enterprise_ids == sorted([f.a1, f.a2]) and row.attendance == 31
    assert row.summary == "解读稳岗补贴政策" and (row.lon, row.lat) == (112.7, 23.33)
    assert not row.duplicate
    audit = session.execute(
        text("SELECT action, after FROM audit_log WHERE entity = 'activities' AND entity_id = :i"),
        {"i": row.id},
    ).one()
    assert audit.action == "create" and audit.after["enterprise_ids"] == sorted([f.a1, f.a2])
    assert audit.after["geom"]["coordinates"] == [112.7, 23.33]
    # Last month is still open (as for visits): 1 November is accepted.
    old = log(session, settings, f.officer("a"), kind="volunteer", attendance=0,
              held_on=date(2026, 11, 1))  # fmt: skip
    assert old.held_on == date(2026, 11, 1) and old.enterprise_ids == []
    listed = list_activities(session, f.officer("a"), month=Month(2026, 12))
    assert [r.id for r in listed if r.officer_id == f.a] == [row.id]


@pytest.mark.parametrize(
    ("kw", "error", "field"),
    [
        ({"held_on": date(2026, 12, 2)}, InvalidInput, "held_on"),  # tomorrow in the zone
        ({"held_on": date(2026, 10, 31)}, InvalidInput, "held_on"),  # before last month
        ({"lon": 112.7, "lat": 95.0}, InvalidGeometry, "lon"),
        ({"lon": 12_545_000.0, "lat": 2_680_000.0}, InvalidGeometry, "lon"),  # metres
        ({"lon": 112.7}, InvalidInput, "lon"),
        ({"attendance": -1}, InvalidInput, "attendance"),
        ({"attendance": None}, InvalidInput, "attendance"),
        ({"member_count": 3}, InvalidInput, "member_count"),
        ({"summary": "长" * (SUMMARY_MAX_CHARS + 1)}, InvalidInput, "summary"),
        ({"kind": "party"}, InvalidInput, "kind"),
        ({"client_key": "bad key!"}, InvalidInput, "client_key"),
        ({"firms": "b"}, Forbidden, "enterprise_ids"),
        ({"officer": "b"}, Forbidden, "officer_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    session: Session,
    settings: Settings,
    month_rows: FixtureMonth,
    kw: dict[str, Any],
    error: type[Exception],
    field: str,
) -> None:
    f = month_rows
    args: dict[str, Any] = {"kind": "briefing", "attendance": 10, "enterprise_ids": [f.a1]}
    if kw.pop("firms", None) == "b":
        args["enterprise_ids"] = [f.a1, f.b1]  # B's firm: not A's to name
    if kw.pop("officer", None) == "b":
        args["officer_id"] = f.b
    args.update(kw)
    before = count(session, f.a), count(session, f.b)
    with pytest.raises(error) as e:
        log(session, settings, f.officer("a"), **args)
    assert getattr(e.value, "field", None) == field
    assert (count(session, f.a), count(session, f.b)) == before


def test_admins_log_for_any_active_officer_and_any_existing_firm(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    with pytest.raises(InvalidInput) as e:
        log(session, settings, ADMIN, kind="volunteer", attendance=5)
    assert e.value.field == "officer_id"
    with pytest.raises(InvalidInput) as e:
        log(session, settings, ADMIN, kind="volunteer", attendance=5, officer_id=f.a,
            enterprise_ids=[2**31 - 1])  # fmt: skip
    assert e.value.field == "enterprise_ids"
    row = log(
        session, settings, ADMIN, kind="volunteer", attendance=5, officer_id=f.a,
        enterprise_ids=[f.b1],
    )  # fmt: skip
    assert row.officer_id == f.a and row.enterprise_ids == [f.b1]
    for role in ("planner", "investment"):
        with pytest.raises(Forbidden):
            log(session, settings, Principal(name=role, role=role), kind="volunteer",
                attendance=5, officer_id=f.a)  # fmt: skip


def test_a_replayed_client_key_is_one_row(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    before = count(session, f.a)
    first = log(session, settings, f.officer("a"), kind="ledger_review", member_count=7,
                client_key="queue-key-123")  # fmt: skip
    again = log(session, settings, f.officer("a"), kind="ledger_review", member_count=7,
                client_key="queue-key-123")  # fmt: skip
    assert not first.duplicate and again.duplicate and again.id == first.id
    assert count(session, f.a) == before + 1
    with pytest.raises(Conflict) as e:
        log(session, settings, f.officer("b"), kind="ledger_review", member_count=1,
            client_key="queue-key-123")  # fmt: skip
    assert e.value.field == "client_key"


def test_the_ledger_keeps_no_names(
    session: Session, settings: Settings, month_rows: FixtureMonth
) -> None:
    f = month_rows
    # No column of either table could hold a person's name.
    insp = inspect(session.connection())
    for table in ("activities", "activity_firms"):
        cols = [c["name"] for c in insp.get_columns(table)]
        assert not [c for c in cols if "name" in c or "member" in c and c != "member_count"]
    with pytest.raises(InvalidInput) as e:
        log(session, settings, f.officer("a"), kind="ledger_review", member_count=3,
            summary="张三、李四")  # fmt: skip
    assert e.value.field == "summary"
    with pytest.raises(InvalidInput) as e:
        log(session, settings, f.officer("a"), kind="ledger_review", attendance=3)
    assert e.value.field == "attendance"
    with pytest.raises(InvalidInput) as e:
        log(session, settings, f.officer("a"), kind="ledger_review")
    assert e.value.field == "member_count"
    row = log(session, settings, f.officer("a"), kind="ledger_review", member_count=3)
    assert row.as_dict()["summary"] is None and row.member_count == 3
    # Nor can SQL put text on a ledger review: the table refuses it.
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            text(
                "INSERT INTO activities (officer_id, kind, held_on, member_count, summary) "
                "VALUES (:o, 'ledger_review', '2026-12-01', 2, '王五')"
            ),
            {"o": f.a},
        )
