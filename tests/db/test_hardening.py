"""The HTTP surface under attack and outage: headers, framing, odd paths and bodies, login CSRF,
and a JSON 503 (never a 500) when the database is unreachable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.middleware import harden_headers
from parkgis.auth import create_token
from parkgis.db import session_scope
from parkgis.settings import DatabaseSettings, Settings

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


@pytest.fixture(scope="module")
def planner_token(engine: Engine) -> Iterator[str]:
    name = f"harden-{uuid.uuid4().hex[:8]}"
    with session_scope(engine) as s:
        token = create_token(s, role="planner", name=name)
    yield token
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})


@pytest.mark.parametrize(
    "path",
    ["/health", "/api/v1/parcels?limit=1", "/ogc/collections", "/openapi.json", "/nope", "/login"],
)
def test_every_response_has_nosniff_and_referrer_policy(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_an_unexpected_error_is_a_hardened_json_500(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/__boom")
    def boom() -> None:
        raise RuntimeError("canary-4d1f internal detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/__boom")
    assert r.status_code == 500
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.json()["code"] == "InternalServerError"
    assert "canary-4d1f" not in r.text


@pytest.mark.parametrize("path", ["/docs", "/ogc?f=html", "/ogc/collections?f=html", "/", "/login"])
def test_every_html_page_forbids_framing_by_other_sites(
    client: TestClient, planner_token: str, path: str
) -> None:
    r = client.get(path, headers={**HTML, "Authorization": f"Bearer {planner_token}"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    ancestors = [d.strip() for d in csp.split(";") if d.strip().startswith("frame-ancestors")]
    assert len(ancestors) == 1
    assert ancestors[0] in ("frame-ancestors 'self'", "frame-ancestors 'none'")


def test_a_page_csp_without_frame_ancestors_gets_self_appended() -> None:
    own = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-security-policy", b"default-src 'self'; img-src https:"),
    ]
    csp = dict(harden_headers(own))[b"content-security-policy"]
    assert csp == b"default-src 'self'; img-src https:; frame-ancestors 'self'"
    strict = [
        (b"content-type", b"text/html"),
        (b"content-security-policy", b"frame-ancestors 'none'"),
    ]
    assert dict(harden_headers(strict))[b"content-security-policy"] == b"frame-ancestors 'none'"
    js = dict(harden_headers([(b"content-type", b"application/json")]))
    assert b"content-security-policy" not in js and js[b"x-content-type-options"] == b"nosniff"


@pytest.mark.parametrize(
    "path", ["/assets/leaflet/dist/leaflet%00.css", "/api/v1/parcels/1%0a", "/ogc%7f", "/%01"]
)
def test_control_bytes_in_a_path_are_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["field"] == "path"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_deeply_nested_json_is_a_400_with_the_error_shape(client: TestClient) -> None:
    body = "[" * 990 + "]" * 990
    r = client.post("/api/v1/match", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {
        "code": "InvalidInput",
        "description": "body: not valid JSON (malformed, or nested too deeply)",
        "field": "body",
    }


def test_login_from_another_site_is_refused(client: TestClient, planner_token: str) -> None:
    form = {"token": planner_token, "next": "/"}
    foreign = client.post("/login", data=form, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert foreign.json()["field"] == "Origin"
    assert "set-cookie" not in foreign.headers
    null = client.post("/login", data=form, headers={"Origin": "null"})
    assert null.status_code == 403
    own = client.post("/login", data=form, headers={"Origin": "http://testserver"})
    assert own.status_code == 303
    assert "parkgis_token=" in own.headers["set-cookie"]


@pytest.fixture(scope="module")
def dead_db_client() -> Iterator[TestClient]:
    """The app on a database nobody listens for (port 1 of the loopback)."""
    db = DatabaseSettings(database_url="postgresql+psycopg://parkgis@127.0.0.1:1/nothing")
    with TestClient(create_app(Settings(db=db)), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/api/v1/parcels"),
        ("GET", "/ogc/collections/spaces/items?limit=2"),
        ("POST", "/api/v1/match"),
        ("GET", "/maps/parcels"),
    ],
)
def test_unreachable_database_is_a_json_503_with_retry_after(
    dead_db_client: TestClient, method: str, path: str
) -> None:
    body = {"kind": "space", "clear_height_m": 8} if method == "POST" else None
    auth = {"Authorization": "Bearer some-token"}  # checking it needs the database too
    r = dead_db_client.request(method, path, json=body, headers=auth)
    assert r.status_code == 503, r.text[:300]
    assert r.headers["retry-after"] == "5"
    assert r.json()["code"] == "DatabaseUnavailable"
    assert "database is unavailable" in r.json()["description"]


def test_health_is_503_when_the_database_is_down(
    dead_db_client: TestClient, client: TestClient
) -> None:
    down = dead_db_client.get("/health")
    assert down.status_code == 503
    assert down.headers["retry-after"] == "5"
    assert down.json()["status"] == "unavailable"
    assert down.json()["database"]["ok"] is False
    up = client.get("/health")
    assert up.status_code == 200
    assert up.json()["status"] == "ok"
