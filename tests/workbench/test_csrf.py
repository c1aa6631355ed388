"""CSRF for browser writes: the sign-in cookie writes only from our own pages, with the token.

Every refused case is a 403 and leaves the database as it was; the accepted cases write
through the same endpoint (and library function) as an API client with a bearer token.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import Form
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.csrf import CSRF_HEADER, csrf_token, token_for
from api.deps import COOKIE_NAME, PrincipalDep
from parkgis.auth import create_token
from parkgis.db import session_scope
from parkgis.settings import Settings

BASE = "http://testserver"
RING = [[112.7, 23.33], [112.71, 23.33], [112.71, 23.34], [112.7, 23.34], [112.7, 23.33]]


@pytest.fixture(scope="module")
def tokens(engine: Engine) -> Iterator[tuple[str, str]]:
    """Two planners' tokens (two browser sessions)."""
    names = [f"csrf-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with session_scope(engine) as s:
        toks = [create_token(s, role="planner", name=n) for n in names]
    yield toks[0], toks[1]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE name = ANY(:n)"), {"n": names})


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)

    @app.post("/_csrf_probe")
    def probe(principal: PrincipalDep, note: Annotated[str, Form()]) -> dict[str, Any]:
        return {"user": principal.name, "note": note}

    with TestClient(app, base_url=BASE, follow_redirects=False) as c:
        yield c


def _feature(code: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [RING]},
        "properties": {"code": code, "name": "csrf probe"},
    }


def _count(engine: Engine, code: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(text("SELECT count(*) FROM grid_areas WHERE code = :c"), {"c": code})
        )


@pytest.fixture
def code(engine: Engine) -> Iterator[str]:
    c = f"CSRF-{uuid.uuid4().hex[:8]}"
    yield c
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM grid_areas WHERE code = :c"), {"c": c})


def test_token_is_bound_to_the_session(tokens: tuple[str, str]) -> None:
    a, b = tokens
    assert token_for(a) == token_for(a) and len(token_for(a)) == 64
    assert token_for(a) != token_for(b)
    assert a not in token_for(a)


def test_same_site_write_with_the_token_goes_through(
    client: TestClient, engine: Engine, tokens: tuple[str, str], code: str
) -> None:
    client.cookies.set(COOKIE_NAME, tokens[0])
    r = client.post(
        "/api/v1/grid_areas",
        json=_feature(code),
        headers={"Origin": BASE, CSRF_HEADER: token_for(tokens[0])},
    )
    assert r.status_code == 201, r.text
    assert _count(engine, code) == 1


@pytest.mark.parametrize(
    "case",
    [
        "cross-site origin",
        "cross-site referer",
        "no origin or referer",
        "sec-fetch cross-site",
        "null origin",
        "no token",
        "other session's token",
        "garbage token",
    ],
)
def test_refused_writes_are_403_and_change_nothing(
    client: TestClient, engine: Engine, tokens: tuple[str, str], code: str, case: str
) -> None:
    mine, theirs = tokens
    good = token_for(mine)
    headers = {
        "cross-site origin": {"Origin": "https://evil.example", CSRF_HEADER: good},
        "cross-site referer": {"Referer": "https://evil.example/page", CSRF_HEADER: good},
        "no origin or referer": {CSRF_HEADER: good},
        "sec-fetch cross-site": {"Origin": BASE, "Sec-Fetch-Site": "cross-site", CSRF_HEADER: good},
        "null origin": {"Origin": "null", CSRF_HEADER: good},
        "no token": {"Origin": BASE},
        "other session's token": {"Origin": BASE, CSRF_HEADER: token_for(theirs)},
        "garbage token": {"Origin": BASE, CSRF_HEADER: "x" * 64},
    }[case]
    client.cookies.set(COOKIE_NAME, mine)
    r = client.post("/api/v1/grid_areas", json=_feature(code), headers=headers)
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "Forbidden"
    assert _count(engine, code) == 0


def test_same_site_referer_is_enough_without_origin(
    client: TestClient, engine: Engine, tokens: tuple[str, str], code: str
) -> None:
    client.cookies.set(COOKIE_NAME, tokens[0])
    headers = {"Referer": f"{BASE}/me", CSRF_HEADER: token_for(tokens[0])}
    r = client.post("/api/v1/grid_areas", json=_feature(code), headers=headers)
    assert r.status_code == 201 and _count(engine, code) == 1


def test_form_field_token_is_read_and_form_stays_readable(
    client: TestClient, tokens: tuple[str, str]
) -> None:
    client.cookies.set(COOKIE_NAME, tokens[0])
    ok = client.post(
        "/_csrf_probe",
        data={"note": "hi", "csrf_token": token_for(tokens[0])},
        headers={"Origin": BASE},
    )
    assert ok.status_code == 200 and ok.json()["note"] == "hi"
    assert ok.json()["user"].startswith("csrf-")
    bad = client.post(
        "/_csrf_probe",
        data={"note": "hi", "csrf_token": token_for(tokens[1])},
        headers={"Origin": BASE},
    )
    assert bad.status_code == 403 and bad.json()["field"] == "csrf_token"


def test_bearer_clients_need_no_csrf_token(
    client: TestClient, engine: Engine, tokens: tuple[str, str], code: str
) -> None:
    client.cookies.set(COOKIE_NAME, tokens[1])  # a stray cookie does not get in the way
    r = client.post(
        "/api/v1/grid_areas",
        json=_feature(code),
        headers={"Authorization": f"Bearer {tokens[0]}", "Origin": "https://evil.example"},
    )
    assert r.status_code == 201 and _count(engine, code) == 1


def test_csrf_token_helper_reads_the_cookie(settings: Settings, tokens: tuple[str, str]) -> None:
    from starlette.requests import Request

    cookie = f"{COOKIE_NAME}={tokens[0]}".encode()
    req = Request({"type": "http", "method": "GET", "headers": [(b"cookie", cookie)]})
    assert csrf_token(req) == token_for(tokens[0])
    assert csrf_token(Request({"type": "http", "method": "GET", "headers": []})) == ""


def test_behind_a_tls_proxy_the_forwarded_origin_is_our_own(
    settings: Settings, tokens: tuple[str, str]
) -> None:
    """On a real uvicorn server (forwarded headers trusted from 127.0.0.1, as ``parkgis
    serve`` runs it), a browser write through an nginx that terminates TLS and passes
    ``Host`` and ``X-Forwarded-Proto`` on is same-site; without the scheme header it is not."""
    import threading
    import time

    import httpx
    import uvicorn

    from tests.browser_utils import free_port

    app = create_app(settings)

    @app.post("/_csrf_probe")
    def probe(principal: PrincipalDep) -> dict[str, Any]:
        return {"user": principal.name}

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        public = "https://parkgis.zone.example"
        headers = {
            "Host": "parkgis.zone.example",
            "Origin": public,
            "Cookie": f"{COOKIE_NAME}={tokens[0]}",
            CSRF_HEADER: token_for(tokens[0]),
        }
        url = f"http://127.0.0.1:{port}/_csrf_probe"
        proxied = httpx.post(url, headers={**headers, "X-Forwarded-Proto": "https"})
        assert proxied.status_code == 200, proxied.text
        bare = httpx.post(url, headers=headers)  # the app would think it is plain http
        assert bare.status_code == 403
    finally:
        server.should_exit = True
        thread.join(timeout=15)
