"""Browser sign-in: a token in an HttpOnly cookie, honoured for reads only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from parkgis.auth import create_token
from parkgis.db import session_scope
from parkgis.settings import Settings

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def planner_token(engine: Engine) -> Iterator[str]:
    name = f"signin-{uuid.uuid4().hex[:8]}"
    with session_scope(engine) as s:
        token = create_token(s, role="planner", name=name)
    yield token
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def test_form_is_served_in_both_languages(client: TestClient) -> None:
    zh = client.get("/login?lang=zh")
    en = client.get("/login?lang=en&next=/maps/projects")
    assert zh.status_code == en.status_code == 200
    assert "登录" in zh.text and "Sign in" in en.text
    assert 'name="next" value="/maps/projects"' in en.text


def test_bad_token_is_refused_without_cookie(client: TestClient) -> None:
    r = client.post("/login", data={"token": "pgis_nope", "lang": "en"})
    assert r.status_code == 401 and "not valid" in r.text, r.text
    assert "parkgis_token" not in r.headers.get("set-cookie", "")


def test_good_token_sets_a_strict_httponly_cookie(client: TestClient, planner_token: str) -> None:
    r = client.post("/login", data={"token": planner_token, "next": "/maps/projects?lang=en"})
    assert r.status_code == 303 and r.headers["location"] == "/maps/projects?lang=en"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert planner_token not in client.get("/").text  # never echoed into a page


def test_cookie_reads_but_never_writes(client: TestClient, planner_token: str) -> None:
    client.post("/login", data={"token": planner_token})
    assert client.get("/api/v1/enterprises?limit=1").status_code == 200
    home = client.get("/?lang=en")
    assert "Signed in as" in home.text and "(planner)" in home.text
    ring = [[112.7, 23.33], [112.71, 23.33], [112.71, 23.34], [112.7, 23.34], [112.7, 23.33]]
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"code": f"G-{uuid.uuid4().hex[:6]}", "name": "x"},
    }
    r = client.post("/api/v1/grid_areas", json=feature)
    assert r.status_code == 403  # the cookie writes only with a CSRF token (api/csrf.py)
    client.post("/logout")
    assert client.get("/api/v1/enterprises?limit=1").status_code == 401


@pytest.mark.parametrize("evil", ["//evil.example/x", "https://evil.example/", "javascript:1"])
def test_next_cannot_leave_the_site(client: TestClient, planner_token: str, evil: str) -> None:
    r = client.post("/login", data={"token": planner_token, "next": evil})
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_browser_without_token_is_sent_to_sign_in(client: TestClient) -> None:
    r = client.get("/maps/projects?stage=signed", headers=HTML)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fmaps%2Fprojects%3Fstage%3Dsigned"
    api = client.get("/api/v1/enterprises", headers=HTML)
    assert api.status_code == 401  # API clients keep their 401
