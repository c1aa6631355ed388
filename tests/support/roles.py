"""A committed bearer token for every role, for tests that go through the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from parkgis.auth import create_token
from parkgis.db import session_scope

ROLES = ("anonymous", "investment", "officer", "planner", "admin")


@contextmanager
def made_role_tokens(engine: Engine) -> Iterator[dict[str, str | None]]:
    """``{role: token}`` for every role (``anonymous``: None); an officer row for ``officer``.

    Committed, and deleted on exit: the demo loader refuses users linked to officers it does
    not know, so no test may leave them behind.
    """
    tag = uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        officer_id = conn.execute(
            text(
                "INSERT INTO officers (name, title, unit) "
                "VALUES (:n, '副主任', '管委会办公室') RETURNING id"
            ),
            {"n": f"页面测试官{tag}"},
        ).scalar_one()
    tokens: dict[str, str | None] = {"anonymous": None}
    try:
        with session_scope(engine) as s:
            for role in ROLES[1:]:
                tokens[role] = create_token(
                    s,
                    role=role,
                    name=f"pages-{role}-{tag}",
                    officer_id=officer_id if role == "officer" else None,
                )
        yield tokens
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE name LIKE :n"), {"n": f"pages-%-{tag}"})
            conn.execute(text("DELETE FROM officers WHERE id = :i"), {"i": officer_id})
