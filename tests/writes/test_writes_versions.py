"""Lost updates: versions, ETag/If-Match (428 without, 412 when stale), and two writers
that read the same version."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from parkgis.errors import PreconditionFailed
from parkgis.writes import update
from tests.writes.world import ADMIN, World, make_parcel, row

# --- versions: 428, 412 and lost updates ---------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_change_without_precondition_is_428(client: TestClient, world: World, method: str) -> None:
    p = make_parcel(world)
    body = {"PUT": world.bodies("parcels"), "PATCH": {"properties": {"max_far": 1.2}}}.get(method)
    r = client.request(
        method, f"/api/v1/parcels/{p['id']}", json=body, headers=world.headers(ADMIN)
    )
    assert r.status_code == 428, r.text
    assert r.json()["field"] == "If-Match"
    assert row(world, "SELECT version FROM parcels WHERE id = :i", i=p["id"])["version"] == 1


@pytest.mark.parametrize(
    ("if_match", "status"),
    [('"1"', 200), ('W/"1"', 200), ('"7", "1"', 200), ("*", 200), ('"2"', 412), ('"abc"', 412)],
)
def test_if_match_forms(client: TestClient, world: World, if_match: str, status: int) -> None:
    p = make_parcel(world)
    r = client.patch(
        f"/api/v1/parcels/{p['id']}",
        json={"properties": {"max_far": 1.5}},
        headers=world.headers(ADMIN, **{"If-Match": if_match}),
    )
    assert r.status_code == status, r.text
    if status == 412:
        assert r.json()["current_version"] == 1 and r.headers["ETag"] == '"1"'


def test_if_match_and_body_version_must_agree(client: TestClient, world: World) -> None:
    p = make_parcel(world)
    r = client.patch(
        f"/api/v1/parcels/{p['id']}",
        json={"properties": {"version": 2, "max_far": 1.5}},
        headers=world.headers(ADMIN, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 422 and r.json()["field"] == "version"


def test_lost_update_second_writer_gets_412(settings: Any, world: World) -> None:
    from api.app import create_app

    p = make_parcel(world, price_cny_m2=100)
    url = f"/api/v1/parcels/{p['id']}"
    with TestClient(create_app(settings)) as alice, TestClient(create_app(settings)) as bob:
        # Both read version N = 1 (the ETag of the create).
        n = p["version"]
        ra = alice.patch(
            url,
            json={"properties": {"price_cny_m2": 200}},
            headers=world.headers(ADMIN, **{"If-Match": f'"{n}"'}),
        )
        assert ra.status_code == 200 and ra.headers["ETag"] == f'"{n + 1}"'
        body = world.bodies("parcels")
        body["properties"]["price_cny_m2"] = 300
        rb = bob.put(url, json=body, headers=world.headers(ADMIN, **{"If-Match": f'"{n}"'}))
        assert rb.status_code == 412, rb.text
        assert rb.json()["current_version"] == n + 1
    kept = row(world, "SELECT price_cny_m2, version FROM parcels WHERE id = :i", i=p["id"])
    assert kept["price_cny_m2"] == 200 and kept["version"] == n + 1


def test_concurrent_writers_cannot_both_win(world: World) -> None:
    """Writer 1 holds the row (not yet committed); writer 2 with the same version waits,
    then gets 412 once writer 1 commits."""
    p = make_parcel(world, price_cny_m2=100)
    admin = world.principals[ADMIN]
    s1 = Session(world.engine)
    s2 = Session(world.engine)
    outcome: dict[str, Any] = {}

    def second() -> None:
        try:
            update(
                s2,
                "parcels",
                admin,
                p["id"],
                {"properties": {"price_cny_m2": 300}},
                partial=True,
                if_match='"1"',
            )
            s2.commit()
            outcome["result"] = "won"
        except PreconditionFailed as exc:
            s2.rollback()
            outcome["result"] = exc.detail["current_version"]

    try:
        update(
            s1,
            "parcels",
            admin,
            p["id"],
            {"properties": {"price_cny_m2": 200}},
            partial=True,
            if_match='"1"',
        )
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        assert t.is_alive(), "the second writer did not wait for the first"
        s1.commit()
        t.join(10)
    finally:
        s1.close()
        s2.close()
    assert outcome["result"] == 2
    kept = row(world, "SELECT price_cny_m2, version FROM parcels WHERE id = :i", i=p["id"])
    assert kept["price_cny_m2"] == 200 and kept["version"] == 2


def test_a_read_feature_can_be_sent_back_with_put(client: TestClient, world: World) -> None:
    p = make_parcel(world)
    url = f"/api/v1/parcels/{p['id']}"
    doc = client.get(url, headers=world.headers(ADMIN)).json()
    # Areas are computed and refused on input; everything else goes back as it came.
    r = client.put(url, json=doc, headers=world.headers(ADMIN))
    assert r.status_code == 422 and r.json()["field"] == "properties.area_m2"
    assert "computed from the geometry" in r.json()["description"]
    del doc["properties"]["area_m2"], doc["properties"]["area_mu"]
    doc["properties"]["address"] = "No. 9 Road"
    r = client.put(url, json=doc, headers=world.headers(ADMIN))  # version from the document
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["properties"]["address"] == "No. 9 Road"
    r = client.put(url, json=doc, headers=world.headers(ADMIN))  # the same document again
    assert r.status_code == 412 and r.json()["current_version"] == 2


def test_feature_and_properties_must_agree_on_id_and_version(
    client: TestClient, world: World
) -> None:
    p = make_parcel(world)
    url = f"/api/v1/parcels/{p['id']}"
    r = client.patch(
        url, json={"version": 1, "properties": {"version": 2}}, headers=world.headers(ADMIN)
    )
    assert r.status_code == 422 and r.json()["field"] == "version"
    r = client.patch(
        url, json={"version": 1, "properties": {"id": p["id"] + 1}}, headers=world.headers(ADMIN)
    )
    assert r.status_code == 422 and r.json()["field"] == "properties.id"
