"""``officer_workbench``: the month of one officer, and nothing of another's."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import Forbidden, Unauthorized
from parkgis.settings import Settings
from parkgis.workbench import log_request, officer_workbench
from parkgis.zonetime import Month, zone_today
from tests.workbench.zone import TZ, WBZone, make_wb_zone, officer


@pytest.fixture
def zone(conn: Connection) -> WBZone:
    return make_wb_zone(conn)


def test_sections_are_mine_and_ordered(
    session: Session, conn: Connection, zone: WBZone, settings: Settings
) -> None:
    me = officer(zone)
    log_request(
        session, me, settings, enterprise_id=zone.firms_a[0], category="land", title="more land"
    )
    wb = officer_workbench(session, me, settings)
    assert [f.id for f in wb.firms][-1] == zone.firms_a[3]  # the visited one last
    assert {f.id for f in wb.firms} == set(zone.firms_a)
    assert wb.unvisited == 3 and wb.firms[-1].last_checkin_m is not None
    assert all(f.contact_name and f.contact_phone for f in wb.firms)
    assert [r.title for r in wb.requests] == ["more land"]  # not officer B's
    req = wb.requests[0]
    assert req.deadline > zone_today(TZ) and req.working_days_left == 20 and not req.overdue
    assert req.next_statuses == ["in_progress", "resolved"]
    assert {p.id for p in wb.projects} == {zone.project_a, zone.project_a2}
    assert all(p.days_late == 10 for p in wb.projects)
    assert wb.draw is None and wb.holds == []


def test_the_draw_shows_when_i_was_drawn(
    session: Session, conn: Connection, zone: WBZone, settings: Settings
) -> None:
    month = str(Month.of(zone_today(TZ)))
    ids = [zone.officer_a, zone.officer_b]
    updated = conn.execute(
        text("UPDATE draws SET officer_ids = :ids, count = 2 WHERE month = :m"),
        {"ids": ids, "m": month},
    ).rowcount
    if not updated:
        conn.execute(
            text(
                "INSERT INTO draws (month, count, seed, officer_ids, eligible_ids) "
                "VALUES (:m, 2, 's', :ids, :ids)"
            ),
            {"ids": ids, "m": month},
        )
    wb = officer_workbench(session, officer(zone), settings)
    assert wb.draw is not None and wb.draw.month == month
    assert wb.draw.names == [f"甲官员{zone.tag}", f"乙官员{zone.tag}"]


def test_who_may_open_it(session: Session, zone: WBZone, settings: Settings) -> None:
    with pytest.raises(Unauthorized):
        officer_workbench(session, Principal(), settings)
    with pytest.raises(Forbidden):
        officer_workbench(session, Principal(user_id=None, name="i", role="investment"), settings)
    planner = officer_workbench(
        session, Principal(user_id=None, name="p", role="planner"), settings
    )
    assert planner.firms == [] and planner.officer_id is None
