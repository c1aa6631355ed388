"""Tokens for every role (committed, since pages go through the app), and an app client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from parkgis.settings import Settings
from tests.support.roles import made_role_tokens


@pytest.fixture(scope="package")  # gone before another package loads the demo
def role_tokens(engine: Engine) -> Iterator[dict[str, str | None]]:
    """Tokens for every role, for the tests of this package (:func:`made_role_tokens`)."""
    with made_role_tokens(engine) as tokens:
        yield tokens


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app on the test database (no redirects followed)."""
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c
