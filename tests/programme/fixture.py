"""The fixture month of the checklist tests, built by hand on the rolled-back connection.

October 2026 (zone calendar, Asia/Shanghai), seen from 1 December 2026. Officer A does all
five items; officer B misses four of them, each just outside the month's edges, and does
the fourth (a volunteer activity on the month's last day):

=====================  ==========================================  ==========================
item                   officer A (done)                            officer B
=====================  ==========================================  ==========================
1 contact each firm    a1 visited 1 Oct 00:30 (30 Sep UTC),        b1 visited 31 Oct 23:30;
                       a2 received 31 Oct 10:00                    b2 only 30 Sep 23:30: no
2 ledger review        5 Oct, 12 members                           30 Sep: no
3 briefing             10 Oct, firms a1 a2                         1 Nov: no
4 volunteer            20 Oct                                      31 Oct: yes
5 requests resolved    one resolved 15 Oct (threshold 1)           resolved 1 Nov and 30 Sep:
                                                                   no
=====================  ==========================================  ==========================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from parkgis.access import Principal
from parkgis.zonetime import Month
from tests.coverage.layout import Layout
from tests.support.rows import insert

MONTH = Month(2026, 10)
TODAY = date(2026, 12, 1)


@dataclass
class FixtureMonth:
    """Ids of the fixture month's rows."""

    a: int
    b: int
    a1: int
    a2: int
    b1: int
    b2: int
    ledger_a: int
    briefing_a: int
    volunteer_a: int
    volunteer_b: int
    resolved_a: int

    def officer(self, which: str) -> Principal:
        """An officer principal for A or B, with their firms."""
        oid, firms = (self.a, (self.a1, self.a2)) if which == "a" else (self.b, (self.b1, self.b2))
        return Principal(
            user_id=None,
            name=f"officer-{which}",
            role="officer",
            officer_id=oid,
            own_enterprise_ids=frozenset(firms),
        )


def activity(conn: Connection, officer_id: int, kind: str, day: date, *firms: int) -> int:
    """Insert one activity (attendance 20, or 12 ledger members) and its firms."""
    values: dict[str, object] = {"officer_id": officer_id, "kind": kind, "held_on": day}
    if kind == "ledger_review":
        values["member_count"] = 12
    else:
        values["attendance"] = 20
        values["summary"] = f"{kind} on {day}"
    aid = insert(conn, "activities", **values)
    for f in firms:
        conn.execute(
            text("INSERT INTO activity_firms (activity_id, enterprise_id) VALUES (:a, :e)"),
            {"a": aid, "e": f},
        )
    return aid


def build(conn: Connection) -> FixtureMonth:
    """Insert the fixture month (see the module's table)."""
    lay = Layout(conn)
    a, b = lay.officer("甲官员"), lay.officer("乙官员")
    a1, a2, b1, b2 = (lay.firm(100 * i, 0) for i in range(4))
    lay.assign(a, a1, a2)
    lay.assign(b, b1, b2)
    lay.visit(a, a1, "2026-10-01T00:30:00+08:00")
    lay.visit(a, a2, "2026-10-31T10:00:00+08:00", kind="reception")
    lay.visit(b, b1, "2026-10-31T23:30:00+08:00")
    lay.visit(b, b2, "2026-09-30T23:30:00+08:00")
    ledger_a = activity(conn, a, "ledger_review", date(2026, 10, 5))
    briefing_a = activity(conn, a, "briefing", date(2026, 10, 10), a1, a2)
    volunteer_a = activity(conn, a, "volunteer", date(2026, 10, 20))
    activity(conn, b, "ledger_review", date(2026, 9, 30))
    activity(conn, b, "briefing", date(2026, 11, 1), b1)
    volunteer_b = activity(conn, b, "volunteer", date(2026, 10, 31), b2)
    resolved_a = lay.request(
        a1, "labour", date(2026, 10, 2), status="resolved", resolved_on=date(2026, 10, 15)
    )
    # B's requests: answered for through the assignment (no officer_id) and by name.
    lay.request(b1, "land", date(2026, 10, 3), status="resolved", resolved_on=date(2026, 11, 1))
    lay.request(
        b2, "permits", date(2026, 9, 1), status="closed", officer_id=b,
        resolved_on=date(2026, 9, 30),
    )  # fmt: skip
    lay.request(b2, "policy", date(2026, 10, 4), status="in_progress", officer_id=b)
    return FixtureMonth(
        a, b, a1, a2, b1, b2, ledger_a, briefing_a, volunteer_a, volunteer_b, resolved_a
    )
