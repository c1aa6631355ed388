"""The match map: rendered HTML, and the page in headless Chromium (offline, hostile names)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.access import Principal
from parkgis.auth import create_token
from parkgis.errors import Forbidden, InvalidQuery, NotFound, Unauthorized
from parkgis.maps import render
from parkgis.maps.match import match_map
from parkgis.settings import Settings
from tests.browser_utils import Watched, leaflet_maps_ready, open_every_popup
from tests.matching.zone import Zone, add_sure_units, drop_zone, make_zone
from tests.support.hostile import HOSTILE

INVESTMENT = Principal(user_id=None, name="inv", role="investment")


@dataclass
class Saved:
    zone: Zone
    token: str
    request_id: int
    result: dict[str, Any]
    user_id: int = 0

    @property
    def author(self) -> Principal:
        """The investment user who saved the match."""
        return Principal(user_id=self.user_id, name="inv", role="investment")


@pytest.fixture(scope="module")
def saved(engine: Engine, settings: Settings) -> Iterator[Saved]:
    seed = random.randrange(100_000, 999_999)
    with engine.begin() as c:
        zone = make_zone(c, seed=seed, cells=4, firms=10)
        officer = c.execute(
            text("INSERT INTO officers (name) VALUES ('O') RETURNING id")
        ).scalar_one()
        add_sure_units(c, zone, seed)
        for i, eid in enumerate(zone.enterprises):
            c.execute(
                text(
                    "UPDATE enterprises SET name = :n, industry_chain = 'batteries' WHERE id = :i"
                ),
                {"n": HOSTILE[i % len(HOSTILE)] + f" {i}", "i": eid},
            )
    with Session(engine) as s, s.begin():
        token = create_token(s, role="investment", name=f"match-map-{uuid.uuid4().hex[:8]}")
        uid = s.execute(
            text("SELECT user_id FROM api_tokens WHERE prefix = :p"), {"p": token[:12]}
        ).scalar_one()
    body = {
        "floor_area_m2": {"min": 3000, "max": 6500},
        "clear_height_m": 7,
        "enterprise_id": zone.enterprises[0],
        "near": {"max_distance_m": 1500},
        "limit": 8,
    }
    try:
        with TestClient(create_app(settings)) as client:
            r = client.post(
                "/api/v1/match", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code == 201, r.text
            result = r.json()
        assert result["features"] and result["near_misses"], result
        yield Saved(zone, token, result["request_id"], result, uid)
    finally:
        drop_zone(engine, zone, [uid], officer)


def test_rendered_html(engine: Engine, settings: Settings, saved: Saved) -> None:
    with Session(engine) as s:
        m = match_map(
            s, saved.author, settings, filters={"request_id": saved.request_id}, lang="en"
        )
        html = render(m)
    n = len(saved.result["features"])
    for rank in range(1, n + 1):
        assert f'data-rank=\\"{rank}\\"' in html or f'data-rank="{rank}"' in html
    assert f'data-rank=\\"{n + 1}\\"' not in html and f'data-rank="{n + 1}"' not in html
    for raw in HOSTILE:
        assert raw not in html
    assert "Clear height (m)" in html and "Near-misses" in html
    assert "https://" not in html.split("<body>")[0].replace("https://tile", "")


def test_map_errors(engine: Engine, settings: Settings, saved: Saved) -> None:
    with Session(engine) as s:
        with pytest.raises(NotFound):
            match_map(s, INVESTMENT, settings, filters={"request_id": 2_000_000_000})
        with pytest.raises(InvalidQuery):
            match_map(s, INVESTMENT, settings, filters={"request_id": "x"})
        with pytest.raises(InvalidQuery):
            match_map(s, INVESTMENT, settings, filters={"request_id": 1, "colour": "red"})
        with pytest.raises(Unauthorized):
            match_map(s, Principal(), settings, filters={"request_id": saved.request_id})
        with pytest.raises(Forbidden):  # another investment user: not theirs to read
            match_map(s, INVESTMENT, settings, filters={"request_id": saved.request_id})


def _counts(page: Any) -> dict[str, int]:
    return page.evaluate(
        """() => ({
            ranks: document.querySelectorAll('.parkgis-rank').length,
            paths: document.querySelectorAll('path.leaflet-interactive').length,
            legend: document.querySelectorAll('#parkgis-legend li').length,
        })"""
    )


@pytest.mark.browser
def test_match_page_offline_and_hostile_names_stay_text(
    live_server: str, watched: Watched, saved: Saved
) -> None:
    page = watched.new_page(saved.token)
    page.add_init_script("window.__xss = undefined;")
    resp = page.goto(
        f"{live_server}/maps/match/{saved.request_id}?basemap=none&lang=en",
        wait_until="networkidle",
    )
    assert resp is not None and resp.status == 200
    assert leaflet_maps_ready(page) == 1
    c = _counts(page)
    n, near = len(saved.result["features"]), len(saved.result["near_misses"])
    assert c["ranks"] == n
    ranks = page.evaluate(
        "() => [...document.querySelectorAll('.parkgis-rank')].map(e => +e.textContent)"
    )
    assert sorted(ranks) == list(range(1, n + 1))
    assert c["paths"] >= n + near  # candidates, near-misses (+ circles, chain firms)
    assert c["legend"] == 7  # 3 kinds, near-misses, site, the distance circle, chain
    opened = open_every_popup(page)
    texts = "\n".join(opened["texts"])
    assert "Clear height (m)" in texts and "Missed: " in texts
    site_name = HOSTILE[0] + " 0"
    assert site_name in texts  # the firm's current site, shown as text
    for raw in HOSTILE:  # same-chain firms nearby, every name exactly as typed
        assert raw in texts, raw
    page.wait_for_timeout(300)
    assert watched.dialogs == [] and watched.page_errors == []
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate("() => document.querySelectorAll('.leaflet-popup img').length") == 0
    assert watched.blocked == [] and watched.offsite() == []
    assert watched.bad_responses == []


@pytest.mark.browser
def test_match_download_from_disk(
    live_server: str, watched: Watched, saved: Saved, tmp_path: Path
) -> None:
    r = httpx.get(
        f"{live_server}/maps/match/{saved.request_id}",
        params={"basemap": "none", "download": "1"},
        headers={"Authorization": f"Bearer {saved.token}"},
        timeout=60,
    )
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    f = tmp_path / "match.html"
    f.write_bytes(r.content)
    watched.allow_loopback = False
    page = watched.new_page()
    page.goto(f.as_uri(), wait_until="load")
    leaflet_maps_ready(page)
    assert _counts(page)["ranks"] == len(saved.result["features"])
    assert [u for u in watched.requests if not u.startswith(("file:", "data:"))] == []
    assert watched.dialogs == [] and watched.page_errors == []


def test_match_page_http_errors(live_server: str, saved: Saved) -> None:
    h = {"Authorization": f"Bearer {saved.token}"}
    assert httpx.get(f"{live_server}/maps/match/{saved.request_id}").status_code == 401
    assert httpx.get(f"{live_server}/maps/match/2000000000", headers=h).status_code == 404
    bad = httpx.get(f"{live_server}/maps/match/{saved.request_id}?colour=red", headers=h)
    assert bad.status_code == 400 and bad.json()["field"] == "colour"


def _cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    if settings.db.database_url:
        monkeypatch.setenv("PARKGIS_DATABASE_URL", settings.db.database_url)
    monkeypatch.setenv("PARKGIS_HOME", str(settings.db.home))
    monkeypatch.setenv("PARKGIS_DB_NAME", settings.db.db_name)


def test_cli_match_prints_table_and_writes_map(
    engine: Engine, settings: Settings, saved: Saved, tmp_path: Path, monkeypatch: Any
) -> None:
    from typer.testing import CliRunner

    from parkgis.cli import app

    _cli_env(monkeypatch, settings)
    out = tmp_path / "m.html"
    args = [
        "match",
        "--floor-area",
        "3000:6500",
        "--height",
        "7",
        "--enterprise",
        str(saved.zone.enterprises[0]),
        "--max-distance",
        "1500",
        "--map",
        str(out),
    ]
    r = CliRunner().invoke(app, args)
    try:
        assert r.exit_code == 0, r.output
        assert "shortlist" in r.output and "near-misses" in r.output
        assert "space_group" in r.output or "space" in r.output
        html = out.read_text(encoding="utf-8")
        assert 'data-rank=\\"1\\"' in html or 'data-rank="1"' in html
        for raw in HOSTILE:
            assert raw not in html
    finally:
        with engine.begin() as c:
            c.execute(
                text("DELETE FROM expansion_requests WHERE user_id IS NULL AND enterprise_id = :e"),
                {"e": saved.zone.enterprises[0]},
            )
    bad = CliRunner().invoke(app, ["match", "--floor-area", "lots"])
    assert bad.exit_code == 1 and "floor_area_m2" in bad.output
    bad = CliRunner().invoke(app, ["match", "--floor-area", "6000:3000"])
    assert bad.exit_code == 1 and "floor_area_m2" in bad.output and "min" in bad.output
    none = CliRunner().invoke(app, ["match"])
    assert none.exit_code == 1 and "criterion" in none.output
