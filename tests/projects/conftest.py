"""Fixtures of the project tests; row factories are in :mod:`tests.projects.factory` and
:mod:`tests.support.rows`."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from sqlalchemy import Engine

from parkgis.zonetime import zone_today
from tests.projects.factory import TZ, BoardZone, drop_board_zone, make_board_zone
from tests.support.zones import committed


@pytest.fixture(scope="module")
def board(engine: Engine) -> Iterator[tuple[BoardZone, str]]:
    """A committed board zone (today in the zone's time) and a planner token for it."""
    build = partial(make_board_zone, today=zone_today(TZ))
    with committed(
        engine, build, drop_board_zone, lambda z: f"{z.tag}-pages", {"planner": None}
    ) as (zone, tokens):
        yield zone, tokens["planner"]
