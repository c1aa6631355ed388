"""The investment team's whole flow in Debian's Chromium with the network closed.

/find → results on the list and the map → hold → a sheet → its PDF text → a shortlist →
its link in a fresh context with no token → the offline pack from ``file://``.
Screenshots of each step (1366×900 and 390×844) go to ``$PARKGIS_TEST_ARTIFACTS/prospect``
(default ``/tmp/parkgis-artifacts/prospect``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.browser_utils import Watched, leaflet_maps_ready
from tests.prospect.zone import CANARIES, ProspectZone, committed_zone
from tests.support.pdf import pdf_text
from tests.support.zones import drop_users, make_tokens

pytestmark = pytest.mark.browser

ART = Path(os.environ.get("PARKGIS_TEST_ARTIFACTS", "/tmp/parkgis-artifacts")) / "prospect"
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def flow_zone(engine: Engine) -> Iterator[tuple[ProspectZone, str]]:
    prefix = f"prospect-ui-{uuid.uuid4().hex[:8]}"
    token = make_tokens(engine, prefix, {"investment": None})["investment"]
    try:
        with committed_zone(engine) as z:
            yield z, token
    finally:
        with engine.begin() as c:
            drop_users(c, prefix)


def shot(page: Any, name: str) -> None:
    ART.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ART / f"{name}.png"), full_page=True)


def clean(text: str) -> None:
    for c in CANARIES:
        assert c not in text, c


def test_find_sheet_shortlist_pack(
    live_server: str, watched: Watched, flow_zone: tuple[ProspectZone, str], tmp_path: Path
) -> None:
    z, token = flow_zone
    page = watched.new_page(token)
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server}/find?lang=en&basemap=none")
    assert leaflet_maps_ready(page) == 1
    page.click("#map", position={"x": 200, "y": 150})
    assert page.input_value("#near_lon") != ""  # a map click fills the place
    page.fill("#near_lon", f"{z.lon:.6f}")
    page.fill("#near_lat", f"{z.lat:.6f}")
    page.fill("#max_distance_m", "1500")
    page.fill("#clear_height_m", "5")
    page.select_option("#kind", "any")
    shot(page, "1-find-form")
    page.click("#search")
    page.wait_for_selector("#list .result")
    space = page.locator(f'#list [data-site="space:{z.spaces[0]}"]')
    assert space.count() == 1
    page.wait_for_selector("#map path.leaflet-interactive")  # results drawn on the map
    clean(page.content())
    shot(page, "2-results")
    space.locator("button.hold").click()
    out = space.locator(".hold-out")
    page.wait_for_function("el => el.textContent.length > 0", arg=out.element_handle())
    assert "Held" in out.inner_text(), (out.inner_text(), watched.bad_responses)
    page.set_viewport_size(PHONE)
    shot(page, "2-results-phone")
    page.set_viewport_size(WIDE)

    land = page.locator(f'[data-site="parcel:{z.land[0]}"]')
    land.locator("input.pick").check()
    page.locator(f'#list [data-site="space:{z.spaces[1]}"] input.pick').check()
    page.fill("#prospect", "Shenzhen visitor <b>")
    page.click("#shortlist-btn")
    link = page.wait_for_selector("#shortlist-link")
    url = link.get_attribute("href")
    assert url and url.startswith("/p/")

    land.locator("a.sheet-link").click()
    page.wait_for_selector("section.sheet svg.locmap")
    assert "Standard-land" in page.content()
    clean(page.content())
    shot(page, "3-sheet")
    pdf_href = page.get_attribute(f"#pdf-parcel-{z.land[0]}", "href")
    pdf = page.request.get(f"{live_server}{pdf_href}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    assert f"PR-{z.tag}-L0" in text and "10k CNY/mu" in text
    clean(text)

    guest = watched.new_page()  # a fresh context: no token, no cookie
    guest.set_viewport_size(PHONE)
    guest.goto(f"{live_server}{url}")
    guest.wait_for_selector("section.sheet")
    body = guest.content()
    assert "Shenzhen visitor &lt;b&gt;" in body
    assert f"PR-{z.tag}-L0" in body and f"PR-{z.tag}-S1" in body
    assert f"PR-{z.tag}-S0" not in body
    clean(body)
    shot(guest, "4-shortlist-phone")
    guest.set_viewport_size(WIDE)
    with guest.expect_download() as dl:
        guest.click("#download")
    pack = tmp_path / "pack.html"
    dl.value.save_as(pack)
    clean(pack.read_text(encoding="utf-8"))
    assert pack.stat().st_size < 3_000_000

    watched.allow_loopback = False
    offline = watched.new_page()
    offline.set_viewport_size(WIDE)
    offline.goto(pack.as_uri())
    offline.wait_for_selector("section.sheet svg.locmap")
    assert offline.locator("section.sheet").count() == 3  # cover + two sites
    shot(offline, "5-pack-offline")
    assert watched.offsite() == []
    assert watched.dialogs == [] and watched.page_errors == []
