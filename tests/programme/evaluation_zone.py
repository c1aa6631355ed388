"""A hand-made year (2025, seen from 1 June 2026) for the evaluation tests.

Officer X has three current firms (f1, f2, f3); officer Y one (g1). Everything below is
in 2025 unless it says otherwise, and zone time (Asia/Shanghai):

- visits: X visits f1 and f2 every month and f3 in January to June (f3's January contact
  is a reception); X's three investment calls in 2025 (and one in 2024) have no firm; Y
  visits f1 in July (not X's contact).
- activities: X reviews the ledger, holds a briefing and a volunteer activity in January
  to April; Y only briefs in January.
- requests: X resolves one in each of January (opened 20 Dec 2024), February, March and
  July; one of f2's requests has no officer and counts for X through the assignment
  (September); one of X's was resolved in 2024 (not counted); Y resolves one in May.
  So X has all five items done in January, February and March only.
- projects: X's P1 goes negotiating → signed (1 Mar) → land_granted (1 Aug) → stalled
  (1 Sep: no gain); X's P2 goes signed → land_granted at 00:30 on 1 Jan 2025 (counted)
  and negotiating → signed at 23:30 on 31 Dec 2024 (not). Y's P3 moves once in 2025.
- holds: X's user leased a space in May 2025 and released another hold in June; a lease
  in 2024 does not count. Y's user has none.
- draws: 2025-03 (X 88, Y 70) and 2025-08 (X 92.5); X's 2024-11 score does not count.

The rows are inserted on the caller's connection: rolled back for the library tests,
committed (and removed by :func:`drop_eval_zone`) for the app and browser tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shapely.geometry import MultiPolygon
from sqlalchemy import Connection, Engine, text

from tests.coverage.layout import Layout
from tests.support.geometry import square
from tests.support.rows import insert

YEAR = 2025
TODAY = date(2026, 6, 1)
TZ = "Asia/Shanghai"
DRAW_MONTHS = ("2024-11", "2025-03", "2025-08")


@dataclass
class EvalZone:
    """Ids of the evaluation zone's rows."""

    tag: str
    x: int
    y: int
    f1: int
    f2: int
    f3: int
    g1: int
    user_x: int
    user_y: int
    spaces: list[int] = field(default_factory=list)
    parcel: int = 0
    draws: list[int] = field(default_factory=list)


def _at(day: date, hhmm: str = "10:00") -> str:
    return f"{day.isoformat()}T{hhmm}:00+08:00"


def _events(conn: Connection, project: int, moves: list[tuple[str, str, str]]) -> None:
    for at, frm, to in moves:
        insert(
            conn,
            "project_events",
            project_id=project,
            at=at,
            kind="transition",
            from_stage=frm,
            to_stage=to,
            actor="test",
        )


