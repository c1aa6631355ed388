"""Investment calls through the app: the API's visit endpoint, the ``/me`` form (CSRF, the
offline queue's idempotency key) and the printable monthly report, on the committed zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from api.csrf import token_for
from api.deps import COOKIE_NAME
from parkgis.auth import create_token
from parkgis.settings import Settings
from tests.workbench.zone import WBZone

BASE = "http://testserver"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=BASE, follow_redirects=False) as c:
        yield c


@pytest.fixture
def calls_cleared(engine: Engine, wb_zone: WBZone) -> Iterator[WBZone]:
    """The zone, with the investment calls this test made removed afterwards."""
    yield wb_zone
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM visits WHERE kind = 'investment_call' AND officer_id = ANY(:o)"),
            {"o": [wb_zone.officer_a, wb_zone.officer_b]},
        )


def _form(client: TestClient, token: str, data: dict[str, Any], **headers: str) -> Any:
    client.cookies.set(COOKIE_NAME, token)
    client.cookies.set("parkgis_lang", "en")
    form = {"csrf_token": token_for(token), **data}
    return client.post("/me/visits", data=form, headers={"Origin": BASE, **headers})


def _calls(engine: Engine, officer_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT id, enterprise_id, prospect_name, prospect_city FROM visits "
                    "WHERE kind = 'investment_call' AND officer_id = :o ORDER BY id"
                ),
                {"o": officer_id},
            )
        )


def test_api_and_me_form_log_calls_and_the_report_shows_them_apart(
    client: TestClient, engine: Engine, calls_cleared: WBZone
) -> None:
    z = calls_cleared
    bearer = {"Authorization": f"Bearer {z.tokens['a']}"}
    cov_before = client.get(f"/api/v1/coverage?officer_id={z.officer_a}", headers=bearer).json()
    r = client.post(
        "/api/v1/visits",
        json={
            "kind": "investment_call",
            "visited_at": datetime.now(UTC).isoformat(),
            "prospect_name": f"<b>佛山客商{z.tag}</b>",
            "prospect_city": "佛山",
        },
        headers=bearer,
    )
    assert r.status_code == 201, r.text
    assert r.json()["enterprise_id"] is None and r.json()["officer_id"] == z.officer_a
    # A call with a firm is refused by the API with the field named, and writes nothing.
    r = client.post(
        "/api/v1/visits",
        json={
            "kind": "investment_call",
            "enterprise_id": z.firms_a[0],
            "visited_at": datetime.now(UTC).isoformat(),
            "prospect_name": "x",
        },
        headers=bearer,
    )
    assert r.status_code == 422 and r.json()["field"] == "enterprise_id"
    # The /me form: queued offline and sent twice with one key is stored once.
    data = {
        "kind": "investment_call",
        "prospect_name": f"肇庆客商{z.tag}",
        "prospect_city": "肇庆",
        "client_key": f"call-{z.tag}-01",
    }
    first = _form(client, z.tokens["a"], data, Accept="application/json")
    again = _form(client, z.tokens["a"], data, Accept="application/json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["kind"] == "investment_call" and again.json()["duplicate"] is True
    assert first.json()["id"] == again.json()["id"]
    # A person's form post lands back on /me with the call's own message.
    person = _form(client, z.tokens["a"], data | {"client_key": f"call-{z.tag}-02"})
    assert person.status_code == 303 and "done=call" in person.headers["location"]
    # Without the CSRF token the form writes nothing.
    client.cookies.set(COOKIE_NAME, z.tokens["a"])
    bad = client.post(
        "/me/visits", data=data | {"client_key": f"call-{z.tag}-03"}, headers={"Origin": BASE}
    )
    assert bad.status_code == 403
    calls = _calls(engine, z.officer_a)
    assert [c.prospect_name for c in calls] == [
        f"<b>佛山客商{z.tag}</b>",
        f"肇庆客商{z.tag}",
        f"肇庆客商{z.tag}",
    ]
    assert all(c.enterprise_id is None for c in calls)
    # The visits collection lists them, and filters them by kind.
    listed = client.get(
        f"/api/v1/visits?kind=investment_call&officer_id={z.officer_a}", headers=bearer
    )
    assert listed.status_code == 200, listed.text
    items = listed.json().get("items") or listed.json().get("features")
    names = sorted(i.get("prospect_name") or i["properties"]["prospect_name"] for i in items)
    assert names == sorted(c.prospect_name for c in calls)
    # Coverage through the API is unchanged: calls are not firm contacts.
    cov_after = client.get(f"/api/v1/coverage?officer_id={z.officer_a}", headers=bearer).json()
    keys = ("visits_this_month", "receptions_this_month", "not_visited_this_month")
    props = [cov_before["features"][0]["properties"], cov_after["features"][0]["properties"]]
    assert [{k: p[k] for k in keys} for p in props][0] == {k: props[1][k] for k in keys}
    # The printable report lists them in their own section, escaped.
    page = client.get(
        f"/api/v1/reports/visits?format=html&officer_id={z.officer_a}&lang=en",
        headers={"Authorization": f"Bearer {z.tokens['admin']}"},
    )
    assert page.status_code == 200
    section = page.text.split('id="investment-calls"', 1)[1]
    assert f"&lt;b&gt;佛山客商{z.tag}&lt;/b&gt;" in section and "<b>佛山客商" not in page.text
    report = client.get(
        f"/api/v1/reports/visits?officer_id={z.officer_a}",
        headers={"Authorization": f"Bearer {z.tokens['admin']}"},
    ).json()
    assert report["zone"]["investment_calls"] == 3
    assert report["officers"][0]["visits"] == props[1]["visits_this_month"]
    # Who is courting whom stays inside: the prospect's name (a canary) reaches neither an
    # anonymous caller nor investment staff, through the visits or the report.
    name = f"inv-calls-{z.tag}"
    with engine.begin() as conn:
        investment = create_token(Session(bind=conn), role="investment", name=name)
    try:
        for headers, refused in (({}, 401), ({"Authorization": f"Bearer {investment}"}, 403)):
            client.cookies.clear()
            for path in (
                "/api/v1/visits?kind=investment_call",
                "/api/v1/reports/visits",
                "/api/v1/reports/visits?format=html",
            ):
                r = client.get(path, headers=headers)
                assert r.status_code == refused, (path, r.status_code)
                assert f"客商{z.tag}" not in r.text
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})


def test_me_offers_the_call_form_and_keeps_calls_out_of_the_firm_forms(
    client: TestClient, wb_zone: WBZone
) -> None:
    client.cookies.set(COOKIE_NAME, wb_zone.tokens["a"])
    client.cookies.set("parkgis_lang", "en")
    page = client.get("/me")
    assert page.status_code == 200
    assert 'name="prospect_name"' in page.text and 'value="investment_call"' in page.text
    firm_forms = page.text.split('id="investment-call"', 1)[0]
    assert "investment_call" not in firm_forms  # a firm's kind list: visit and reception only
