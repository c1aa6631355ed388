"""The evaluation through the app (committed zone, removed afterwards): roles on every
format, the workbook download, the printable page and its links, the page in Chromium at
desktop and phone sizes (screenshots under the workbench's shot directory), and
``parkgis programme evaluation``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.app import create_app
from parkgis.auth import create_token
from parkgis.cli import app
from parkgis.db import session_scope
from parkgis.settings import DatabaseSettings, Settings
from tests.programme.evaluation_zone import EvalZone, drop_eval_zone, make_eval_zone
from tests.workbench.zone import PHONE, SHOTS

URL = "/api/v1/programme/evaluation"
DESKTOP = {"width": 1366, "height": 900}


@dataclass
class Committed:
    """The committed evaluation zone and a token per role."""

    z: EvalZone
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}


@pytest.fixture(scope="module")
def committed(engine: Engine) -> Iterator[Committed]:
    with engine.begin() as conn:
        z = make_eval_zone(conn)
    c = Committed(z)
    names = []
    with session_scope(engine) as s:
        for key, role, oid in (
            ("x", "officer", z.x),
            ("planner", "planner", None),
            ("investment", "investment", None),
            ("admin", "admin", None),
        ):
            names.append(f"evalapp-{key}-{z.tag}")
            c.tokens[key] = create_token(s, role=role, name=names[-1], officer_id=oid)
    try:
        yield c
    finally:
        from sqlalchemy import text

        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE name = ANY(:n)"), {"n": names})
        drop_eval_zone(engine, z)


@pytest.fixture(scope="module")
def client(committed: Committed, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c


def _x(body: dict[str, Any], oid: int) -> dict[str, Any]:
    return next(o for o in body["officers"] if o["officer_id"] == oid)


def test_only_admins_read_it_in_any_format(client: TestClient, committed: Committed) -> None:
    z = committed.z
    reads = [
        f"{URL}?year=2025",
        f"{URL}?year=2025&format=xlsx",
        f"{URL}?year=2025&format=html",
        f"{URL}/evidence?year=2025&officer_id={z.x}&figure=draws",
    ]
    for u in reads:
        assert client.get(u).status_code == 401, u
        for who in ("x", "planner", "investment"):
            r = client.get(u, headers=committed.h(who))
            assert r.status_code == 403, (u, who)
            assert f"点评{z.tag}" not in r.text  # no score comment in any refusal
    r = client.get(f"{URL}?year=2025", headers=committed.h("admin"))
    assert r.status_code == 200
    x = _x(r.json(), z.x)
    assert (x["checklist"]["months_all_done"], x["calls"]["count"], x["leases"]["units"]) == (
        3,
        3,
        1,
    )
    assert client.get(f"{URL}?year=1899", headers=committed.h("admin")).status_code == 400
    assert client.get(f"{URL}?year=3000", headers=committed.h("admin")).status_code == 422
    bad = client.get(f"{URL}?year=2025&sort=name", headers=committed.h("admin"))
    assert bad.status_code == 400 and bad.json()["field"] == "sort"
    ev = client.get(
        f"{URL}/evidence?year=2025&officer_id={z.x}&figure=draws", headers=committed.h("admin")
    ).json()
    assert [d["comment"] for d in ev["items"]] == [f"点评{z.tag}"] * 2
    # X reads their own draws and scores, never the evaluation.
    own = client.get(f"/api/v1/officers/{z.x}/draws?year=2025", headers=committed.h("x"))
    assert own.status_code == 200 and len(own.json()["draws"]) == 2


def test_workbook_and_page(client: TestClient, committed: Committed) -> None:
    z = committed.z
    r = client.get(f"{URL}?year=2025&format=xlsx&lang=en", headers=committed.h("admin"))
    assert r.status_code == 200 and "evaluation-2025.xlsx" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    row = next(c for c in wb["evaluation"].iter_rows(min_row=2) if c[1].value == z.x)
    assert row[2].value == f"考评甲{z.tag}"
    assert all(
        c.hyperlink is None or c.hyperlink.target.startswith("http://testserver/api/v1/")
        for c in row
    )
    page = client.get(f"{URL}?year=2025&format=html&lang=en", headers=committed.h("admin"))
    assert page.status_code == 200
    assert f'href="/api/v1/programme/evaluation/evidence?year=2025&amp;officer_id={z.x}' in (
        page.text
    )
    assert "Annual evaluation" in page.text  # the frame's nav, for an admin
    planner_home = client.get("/reports", headers=committed.h("planner"))
    assert "programme/evaluation" not in planner_home.text


@pytest.mark.browser
def test_page_in_chromium_at_desktop_and_phone(
    live_server: str, browser: Any, committed: Committed
) -> None:
    z = committed.z
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        ctx = browser.new_context(
            viewport=size, extra_http_headers=committed.h("admin"), locale="en-US"
        )
        offsite: list[str] = []
        errors: list[str] = []

        def route(r: Any, offsite: list[str] = offsite) -> None:
            if r.request.url.startswith(live_server):
                r.continue_()
            else:
                offsite.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(f"{live_server}{URL}?year=2025&format=html&lang=en")
        row = page.locator(f"#ranking tr[data-officer-id='{z.x}']")
        assert row.locator("td[data-key='months_all_done'] a").inner_text() == "3"
        assert row.locator("td[data-key='investment_calls'] a").inner_text() == "3"
        assert page.locator("#weights tr").count() == 8
        page.screenshot(path=str(SHOTS / f"evaluation-{name}.png"), full_page=True)
        # The wide table scrolls inside its box; the page itself does not.
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth,"
            " document.querySelector('.evaluation .scroll').scrollWidth]"
        )
        assert widths[0] <= widths[1] + 1, widths
        if name == "desktop":
            with page.expect_navigation():
                row.locator("td[data-key='investment_calls'] a").click()
            body = page.evaluate("JSON.parse(document.body.innerText)")
            assert body["figure"] == "calls" and body["numberReturned"] == 3
        assert errors == [] and offsite == []
        ctx.close()


def test_command_line(
    committed: Committed,
    db_settings: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if db_settings.database_url:
        monkeypatch.setenv("PARKGIS_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("PARKGIS_HOME", str(db_settings.home))
    monkeypatch.setenv("PARKGIS_DB_NAME", db_settings.db_name)
    runner = CliRunner()
    book = tmp_path / "evaluation.xlsx"
    done = runner.invoke(
        app, ["programme", "evaluation", "--year", "2025", "--json", "--xlsx", str(book)]
    )
    assert done.exit_code == 0, done.output
    x = _x(json.loads(done.output), committed.z.x)
    assert (x["checklist"]["months_all_done"], x["draws"]["mean_score_pct"]) == (3, 90.25)
    assert "evaluation" in load_workbook(book).sheetnames
    bad = runner.invoke(app, ["programme", "evaluation", "--year", "3000"])
    assert bad.exit_code != 0 and "year" in bad.output
