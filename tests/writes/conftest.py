"""Fixtures of the write-API tests: the committed :class:`~tests.writes.world.World` and a
client on the app (module-scoped: API requests commit, the world is deleted afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from parkgis.access import Principal
from parkgis.auth import authenticate, create_token
from parkgis.db.engine import session_scope
from parkgis.settings import Settings
from parkgis.writes import create
from tests.support.firms import uscc
from tests.support.geometry import LAT0, LON0, ring, square
from tests.writes.world import World, drop_world


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[World]:
    """Two officers (A serves firm A, B serves firm B), a parcel, a building, and tokens."""
    tag = "wt" + uuid.uuid4().hex[:6] + "-"
    admin = Principal(name="setup", role="admin")
    with session_scope(engine) as s:
        ids: dict[str, int] = {}

        def add(entity: str, body: dict[str, Any]) -> int:
            return int(create(s, entity, admin, body).id)

        ids["officer_a"] = add("officers", {"name": tag + "officer-a"})
        ids["officer_b"] = add("officers", {"name": tag + "officer-b"})
        pt = {"type": "Point", "coordinates": [LON0, LAT0]}
        for k in ("a", "b"):
            ids[f"firm_{k}"] = add(
                "enterprises",
                {
                    "type": "Feature",
                    "geometry": pt,
                    "properties": {"name": f"{tag}firm-{k}", "uscc": uscc()},
                },
            )
            add(
                "assignments",
                {
                    "officer_id": ids[f"officer_{k}"],
                    "enterprise_id": ids[f"firm_{k}"],
                    "since": "2024-01-01",
                },
            )
        ids["parcel"] = add(
            "parcels",
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring(square(deg=0.01))]},
                "properties": {"code": tag + "base", "land_use": "100101"},
            },
        )
        ids["building"] = add(
            "buildings",
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring(square(deg=0.002))]},
                "properties": {"name": tag + "base", "parcel_id": ids["parcel"]},
            },
        )
        tokens = {
            "admin": create_token(s, role="admin", name=tag + "admin"),
            "planner": create_token(s, role="planner", name=tag + "planner"),
            "investment": create_token(s, role="investment", name=tag + "investment"),
            "officer_own": create_token(
                s, role="officer", name=tag + "officer-a", officer_id=ids["officer_a"]
            ),
            "officer_other": create_token(
                s, role="officer", name=tag + "officer-b", officer_id=ids["officer_b"]
            ),
        }
    with session_scope(engine) as s:
        principals = {role: authenticate(s, tok) for role, tok in tokens.items()}
    principals["anonymous"] = Principal()
    w = World(tag=tag, engine=engine, tokens=tokens, principals=principals, **ids)
    try:
        yield w
    finally:
        drop_world(engine, tag, [p.user_id for p in principals.values() if p.user_id])


@pytest.fixture(scope="module")
def client(settings: Settings, world: World) -> Iterator[TestClient]:
    """A TestClient on the app (its requests commit)."""
    with TestClient(create_app(settings)) as c:
        yield c
