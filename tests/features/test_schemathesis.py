"""Property-based run of the whole OpenAPI document: no request may get a 5xx.

Schemathesis generates requests for every operation of the app's OpenAPI document and
sends them through the ASGI app with an admin token (so write endpoints are exercised
past 401). The fuzzing writes and deletes at random, so it runs in its own database
(``parkgis_fuzz`` in the embedded cluster) where it cannot disturb other tests; the demo
zone is not needed, a few rows are seeded so ids 1..n exist.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from api.app import create_app
from parkgis.access import Principal
from parkgis.auth import create_token
from parkgis.db.engine import db_up, session_scope
from parkgis.settings import DatabaseSettings, Settings
from parkgis.writes import create
from tests.support.firms import uscc
from tests.support.geometry import ring, square

MAX_EXAMPLES = int(os.environ.get("PARKGIS_FUZZ_EXAMPLES", "12"))


def _seed(engine: Engine) -> str:
    admin = Principal(name="fuzz-setup", role="admin")
    with session_scope(engine) as s:
        token = create_token(s, role="admin", name="fuzz-admin")
        officer = create(s, "officers", admin, {"name": "fuzz officer"}).id
        firm = create(
            s,
            "enterprises",
            admin,
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [112.7, 23.33]},
                "properties": {"name": "fuzz firm", "uscc": uscc()},
            },
        ).id
        parcel = create(
            s,
            "parcels",
            admin,
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring(square(deg=0.001))]},
                "properties": {"code": f"fuzz-{uscc()}", "land_use": "100101"},
            },
        ).id
        create(
            s,
            "buildings",
            admin,
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring(square(deg=0.0005))]},
                "properties": {"name": "fuzz building", "parcel_id": parcel},
            },
        )
        create(
            s,
            "assignments",
            admin,
            {"officer_id": officer, "enterprise_id": firm, "since": "2024-01-01"},
        )
    return token


@pytest.fixture(scope="module")
def fuzz_token(db_settings: DatabaseSettings) -> Iterator[tuple[Settings, str]]:
    """Settings of a database of its own, and an admin token in it."""
    if db_settings.embedded:
        fuzz_db = db_settings.model_copy(update={"db_name": "parkgis_fuzz"})
    else:  # an external test database: fuzz in it (it is a test database already)
        fuzz_db = db_settings
    engine = db_up(fuzz_db)
    try:
        token = _seed(engine)
    finally:
        engine.dispose()
    yield Settings(db=fuzz_db), token


@pytest.fixture(scope="module")
def api_schema(fuzz_token: tuple[Settings, str]) -> Any:
    """The OpenAPI document of the app, loaded through ASGI."""
    fuzz_settings, _ = fuzz_token
    # The coverage phase (hundreds of boundary cases per operation) takes ~6 minutes over
    # this document; PARKGIS_FUZZ_COVERAGE=1 turns it back on.
    coverage = os.environ.get("PARKGIS_FUZZ_COVERAGE") == "1"
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": coverage}}})
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(fuzz_settings), config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: Any, fuzz_token: tuple[Settings, str]) -> None:
    _, token = fuzz_token
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )
