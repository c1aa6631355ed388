"""Fixtures of the map tests; the zone itself is built by :mod:`tests.maps.zone`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.maps.zone import Zone, committed_zone


@pytest.fixture(scope="module")
def app_zone(engine: Engine) -> Iterator[tuple[Zone, str]]:
    """A committed map zone and a planner token, for tests through the app or a browser."""
    with committed_zone(engine) as zt:
        yield zt
