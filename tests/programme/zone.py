"""The programme tests' committed zone: the workbench's zone (officer A with four firms,
officer B with two) plus tokens for every role, removed again with what the app wrote."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from parkgis.auth import create_token
from parkgis.db import session_scope
from tests.workbench.zone import WBZone, drop_wb_zone, make_wb_zone


@contextmanager
def made_zone(engine: Engine) -> Iterator[WBZone]:
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
