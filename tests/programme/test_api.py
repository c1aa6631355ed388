"""``/api/v1/programme`` on the committed workbench zone: logging with a bearer token and
with the sign-in cookie (CSRF), replays, refusals that name the field and write nothing,
and who reads whose activities and checklist."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.csrf import CSRF_HEADER, token_for
from api.deps import COOKIE_NAME
from parkgis.settings import Settings
from parkgis.zonetime import zone_today
from tests.workbench.zone import TZ, WBZone

BASE = "http://testserver"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=BASE, follow_redirects=False) as c:
        yield c


def bearer(z: WBZone, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {z.tokens[who]}"}


def stored(engine: Engine, officer_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                text("SELECT count(*) FROM activities WHERE officer_id = :o"), {"o": officer_id}
            )
            or 0
        )


def test_officer_logs_and_replays_and_reads_only_their_own(
    client: TestClient, zone: WBZone, engine: Engine
) -> None:
    z = zone
    key = f"api-{uuid.uuid4().hex}"
    body = {
        "kind": "briefing",
        "enterprise_ids": z.firms_a[:3],
        "attendance": 24,
        "summary": "宣讲高新技术企业认定政策",
        "client_key": key,
    }
    r = client.post("/api/v1/programme/activities", json=body, headers=bearer(z, "a"))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["officer_id"] == z.officer_a and made["enterprise_ids"] == sorted(z.firms_a[:3])
    assert made["held_on"] == zone_today(TZ).isoformat() and made["duplicate"] is False
    again = client.post("/api/v1/programme/activities", json=body, headers=bearer(z, "a"))
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    assert again.json()["duplicate"] is True
    with engine.connect() as conn:
        assert (
            conn.scalar(text("SELECT count(*) FROM activities WHERE client_key = :k"), {"k": key})
            == 1
        )

    mine = client.get("/api/v1/programme/activities", headers=bearer(z, "a")).json()
    assert made["id"] in [i["id"] for i in mine["items"]]
    theirs = client.get("/api/v1/programme/activities", headers=bearer(z, "b")).json()
    assert made["id"] not in [i["id"] for i in theirs["items"]]
    assert all(i["officer_id"] == z.officer_b for i in theirs["items"])
    peek = client.get(
        f"/api/v1/programme/activities?officer_id={z.officer_a}", headers=bearer(z, "b")
    )
    assert peek.status_code == 403 and peek.json()["field"] == "officer_id"
    admin = client.get(
        f"/api/v1/programme/activities?officer_id={z.officer_a}&month={zone_today(TZ):%Y-%m}",
        headers=bearer(z, "admin"),
    )
    assert made["id"] in [i["id"] for i in admin.json()["items"]]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"enterprise_ids": "b"}, 403, "enterprise_ids"),
        ({"held_on": "2999-01-01"}, 422, "held_on"),
        ({"lat": 95.0, "lon": 112.7}, 422, "lat"),
        ({"lon": 112.7}, 422, "lon"),
        ({"attendance": -3}, 422, "attendance"),
        ({"summary": "x" * 501}, 422, "summary"),
        ({"member_names": ["张三"]}, 422, "member_names"),
        ({"kind": "party"}, 422, "kind"),
        ({"officer_id": "b"}, 403, "officer_id"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(
    client: TestClient,
    zone: WBZone,
    engine: Engine,
    change: dict[str, Any],
    status: int,
    field: str,
) -> None:
    z = zone
    body: dict[str, Any] = {"kind": "volunteer", "attendance": 9, "enterprise_ids": [z.firms_a[0]]}
    body.update(change)
    if body["enterprise_ids"] == "b":
        body["enterprise_ids"] = [z.firms_a[0], z.firms_b[0]]
    if body.get("officer_id") == "b":
        body["officer_id"] = z.officer_b
    before = stored(engine, z.officer_a), stored(engine, z.officer_b)
    r = client.post("/api/v1/programme/activities", json=body, headers=bearer(z, "a"))
    assert r.status_code == status, r.text
    assert r.json()["field"] == field
    assert (stored(engine, z.officer_a), stored(engine, z.officer_b)) == before


def test_cookie_writes_need_the_csrf_token(
    client: TestClient, zone: WBZone, engine: Engine
) -> None:
    z = zone
    body = {"kind": "ledger_review", "member_count": 14}
    client.cookies.set(COOKIE_NAME, z.tokens["a"])
    before = stored(engine, z.officer_a)
    for headers in ({"Origin": BASE}, {CSRF_HEADER: token_for(z.tokens["a"])}):
        r = client.post("/api/v1/programme/activities", json=body, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "Forbidden"
    assert stored(engine, z.officer_a) == before
    ok = client.post(
        "/api/v1/programme/activities",
        json=body,
        headers={"Origin": BASE, CSRF_HEADER: token_for(z.tokens["a"])},
    )
    assert ok.status_code == 201 and ok.json()["member_count"] == 14
    assert ok.json()["summary"] is None
    assert stored(engine, z.officer_a) == before + 1


def test_checklist_roles(client: TestClient, zone: WBZone) -> None:
    z = zone
    own = client.get("/api/v1/programme/checklist", headers=bearer(z, "a"))
    assert own.status_code == 200
    got = own.json()
    assert got["month"] == f"{zone_today(TZ):%Y-%m}" and got["requests_resolved_min"] == 1
    assert [o["officer_id"] for o in got["officers"]] == [z.officer_a]
    items = got["officers"][0]["items"]
    assert [i["key"] for i in items] == [
        "contact_firms", "ledger", "briefing", "volunteer", "requests",
    ]  # fmt: skip
    assert items[0]["required"] == 4 and items[0]["count"] >= 1  # one firm visited already
    other = client.get(
        f"/api/v1/programme/checklist?officer_id={z.officer_b}", headers=bearer(z, "a")
    )
    assert other.status_code == 403
    admin = client.get("/api/v1/programme/checklist", headers=bearer(z, "admin")).json()
    ids = {o["officer_id"] for o in admin["officers"]}
    assert {z.officer_a, z.officer_b} <= ids
    planner = client.get(
        f"/api/v1/programme/checklist?officer_id={z.officer_b}&month=2026-01",
        headers=bearer(z, "planner"),
    )
    assert planner.status_code == 200 and planner.json()["officers"][0]["month"] == "2026-01"
    inv = client.get("/api/v1/programme/checklist", headers=bearer(z, "investment"))
    assert inv.status_code == 403
    assert client.get("/api/v1/programme/checklist").status_code == 401
    bad = client.get("/api/v1/programme/checklist?month=2026-13", headers=bearer(z, "admin"))
    assert bad.status_code == 400 and bad.json()["field"] == "month"
    unknown = client.get("/api/v1/programme/checklist?year=2026", headers=bearer(z, "admin"))
    assert unknown.status_code == 400 and unknown.json()["field"] == "year"


def test_form_posts_without_a_script(client: TestClient, zone: WBZone, engine: Engine) -> None:
    z = zone
    client.cookies.set(COOKIE_NAME, z.tokens["a"])
    form = {
        "csrf_token": token_for(z.tokens["a"]),
        "kind": "volunteer",
        "attendance": "-1",
        "enterprise_ids": [str(z.firms_a[0]), str(z.firms_a[1])],
    }
    before = stored(engine, z.officer_a)
    bad = client.post("/me/activities", data=form, headers={"Origin": BASE})
    assert bad.status_code == 422 and 'id="notice"' in bad.text and "attendance" in bad.text
    assert stored(engine, z.officer_a) == before
    form["attendance"] = "12"
    ok = client.post("/me/activities", data=form, headers={"Origin": BASE})
    assert ok.status_code == 303 and ok.headers["location"] == "/me?done=activity"
    assert stored(engine, z.officer_a) == before + 1
    with engine.connect() as conn:
        firms = conn.scalars(
            text(
                "SELECT enterprise_id FROM activity_firms WHERE activity_id = "
                "(SELECT max(id) FROM activities WHERE officer_id = :o) ORDER BY 1"
            ),
            {"o": z.officer_a},
        ).all()
    assert firms == sorted(z.firms_a[:2])
    page = client.get("/me?done=activity&lang=en")
    assert "Activity logged." in page.text and 'id="checklist"' in page.text


def test_an_officers_activity_text_stays_with_them(client: TestClient, zone: WBZone) -> None:
    import io

    from openpyxl import load_workbook

    z = zone
    canary = f"CANARY-{uuid.uuid4().hex}"
    made = client.post(
        "/api/v1/programme/activities",
        json={"kind": "briefing", "attendance": 5, "summary": canary},
        headers=bearer(z, "a"),
    )
    assert made.status_code == 201
    seen = client.get(
        f"/api/v1/programme/activities?officer_id={z.officer_a}", headers=bearer(z, "planner")
    )
    assert canary in seen.text  # the canary is there to be found by those who may
    b = bearer(z, "b")
    texts = [
        client.get("/api/v1/programme/activities", headers=b).text,
        client.get("/api/v1/programme/checklist", headers=b).text,
        client.get("/api/v1/reports/visits", headers=b).text,
        client.get("/api/v1/reports/visits?format=html", headers=b).text,
    ]
    xlsx = load_workbook(
        io.BytesIO(client.get("/api/v1/reports/visits?format=xlsx", headers=b).content)
    )
    texts += [str(c.value) for ws in xlsx for row in ws.iter_rows() for c in row]
    client.cookies.set(COOKIE_NAME, z.tokens["b"])
    texts.append(client.get("/me").text)
    assert not [t for t in texts if canary in t]
