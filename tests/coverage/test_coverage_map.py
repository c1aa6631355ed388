"""The coverage map: same data as the API, escaping, officer filter, route; and in Chromium."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.auth import create_token
from parkgis.coverage.territories import territories
from parkgis.errors import Forbidden, InvalidQuery
from parkgis.maps import render
from parkgis.maps.coverage import STATUS_COLORS, coverage_map, officer_color
from parkgis.settings import Settings
from parkgis.zonetime import zone_today
from tests.browser_utils import Watched, leaflet_maps_ready, open_every_popup
from tests.coverage.layout import Layout
from tests.support.geometry import point
from tests.support.hostile import XSS_FLAG, XSS_IMG, XSS_SCRIPT, XSS_TEMPLATE

PLANNER = Principal(user_id=None, name="planner", role="planner")
FAR = 150_000  # metres east of the layout origin: away from other tests' rows


def layer_count(html: str, kind: str) -> int:
    return html.count(f'"__layer": "{kind}"')


@dataclass
class Made:
    a: int
    b: int
    firms: list[int]
    bbox: tuple[float, float, float, float]


def make(layout: Layout, visit_day: date) -> Made:
    a = layout.officer(XSS_IMG, office=(FAR, 0))
    b = layout.officer(XSS_SCRIPT + XSS_TEMPLATE)
    names = [XSS_FLAG, "a2", XSS_TEMPLATE, "nobody"]
    firms = [layout.firm(FAR + i * 400, 300, name=n) for i, n in enumerate(names)]
    layout.assign(a, firms[0], firms[1])
    layout.assign(b, firms[2])
    layout.visit(a, firms[1], visit_day.isoformat() + "T10:00:00+08:00")
    sw, ne = point(FAR - 1000, -1000), point(FAR + 3000, 2000)
    return Made(a, b, firms, (sw.x, sw.y, ne.x, ne.y))


def test_map_shows_the_api_data(layout: Layout, session: Session, settings: Settings) -> None:
    z = make(layout, date(2026, 11, 5))
    f = {"officer_id": str(z.a), "month": "2026-11"}
    m = coverage_map(session, PLANNER, settings, filters=f, basemap="none", lang="en")
    html = render(m)
    assert layer_count(html, "territories") == 1
    assert layer_count(html, "coverage_firms") == 2  # a's two firms, no one else's
    assert '"status": "not_visited"' in html and '"status": "visited"' in html
    assert officer_color(z.a) in html and STATUS_COLORS["not_visited"] in html
    assert "Officer coverage" in html and "Month: 2026-11" in html
    for raw in (XSS_IMG, XSS_FLAG):
        assert raw not in html  # only ever escaped
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html
    # The whole zone: b's firm too, and the firm with no officer as a gap, in the bbox.
    whole = render(
        coverage_map(session, PLANNER, settings, bbox=z.bbox, filters={"month": "2026-11"})
    )
    assert layer_count(whole, "coverage_firms") == 4 and '"status": "unassigned"' in whole
    # Folium compiles its output as Jinja again: template text in names must not run.
    assert "49ssti" not in whole and "{{ 7*7 }}" not in whole
    cov = territories(session, settings, month=None, today=date(2026, 11, 20))
    assert layer_count(whole, "territories") == sum(1 for o in cov.officers if o.geometry)


def test_route_layer(layout: Layout, session: Session, settings: Settings) -> None:
    z = make(layout, date(2026, 11, 5))
    f = {"officer_id": str(z.a), "month": "2026-11", "route": "1"}
    html = render(coverage_map(session, PLANNER, settings, filters=f, basemap="none", lang="en"))
    assert layer_count(html, "route") == 3  # the line, the office and one stop
    assert html.count('"pg-stop-icon"') == 1 and "Start: the office" in html
    assert "Route " in html and "1 stops" in html
    done = {"officer_id": str(z.a), "month": "2026-12", "route": "1"}
    html = render(coverage_map(session, PLANNER, settings, filters=done, basemap="none"))
    assert layer_count(html, "route") == 4  # two firms not visited in December


def test_map_parameters_and_roles(layout: Layout, session: Session, settings: Settings) -> None:
    z = make(layout, date(2026, 11, 5))
    with pytest.raises(InvalidQuery) as err:
        coverage_map(session, PLANNER, settings, filters={"route": "1"})
    assert err.value.field == "route"
    with pytest.raises(InvalidQuery):
        coverage_map(session, PLANNER, settings, filters={"colour": "red"})
    with pytest.raises(InvalidQuery):
        coverage_map(session, PLANNER, settings, filters={"month": "2026-13"})
    me = Principal(user_id=None, name="b", role="officer", officer_id=z.b)
    html = render(coverage_map(session, me, settings, basemap="none"))
    assert layer_count(html, "territories") == 1 and layer_count(html, "coverage_firms") == 1
    with pytest.raises(Forbidden):
        coverage_map(session, me, settings, filters={"officer_id": str(z.a)})
    with pytest.raises(Forbidden):
        coverage_map(session, Principal(user_id=None, name="i", role="investment"), settings)


# --- in headless Chromium -------------------------------------------------------------


@dataclass
class Live:
    made: Made
    token: str
    officer_token: str


@pytest.fixture(scope="module")
def live(engine: Engine, settings: Settings) -> Iterator[Live]:
    tag = uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        made = make(Layout(conn), zone_today(settings.zone.timezone))
    with Session(engine) as s:
        token = create_token(s, role="planner", name=f"planner {tag}")
        off = create_token(s, role="officer", name=f"officer {tag}", officer_id=made.a)
        s.commit()
    yield Live(made, token, off)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE name LIKE :t"), {"t": f"% {tag}"})
        conn.execute(text("DELETE FROM officers WHERE id IN (:a, :b)"), {"a": made.a, "b": made.b})
        conn.execute(text("DELETE FROM enterprises WHERE id = ANY(:f)"), {"f": made.firms})


def quiet(w: Watched) -> None:
    assert w.dialogs == [] and w.page_errors == [] and w.console_errors == []
    assert w.bad_responses == [] and w.offsite() == [] and w.blocked == []


@pytest.mark.browser
def test_coverage_map_in_chromium(live_server: str, watched: Watched, live: Live) -> None:
    z = live.made
    page = watched.new_page(live.token)
    page.add_init_script("window.__xss = undefined;")
    box = ",".join(f"{v:.6f}" for v in z.bbox)
    page.goto(f"{live_server}/maps/coverage?basemap=none&bbox={box}", wait_until="networkidle")
    assert leaflet_maps_ready(page) == 1
    total_t = page.evaluate("() => window.parkgisCoverage.territories()")
    assert total_t >= 2 and page.evaluate("() => window.parkgisCoverage.firms()") == 4
    assert page.evaluate(f"() => window.parkgisCoverage.select({z.a})") == {"t": 1, "f": 2}
    page.select_option("#pg-cov-officer", str(z.b))
    assert page.evaluate("() => window.parkgisCoverage.firms()") == 1
    page.select_option("#pg-cov-officer", "")
    assert page.evaluate("() => window.parkgisCoverage.territories()") == total_t
    options = page.locator("#pg-cov-officer option").all_text_contents()
    assert XSS_IMG in options and XSS_SCRIPT + XSS_TEMPLATE in options  # as typed, as text
    opened = open_every_popup(page)
    assert opened["popups"] >= 6
    texts = "\n".join(opened["texts"])
    assert XSS_FLAG in texts and XSS_IMG in texts and XSS_TEMPLATE in texts
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") is None
    quiet(watched)


@pytest.mark.browser
def test_route_map_and_download_offline(
    live_server: str, watched: Watched, live: Live, tmp_path: Path
) -> None:
    z = live.made
    r = httpx.get(
        f"{live_server}/maps/coverage",
        params={"officer_id": z.a, "route": "1", "basemap": "none", "download": "1"},
        headers={"Authorization": f"Bearer {live.officer_token}"},
        timeout=60,
    )
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert not re.search(r'src="/assets/', r.text)
    f = tmp_path / "coverage.html"
    f.write_bytes(r.content)
    watched.allow_loopback = False
    page = watched.new_page()
    page.goto(f.as_uri(), wait_until="load")
    assert leaflet_maps_ready(page) == 1
    n = page.evaluate("() => document.querySelectorAll('path.leaflet-interactive').length")
    assert n == 1 + 2 + 3  # territory, two firms, the route line, the office, one stop
    assert page.locator(".pg-stop").all_text_contents() == ["1"]
    assert page.locator("#pg-cov-officer").count() == 0  # one officer: no filter needed
    legend = page.locator("#parkgis-legend").inner_text()
    assert "1 stops" in legend or "1 站" in legend
    assert [u for u in watched.requests if not u.startswith(("file:", "data:"))] == []
    assert page.evaluate("() => window.parkgisCoverage.firms()") == 2
    quiet(watched)
