"""The workbench and leadership pages through the app, signed in with the browser cookie.

Writes post forms with the CSRF token, as a browser does; what they change is read back
from the database. An officer never sees or moves another officer's firms, requests or
projects through any page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.csrf import token_for
from api.deps import COOKIE_NAME
from parkgis.settings import Settings
from parkgis.zonetime import zone_today
from tests.workbench.zone import TZ, WBZone

BASE = "http://testserver"


class Browser:
    """A TestClient signed in with the cookie, posting forms with the CSRF token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def get(self, url: str, **kw: Any) -> Any:
        self.client.cookies.set(COOKIE_NAME, self.token)
        self.client.cookies.set("parkgis_lang", "en")
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        self.client.cookies.set(COOKIE_NAME, self.token)
        self.client.cookies.set("parkgis_lang", "en")
        form = {"csrf_token": token_for(self.token), **(data or {})}
        headers = {"Origin": BASE, **kw.pop("headers", {})}
        return self.client.post(url, data=form, headers=headers, **kw)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=BASE, follow_redirects=False) as c:
        yield c


def as_(client: TestClient, z: WBZone, who: str) -> Browser:
    return Browser(client, z.tokens[who])


def scalar(engine: Engine, sql: str, **p: Any) -> Any:
    with engine.connect() as conn:
        return conn.scalar(text(sql), p)


def test_me_lists_my_firms_unvisited_first_with_contacts(
    client: TestClient, wb_zone: WBZone
) -> None:
    z = wb_zone
    r = as_(client, z, "a").get("/me?lang=en")
    assert r.status_code == 200, r.text
    html = r.text
    names = [f"甲企业{i}-{z.tag}" for i in range(4)]
    assert all(n in html for n in names)
    order = re.findall(r'class="card firm (visited|unvisited)" data-firm-id="(\d+)"', html)
    assert sorted(int(i) for _, i in order) == sorted(z.firms_a)
    kinds = [k for k, _ in order]
    assert kinds == sorted(kinds, key=lambda k: k == "visited")  # unvisited first
    assert ("visited", str(z.firms_a[3])) in order
    assert f"联系人0-{z.tag}" in html and "13800000000" in html  # own firms' contacts
    assert "not visited this month" in html and "checked in" in html
    assert f"/find?enterprise_id={z.firms_a[0]}" in html
    assert f"/maps/coverage?officer_id={z.officer_a}&amp;route=1" in html
    assert f"甲项目{z.tag}" in html and "10 days late" in html
    for firm in z.firms_b:  # nothing of officer B's
        assert f'data-firm-id="{firm}"' not in html
    assert f"乙企业0-{z.tag}" not in html and f"联系人10-{z.tag}" not in html
    assert f"乙的诉求{z.tag}" not in html and f"乙项目{z.tag}" not in html
    assert (
        "Content-Security-Policy" in r.headers
        and "form-action 'self'" in r.headers["Content-Security-Policy"]
    )


def test_investment_and_anonymous_cannot_open_me(client: TestClient, wb_zone: WBZone) -> None:
    assert client.get("/me", headers={"Accept": "text/html"}).status_code == 303  # to sign in
    assert client.get("/me").status_code == 401


