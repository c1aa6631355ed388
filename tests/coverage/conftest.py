"""Fixtures of the coverage tests; the layout builder is :class:`tests.coverage.layout.Layout`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection

from parkgis.settings import Settings
from tests.coverage.layout import Layout


@pytest.fixture
def layout(conn: Connection) -> Iterator[Layout]:
    """A layout builder on the rolled-back connection. Other rows may exist in the test
    database (the demo, API tests): tests scope their queries to the officers they made."""
    yield Layout(conn)


@pytest.fixture
def cov_settings(settings: Settings) -> Settings:
    """Test settings with a 100 m buffer and the default concave ratio."""
    s = settings.model_copy(deep=True)
    s.coverage.buffer_m = 100.0
    return s
