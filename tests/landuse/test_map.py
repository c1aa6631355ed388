"""The land-use map's HTML by role: themes, legend areas in 亩, escaping, size."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidQuery, Unauthorized
from parkgis.maps import render
from parkgis.maps.landuse import THEMES, landuse_map
from parkgis.maps.registry import MAP_KINDS, build_map
from parkgis.settings import Settings
from tests.landuse.zone import HOSTILE_NAME, TODAY, LuZone


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="pg-landuse-data">(.*?)</script>', html)
    assert m is not None
    return json.loads(m.group(1))


def _map(session: Session, zone: LuZone, settings: Settings, role: str, **kw: object) -> str:
    m = landuse_map(
        session,
        Principal(user_id=9, name=role, role=role),
        settings,  # type: ignore[arg-type]
        bbox=zone.bbox,
        basemap="none",
        today=TODAY,
        **kw,
    )
    return render(m)


def test_themes_follow_the_role(lu_session: Session, lu_zone: LuZone, settings: Settings) -> None:
    expected = {
        "investment": ["class"],
        "officer": ["class", "plot_ratio"],
        "planner": list(THEMES),
        "admin": list(THEMES),
    }
    for role, themes in expected.items():
        html = _map(lu_session, lu_zone, settings, role)
        data = _data(html)
        assert [t["key"] for t in data["themes"]] == themes
        for theme in THEMES:
            assert (f'"c_{theme}"' in html) == (theme in themes), (role, theme)
        rows = data["info"].values()
        longest = max(len(r) for r in rows)
        assert longest == {"investment": 4, "officer": 9}.get(role, 13), role
    with pytest.raises(Unauthorized):
        landuse_map(lu_session, Principal(), settings, bbox=lu_zone.bbox)


def test_legend_gives_each_class_in_mu(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    from parkgis.landuse import Scope, landuse_summary

    html = _map(lu_session, lu_zone, settings, "investment")
    summary = landuse_summary(
        lu_session,
        Principal(user_id=9, role="investment"),
        by="class",
        scope=Scope(bbox=lu_zone.bbox),
    )
    for c in summary["zone"]["classes"]:
        assert f'data-key="class-{c["code"]}"' in html
        assert f"{c['area_mu']:,.1f} 亩" in html


def test_values_are_escaped_and_popups_hold_numbers(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    html = _map(lu_session, lu_zone, settings, "planner", lang="en")
    assert HOSTILE_NAME not in html
    assert "<img src=x" not in html and "{{ 7*7 }}" not in html
    info = _data(html)["info"]
    ok = info[str(lu_zone.parcels["ok"])]
    assert ok[0] == f"LU-{lu_zone.tag}-ok" and ok[4] == HOSTILE_NAME  # shown via textContent
    assert ok[6] == 0.7 and ok[8] == "Met"
    idle = info[str(lu_zone.parcels["idle_old"])]
    assert idle[10] == "Supplied, not used" and idle[11] == 800 and idle[12] > 0


def test_theme_parameter_and_registry(
    lu_session: Session, lu_zone: LuZone, settings: Settings
) -> None:
    html = _map(lu_session, lu_zone, settings, "planner", filters={"theme": "grade"})
    assert _data(html)["first"] == "grade"
    inv = _map(lu_session, lu_zone, settings, "investment", filters={"theme": "grade"})
    assert _data(inv)["first"] == "class"  # not theirs: the class theme
    with pytest.raises(InvalidQuery) as e:
        _map(lu_session, lu_zone, settings, "planner", filters={"theme": "colour"})
    assert e.value.field == "theme"
    with pytest.raises(InvalidQuery):
        _map(lu_session, lu_zone, settings, "planner", filters={"stage": "built"})
    assert "landuse" in MAP_KINDS
    m = build_map(
        "landuse",
        lu_session,
        Principal(user_id=9, role="planner"),
        settings,
        bbox=lu_zone.bbox,
        basemap="none",
    )
    assert "pg-landuse-data" in render(m, download=True)
