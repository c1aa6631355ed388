"""The /imports page in Chromium: sign in, drop a file, read the report, see the map, load."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.browser_utils import Watched
from tests.io import files

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/io-shots")


@pytest.fixture(scope="module")
def planner(engine: Engine) -> Iterator[tuple[str, str]]:
    from parkgis.auth import create_token

    tag = f"IOP{uuid.uuid4().hex[:5]}"
    name = f"io-page-{tag}"
    with Session(engine) as s:
        token = create_token(s, role="planner", name=name)
        s.commit()
    yield token, tag
    with engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE actor = :n"), {"n": name})
        c.execute(text("DELETE FROM parcels WHERE code LIKE :t"), {"t": f"{tag}%"})
        c.execute(text("DELETE FROM imports WHERE actor = :n"), {"n": name})
        c.execute(
            text("DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE name = :n)"),
            {"n": name},
        )
        c.execute(text("DELETE FROM users WHERE name = :n"), {"n": name})


def clean_file(path: Path, tag: str) -> Path:
    feats = [
        {
            "type": "Feature",
            "properties": {"地块编号": f"{tag}-{i}", "用地性质": "100101", "状态": "available"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [112.9 + i * 0.002, 23.5],
                        [112.901 + i * 0.002, 23.5],
                        [112.901 + i * 0.002, 23.501],
                        [112.9 + i * 0.002, 23.5],
                    ]
                ],
            },
        }
        for i in range(4)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    return path


def sign_in(page, base: str, token: str) -> None:
    page.goto(f"{base}/login?next=/imports&lang=en")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/imports*")


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)])
def test_drop_check_and_load(live_server, watched: Watched, planner, engine, tmp_path, size):
    token, tag = planner
    page = watched.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, live_server, token)
    bad = files.bowtie_geojson(tmp_path / "bad.geojson")
    page.set_input_files("#file", str(bad))
    assert page.inner_text("#kind option[value=spaces]") == "Leasable spaces"  # not a raw key
    assert page.inner_text("#mode option[value=upsert]") == "Update or add"
    page.select_option("#kind", "parcels")
    page.click("#check")
    page.wait_for_selector("#verdict")
    assert "NOT" in page.inner_text("#verdict")
    assert page.locator("tr.table-danger").count() >= 3  # bow-tie + two duplicate codes
    assert "Self-intersection" in page.inner_text("#report")
    page.locator("#map path.leaflet-interactive").nth(2).wait_for()
    red = page.locator('#map path[stroke="#dc3545"]').count()
    assert red >= 2
    assert page.is_disabled("#load")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"refused-{size[0]}.png"), full_page=True)
    good = clean_file(tmp_path / f"good-{size[0]}.geojson", f"{tag}{size[0]}")
    page.set_input_files("#file", str(good))
    page.click("#check")
    page.locator("#verdict", has_text="Would load").wait_for()
    assert page.is_enabled("#load")
    page.click("#load")
    page.locator("#verdict", has_text="Loaded").wait_for()
    page.screenshot(path=str(SHOTS / f"loaded-{size[0]}.png"), full_page=True)
    with engine.connect() as c:
        n = c.execute(
            text("SELECT count(*) FROM parcels WHERE code LIKE :t"), {"t": f"{tag}{size[0]}-%"}
        ).scalar_one()
    assert n == 4
    assert watched.offsite() == []
    assert not watched.page_errors and not watched.console_errors, watched.console_errors