def make_eval_zone(conn: Connection) -> EvalZone:
    """Insert the zone's rows on ``conn`` (not committed here)."""
    tag = uuid.uuid4().hex[:8]
    lay = Layout(conn)
    x = lay.officer(f"考评甲{tag}")
    y = lay.officer(f"考评乙{tag}")
    f1, f2, f3 = (lay.firm(100 * i, 0, name=f"考评企业{i}-{tag}") for i in range(3))
    g1 = lay.firm(0, 300, name=f"考评乙企业-{tag}")
    for firm in (f1, f2, f3):
        insert(conn, "assignments", officer_id=x, enterprise_id=firm, since=date(2024, 1, 1))
    insert(conn, "assignments", officer_id=y, enterprise_id=g1, since=date(2024, 1, 1))
    for m in range(1, 13):
        day = date(YEAR, m, 10)
        lay.visit(x, f1, _at(day))
        lay.visit(x, f2, _at(day + timedelta(days=1)))
        if m <= 6:
            lay.visit(x, f3, _at(day + timedelta(days=2)), kind="visit" if m > 1 else "reception")
    lay.visit(y, f1, _at(date(YEAR, 7, 3)))
    lay.visit(y, g1, _at(date(YEAR, 7, 3), "11:00"))
    for day in (date(YEAR, 2, 5), date(YEAR, 6, 6), date(YEAR, 11, 20), date(2024, 12, 2)):
        insert(
            conn,
            "visits",
            officer_id=x,
            visited_at=_at(day),
            kind="investment_call",
            prospect_name=f"深圳客商{day}-{tag}",
            prospect_city="深圳",
        )
    for m in range(1, 5):
        first = date(YEAR, m, 1)
        insert(
            conn, "activities", officer_id=x, kind="ledger_review", held_on=first, member_count=9
        )
        for kind, d in (("briefing", 8), ("volunteer", 18)):
            insert(
                conn,
                "activities",
                officer_id=x,
                kind=kind,
                held_on=first + timedelta(days=d),
                attendance=20,
                summary=f"{kind} {tag}",
            )
    insert(
        conn,
        "activities",
        officer_id=y,
        kind="briefing",
        held_on=date(YEAR, 1, 9),
        attendance=12,
        summary="y",
    )

    def request(firm: int, officer: int | None, opened: date, resolved: date | None) -> int:
        return insert(
            conn,
            "service_requests",
            enterprise_id=firm,
            officer_id=officer,
            category="labour",
            title=f"诉求{opened}-{tag}",
            status="resolved" if resolved else "open",
            opened_on=opened,
            resolved_on=resolved,
        )

    request(f1, x, date(2024, 12, 20), date(YEAR, 1, 10))
    request(f2, x, date(YEAR, 2, 3), date(YEAR, 2, 20))
    request(f3, x, date(YEAR, 3, 3), date(YEAR, 3, 5))
    request(f1, x, date(YEAR, 7, 1), date(YEAR, 7, 15))
    request(f2, None, date(YEAR, 9, 1), date(YEAR, 9, 10))
    request(f1, x, date(2024, 10, 8), date(2024, 11, 8))
    request(f1, x, date(YEAR, 10, 8), None)
    request(g1, y, date(YEAR, 5, 6), date(YEAR, 5, 9))

    p1 = lay.project(x, "stalled")
    p2 = lay.project(x, "land_granted", east_m=50)
    p3 = lay.project(y, "signed", east_m=90)
    _events(
        conn,
        p1,
        [
            (_at(date(YEAR, 3, 1)), "negotiating", "signed"),
            (_at(date(YEAR, 8, 1)), "signed", "land_granted"),
            (_at(date(YEAR, 9, 1)), "land_granted", "stalled"),
        ],
    )
    _events(
        conn,
        p2,
        [
            ("2024-12-31T23:30:00+08:00", "negotiating", "signed"),
            ("2025-01-01T00:30:00+08:00", "signed", "land_granted"),
        ],
    )
    _events(conn, p3, [(_at(date(YEAR, 4, 4)), "negotiating", "signed")])

    user_x = insert(conn, "users", name=f"eval-x-{tag}", role="officer", officer_id=x)
    user_y = insert(conn, "users", name=f"eval-y-{tag}", role="officer", officer_id=y)
    parcel = insert(
        conn,
        "parcels",
        code=f"EV-{tag}",
        land_use="100102",
        status="built",
        granted_on=date(2020, 1, 1),
        geom=MultiPolygon([square(side_m=120)]),
    )
    bld = insert(
        conn, "buildings", parcel_id=parcel, name=f"考评厂房{tag}", floors=1, geom=square(side_m=60)
    )
    spaces = [
        insert(
            conn,
            "spaces",
            building_id=bld,
            code=f"EV-{tag}-{i}",
            floor=1,
            status="occupied" if i < 2 else "vacant",
            geom=square(side_m=20),
        )
        for i in range(3)
    ]

    def hold(space: int, user: int, start: str, end: str, outcome: str) -> int:
        return insert(
            conn,
            "reservations",
            space_id=space,
            holder=f"客户{tag}",
            user_id=user,
            held_from=start,
            expires_at=end,
            released_at=end,
            outcome=outcome,
        )

    hold(spaces[0], user_x, "2025-04-20T09:00:00+08:00", "2025-05-05T15:00:00+08:00", "leased")
    hold(spaces[1], user_x, "2025-06-01T09:00:00+08:00", "2025-06-10T15:00:00+08:00", "released")
    hold(spaces[1], user_x, "2024-03-01T09:00:00+08:00", "2024-03-20T15:00:00+08:00", "leased")
    conn.execute(text("DELETE FROM draws WHERE month = ANY(:m)"), {"m": list(DRAW_MONTHS)})
    draws = []
    for month, drawn, scores in (
        ("2024-11", [x], [(x, 60)]),
        ("2025-03", [x, y], [(x, 88), (y, 70)]),
        ("2025-08", [x], [(x, 92.5)]),
    ):
        d = insert(
            conn,
            "draws",
            month=month,
            count=len(drawn),
            seed=f"eval-{tag}",
            officer_ids=drawn,
            eligible_ids=[x, y],
            previous_ids=[],
            created_by=f"eval-{tag}",
        )
        draws.append(d)
        for oid, score in scores:
            insert(
                conn,
                "draw_scores",
                draw_id=d,
                officer_id=oid,
                score=score,
                scale=100,
                comment=f"点评{tag}",
                scored_by="test",
            )
    return EvalZone(tag, x, y, f1, f2, f3, g1, user_x, user_y, spaces, parcel, draws)


def drop_eval_zone(engine: Engine, z: EvalZone) -> None:
    """Delete every row of the zone (committed mode)."""
    firms = [z.f1, z.f2, z.f3, z.g1]
    with engine.begin() as conn:
        p = {"o": [z.x, z.y], "f": firms, "u": [z.user_x, z.user_y], "d": z.draws}
        conn.execute(text("DELETE FROM draws WHERE id = ANY(:d)"), p)
        conn.execute(text("DELETE FROM reservations WHERE user_id = ANY(:u)"), p)
        conn.execute(text("DELETE FROM users WHERE id = ANY(:u)"), p)
        conn.execute(text("DELETE FROM projects WHERE officer_id = ANY(:o)"), p)
        conn.execute(text("DELETE FROM service_requests WHERE enterprise_id = ANY(:f)"), p)
        conn.execute(text("DELETE FROM spaces WHERE id = ANY(:s)"), {"s": z.spaces})
        conn.execute(text("DELETE FROM buildings WHERE parcel_id = :p"), {"p": z.parcel})
        conn.execute(text("DELETE FROM parcels WHERE id = :p"), {"p": z.parcel})
        conn.execute(text("DELETE FROM officers WHERE id = ANY(:o)"), p)  # cascades
        conn.execute(text("DELETE FROM enterprises WHERE id = ANY(:f)"), p)


def at_day(day: date, hhmm: str = "10:00") -> datetime:
    """An aware instant on the zone's clock (for the tests' own bounds)."""
    return datetime.fromisoformat(_at(day, hhmm))
