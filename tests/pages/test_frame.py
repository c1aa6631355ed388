"""The shared page frame: one environment, a role-aware nav, the language cookie, the map bar."""

from __future__ import annotations

import re

import jinja2
import pytest
from fastapi.testclient import TestClient

from parkgis.access import ANONYMOUS, Principal
from parkgis.errors import InvalidQuery
from parkgis.pages import NAV, environment, make_frame, money, nav_for, pick_lang
from parkgis.pages.favicon import ico
from tests.support.roles import ROLES

HREF = re.compile(r'<a[^>]*href="([^"]+)"')


def principal(role: str) -> Principal:
    if role == "anonymous":
        return ANONYMOUS
    return Principal(user_id=1, name="x", role=role, officer_id=1 if role == "officer" else None)  # type: ignore[arg-type]


def test_one_strict_autoescaping_environment() -> None:
    env = environment()
    assert env is environment()
    assert env.autoescape is True
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nope }}").render()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


@pytest.mark.parametrize(
    ("query", "cookie", "want"),
    [
        ("en", "zh", "en"),
        (None, "en", "en"),
        (None, "xx", "zh"),
        (None, None, "zh"),
        ("", "en", "en"),
    ],
)
def test_language_comes_from_query_then_cookie(
    query: str | None, cookie: str | None, want: str
) -> None:
    assert pick_lang(query, cookie, "zh") == want


def test_a_bad_language_is_a_400_naming_lang() -> None:
    with pytest.raises(InvalidQuery) as err:
        pick_lang("fr", None)
    assert err.value.field == "lang"


def test_nav_hides_what_a_role_may_not_open() -> None:
    keys = {role: [i.key for i in nav_for(principal(role))] for role in ROLES}
    assert "coverage" not in keys["investment"] and "coverage" in keys["officer"]
    assert "projects" not in keys["anonymous"] and "projects" in keys["investment"]
    assert keys["admin"] == [i.key for i in NAV if "admin" in i.roles]
    assert all("home" in ks and "parcels" in ks for ks in keys.values())


def test_frame_links_keep_the_page_and_the_language() -> None:
    f = make_frame(
        ANONYMOUS, "en", path="/maps/parcels", query=[("status", "idle"), ("lang", "en")]
    ).titled("Zone map", download=True)
    assert f.lang_chosen and f.query == (("status", "idle"),)
    assert f.lang_href == "/maps/parcels?status=idle&lang=zh"
    assert f.download_href == "/maps/parcels?status=idle&download=1&lang=en"
    assert f.signin_href == "/login?lang=en&next=%2Fmaps%2Fparcels%3Fstatus%3Didle%26lang%3Den"
    active = [link.key for link in f.nav if link.active]
    assert active == ["parcels"]


def test_money_in_words_not_codes() -> None:
    assert money(282_000_000, "zh") == "2.82 亿元"
    assert money(282_000_000, "en") == "CNY 282.0 million"
    assert money(None, "en") == "—"


def test_favicon_is_a_real_icon(client: TestClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.content == ico() and r.content[:4] == b"\x00\x00\x01\x00"
    assert r.content[22:30] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/favicon.svg").headers["content-type"].startswith("image/svg+xml")
    assert client.get("/static/frame.js").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_home_links_only_what_the_role_may_open(
    client: TestClient, role_tokens: dict[str, str | None], role: str
) -> None:
    token = role_tokens[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = client.get("/?lang=en", headers=headers)
    assert r.status_code == 200
    links = [h.replace("&amp;", "&") for h in HREF.findall(r.text)]
    assert links, r.text
    for href in links:
        if href.startswith("/login") or href.endswith("download=1"):
            continue
        got = client.get(href, headers=headers)
        assert got.status_code == 200, (role, href, got.status_code, got.text[:200])
    if role == "anonymous":
        assert 'id="pg-signin"' in r.text and "/maps/coverage" not in r.text
    else:
        assert "Signed in as" in r.text and f"({role})" in r.text


def test_a_chosen_language_is_remembered(client: TestClient) -> None:
    r = client.get("/?lang=en")
    assert "parkgis_lang=en" in r.headers["set-cookie"]
    again = client.get("/")  # the client sends the cookie back
    assert again.text.startswith("<!DOCTYPE html>") and '<html lang="en">' in again.text
    m = client.get("/maps/parcels?basemap=none")
    assert '<html lang="en">' in m.text and "Zone map" in m.text
    client.get("/?lang=zh")
    assert '<html lang="zh-CN">' in client.get("/").text


def test_sign_in_carries_the_language(
    client: TestClient, role_tokens: dict[str, str | None]
) -> None:
    form = client.get("/login?lang=en&next=/maps/projects")
    assert 'name="lang" value="en"' in form.text and "Sign in" in form.text
    r = client.post(
        "/login", data={"token": role_tokens["planner"], "next": "/maps/projects", "lang": "en"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/maps/projects?lang=en"
    assert "parkgis_lang=en" in r.headers.get("set-cookie", "")


def test_maps_carry_the_frame_bar(client: TestClient, role_tokens: dict[str, str | None]) -> None:
    headers = {"Authorization": f"Bearer {role_tokens['investment']}"}
    html = client.get("/maps/parcels?basemap=none&lang=en&status=idle", headers=headers).text
    assert 'id="pg-bar"' in html and 'id="pg-home"' in html and 'id="pg-nav"' in html
    assert 'href="/maps/parcels?basemap=none&amp;status=idle&amp;download=1&amp;lang=en"' in html
    assert 'id="pg-lang" href="/maps/parcels?basemap=none&amp;status=idle&amp;lang=zh"' in html
    assert "/maps/coverage" not in html  # investment may not open it: no link
    assert "/maps/projects?lang=en" in html
    offline = client.get("/maps/parcels?basemap=none&lang=en&download=1", headers=headers).text
    assert 'id="pg-bar"' in offline and 'id="pg-nav"' not in offline
    assert 'id="pg-download"' not in offline
