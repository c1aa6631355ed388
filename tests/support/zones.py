"""What every test zone needs besides its rows: an isolated spot, users with tokens, clean-up.

A zone's rows are its own business (``tests/<domain>/zone.py``); these helpers put it where
no other zone of the shared test database lies, give it bearer tokens, and delete it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from parkgis.auth import create_token

Z = TypeVar("Z")


@dataclass(frozen=True)
class Spot:
    """South-west corner (EPSG:4326 degrees) of a zone and a tag for its codes and names."""

    lon: float
    lat: float
    tag: str


def spot(lon: float, lat: float, *, step: tuple[float, float] = (0.03, 0.01)) -> Spot:
    """A random cell of a 64 × 128 grid of ``step`` degrees whose corner is ``lon``/``lat``.

    Zones of one run then rarely share a cell, so a ``bbox`` around a zone holds its rows
    only. The tag is 8 hex digits from the same random number.
    """
    r = uuid.uuid4().int
    return Spot(
        lon=round(lon + step[0] * (r % 64), 6),
        lat=round(lat + step[1] * ((r >> 8) % 128), 6),
        tag=f"{r:032x}"[:8],
    )


def make_tokens(engine: Engine, prefix: str, roles: Mapping[str, int | None]) -> dict[str, str]:
    """Commit a user named ``<prefix>-<role>`` per role (officer id as the value) and
    return their bearer tokens; :func:`drop_users` with the same prefix deletes them."""
    tokens: dict[str, str] = {}
    with Session(engine) as s:
        for role, officer_id in roles.items():
            tokens[role] = create_token(
                s, role=role, name=f"{prefix}-{role}", officer_id=officer_id
            )
        s.commit()
    return tokens


def drop_users(conn: Connection, prefix: str) -> None:
    """Delete the users (and their tokens) that :func:`make_tokens` made for ``prefix``."""
    users = "SELECT id FROM users WHERE name LIKE :p"
    params = {"p": prefix.replace("%", r"\%").replace("_", r"\_") + "-%"}
    conn.execute(text(f"DELETE FROM api_tokens WHERE user_id IN ({users})"), params)
    conn.execute(text(f"DELETE FROM users WHERE id IN ({users})"), params)


def drop_rows(conn: Connection, tables: Iterable[tuple[str, Iterable[int]]]) -> None:
    """``DELETE FROM table WHERE id = ANY(ids)`` for each pair, in the order given."""
    for table, ids in tables:
        conn.execute(text(f"DELETE FROM {table} WHERE id = ANY(:ids)"), {"ids": list(ids)})


@contextmanager
def committed(
    engine: Engine,
    build: Callable[[Connection], Z],
    drop: Callable[[Connection, Z], None],
    prefix: Callable[[Z], str],
    roles: Mapping[str, int | None],
) -> Iterator[tuple[Z, dict[str, str]]]:
    """Build a zone in a committed transaction, give it tokens, and drop both afterwards.

    Tests that go through the app (its sessions commit) need committed rows; ``prefix(zone)``
    names the zone's users.
    """
    with engine.begin() as conn:
        zone = build(conn)
    try:
        yield zone, make_tokens(engine, prefix(zone), roles)
    finally:
        with engine.begin() as conn:
            drop(conn, zone)
            drop_users(conn, prefix(zone))
