"""Investment calls (登门招商): logged on the visit path, never counted as a firm contact.

A call has no zone firm, a prospect name (required), a city and optionally the caller's
own shortlist. Coverage, the workbench's firm list and the monthly report's visit figures
are the same with or without calls; the report lists the calls apart.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.report import monthly_report, report_xlsx
from parkgis.coverage.territories import territories
from parkgis.errors import Forbidden, InvalidInput
from parkgis.settings import Settings
from parkgis.workbench import log_visit, my_firms
from parkgis.writes import create
from parkgis.zonetime import Month, zone_today
from tests.support.rows import insert
from tests.workbench.zone import TZ, WBZone, make_wb_zone, officer

ADMIN = Principal(user_id=None, name="admin", role="admin")


@pytest.fixture
def zone(conn: Connection) -> WBZone:
    return make_wb_zone(conn)


def _shortlist(conn: Connection, user_id: int | None, prospect: str) -> int:
    return insert(
        conn,
        "shortlists",
        token_hash=uuid.uuid4().hex * 2,
        prospect=prospect,
        sites=[],
        user_id=user_id,
        created_by="test",
        expires_at=datetime.now(UTC) + timedelta(days=30),
    )


def _user(conn: Connection, role: str, officer_id: int | None = None) -> int:
    return insert(
        conn, "users", name=f"calls-{uuid.uuid4().hex[:10]}", role=role, officer_id=officer_id
    )


def _figures(session: Session, settings: Settings, z: WBZone) -> dict[str, Any]:
    """Every firm-contact figure of officer A this month, through the library."""
    month = Month.of(zone_today(TZ))
    cov = territories(session, settings, officer_ids=[z.officer_a], month=month)
    (a,) = cov.officers
    firms = my_firms(session, officer(z), tz=TZ, today=zone_today(TZ))
    rep = monthly_report(session, ADMIN, settings, month, officer_id=z.officer_a)
    return {
        "coverage": (a.visits_this_month, a.receptions_this_month, a.not_visited_ids),
        "my_firms": [(f.id, f.visited_this_month, f.visits_this_month) for f in firms],
        "report_row": {k: v for k, v in rep["officers"][0].items() if k != "investment_calls"},
        "report_zone": {k: v for k, v in rep["zone"].items() if k != "investment_calls"},
        "weeks": rep["weeks"],
        "not_visited": rep["not_visited"],
    }


def test_a_call_is_no_firm_contact_and_the_report_lists_it_apart(
    session: Session, conn: Connection, zone: WBZone, settings: Settings
) -> None:
    before = _figures(session, settings, zone)
    assert before["coverage"][0] == 1 and len(before["coverage"][2]) == 3  # the setup's visit
    call = log_visit(
        session,
        officer(zone),
        settings,
        kind="investment_call",
        prospect_name=f"  深圳某新能源科技{zone.tag}  ",
        prospect_city="深圳",
        summary="登门拜访，介绍园区政策",
        client_key=f"call-{zone.tag}",
    )
    assert call.enterprise_id is None and call.kind == "investment_call"
    assert call.distance_m is None  # no firm to measure the check-in against
    row = conn.execute(
        text("SELECT enterprise_id, prospect_name, prospect_city FROM visits WHERE id = :i"),
        {"i": call.id},
    ).one()
    assert tuple(row) == (None, f"深圳某新能源科技{zone.tag}", "深圳")
    # Every firm-contact figure is exactly what it was.
    assert _figures(session, settings, zone) == before
    month = Month.of(zone_today(TZ))
    rep = monthly_report(session, ADMIN, settings, month, officer_id=zone.officer_a)
    assert rep["officers"][0]["investment_calls"] == 1
    assert rep["zone"]["investment_calls"] == 1
    (listed,) = rep["investment_calls"]
    assert listed["id"] == call.id and listed["prospect_city"] == "深圳"
    assert listed["day"] == zone_today(TZ)
    wb = load_workbook(io.BytesIO(report_xlsx(rep)))
    sheet = list(wb["investment_calls"].values)
    assert sheet[0][:5] == ("id", "officer_id", "officer_name", "day", "prospect_name")
    assert sheet[1][4] == f"深圳某新能源科技{zone.tag}"
    visits_col = sheet_col(wb, "officers", "visits")
    assert visits_col == [before["report_row"]["visits"]]
    # Officer B's report knows nothing of A's call.
    rep_b = monthly_report(session, ADMIN, settings, month, officer_id=zone.officer_b)
    assert rep_b["investment_calls"] == [] and rep_b["officers"][0]["investment_calls"] == 0


def sheet_col(wb: Any, sheet: str, col: str) -> list[Any]:
    rows = list(wb[sheet].values)
    i = rows[0].index(col)
    return [r[i] for r in rows[1:]]


def test_the_shape_of_a_call_and_of_a_visit_is_checked(
    session: Session, conn: Connection, zone: WBZone, settings: Settings
) -> None:
    me = officer(zone)
    with pytest.raises(InvalidInput) as no_name:
        log_visit(session, me, settings, kind="investment_call", prospect_city="广州")
    assert no_name.value.field == "prospect_name"
    with pytest.raises(InvalidInput) as blank:
        log_visit(session, me, settings, kind="investment_call", prospect_name="   ")
    assert blank.value.field == "prospect_name"
    with pytest.raises(InvalidInput) as with_firm:
        log_visit(
            session,
            me,
            settings,
            kind="investment_call",
            enterprise_id=zone.firms_a[0],
            prospect_name="某客商",
        )
    assert with_firm.value.field == "enterprise_id"
    with pytest.raises(InvalidInput) as no_firm:
        log_visit(session, me, settings, kind="visit")
    assert no_firm.value.field == "enterprise_id"
    with pytest.raises(InvalidInput) as prospect_on_visit:
        log_visit(
            session, me, settings, enterprise_id=zone.firms_a[0], prospect_name="不该有的客商"
        )
    assert prospect_on_visit.value.field == "prospect_name"
    # The API's create path (admin, in an officer's name) checks the same.
    at = datetime.now(UTC).isoformat()
    body = {"officer_id": zone.officer_a, "visited_at": at, "kind": "investment_call"}
    with pytest.raises(InvalidInput) as api_no_name:
        create(session, "visits", ADMIN, body, zone_tz=TZ)
    assert api_no_name.value.field == "prospect_name"
    with pytest.raises(InvalidInput) as future:
        create(
            session,
            "visits",
            ADMIN,
            body | {"prospect_name": "某客商", "visited_at": "2099-01-01T10:00:00+08:00"},
            zone_tz=TZ,
        )
    assert future.value.field == "visited_at"
    n = conn.scalar(
        text("SELECT count(*) FROM visits WHERE officer_id = :o"), {"o": zone.officer_a}
    )
    assert n == 1  # only the setup's visit: nothing refused was written
    # The database itself refuses a call with a firm and a visit with no firm.
    for values in (
        {"kind": "investment_call", "enterprise_id": zone.firms_a[0], "prospect_name": "x"},
        {"kind": "visit", "enterprise_id": None},
        {"kind": "investment_call", "enterprise_id": None, "prospect_name": " "},
        {"kind": "visit", "enterprise_id": zone.firms_a[0], "prospect_city": "广州"},
    ):
        with pytest.raises(IntegrityError), conn.begin_nested():
            insert(
                conn,
                "visits",
                officer_id=zone.officer_a,
                visited_at=datetime.now(UTC),
                **values,
            )


def test_a_call_links_only_its_callers_shortlist(
    session: Session, conn: Connection, zone: WBZone, settings: Settings
) -> None:
    me_user = _user(conn, "officer", zone.officer_a)
    other = _user(conn, "investment")
    mine = _shortlist(conn, me_user, "我的客商")
    theirs = _shortlist(conn, other, "别人的客商")
    me = Principal(
        user_id=me_user,
        name="a",
        role="officer",
        officer_id=zone.officer_a,
        own_enterprise_ids=frozenset(zone.firms_a),
    )
    ok = log_visit(
        session, me, settings, kind="investment_call", prospect_name="我的客商", shortlist_id=mine
    )
    stored = conn.scalar(text("SELECT shortlist_id FROM visits WHERE id = :i"), {"i": ok.id})
    assert stored == mine
    with pytest.raises(Forbidden) as not_mine:
        log_visit(
            session,
            me,
            settings,
            kind="investment_call",
            prospect_name="别人的客商",
            shortlist_id=theirs,
        )
    assert not_mine.value.field == "shortlist_id"
    with pytest.raises(InvalidInput) as missing:
        log_visit(
            session,
            me,
            settings,
            kind="investment_call",
            prospect_name="某客商",
            shortlist_id=theirs + 10_000,
        )
    assert missing.value.field == "shortlist_id"
    # An admin may link any shortlist (in an officer's name, through the API's path).
    body = {
        "officer_id": zone.officer_a,
        "visited_at": datetime.now(UTC).isoformat(),
        "kind": "investment_call",
        "prospect_name": "别人的客商",
        "shortlist_id": theirs,
    }
    assert create(session, "visits", ADMIN, body, zone_tz=TZ).row.shortlist_id == theirs
