"""The audit log: every write recorded with who, when and the values before and after;
read by admins only at GET /api/v1/audit, filtered and paged."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.writes.world import ADMIN, World, post

# --- audit --------------------------------------------------------------------------


def test_every_write_is_audited_with_user_and_values(client: TestClient, world: World) -> None:
    r = post(client, world, "officers", {"name": world.code("o"), "phone": "13800000000"})
    oid = r.json()["id"]
    client.patch(
        f"/api/v1/officers/{oid}",
        json={"title": "director"},
        headers=world.headers(ADMIN, **{"If-Match": '"1"'}),
    )
    client.delete(f"/api/v1/officers/{oid}", headers=world.headers(ADMIN, **{"If-Match": '"2"'}))
    r = client.get(
        "/api/v1/audit",
        params={"entity": "officers", "entity_id": oid},
        headers=world.headers(ADMIN),
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["action"] for i in items] == ["delete", "update", "create"]
    admin = world.principals[ADMIN]
    assert {(i["user_id"], i["actor"]) for i in items} == {(admin.user_id, admin.name)}
    assert items[1]["before"] == {"title": None, "version": 1}
    assert items[1]["after"] == {"title": "director", "version": 2}
    assert items[2]["after"]["phone"] == "13800000000"
    # Never a token, anywhere in the log.
    assert world.tokens[ADMIN] not in r.text
    with world.engine.connect() as conn:
        dump = conn.execute(
            text(
                "SELECT string_agg(before::text || after::text, '') FROM audit_log "
                "WHERE user_id = :u"
            ),
            {"u": admin.user_id},
        ).scalar_one()
    assert all(tok not in (dump or "") for tok in world.tokens.values())


def test_audit_filters_and_pages(client: TestClient, world: World) -> None:
    for _ in range(3):
        post(client, world, "officers", {"name": world.code("page")})
    h = world.headers(ADMIN)
    admin = world.principals[ADMIN]
    r = client.get("/api/v1/audit", params={"user_id": admin.user_id, "limit": 2}, headers=h)
    page = r.json()
    assert page["numberReturned"] == 2 and page["numberMatched"] >= 3
    assert page["links"][0]["rel"] == "next" and "offset=2" in page["links"][0]["href"]
    r2 = client.get(
        "/api/v1/audit", params={"user_id": admin.user_id, "limit": 2, "offset": 2}, headers=h
    )
    assert {i["id"] for i in r2.json()["items"]}.isdisjoint({i["id"] for i in page["items"]})
    r = client.get(
        "/api/v1/audit",
        params={"user": admin.name, "action": "create", "entity": "officers"},
        headers=h,
    )
    assert r.json()["numberMatched"] >= 3
    assert all(i["actor"] == admin.name and i["action"] == "create" for i in r.json()["items"])


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("investment", 403), ("officer_own", 403), ("planner", 403)],
)
def test_audit_is_admin_only(client: TestClient, world: World, role: str, status: int) -> None:
    r = client.get("/api/v1/audit", headers=world.headers(role))
    assert r.status_code == status


def test_audit_refuses_unknown_parameters(client: TestClient, world: World) -> None:
    r = client.get("/api/v1/audit", params={"colour": "red"}, headers=world.headers(ADMIN))
    assert r.status_code == 400 and r.json()["field"] == "colour"
