"""Fixtures of the programme tests: the hand-made fixture month, and the committed zone of
the API tests (the workbench's zone: officer A with four firms, officer B with two)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, text

from parkgis.auth import create_token
from parkgis.db import session_scope
from tests.programme.fixture import FixtureMonth, build
from tests.workbench.zone import WBZone, drop_wb_zone, make_wb_zone


@pytest.fixture
def month_rows(conn: Connection) -> FixtureMonth:
    """October 2026 as the module ``tests.programme.fixture`` describes it (rolled back)."""
    return build(conn)


@pytest.fixture(scope="package")
def zone(engine: Engine) -> Iterator[WBZone]:
    """The committed workbench zone with tokens ``a``, ``b``, ``planner``, ``admin`` and
    ``investment``; activities the app logs for it go with its officers (ON DELETE CASCADE)."""
    with engine.begin() as conn:
        z = make_wb_zone(conn)
    with session_scope(engine) as s:
        for key, role, officer in (
            ("a", "officer", z.officer_a),
            ("b", "officer", z.officer_b),
            ("planner", "planner", None),
            ("admin", "admin", None),
            ("investment", "investment", None),
        ):
            name = f"prg-{key}-{z.tag}"
            z.users.append(name)
            z.tokens[key] = create_token(s, role=role, name=name, officer_id=officer)
    try:
        yield z
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log WHERE actor = ANY(:u)"), {"u": list(z.users)})
        drop_wb_zone(engine, z)
