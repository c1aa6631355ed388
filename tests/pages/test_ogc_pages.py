"""The OGC HTML pages are in the frame and follow the language."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.support.rows import parcel

HAN = re.compile(r"[\u3400-\u9fff]")


def visible_text(html: str) -> str:
    """Text of the page without styles, scripts, tags and zh-marked proper names."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<span lang="zh-CN">.*?</span>', " ", html, flags=re.S)
    html = re.sub(r'<a id="pg-lang"[^>]*>.*?</a>', " ", html, flags=re.S)  # "中文" toggle
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "path",
    [
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/parcels",
        "/ogc/collections/parcels/items",
    ],
)
def test_english_ogc_pages_have_no_chinese(client: TestClient, path: str) -> None:
    r = client.get(
        path,
        params={"f": "html", "lang": "en", "limit": "20"}
        if "items" in path
        else {"f": "html", "lang": "en"},
    )
    assert r.status_code == 200 and 'id="pg-bar"' in r.text
    text = visible_text(r.text)
    assert HAN.findall(text) == [], path
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)


@pytest.fixture
def free_parcel(engine: Engine) -> Iterator[str]:
    """A committed available parcel (anonymous callers see it); its code."""
    with engine.begin() as conn:
        pid = parcel(conn, address="肇庆高新区迎宾大道84号")
        code = conn.execute(text("SELECT code FROM parcels WHERE id = :i"), {"i": pid}).scalar()
    yield str(code)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM parcels WHERE id = :i"), {"i": pid})


def test_chinese_ogc_items_use_names(client: TestClient, free_parcel: str) -> None:
    r = client.get(
        "/ogc/collections/parcels/items", params={"f": "html", "lang": "zh", "code": free_parcel}
    )
    assert r.status_code == 200
    assert "<th>状态</th>" in r.text and "<th>用地性质</th>" in r.text
    assert ">可供地<" in r.text  # anonymous callers see available parcels, by name
    en = client.get(
        "/ogc/collections/parcels/items", params={"f": "html", "lang": "en", "code": free_parcel}
    )
    assert "<th>Status</th>" in en.text and ">Available<" in en.text
    assert "84 Yingbin Avenue, Zhaoqing Hi-tech Zone" in en.text
    assert HAN.findall(visible_text(en.text)) == []
