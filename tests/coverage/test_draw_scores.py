"""Scores of the monthly draw: validation, replacement with audit, and who may read them.

The library tests run in the rolled-back transaction. The canary test goes through the
app (committed rows, deleted afterwards): a score and comment given to one officer never
appear in what another officer, a planner or an investment user reads, as JSON or HTML.
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from api.csrf import token_for
from api.deps import COOKIE_NAME
from parkgis.access import Principal
from parkgis.auth import create_token
from parkgis.coverage.scores import (
    ScoreIn,
    draw_scores,
    officer_draws,
    record_scores,
    visible_scores,
)
from parkgis.db import session_scope
from parkgis.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from parkgis.settings import Settings
from parkgis.workbench.leadership import draws_with_names
from tests.support.rows import insert, officer

ADMIN = Principal(user_id=None, name="评分管理员", role="admin")
PLANNER = Principal(user_id=None, name="planner", role="planner")
TODAY = date(2026, 12, 1)


def _month() -> str:
    """A month no other test draws (draws.month is unique across the test database)."""
    return f"19{random.randint(10, 99)}-{random.randint(1, 12):02d}"


def _draw(conn: Connection, drawn: list[int], eligible: list[int], month: str) -> int:
    conn.execute(text("DELETE FROM draws WHERE month = :m"), {"m": month})
    return insert(
        conn,
        "draws",
        month=month,
        count=len(drawn),
        seed="s",
        officer_ids=drawn,
        eligible_ids=eligible,
        previous_ids=[],
    )


def _as(oid: int) -> Principal:
    return Principal(user_id=None, name=f"o{oid}", role="officer", officer_id=oid)


@pytest.fixture
def three(conn: Connection) -> tuple[int, int, int, int]:
    """Officers a and b drawn in one draw, c eligible but not drawn; and the draw."""
    a, b, c = officer(conn), officer(conn), officer(conn)
    return a, b, c, _draw(conn, [a, b], [a, b, c], _month())


def test_scores_are_checked_before_anything_is_written(
    session: Session, conn: Connection, settings: Settings, three: tuple[int, int, int, int]
) -> None:
    a, b, c, d = three

    def refused(entries: list[ScoreIn]) -> InvalidInput:
        with pytest.raises(InvalidInput) as exc:
            record_scores(session, ADMIN, settings, d, entries, today=TODAY)
        return exc.value

    assert refused([ScoreIn(a, 101)]).field == "scores[0].score"
    assert refused([ScoreIn(a, -0.5)]).field == "scores[0].score"
    assert refused([ScoreIn(a, 87.25)]).field == "scores[0].score"  # two decimals
    assert refused([ScoreIn(a, float("nan"))]).field == "scores[0].score"
    assert refused([ScoreIn(a, "八十")]).field == "scores[0].score"
    assert refused([ScoreIn(a, True)]).field == "scores[0].score"
    not_drawn = refused([ScoreIn(a, 90), ScoreIn(c, 80)])
    assert not_drawn.field == "scores[1].officer_id" and not_drawn.detail["allowed"] == [a, b]
    assert refused([ScoreIn(a, 90), ScoreIn(a, 80)]).field == "scores[1].officer_id"
    assert refused([ScoreIn(b, 80, "长" * 2001)]).field == "scores[0].comment"
    assert refused([]).field == "scores"
    n = conn.scalar(text("SELECT count(*) FROM draw_scores WHERE draw_id = :d"), {"d": d})
    assert n == 0  # the good first entries were not written either
    for who in (_as(a), PLANNER, Principal(user_id=None, name="i", role="investment")):
        with pytest.raises(Forbidden):
            record_scores(session, who, settings, d, [ScoreIn(a, 90)], today=TODAY)
    with pytest.raises(Unauthorized):
        record_scores(session, Principal(), settings, d, [ScoreIn(a, 90)], today=TODAY)
    with pytest.raises(NotFound):
        record_scores(session, ADMIN, settings, d + 10_000, [ScoreIn(a, 90)], today=TODAY)
    # The scale is a setting: 10 makes 10 the top and 11 out of range.
    ten = settings.model_copy(deep=True)
    ten.programme.draw_score_max = 10
    (ok,) = record_scores(session, ADMIN, ten, d, [ScoreIn(a, 9.5)], today=TODAY)
    assert (ok["score"], ok["scale"]) == (9.5, 10)
    with pytest.raises(InvalidInput, match="0 to 10"):
        record_scores(session, ADMIN, ten, d, [ScoreIn(b, 11)], today=TODAY)


def test_a_future_meeting_cannot_be_scored(
    session: Session, conn: Connection, settings: Settings
) -> None:
    a = officer(conn)
    d = _draw(conn, [a], [a], "2027-01")
    with pytest.raises(Conflict) as exc:
        record_scores(session, ADMIN, settings, d, [ScoreIn(a, 90)], today=TODAY)
    assert exc.value.field == "draw_id"
    (row,) = record_scores(session, ADMIN, settings, d, [ScoreIn(a, 90)], today=date(2027, 1, 5))
    assert row["score"] == 90.0


def test_scoring_again_replaces_and_the_audit_keeps_the_old_score(
    session: Session, conn: Connection, settings: Settings, three: tuple[int, int, int, int]
) -> None:
    a, b, _c, d = three
    first = record_scores(
        session, ADMIN, settings, d, [ScoreIn(a, 88.5, " 汇报扎实 "), ScoreIn(b, 76)], today=TODAY
    )
    assert [(s["officer_id"], s["score"], s["replaced"]) for s in first] == [
        (a, 88.5, False),
        (b, 76.0, False),
    ]
    assert first[0]["comment"] == "汇报扎实" and first[0]["scored_by"] == ADMIN.name
    (again,) = record_scores(session, ADMIN, settings, d, [ScoreIn(a, "92")], today=TODAY)
    assert (again["score"], again["replaced"], again["version"]) == (92.0, True, 2)
    assert again["comment"] is None
    rows = conn.execute(
        text("SELECT officer_id, score FROM draw_scores WHERE draw_id = :d ORDER BY officer_id"),
        {"d": d},
    ).all()
    assert [(r.officer_id, float(r.score)) for r in rows] == [(a, 92.0), (b, 76.0)]
    audit = conn.execute(
        text(
            "SELECT action, before, after FROM audit_log WHERE entity = 'draw_scores' "
            "AND entity_id = (SELECT id FROM draw_scores WHERE draw_id = :d AND officer_id = :o)"
            " ORDER BY id"
        ),
        {"d": d, "o": a},
    ).all()
    assert [r.action for r in audit] == ["create", "update"]
    assert (audit[1].before["score"], audit[1].after["score"]) == (88.5, 92.0)
    # The same score again changes nothing: no new version, no audit row.
    (same,) = record_scores(session, ADMIN, settings, d, [ScoreIn(a, 92)], today=TODAY)
    assert same["version"] == 2
    n = conn.scalar(
        text(
            "SELECT count(*) FROM audit_log WHERE entity = 'draw_scores' AND entity_id IN "
            "(SELECT id FROM draw_scores WHERE draw_id = :d)"
        ),
        {"d": d},
    )
    assert n == 3


def test_an_officer_reads_only_their_own_score(
    session: Session, settings: Settings, three: tuple[int, int, int, int]
) -> None:
    a, b, c, d = three
    record_scores(
        session,
        ADMIN,
        settings,
        d,
        [ScoreIn(a, 81, "甲评语"), ScoreIn(b, 79, "乙评语")],
        today=TODAY,
    )
    assert set(visible_scores(session, ADMIN, [d])[d]) == {a, b}
    assert set(visible_scores(session, _as(a), [d])[d]) == {a}
    assert visible_scores(session, _as(c), [d]) == {}
    assert visible_scores(session, PLANNER, [d]) == {}
    assert [s["officer_id"] for s in draw_scores(session, _as(b), d)] == [b]
    with pytest.raises(Forbidden):
        draw_scores(session, PLANNER, d)
    mine = officer_draws(session, _as(a), a)
    assert [(x["draw_id"], x["score"]["comment"]) for x in mine["draws"]] == [(d, "甲评语")]
    with pytest.raises(Forbidden):
        officer_draws(session, _as(a), b)
    with pytest.raises(Forbidden):
        officer_draws(session, PLANNER, b)
    assert officer_draws(session, ADMIN, b)["draws"][0]["score"]["score"] == 79.0
    listed = [x for x in draws_with_names(session, _as(a), officer_id=a) if x["id"] == d]
    assert [s["officer_id"] for s in listed[0]["scores"]] == [a]
    planner_view = [x for x in draws_with_names(session, PLANNER) if x["id"] == d]
    assert planner_view[0]["scores"] == [] and planner_view[0]["officer_ids"] == [a, b]


@dataclass
class Committed:
    """Two drawn officers (x, y), the draw, tokens by role, and the canary texts."""

    x: int
    y: int
    draw: int
    month: str
    canary_x: str
    canary_y: str
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def committed(engine: Engine) -> Iterator[Committed]:
    tag = uuid.uuid4().hex[:8]
    month = _month()
    with engine.begin() as conn:
        x = officer(conn, f"甲抽签{tag}")
        y = officer(conn, f"乙抽签{tag}")
        d = _draw(conn, [x, y], [x, y], month)
    z = Committed(x, y, d, month, f"CANARY-X-{tag}", f"CANARY-Y-{tag}")
    names = []
    with session_scope(engine) as s:
        for key, role, oid in (
            ("x", "officer", x),
            ("y", "officer", y),
            ("planner", "planner", None),
            ("investment", "investment", None),
            ("admin", "admin", None),
        ):
            names.append(f"scores-{key}-{tag}")
            z.tokens[key] = create_token(s, role=role, name=names[-1], officer_id=oid)
    try:
        yield z
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM draws WHERE id = :d"), {"d": d})
            conn.execute(text("DELETE FROM users WHERE name = ANY(:n)"), {"n": names})
            conn.execute(text("DELETE FROM officers WHERE id = ANY(:o)"), {"o": [x, y]})


def test_scores_canary_never_reaches_another_officer(
    committed: Committed, settings: Settings
) -> None:
    z = committed
    h = {k: {"Authorization": f"Bearer {t}"} for k, t in z.tokens.items()}
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        url = f"/api/v1/draws/{z.draw}/scores"
        body = {"scores": [{"officer_id": z.x, "score": 73.5, "comment": z.canary_x}]}
        assert c.post(url, json=body, headers=h["x"]).status_code == 403
        assert c.post(url, json=body, headers=h["planner"]).status_code == 403
        assert c.post(url, json=body).status_code == 401
        bad = {"scores": [{"officer_id": z.x, "score": 100.5}]}
        r = c.post(url, json=bad, headers=h["admin"])
        assert r.status_code == 422 and r.json()["field"] == "scores[0].score"
        r = c.post(url, json=body, headers=h["admin"])
        assert r.status_code == 200, r.text
        # Y is scored through the page's form, with the CSRF token, as a browser does.
        c.cookies.set(COOKIE_NAME, z.tokens["admin"])
        r = c.post(
            f"/reports/draws/{z.draw}/scores",
            data={
                "csrf_token": token_for(z.tokens["admin"]),
                "officer_id": str(z.y),
                "score": "81.5",
                "comment": z.canary_y,
            },
            headers={"Origin": "http://testserver"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        c.cookies.clear()
        year = z.month[:4]
        reads = {
            "draws": f"/api/v1/draws?year={year}",
            "draw_scores": url,
            "page": f"/reports/draws?lang=en&officer_id={z.x}",
            "page_all": "/reports/draws?lang=en",
            "officer_x": f"/api/v1/officers/{z.x}/draws",
        }

        def texts(who: str) -> dict[str, tuple[int, str]]:
            out = {}
            for k, u in reads.items():
                if k.startswith("page"):
                    c.cookies.set(COOKIE_NAME, z.tokens[who])
                    r = c.get(u)
                    c.cookies.clear()
                else:
                    r = c.get(u, headers=h[who])
                out[k] = (r.status_code, r.text)
            return out

        admin = texts("admin")
        assert all(z.canary_x in admin[k][1] for k in ("draws", "draw_scores", "page", "officer_x"))
        assert z.canary_y in admin["page_all"][1] and "73.5 / 100" in admin["page"][1]
        own = texts("x")
        assert z.canary_x in own["draws"][1] and z.canary_x in own["page"][1]
        assert z.canary_x in own["officer_x"][1]
        for who in ("y", "planner", "investment"):
            seen = texts(who)
            for k, (_status, body_text) in seen.items():
                assert z.canary_x not in body_text, (who, k)
                assert "73.5 / 100" not in body_text and '"score":73.5' not in body_text
            if who == "y":
                assert seen["officer_x"][0] == 403
                assert z.canary_y in seen["draws"][1]  # Y reads Y's own
            else:
                assert z.canary_y not in " ".join(t for _, t in seen.values()), who
        assert texts("x")["draws"][1].count(z.canary_y) == 0
        # XLSX: the evaluation workbook (scores inside) is the admin's only; Y's own monthly
        # report workbook has no score at all.
        for who in ("y", "planner"):
            r = c.get(f"/api/v1/programme/evaluation?year={year}&format=xlsx", headers=h[who])
            assert r.status_code == 403 and z.canary_x.encode() not in r.content
        book = c.get(f"/api/v1/reports/visits?format=xlsx&month={z.month}", headers=h["y"])
        assert book.status_code == 200
        cells = [
            str(v)
            for ws in load_workbook(io.BytesIO(book.content)).worksheets
            for row in ws.values
            for v in row
        ]
        assert not any(z.canary_x in v or z.canary_y in v for v in cells)
