"""Logging a visit: the date rule (library and API), the check-in distance, the idempotency key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.errors import Forbidden, InvalidInput
from parkgis.settings import Settings
from parkgis.workbench import check_visit_time, earliest_visit_day, log_visit
from parkgis.writes import create
from parkgis.zonetime import zone_today
from tests.workbench.zone import TZ, WBZone, make_wb_zone, officer


@pytest.fixture
def zone(conn: Connection) -> WBZone:
    return make_wb_zone(conn)


def count(conn: Connection, firm: int) -> int:
    return int(
        conn.scalar(text("SELECT count(*) FROM visits WHERE enterprise_id = :f"), {"f": firm})
    )


def test_rule_refuses_future_and_before_previous_month() -> None:
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 on 1 December in Shanghai
    assert earliest_visit_day(date(2026, 12, 1)) == date(2026, 11, 1)
    assert earliest_visit_day(date(2026, 1, 15)) == date(2025, 12, 1)
    check_visit_time(now, TZ, now=now)
    check_visit_time(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), TZ, now=now)  # 08:00 on 1 Nov
    with pytest.raises(InvalidInput, match="future") as fut:
        check_visit_time(datetime(2027, 6, 1, tzinfo=UTC), TZ, now=now)
    assert fut.value.field == "visited_at"
    with pytest.raises(InvalidInput, match="too long ago"):
        # 23:30 on 31 October in Shanghai: October, two months back
        check_visit_time(datetime(2026, 10, 31, 15, 30, tzinfo=UTC), TZ, now=now)


def test_visit_defaults_to_today_and_measures_the_check_in(
    session: Session, conn: Connection, zone: WBZone, settings: Settings
) -> None:
    firm = zone.firms_a[0]
    lon, lat = zone.firm_points[firm]
    v = log_visit(
        session,
        officer(zone),
        settings,
        enterprise_id=firm,
        summary="巡查",
        lon=lon + 0.0004,  # about 41 m east at 22.6°N
        lat=lat,
        client_key="k-" + zone.tag + "-1",
    )
    assert not v.duplicate
    assert v.distance_m is not None and 35 <= v.distance_m <= 47
    day = conn.scalar(
        text("SELECT (visited_at AT TIME ZONE 'Asia/Shanghai')::date FROM visits WHERE id = :i"),
        {"i": v.id},
    )
    assert day == zone_today(TZ)
    again = log_visit(
        session,
        officer(zone),
        settings,
        enterprise_id=firm,
        summary="巡查",
        client_key="k-" + zone.tag + "-1",
    )
    assert again.duplicate and again.id == v.id and again.distance_m == v.distance_m
    assert count(conn, firm) == 1
    audit = conn.scalar(
        text("SELECT count(*) FROM audit_log WHERE entity = 'visits' AND entity_id = :i"),
        {"i": v.id},
    )
    assert audit == 1  # the same create path as the API: audited once


def test_bad_dates_and_other_firms_are_refused(
    session: Session, conn: Connection, zone: WBZone, settings: Settings
) -> None:
    today = zone_today(TZ)
    me = officer(zone)
    firm = zone.firms_a[1]
    with pytest.raises(InvalidInput) as future:
        log_visit(session, me, settings, enterprise_id=firm, visited_on=today + timedelta(days=1))
    assert future.value.field == "visited_on"
    with pytest.raises(InvalidInput, match="too long ago"):
        log_visit(
            session,
            me,
            settings,
            enterprise_id=firm,
            visited_on=earliest_visit_day(today) - timedelta(days=1),
        )
    ok = log_visit(session, me, settings, enterprise_id=firm, visited_on=earliest_visit_day(today))
    assert ok.distance_m is None
    with pytest.raises(Forbidden):
        log_visit(session, me, settings, enterprise_id=zone.firms_b[0])
    with pytest.raises(InvalidInput, match="client_key"):
        log_visit(session, me, settings, enterprise_id=firm, client_key="bad key!")
    assert count(conn, zone.firms_b[0]) == 0


def test_api_create_path_refuses_future_and_old_visits(session: Session, zone: WBZone) -> None:
    me = officer(zone)
    body = {"enterprise_id": zone.firms_a[2], "visited_at": "2027-06-01T10:00:00+08:00"}
    with pytest.raises(InvalidInput, match="future") as exc:
        create(session, "visits", me, body, zone_tz=TZ)
    assert exc.value.field == "visited_at"
    body["visited_at"] = "2020-01-01T10:00:00+08:00"
    with pytest.raises(InvalidInput, match="too long ago"):
        create(session, "visits", me, body, zone_tz=TZ)
    # Without the zone's clock (an import of past visits) the record is history: kept.
    assert create(session, "visits", me, body).row.visited_at.year == 2020
