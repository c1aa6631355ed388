"""A committed prospect zone, tokens for every role and a client, shared by a module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from parkgis.settings import Settings
from tests.prospect.zone import Api, committed_zone
from tests.support.zones import drop_users, make_tokens


@pytest.fixture(scope="module")
def papi(engine: Engine, settings: Settings) -> Iterator[Api]:
    with engine.begin() as c:
        officer = c.execute(
            text("INSERT INTO officers (name) VALUES ('王科长') RETURNING id")
        ).scalar()
    prefix = f"prospect-{uuid.uuid4().hex[:8]}"
    roles = {"admin": None, "investment": None, "officer": officer, "planner": None}
    tokens = make_tokens(engine, prefix, roles)
    try:
        with committed_zone(engine) as zone, TestClient(create_app(settings)) as client:
            yield Api(client, zone, tokens)
    finally:
        with engine.begin() as c:
            drop_users(c, prefix)
            c.execute(text("DELETE FROM officers WHERE id = :o"), {"o": officer})
