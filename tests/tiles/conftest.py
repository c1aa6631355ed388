"""Fixtures of the tile tests: the read-side zone (committed, module scope) and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from parkgis.settings import Settings
from tests.features.zone import Zone, committed_zone


@pytest.fixture(scope="module")
def zone(engine: Engine) -> Iterator[Zone]:
    """The committed read-side zone of :mod:`tests.features.zone`, deleted afterwards."""
    with committed_zone(engine) as z:
        yield z


@pytest.fixture(scope="module")
def client(settings: Settings, zone: Zone) -> Iterator[TestClient]:
    """A TestClient on the app, opened once the zone exists."""
    with TestClient(create_app(settings)) as c:
        yield c
