"""The monthly visit report page: in the frame, readable on a phone, in zh or en."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.pages.test_ogc_pages import HAN, visible_text

URL = "/api/v1/reports/visits"


def test_visit_report_in_english(client: TestClient, role_tokens: dict[str, str | None]) -> None:
    h = {"Authorization": f"Bearer {role_tokens['planner']}"}
    r = client.get(URL, params={"format": "html", "lang": "en"}, headers=h)
    assert r.status_code == 200, r.text[:200]
    assert '<meta name="viewport"' in r.text and 'id="pg-bar"' in r.text
    assert 'id="pg-print"' in r.text and "@media print" in r.text
    text = visible_text(r.text)
    assert "Monthly visit report" in text and HAN.findall(text) == []
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)


def test_visit_report_in_chinese_and_remembered(
    client: TestClient, role_tokens: dict[str, str | None]
) -> None:
    h = {"Authorization": f"Bearer {role_tokens['planner']}"}
    zh = client.get(URL, params={"format": "html", "lang": "zh"}, headers=h)
    assert zh.status_code == 200 and "月度走访报告" in zh.text
    again = client.get(URL, params={"format": "html"}, headers=h)  # the cookie says zh
    assert '<html lang="zh-CN">' in again.text
    assert client.get(URL, params={"format": "html", "lang": "fr"}, headers=h).status_code == 400