def test_officer_cannot_act_on_another_officers_firms(
    client: TestClient, engine: Engine, wb_zone: WBZone
) -> None:
    z = wb_zone
    a = as_(client, z, "a")
    firm_b = z.firms_b[1]
    r = a.post("/me/visits", {"enterprise_id": firm_b, "kind": "visit", "summary": "x"})
    assert r.status_code == 403 and "You may not do this" in r.text
    r = a.post("/me/visits", {"enterprise_id": firm_b}, headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.json()["field"] == "enterprise_id"
    assert scalar(engine, "SELECT count(*) FROM visits WHERE enterprise_id = :f", f=firm_b) == 0
    r = a.post("/me/requests", {"enterprise_id": firm_b, "category": "land", "title": "x"})
    assert r.status_code == 403
    assert (
        scalar(engine, "SELECT count(*) FROM service_requests WHERE enterprise_id = :f", f=firm_b)
        == 0
    )
    r = a.post(f"/me/requests/{z.request_b}/move", {"to": "in_progress", "department": "人社局"})
    assert r.status_code == 403
    assert (
        scalar(engine, "SELECT status FROM service_requests WHERE id = :i", i=z.request_b) == "open"
    )
    r = a.post(f"/projects/{z.project_b}/stage", {"to": "signed"})
    assert r.status_code == 403 and f"/projects/{z.project_b}/timeline" in r.text
    assert (
        scalar(engine, "SELECT stage FROM projects WHERE id = :i", i=z.project_b) == "negotiating"
    )
    r = a.post(f"/projects/{z.project_b}/replan", {"stage": "signed", "planned": "2030-01-01"})
    assert r.status_code == 403
    r = a.get(f"/projects/{z.project_b}/timeline?lang=en")
    assert "/stage" not in r.text  # no buttons on a project that is not mine


def test_log_and_resolve_a_request(client: TestClient, engine: Engine, wb_zone: WBZone) -> None:
    z = wb_zone
    a = as_(client, z, "a")
    title = f"用工缺口{z.tag}"
    firm = z.firms_a[1]
    r = a.post(
        "/me/requests",
        {"enterprise_id": firm, "category": "labour", "title": title, "department": ""},
    )
    assert r.status_code == 303 and r.headers["location"] == "/me?done=request"
    rid, version = (
        engine.connect()
        .execute(text("SELECT id, version FROM service_requests WHERE title = :t"), {"t": title})
        .one()
    )
    page = a.get("/me?done=request&lang=en").text
    assert "Request logged." in page and title in page and "working days left" in page
    r = a.post(f"/me/requests/{rid}/move", {"to": "in_progress", "version": version})
    assert r.status_code == 422 and "department" in r.text  # names what is missing
    r = a.post(
        f"/me/requests/{rid}/move",
        {"to": "in_progress", "department": "人社局", "version": version},
    )
    assert r.status_code == 303
    stale = a.post(f"/me/requests/{rid}/move", {"to": "resolved", "version": version})
    assert stale.status_code == 412
    assert "Someone changed this record after you opened the page" in stale.text
    r = a.post(f"/me/requests/{rid}/move", {"to": "resolved", "version": version + 1})
    assert r.status_code == 303
    status, dept, resolved = (
        engine.connect()
        .execute(
            text("SELECT status, department, resolved_on FROM service_requests WHERE id = :i"),
            {"i": rid},
        )
        .one()
    )
    assert (status, dept) == ("resolved", "人社局") and resolved is not None
    bad = a.post(f"/me/requests/{rid}/move", {"to": "open"})
    assert bad.status_code == 422 or bad.status_code == 409
    events = scalar(
        engine, "SELECT count(*) FROM service_request_events WHERE request_id = :i", i=rid
    )
    assert events == 2


def test_project_advance_and_refusals_in_plain_words(
    client: TestClient, engine: Engine, wb_zone: WBZone
) -> None:
    z = wb_zone
    a = as_(client, z, "a")
    pid = z.project_a
    page = a.get(f"/projects/{pid}/timeline?lang=en").text
    assert f'action="/projects/{pid}/stage"' in page and 'name="csrf_token"' in page
    version = scalar(engine, "SELECT version FROM projects WHERE id = :i", i=pid)
    conflict = a.post(f"/projects/{pid}/stage", {"to": "completed", "version": version})
    assert conflict.status_code == 409
    assert "That cannot be done now" in conflict.text and "Possible next steps" in conflict.text
    stale = a.post(f"/projects/{pid}/stage", {"to": "signed", "version": version - 1 or 99})
    assert stale.status_code == 412 and "Someone changed this record" in stale.text
    ok = a.post(f"/projects/{pid}/stage", {"to": "signed", "version": version})
    assert ok.status_code == 303 and ok.headers["location"].startswith(f"/projects/{pid}/timeline")
    assert scalar(engine, "SELECT stage FROM projects WHERE id = :i", i=pid) == "signed"
    new_day = (zone_today(TZ) + timedelta(days=60)).isoformat()  # between its neighbours
    late = a.post(f"/projects/{pid}/replan", {"stage": "land_granted", "planned": "2031-05-01"})
    assert late.status_code == 422 and "order" in late.text  # after construction_started
    again = a.post(f"/projects/{pid}/replan", {"stage": "land_granted", "planned": new_day})
    assert again.status_code == 303
    planned = scalar(
        engine, "SELECT milestones->'land_granted'->>'planned' FROM projects WHERE id = :i", i=pid
    )
    assert planned == new_day


def test_leadership_pages_for_leaders_only(client: TestClient, wb_zone: WBZone) -> None:
    z = wb_zone
    a, planner = as_(client, z, "a"), as_(client, z, "planner")
    for path in ("/reports", "/reports/milestones", "/reports/idle-land"):
        assert a.get(path).status_code == 403
        r = planner.get(path + "?lang=en")
        assert r.status_code == 200, (path, r.text)
    report = planner.get("/reports?month=2026-11&lang=en").text
    assert "2026-11" in report and f"甲官员{z.tag}" in report
    xlsx = planner.get("/api/v1/reports/visits?month=2026-11&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    overdue = planner.get("/reports/milestones?lang=en").text
    assert f"甲项目{z.tag}" in overdue or f"乙项目{z.tag}" in overdue
    assert planner.get("/reports?month=2026-13").status_code in (400, 422)


def test_draw_page_and_admin_button(client: TestClient, engine: Engine, wb_zone: WBZone) -> None:
    z = wb_zone
    admin, planner, a = as_(client, z, "admin"), as_(client, z, "planner"), as_(client, z, "a")
    page = planner.get("/reports/draws?lang=en")
    assert page.status_code == 200 and 'id="draw-form"' not in page.text  # no button
    assert planner.post("/reports/draws", {"count": "1"}).status_code == 403
    assert a.post("/reports/draws", {"count": "1"}).status_code == 403
    page = admin.get("/reports/draws?lang=en").text
    month = scalar(engine, "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")
    already = scalar(engine, "SELECT count(*) FROM draws WHERE month = :m", m=month)
    if already:
        assert 'id="drawn-note"' in page
        return
    assert 'id="draw-form"' in page
    r = admin.post("/reports/draws", {"count": "2", "seed": f"seed-{z.tag}"})
    assert r.status_code == 303
    ids = scalar(engine, "SELECT officer_ids FROM draws WHERE month = :m", m=month)
    names = [scalar(engine, "SELECT name FROM officers WHERE id = :i", i=i) for i in ids]
    page = admin.get("/reports/draws?lang=en&done=drawn").text
    assert "draw is done." in page
    assert all(n in page for n in names)
    twice = admin.post("/reports/draws", {"count": "2"})
    assert twice.status_code == 409 and "never repeated" in twice.text


def test_holds_release_extend_lease_and_cross_site_refusal(
    client: TestClient, engine: Engine, wb_zone: WBZone
) -> None:
    z = wb_zone
    a = as_(client, z, "a")
    r = client.post(
        "/api/v1/reservations",
        json={"space_id": z.space, "holder": f"甲企业0-{z.tag}", "days": 3},
        headers={"Authorization": f"Bearer {z.tokens['a']}"},
    )
    assert r.status_code == 201, r.text
    hid = r.json()["id"]
    page = a.get("/me?lang=en").text
    assert f'data-hold-id="{hid}"' in page and "held until" in page
    before = scalar(engine, "SELECT expires_at FROM reservations WHERE id = :i", i=hid)
    # A forged cross-site form: 403 and nothing changes.
    client.cookies.set(COOKIE_NAME, z.tokens["a"])
    forged = client.post(
        f"/me/holds/{hid}/extend",
        data={"days": "5", "csrf_token": token_for(z.tokens["a"])},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    assert scalar(engine, "SELECT expires_at FROM reservations WHERE id = :i", i=hid) == before
    b = as_(client, z, "b")
    assert b.post(f"/me/holds/{hid}/release").status_code == 403  # not B's hold
    r = a.post(f"/me/holds/{hid}/extend", {"days": "5"})
    assert r.status_code == 303, r.text
    after = scalar(engine, "SELECT expires_at FROM reservations WHERE id = :i", i=hid)
    assert (after - before).days == 5
    too_far = a.post(f"/me/holds/{hid}/extend", {"days": "90"})
    assert too_far.status_code == 422
    assert a.post(f"/me/holds/{hid}/lease", {"enterprise_id": z.firms_a[0]}).status_code == 303
    status, occupant = (
        engine.connect()
        .execute(
            text("SELECT status, occupant_enterprise_id FROM spaces WHERE id = :s"), {"s": z.space}
        )
        .one()
    )
    assert (status, occupant) == ("occupied", z.firms_a[0])
    with engine.begin() as conn:  # free the unit again for other tests
        conn.execute(
            text(
                "UPDATE spaces SET status = 'vacant', occupant_enterprise_id = NULL WHERE id = :s"
            ),
            {"s": z.space},
        )


def test_api_refuses_a_future_or_old_visit(
    client: TestClient, engine: Engine, wb_zone: WBZone
) -> None:
    z = wb_zone
    bearer = {"Authorization": f"Bearer {z.tokens['a']}"}
    firm = z.firms_a[2]
    for when, why in (("2027-06-01T10:00:00+08:00", "future"), ("2020-01-01", "too long ago")):
        body = {"enterprise_id": firm, "visited_at": when if "T" in when else when + "T10:00Z"}
        r = client.post("/api/v1/visits", json=body, headers=bearer)
        assert r.status_code == 422 and r.json()["field"] == "visited_at", r.text
        assert why in r.json()["description"]
    assert scalar(engine, "SELECT count(*) FROM visits WHERE enterprise_id = :f", f=firm) == 0
