"""WCAG AA contrast (4.5:1) for every chip, badge and the frame bar."""

from __future__ import annotations

import re

import pytest

from parkgis.maps.projects import STAGE_COLORS
from parkgis.maps.projects_js import CSS as PROJECTS_CSS
from parkgis.pages.contrast import AA, contrast, readable_text
from parkgis.pages.env import TEMPLATES


def test_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("stage", list(STAGE_COLORS))
def test_every_stage_chip_is_readable(stage: str) -> None:
    bg = STAGE_COLORS[stage]
    assert contrast(readable_text(bg), bg) >= AA, stage


def test_negotiating_chip_is_dark_on_lilac() -> None:
    assert readable_text(STAGE_COLORS["negotiating"]) != "#ffffff"


def test_badges_and_late_text_meet_aa() -> None:
    for selector, rule in re.findall(r"([^{}]+)(\{[^}]*\})", PROJECTS_CSS):
        if ".pg-chip " in selector + " ":
            continue  # chips get their colours per stage (test above)
        bg = re.search(r"background: (#[0-9a-f]{6})", rule)
        fg = re.search(r"[^-]color: (#[0-9a-f]{3,6})", rule)
        if bg and fg:
            assert contrast(bg.group(1), fg.group(1)) >= AA, rule
        elif fg:
            assert contrast(fg.group(1), "#ffffff") >= AA, rule  # text on a white popup


def test_the_frame_bar_meets_aa() -> None:
    css = (TEMPLATES / "frame.css").read_text()
    bar = re.search(r"\.pg-bar\{[^}]*background:(#[0-9a-f]{6});color:(#[0-9a-f]{3,6})", css)
    assert bar is not None
    assert contrast(bar.group(1), bar.group(2)) >= AA
