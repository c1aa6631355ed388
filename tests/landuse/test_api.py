"""The land-use routes: JSON, XLSX, PDF and the map, by role, with a privacy canary.

TestClient requests commit, so the zone is committed (in its own spot) and removed after.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from api.app import create_app
from parkgis.settings import Settings
from tests.landuse.zone import CANARY_OUTPUT, CANARY_TAX, LuZone, committed_zone
from tests.support.pdf import pdf_text

CANARIES = (
    f"{CANARY_TAX:.0f}",
    f"{CANARY_TAX:,.0f}",
    f"{CANARY_OUTPUT:.0f}",
    f"{CANARY_OUTPUT:,.0f}",
)


@pytest.fixture(scope="module")
def app_zone(engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, LuZone, dict]]:
    with committed_zone(engine) as (zone, tokens), TestClient(create_app(settings)) as client:
        headers = {r: {"Authorization": f"Bearer {t}"} for r, t in tokens.items()}
        headers["anonymous"] = {}
        yield client, zone, headers


def _text_of_xlsx(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
    )


def _no_canary(text: str) -> None:
    for c in CANARIES:
        assert c not in text


def test_summary_json_and_xlsx(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    r = client.get(
        "/api/v1/landuse/summary",
        params={"bbox": zone.bbox_param, "by": "class"},
        headers=h["planner"],
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["zone"]["parcels"] == 10
    assert body["zone"]["intensity"]["tax_cny_per_mu"] > 0
    x = client.get(
        "/api/v1/landuse/summary",
        params={"bbox": zone.bbox_param, "format": "xlsx"},
        headers=h["planner"],
    )
    assert x.status_code == 200
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = _text_of_xlsx(x.content)
    assert "二类工业用地" in text and "tax_cny_per_mu" in text


def test_summary_in_a_posted_polygon(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    w, s, e, n = zone.bbox
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    r = client.post(
        "/api/v1/landuse/summary",
        json={"geometry": {"type": "Polygon", "coordinates": [ring]}, "by": "status"},
        headers=h["investment"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["zone"]["parcels"] == 10
    bad = client.post(
        "/api/v1/landuse/summary",
        json={
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[w, s], [e, n], [w, n], [e, s], [w, s]]],
            }
        },
        headers=h["planner"],
    )
    assert bad.status_code in (400, 422) and bad.json()["field"] == "geometry"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "parish"}, "by"),
        ({"format": "csv"}, "format"),
        ({"colour": "red"}, "colour"),
        ({"bbox": "1,2,3"}, "bbox"),
    ],
)
def test_summary_bad_input_is_a_400_naming_the_field(
    app_zone: tuple[TestClient, LuZone, dict], params: dict[str, str], field: str
) -> None:
    client, _zone, h = app_zone
    r = client.get("/api/v1/landuse/summary", params=params, headers=h["planner"])
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field


def test_roles(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    assert client.get("/api/v1/landuse/summary", headers=h["anonymous"]).status_code == 401
    for path in ("/api/v1/landuse/firms", "/api/v1/landuse/inefficient", "/reports/landuse"):
        assert client.get(path, headers=h["anonymous"]).status_code == 401
        assert client.get(path, headers=h["investment"]).status_code == 403
    assert client.get("/maps/landuse", headers=h["anonymous"]).status_code == 401
    r = client.get(
        "/api/v1/landuse/parcels", params={"bbox": zone.bbox_param}, headers=h["investment"]
    )
    assert r.status_code == 403


def test_privacy_canary_in_every_format(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    bbox = {"bbox": zone.bbox_param}
    # The canary is reachable for planners (so the checks below could fail) ...
    firms = client.get("/api/v1/landuse/firms", headers=h["planner"])
    assert firms.status_code == 200
    assert f"{CANARY_TAX:.1f}" in firms.text and '"grade"' in firms.text
    xl = client.get("/api/v1/landuse/firms", params={"format": "xlsx"}, headers=h["planner"])
    assert f"{CANARY_TAX:.0f}" in _text_of_xlsx(xl.content).replace(".0", "")
    planner_map = client.get("/maps/landuse", params=bbox, headers=h["planner"]).text
    assert "c_grade" in planner_map
    # ... and never for investment staff or anonymous callers.
    for role in ("investment", "anonymous"):
        for path, params in (
            ("/api/v1/landuse/summary", bbox),
            ("/api/v1/landuse/summary", {**bbox, "format": "xlsx"}),
            ("/api/v1/landuse/firms", {}),
            ("/api/v1/landuse/firms", {"format": "xlsx"}),
            ("/maps/landuse", bbox),
            ("/reports/landuse", {"f": "pdf"}),
            ("/reports/landuse", {"f": "xlsx"}),
        ):
            r = client.get(path, params=params, headers=h[role])
            body = (
                r.text
                if "xlsx" not in str(params) or r.status_code != 200
                else (_text_of_xlsx(r.content))
            )
            _no_canary(body)
            assert "grade" not in body.lower(), (role, path)
            assert "tax_cny" not in body and "output_cny" not in body, (role, path)
    inv_map = client.get("/maps/landuse", params=bbox, headers=h["investment"])
    assert inv_map.status_code == 200
    assert "c_class" in inv_map.text and "c_plot_ratio" not in inv_map.text


def test_report_formats_for_planners(app_zone: tuple[TestClient, LuZone, dict]) -> None:
    client, zone, h = app_zone
    params = {"bbox": zone.bbox_param}
    html = client.get("/reports/landuse", params=params, headers=h["planner"])
    assert html.status_code == 200
    assert "土地利用评价报告" in html.text and f"LU-{zone.tag}-low" in html.text
    assert "&lt;img src=x" in html.text or "<img src=x" not in html.text
    pdf = client.get("/reports/landuse", params={**params, "f": "pdf"}, headers=h["planner"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    # pdftotext splits the wrapped codes across table cells: look for their parts
    assert "土地利用评价报告" in text and zone.tag in text and "idle_old" in text
    xl = client.get("/reports/landuse", params={**params, "f": "xlsx"}, headers=h["planner"])
    assert xl.status_code == 200
    assert f"LU-{zone.tag}-granted_idle" in _text_of_xlsx(xl.content)
    en = client.get("/reports/landuse", params={**params, "lang": "en"}, headers=h["admin"])
    assert "Land-use review report" in en.text
    assert (
        client.get("/reports/landuse", params={"f": "doc"}, headers=h["planner"]).status_code == 400
    )
