"""The battle map rendered to HTML: one feature per matching project, frames, escaping."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.access import ANONYMOUS
from parkgis.errors import InvalidQuery, Unauthorized
from parkgis.maps import render
from parkgis.maps.assets import linked_files
from parkgis.maps.projects import ROW, projects_map
from parkgis.maps.safe import safe_text
from parkgis.projects.milestones import ALL_PROJECT_STAGES, STAGE_COLORS
from parkgis.settings import Settings
from parkgis.zonetime import zone_today
from tests.projects.factory import PLANNER, TZ, BoardZone, make_board_zone
from tests.support.hostile import HOSTILE

TODAY = zone_today(TZ)
DATA = re.compile(r'<script type="application/json" id="pg-projects-data">(.*?)</script>', re.S)


@pytest.fixture
def zone(conn: Connection) -> BoardZone:
    return make_board_zone(conn, TODAY)


def page(session: Session, settings: Settings, z: BoardZone, **filters: Any) -> str:
    m = projects_map(
        session, PLANNER, settings, bbox=z.bbox, filters=filters, basemap="none", today=TODAY
    )
    return render(m)


def data(html: str) -> dict[str, Any]:
    found = DATA.findall(html)
    assert len(found) == 1
    return json.loads(found[0])


def ids(html: str) -> set[int]:
    return {row[ROW["id"]] for row in data(html)["projects"]}


def test_one_feature_per_matching_project(
    session: Session, settings: Settings, zone: BoardZone
) -> None:
    p = zone.projects
    assert ids(page(session, settings, zone)) == set(p.values())
    assert ids(page(session, settings, zone, overdue="1")) == {
        p["late"],
        p["building"],
        p["stalled"],
    }
    assert ids(page(session, settings, zone, stage="signed,in_production")) == {
        p["signed"],
        p["done"],
    }
    assert ids(page(session, settings, zone, industry_chain="batteries")) == {
        p["signed"],
        p["stalled"],
        p["done"],
    }
    assert ids(page(session, settings, zone, chain="batteries", overdue="true")) == {p["stalled"]}
    assert ids(page(session, settings, zone, officer_id=str(zone.officers[0]))) == {
        p["late"],
        p["building"],
        p["cancelled"],
    }
    empty = page(session, settings, zone, stage="topped_out")
    assert data(empty)["projects"] == [] and "当前范围内没有数据" in empty


def test_rows_carry_the_supervision_status(
    session: Session, settings: Settings, zone: BoardZone
) -> None:
    d = data(page(session, settings, zone))
    rows = {r[ROW["id"]]: r for r in d["projects"]}
    late = rows[zone.projects["late"]]
    assert late[ROW["stage"]] == "0" and late[ROW["next"]] == 1  # negotiating → signed
    assert late[ROW["late"]] == 540 and late[ROW["overdue"]] == 540
    assert late[ROW["yi"]] == 1.0 and late[ROW["parcel"]] == zone.parcels[0]
    assert str(zone.parcels[0]) in d["parcels"]  # the parcel polygon travels with it
    assert rows[zone.projects["cancelled"]][ROW["overdue"]] == 0
    assert rows[zone.projects["cancelled"]][ROW["next"]] is None
    assert rows[zone.projects["done"]][ROW["next"]] is None
    assert rows[zone.projects["signed"]][ROW["late"]] == 0
    assert rows[zone.projects["signed"]][ROW["left"]] == 59


def test_time_slider_has_one_frame_per_month(
    session: Session, settings: Settings, zone: BoardZone
) -> None:
    d = data(page(session, settings, zone))
    frames = d["frames"]
    assert len(frames) == 24 == settings.projects.slider_months
    months = [date.fromisoformat(f + "-01") for f in frames]
    assert frames[-1] == f"{TODAY.year:04d}-{TODAY.month:02d}"
    for a, b in zip(months, months[1:], strict=False):
        assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
    for row in d["projects"]:
        assert len(row[ROW["hist"]]) == 24
        assert row[ROW["hist"]][-1] == row[ROW["stage"]]
    done = next(r for r in d["projects"] if r[ROW["id"]] == zone.projects["done"])
    # in production for the last months, negotiating about 600 days ago
    assert done[ROW["hist"]].endswith("66") and "-" not in done[ROW["hist"]][-19:]


def test_legend_in_stage_order_with_the_one_palette(
    session: Session, settings: Settings, zone: BoardZone
) -> None:
    html = page(session, settings, zone)
    keys = re.findall(r'<li data-key="([a-z_]+)">', html)
    assert keys[: len(ALL_PROJECT_STAGES)] == list(ALL_PROJECT_STAGES)
    assert "overdue" in keys
    d = data(html)
    assert [s["key"] for s in d["stages"]] == list(ALL_PROJECT_STAGES)
    assert {s["key"]: s["color"] for s in d["stages"]} == STAGE_COLORS
    for s, c in STAGE_COLORS.items():
        assert f'data-key="{s}"><span class="swatch circle" style="background:{c}"' in html


def test_every_text_is_escaped(session: Session, settings: Settings, zone: BoardZone) -> None:
    html = page(session, settings, zone)
    for raw in HOSTILE:
        assert raw not in html
    assert "<img src=x" not in html and "</script><script>alert" not in html
    d = data(html)
    names = {r[ROW["name"]] for r in d["projects"]} | {r[ROW["firm"]] for r in d["projects"]}
    names |= set(d["officers"].values()) | {r[ROW["reason"]] for r in d["projects"]}
    for raw in HOSTILE:
        assert any(safe_text(raw) in (n or "") for n in names), raw


def test_download_is_one_file(session: Session, settings: Settings, zone: BoardZone) -> None:
    m = projects_map(session, PLANNER, settings, bbox=zone.bbox, basemap="none", today=TODAY)
    html = render(m, download=True)
    assert linked_files(html) == []
    assert "L.markerClusterGroup" in html and "markerClusterGroup=" in html.replace(" ", "")


def test_refusals(session: Session, settings: Settings, zone: BoardZone) -> None:
    with pytest.raises(Unauthorized):
        projects_map(session, ANONYMOUS, settings, bbox=zone.bbox)
    with pytest.raises(InvalidQuery) as exc:
        projects_map(session, PLANNER, settings, filters={"colour": "red"})
    assert exc.value.field == "colour"
    with pytest.raises(InvalidQuery) as exc2:
        projects_map(session, PLANNER, settings, filters={"overdue": "maybe"})
    assert exc2.value.field == "overdue"


def test_amap_shifts_points_and_parcels(
    session: Session, settings: Settings, zone: BoardZone
) -> None:
    plain = data(page(session, settings, zone))
    m = projects_map(session, PLANNER, settings, bbox=zone.bbox, basemap="amap", today=TODAY)
    shifted = data(render(m))
    a = next(r for r in plain["projects"] if r[ROW["id"]] == zone.projects["late"])
    b = next(r for r in shifted["projects"] if r[ROW["id"]] == zone.projects["late"])
    assert 0.0005 < abs(b[ROW["lon"]] - a[ROW["lon"]]) < 0.01  # GCJ-02: a few hundred metres
    pa = plain["parcels"][str(zone.parcels[0])][0][0][0]
    pb = shifted["parcels"][str(zone.parcels[0])][0][0][0]
    assert 0.0005 < abs(pb[0] - pa[0]) < 0.01


def test_template_syntax_in_names_stays_text(
    conn: Connection, session: Session, settings: Settings, zone: BoardZone
) -> None:
    """Folium compiles macro output as Jinja: data must never reach that path."""
    payload = (
        "{{ this.__init__.__globals__.__builtins__.__import__(dict(os=1)|list|first).getpid() }}"
    )
    conn.execute(
        text("UPDATE projects SET name = :n, stage_reason = :r WHERE id = :i"),
        {"n": payload, "r": "{% raw %}{{ 7*7 }}", "i": zone.projects["stalled"]},
    )
    html = page(session, settings, zone)
    row = next(r for r in data(html)["projects"] if r[ROW["id"]] == zone.projects["stalled"])
    assert row[ROW["name"]] == safe_text(payload) and "getpid()" in html
    assert row[ROW["reason"]] == safe_text("{% raw %}{{ 7*7 }}")
