"""The /imports page in Chromium: sign in, drop a file, read the report, see the map, load."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from parkgis.zonetime import zone_minute
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
def test_drop_check_and_load(
    live_server, watched: Watched, planner, engine, settings, tmp_path, size
):
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
    loaded = page.inner_text("#verdict").rsplit(" ", 1)[-1]
    first = page.locator("#past tbody tr").first
    first.locator("td", has_text=good.name).wait_for()  # the list shows the new import
    assert first.locator("td").first.inner_text() == loaded
    with engine.connect() as c:
        at = c.execute(text("SELECT at FROM imports WHERE id = :i"), {"i": int(loaded)}).scalar()
    when = zone_minute(at, settings.zone.timezone)  # the zone's clock, not UTC
    assert first.locator("td").nth(1).inner_text() == when
    page.reload()  # the server renders the same row the same way
    assert page.locator("#past tbody tr").first.locator("td").nth(1).inner_text() == when
    page.screenshot(path=str(SHOTS / f"loaded-{size[0]}.png"), full_page=True)
    with engine.connect() as c:
        n = c.execute(
            text("SELECT count(*) FROM parcels WHERE code LIKE :t"), {"t": f"{tag}{size[0]}-%"}
        ).scalar_one()
    assert n == 4
    assert watched.offsite() == []
    assert not watched.page_errors and not watched.console_errors, watched.console_errors


def test_a_slow_upload_shows_its_progress_and_a_big_file_is_refused_before_sending(
    live_server, watched: Watched, planner, settings, tmp_path
):
    """One bar of signal: the bar shows how much has gone up, then the server's clock; a
    file over the server's limit is refused in the page, before a byte is sent."""
    token, tag = planner
    page = watched.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, token)
    limit = settings.imports.import_max_bytes
    assert page.get_attribute("#import-form", "data-max-bytes") == str(limit)
    # About 600 kB: four parcels with a long note each (an unmapped field).
    path = clean_file(tmp_path / "slow.geojson", f"{tag}S")
    doc = json.loads(path.read_text("utf-8"))
    for f in doc["features"]:
        f["properties"]["备注"] = "x" * 150_000
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 100, "downloadThroughput": -1, "uploadThroughput": 150_000},
    )
    page.set_input_files("#file", str(path))
    assert "0.6 MB" in page.inner_text("#file-name")
    page.select_option("#kind", "parcels")
    page.click("#check")
    page.locator("#status", has_text="Uploading").wait_for()
    page.wait_for_function(
        "() => { const n = +document.getElementById('progress').getAttribute('aria-valuenow');"
        " return n > 0 && n < 100; }"
    )
    assert page.is_visible("#progress")
    assert re.fullmatch(r"Uploading \d+% · [\d.]+ [KM]B / 0\.6 MB", page.inner_text("#status"))
    page.screenshot(path=str(SHOTS / "uploading-390.png"), full_page=True)
    page.locator("#verdict", has_text="Would load").wait_for(timeout=30_000)
    assert page.is_hidden("#progress") and page.inner_text("#status") == ""
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    # The same file against a limit of 100 kB: refused in the page, Check stays off.
    page.evaluate("document.getElementById('import-form').dataset.maxBytes = '100000'")
    big = tmp_path / "big.geojson"
    big.write_bytes(path.read_bytes())
    page.set_input_files("#file", str(big))
    assert "over the import limit of 97.7 KB" in page.inner_text("#verdict")
    assert "PARKGIS_IMPORT_MAX_BYTES" in page.inner_text("#verdict")
    assert page.is_disabled("#check") and page.is_disabled("#load")
    page.screenshot(path=str(SHOTS / "too-big-390.png"), full_page=True)
    assert not watched.page_errors and not watched.console_errors, watched.console_errors
    assert watched.offsite() == []
