"""The battle map and timeline pages through the app, and in headless Chromium offline.

The zone is committed (the app's sessions commit) and deleted afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from parkgis.maps.assets import linked_files
from parkgis.maps.projects import ROW
from parkgis.settings import DatabaseSettings, Settings
from tests.browser_utils import Watched, leaflet_maps_ready
from tests.projects.factory import BoardZone
from tests.support.hostile import HOSTILE, XSS_FLAG

DATA = re.compile(r'<script type="application/json" id="pg-projects-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def rows(html: str) -> list[list[Any]]:
    (block,) = DATA.findall(html)
    return list(json.loads(block)["projects"])


def test_map_route_filters(client: TestClient, board: tuple[BoardZone, str]) -> None:
    z, token = board
    h = {"Authorization": f"Bearer {token}"}
    base = f"/maps/projects?bbox={z.bbox_param}&basemap=none"
    r = client.get(base, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in r.headers
    assert len(rows(r.text)) == len(z.projects) == 6
    r = client.get(base + "&overdue=1&lang=en", headers=h)
    assert {x[ROW["id"]] for x in rows(r.text)} == {
        z.projects["late"],
        z.projects["building"],
        z.projects["stalled"],
    }
    assert "Project battle map" in r.text
    r = client.get(base + f"&officer_id={z.officers[1]}&stage=signed", headers=h)
    assert [x[ROW["id"]] for x in rows(r.text)] == [z.projects["signed"]]
    assert client.get(base, headers={}).status_code == 401
    bad = client.get(base + "&colour=red", headers=h)
    assert bad.status_code == 400 and bad.json()["field"] == "colour"
    dl = client.get(base + "&download=1", headers=h)
    assert dl.status_code == 200 and "attachment" in dl.headers["content-disposition"]
    assert '"link_base":"http://testserver"' in dl.text.replace(" ", "")


def test_timeline_page(client: TestClient, board: tuple[BoardZone, str]) -> None:
    z, token = board
    h = {"Authorization": f"Bearer {token}"}
    r = client.get(f"/projects/{z.projects['late']}/timeline", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert XSS_FLAG not in html and "<img src=x" not in html
    assert html.count('<tr data-stage="') == 7
    # signed was planned 540 days ago and is still open: a visible slip
    assert re.search(r'<tr data-stage="signed">.*?<td class="num late">\+540</td>', html, re.S)
    assert 'data-stage="signed" data-state="overdue"' in html
    en = client.get(f"/projects/{z.projects['building']}/timeline?lang=en", headers=h)
    assert "Planned and actual" in en.text and "Topped out" in en.text
    assert client.get(f"/projects/{z.projects['late']}/timeline").status_code == 401
    assert client.get("/projects/999999999/timeline", headers=h).status_code == 404


def _quiet(w: Watched) -> None:
    assert w.dialogs == [] and w.page_errors == [] and w.console_errors == []
    assert w.bad_responses == [] and w.offsite() == []


@pytest.mark.browser
def test_battle_map_in_chromium(
    live_server: str, watched: Watched, board: tuple[BoardZone, str]
) -> None:
    z, token = board
    page = watched.new_page(token)
    page.add_init_script("window.__xss = undefined;")
    page.goto(f"{live_server}/maps/projects?bbox={z.bbox_param}&basemap=none", wait_until="load")
    assert leaflet_maps_ready(page) == 1
    page.wait_for_function("() => window.parkgisProjects")
    api = "window.parkgisProjects"
    assert page.evaluate(f"{api}.count()") == 6 and page.evaluate(f"{api}.visible()") == 6
    assert page.evaluate(f"{api}.frames.length") == 24
    assert page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length") == 1
    # the late project: open its popup and read it
    assert page.evaluate(f"{api}.open({z.projects['late']})")
    page.wait_for_selector(".leaflet-popup-content .project")
    popup = page.inner_text(".leaflet-popup-content")
    assert XSS_FLAG in popup and "逾期 540 天" in popup and "签约" in popup
    assert page.evaluate("() => window.__xss") is None
    assert page.locator(".leaflet-popup-content img").count() == 0
    link = page.get_attribute(".leaflet-popup-content a.pg-timeline", "href")
    assert link == f"/projects/{z.projects['late']}/timeline"
    # overdue projects are ringed: the opened one is drawn with its ring and badge
    assert page.locator(".pg-proj.pg-late .pg-badge").count() >= 1
    assert page.evaluate(f"{api}.late()") == 3
    # slide back 18 months: fewer projects existed, and past months carry no rings
    page.evaluate(f"{api}.setFrame(5)")
    assert 0 < page.evaluate(f"{api}.visible()") < 6
    assert page.evaluate(f"{api}.late()") == 0
    assert page.locator(".pg-proj.pg-late").count() == 0
    assert "历史月份不标逾期" in page.inner_text(".pg-slider")
    page.evaluate(f"{api}.setFrame(23)")
    assert page.evaluate(f"{api}.visible()") == 6 and page.evaluate(f"{api}.late()") == 3
    _quiet(watched)


@pytest.mark.browser
def test_battle_map_download_offline(
    live_server: str, watched: Watched, board: tuple[BoardZone, str], tmp_path: Path
) -> None:
    z, token = board
    r = httpx.get(
        f"{live_server}/maps/projects",
        params={"bbox": z.bbox_param, "basemap": "none", "download": "1"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert r.status_code == 200
    f = tmp_path / "projects.html"
    f.write_bytes(r.content)
    watched.allow_loopback = False
    page = watched.new_page()
    page.goto(f.as_uri(), wait_until="load")
    leaflet_maps_ready(page)
    page.wait_for_function("() => window.parkgisProjects")
    assert page.evaluate("window.parkgisProjects.count()") == 6
    assert page.evaluate(f"window.parkgisProjects.open({z.projects['late']})")
    page.wait_for_selector(".leaflet-popup-content .project")
    href = page.get_attribute(".leaflet-popup-content a.pg-timeline", "href")
    assert href == f"{live_server}/projects/{z.projects['late']}/timeline"
    assert [u for u in watched.requests if not u.startswith(("file:", "data:"))] == []
    _quiet(watched)


@pytest.mark.browser
def test_timeline_page_in_chromium(
    live_server: str, watched: Watched, board: tuple[BoardZone, str]
) -> None:
    z, token = board
    page = watched.new_page(token)
    page.goto(f"{live_server}/projects/{z.projects['stalled']}/timeline", wait_until="load")
    assert page.locator("#milestones tbody tr").count() == 7
    assert page.locator(".grow[data-state='overdue']").count() >= 1
    assert all(raw not in page.content() for raw in HOSTILE)  # shown escaped ...
    assert "<img" in page.inner_text(".sub")  # ... and as text
    _quiet(watched)


def test_cli_map_projects(
    board: tuple[BoardZone, str],
    db_settings: DatabaseSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from parkgis.cli import app

    z, _ = board
    if db_settings.database_url:
        monkeypatch.setenv("PARKGIS_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("PARKGIS_HOME", str(db_settings.home))
    monkeypatch.setenv("PARKGIS_DB_NAME", db_settings.db_name)
    out = tmp_path / "projects.html"
    args = ["map", "projects", "--out", str(out), "--bbox", z.bbox_param, "--basemap", "none"]
    r = CliRunner().invoke(app, [*args, "--overdue"])
    assert r.exit_code == 0, r.output
    html = out.read_text("utf-8")
    assert linked_files(html) == []
    assert {x[ROW["id"]] for x in rows(html)} == {
        z.projects["late"],
        z.projects["building"],
        z.projects["stalled"],
    }
    r = CliRunner().invoke(app, [*args, "--stage", "stalled,cancelled", "--chain", "batteries"])
    assert r.exit_code == 0, r.output
    assert [x[ROW["id"]] for x in rows(out.read_text("utf-8"))] == [z.projects["stalled"]]
    r = CliRunner().invoke(app, [*args, "--officer", str(z.officers[0]), "stage=cancelled"])
    assert r.exit_code == 0, r.output
    assert [x[ROW["id"]] for x in rows(out.read_text("utf-8"))] == [z.projects["cancelled"]]
    r = CliRunner().invoke(app, [*args, "--stage", "built"])
    assert r.exit_code == 1 and "stage" in r.output
    r = CliRunner().invoke(app, [*args, "--role", "anonymous"])
    assert r.exit_code == 1 and "token" in r.output
