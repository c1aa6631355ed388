"""Role matrix of the write API: every role on every write endpoint, table-driven.

Roles: anonymous (401 everywhere), investment (403 everywhere), officer on their own
firm, officer on another officer's firm, planner, admin. The expected outcome comes from
the policy in ``parkgis.access`` as documented (WRITERS plus the own-firm rule), written
out here independently so a change to the policy shows up as a failing row.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.writes.world import ROLES, World

ENTITIES = (
    "parcels",
    "buildings",
    "spaces",
    "grid_areas",
    "enterprises",
    "officers",
    "assignments",
    "projects",
    "visits",
    "service_requests",
)
METHODS = ("POST", "PUT", "PATCH", "DELETE")
SUCCESS = {"POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}

# Who may write what (the expectation, stated independently of parkgis.access).
MAY_WRITE: dict[str, set[str]] = {
    "admin": set(ENTITIES),
    "planner": {"parcels", "buildings", "spaces", "grid_areas", "projects"},
    "officer_own": {"visits", "service_requests", "projects"},
    "officer_other": set(),  # the rows below belong to officer A and firm A
    "investment": set(),
    "anonymous": set(),
}


def expected(role: str, entity: str, method: str) -> int:
    if role == "anonymous":
        return 401
    return SUCCESS[method] if entity in MAY_WRITE[role] else 403


CASES = [(r, e, m) for e in ENTITIES for m in METHODS for r in ROLES]


def _patch_body(entity: str, world: World) -> dict[str, Any]:
    change: dict[str, Any] = {
        "parcels": {"price_cny_m2": 880},
        "buildings": {"floors": 3},
        "spaces": {"power_kva": 1250},
        "grid_areas": {"name": world.code("renamed")},
        "enterprises": {"employees": 120},
        "officers": {"title": "deputy director"},
        "assignments": {"note": world.code("n")},
        "projects": {"investment_cny": 5.0e8},
        "visits": {"summary": world.code("s")},
        "service_requests": {"department": "power bureau"},
    }[entity]
    if entity in ("officers", "assignments", "visits", "service_requests"):
        return change
    return {"type": "Feature", "properties": change}


def _prepare(world: World, role: str, entity: str, method: str) -> dict[str, Any]:
    """The request to send (a target row is created first for PUT/PATCH/DELETE)."""
    if method == "POST":
        return {"url": f"/api/v1/{entity}", "json": world.bodies(entity)}
    target = world.make(entity, world.bodies(entity))
    req: dict[str, Any] = {"url": f"/api/v1/{entity}/{target['id']}"}
    if method == "PATCH":
        req["json"] = _patch_body(entity, world)
    elif method == "PUT":
        req["json"] = world.bodies(entity)
    return req


@pytest.mark.parametrize(("role", "entity", "method"), CASES)
def test_role_matrix(client: TestClient, world: World, role: str, entity: str, method: str) -> None:
    req = _prepare(world, role, entity, method)
    before = world.audit_rows()
    extra = {} if method == "POST" else {"If-Match": '"1"'}
    r = client.request(method, headers=world.headers(role, **extra), **req)
    want = expected(role, entity, method)
    assert r.status_code == want, r.text
    if want >= 400:
        body = r.json()
        assert body["code"] == {401: "Unauthorized", 403: "Forbidden"}[want]
        assert world.audit_rows() == before, "a refused write left an audit row"
        if want == 401:
            assert r.headers["WWW-Authenticate"] == "Bearer"
    else:
        assert world.audit_rows() == before + 1


def test_matrix_covers_every_write_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    routes = {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
        and re.fullmatch(r"/api/v1/\w+(/\{fid\})?", path)
        and path.split("/")[3] in ENTITIES
    }
    covered = {(m, f"/api/v1/{e}") for e in ENTITIES for m in ("POST",)} | {
        (m, f"/api/v1/{e}/{{fid}}") for e in ENTITIES for m in ("PUT", "PATCH", "DELETE")
    }
    assert routes == covered


def test_officer_forbidden_names_the_field(client: TestClient, world: World) -> None:
    body = world.bodies("visits") | {"officer_id": None, "enterprise_id": world.firm_b}
    r = client.post("/api/v1/visits", json=body, headers=world.headers("officer_own"))
    assert r.status_code == 403
    assert r.json()["field"] == "enterprise_id"
    assert "not assigned to you" in r.json()["description"]


def test_officer_visit_defaults_to_themselves(client: TestClient, world: World) -> None:
    body = world.bodies("visits") | {"officer_id": None}
    body.pop("officer_id")
    r = client.post("/api/v1/visits", json=body, headers=world.headers("officer_own"))
    assert r.status_code == 201, r.text
    assert r.json()["officer_id"] == world.officer_a


def test_officer_may_not_write_in_another_officers_name(client: TestClient, world: World) -> None:
    body = world.bodies("visits") | {"officer_id": world.officer_b}
    r = client.post("/api/v1/visits", json=body, headers=world.headers("officer_own"))
    assert r.status_code == 403
    assert r.json()["field"] == "officer_id"


def test_officer_may_not_move_a_request_to_a_foreign_firm(client: TestClient, world: World) -> None:
    sr = world.make("service_requests", world.bodies("service_requests"))
    r = client.patch(
        f"/api/v1/service_requests/{sr['id']}",
        json={"enterprise_id": world.firm_b},
        headers=world.headers("officer_own", **{"If-Match": '"1"'}),
    )
    assert r.status_code == 403
    assert r.json()["field"] == "enterprise_id"
    r = client.patch(
        f"/api/v1/service_requests/{sr['id']}",
        json={"detail": "needs 2 MVA by March"},
        headers=world.headers("officer_own", **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200, r.text


def test_request_status_moves_only_through_its_transition(client: TestClient, world: World) -> None:
    sr = world.make("service_requests", world.bodies("service_requests"))
    r = client.patch(
        f"/api/v1/service_requests/{sr['id']}",
        json={"status": "resolved", "resolved_on": "2025-03-02"},
        headers=world.headers("admin", **{"If-Match": '"1"'}),
    )
    assert r.status_code == 422
    assert r.json()["field"] == "status" and "/transition" in r.json()["description"]


@pytest.mark.parametrize("header", ["Bearer nope", "Basic Zm9vOmJhcg==", "Bearer"])
def test_bad_token_is_401(client: TestClient, world: World, header: str) -> None:
    r = client.post(
        "/api/v1/officers", json={"name": world.code()}, headers={"Authorization": header}
    )
    assert r.status_code == 401
    assert world.count("SELECT count(*) FROM officers WHERE name LIKE :tag") >= 2
