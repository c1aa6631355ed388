"""HTTP: POST/GET /api/v1/match and the /api/v1/reservations endpoints.

TestClient requests commit, so the zone and users here are committed with unique values
and removed afterwards.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.auth import create_token
from parkgis.settings import Settings
from tests.matching.zone import Zone, add_sure_units, drop_zone, lonlat_point, make_zone


@dataclass
class Api:
    client: TestClient
    zone: Zone
    tokens: dict[str, str]
    user_ids: list[int]

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(scope="module")
def api(engine: Engine, settings: Settings) -> Iterator[Api]:
    seed = random.randrange(100_000, 999_999)
    with engine.begin() as c:
        zone = make_zone(c, seed=seed, cells=4)
        add_sure_units(c, zone, seed)
        officer = c.execute(
            text("INSERT INTO officers (name) VALUES ('O') RETURNING id")
        ).scalar_one()
    tokens: dict[str, str] = {}
    with Session(engine) as s, s.begin():
        for role in ("admin", "investment", "officer", "planner"):
            tokens[role] = create_token(
                s,
                role=role,
                name=f"match-{role}-{uuid.uuid4().hex[:8]}",
                officer_id=officer if role == "officer" else None,
            )
        user_ids = [
            r[0]
            for r in s.execute(
                text("SELECT user_id FROM api_tokens WHERE prefix = ANY(:p)"),
                {"p": [t[:12] for t in tokens.values()]},
            )
        ]
    try:
        with TestClient(create_app(settings)) as client:
            yield Api(client, zone, tokens, user_ids)
    finally:
        drop_zone(engine, zone, user_ids, officer)


REQ = {
    "floor_area_m2": {"min": 1500, "max": 7000},
    "clear_height_m": 6,
    "near": {
        "lon": lonlat_point(300, 300)[0],
        "lat": lonlat_point(300, 300)[1],
        "max_distance_m": 3000,
    },
    "limit": 5,
}


def test_post_and_get_match(api: Api) -> None:
    r = api.client.post("/api/v1/match", json=REQ, headers=api.h("officer"))
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection"
    assert r.headers["location"] == f"/api/v1/match/{body['request_id']}"
    assert body["features"], body
    assert body["matched"] >= len(body["features"])
    p = body["features"][0]["properties"]
    assert {"rank", "score", "kind", "id", "distance_m", "checks"} <= set(p)
    assert p["rank"] == 1 and 0 <= p["score"] <= 1
    g = api.client.get(r.headers["location"], headers=api.h("officer"))  # the author
    assert g.status_code == 200
    assert g.json() == body


def test_match_roles(api: Api) -> None:
    assert api.client.post("/api/v1/match", json=REQ).status_code == 401
    assert api.client.post("/api/v1/match", json=REQ, headers=api.h("planner")).status_code == 403
    assert api.client.post("/api/v1/match", json=REQ, headers=api.h("admin")).status_code == 201
    assert (
        api.client.post("/api/v1/match", json=REQ, headers=api.h("investment")).status_code == 201
    )
    assert api.client.get("/api/v1/match/1").status_code == 401
    rid = api.client.post("/api/v1/match", json=REQ, headers=api.h("admin")).json()["request_id"]
    assert api.client.get(f"/api/v1/match/{rid}", headers=api.h("admin")).status_code == 200
    # a saved match says which firm plans to move: not for other roles' eyes
    for role in ("planner", "investment", "officer"):
        assert api.client.get(f"/api/v1/match/{rid}", headers=api.h(role)).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, None),
        ({"kind": "space", "limit": 3}, 400, None),
        ({"floor_area_m2": {"min": 6000, "max": 3000}}, 422, "floor_area_m2"),
        ({"land_area_m2": {}}, 422, "land_area_m2"),
        ({"power_kva": "1250"}, 422, "power_kva"),
        ({"power_kva": -5}, 422, "power_kva"),
        ({"power_kva": 5, "colour": "red"}, 422, "colour"),
        ({"power_kva": 5, "limit": 1000}, 422, "limit"),
        ({"power_kva": 5, "near": {"lon": 200, "lat": 23}}, 422, "near.lon"),
        ({"power_kva": 5, "near": {"lon": 112.7}}, 422, "near"),
        ({"power_kva": 5, "available_by": "March"}, 422, "available_by"),
        ({"power_kva": 5, "pollution_class": 4}, 422, "pollution_class"),
        ({"power_kva": 5, "enterprise_id": 2_000_000_000}, 422, "enterprise_id"),
        ({"power_kva": 5, "industry_chain": "x"}, 422, "industry_chain"),
    ],
)
def test_match_bad_input(api: Api, body: dict[str, Any], status: int, field: str | None) -> None:
    r = api.client.post("/api/v1/match", json=body, headers=api.h("officer"))
    assert r.status_code == status, r.text
    err = r.json()
    assert err["description"]
    if field:
        assert err["field"] == field
    if status == 400:
        assert err["code"] == "BadRequest"
        assert "criterion" in err["description"]


def test_get_unknown_match(api: Api) -> None:
    r = api.client.get("/api/v1/match/2000000000", headers=api.h("officer"))
    assert r.status_code == 404
    assert api.client.get("/api/v1/match/0", headers=api.h("officer")).status_code == 422


def _open_space(api: Api) -> int:
    body = {"kind": "space", "power_kva": 1, "limit": 100}
    r = api.client.post("/api/v1/match", json=body, headers=api.h("admin")).json()
    held = {
        h["space_id"]
        for h in api.client.get("/api/v1/reservations", headers=api.h("admin")).json()["items"]
    }
    return next(f["properties"]["id"] for f in r["features"] if f["properties"]["id"] not in held)


def test_hold_conflict_release_and_lease(api: Api) -> None:
    sid = _open_space(api)
    rid = api.client.post("/api/v1/match", json=REQ, headers=api.h("officer")).json()["request_id"]
    body = {"space_id": sid, "holder": "宁德 <i>Batteries</i>", "days": 7, "request_id": rid}
    r = api.client.post("/api/v1/reservations", json=body, headers=api.h("officer"))
    assert r.status_code == 201, r.text
    hold = r.json()
    assert hold["active"] and hold["space_id"] == sid and hold["request_id"] == rid
    assert r.headers["location"] == f"/api/v1/reservations/{hold['id']}"
    r2 = api.client.post(
        "/api/v1/reservations", json={**body, "holder": "other"}, headers=api.h("investment")
    )
    assert r2.status_code == 409
    err = r2.json()
    assert err["held_by"] == "O"  # the holding officer, not the firm it is held for
    assert "officer O" in err["description"] and "宁德" not in r2.text
    assert err["expires_at"] == hold["expires_at"]
    assert err["field"] == "space_id"
    items = api.client.get(f"/api/v1/reservations?space_id={sid}", headers=api.h("planner")).json()
    assert [i["id"] for i in items["items"]] == [hold["id"]]
    # someone else may not release it
    assert (
        api.client.delete(
            f"/api/v1/reservations/{hold['id']}", headers=api.h("investment")
        ).status_code
        == 403
    )
    d = api.client.delete(f"/api/v1/reservations/{hold['id']}", headers=api.h("officer"))
    assert d.status_code == 200 and d.json()["outcome"] == "released"
    assert (
        api.client.delete(
            f"/api/v1/reservations/{hold['id']}", headers=api.h("officer")
        ).status_code
        == 409
    )
    r3 = api.client.post(
        "/api/v1/reservations", json={**body, "holder": "other"}, headers=api.h("investment")
    )
    assert r3.status_code == 201
    firm = api.zone.enterprises[0]
    lease = api.client.post(
        f"/api/v1/reservations/{r3.json()['id']}/lease",
        json={"enterprise_id": firm},
        headers=api.h("investment"),
    )
    assert lease.status_code == 200, lease.text
    assert lease.json()["outcome"] == "leased" and lease.json()["active"] is False
    space = api.client.get(f"/api/v1/reservations/{r3.json()['id']}", headers=api.h("admin"))
    assert space.json()["lease_enterprise_id"] == firm
    r4 = api.client.post("/api/v1/reservations", json=body, headers=api.h("officer"))
    assert r4.status_code == 409  # occupied now


def test_concurrent_http_holds(api: Api) -> None:
    sid = _open_space(api)
    body = {"space_id": sid, "holder": "race", "days": 1}

    def post(_: int) -> int:
        return api.client.post(
            "/api/v1/reservations", json=body, headers=api.h("admin")
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(post, range(8)))
    assert sorted(codes) == [201] + [409] * 7


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"holder": "x", "days": 3}, "space_id"),
        ({"space_id": 1, "parcel_id": 1, "holder": "x", "days": 3}, "space_id"),
        ({"space_id": 1, "holder": "x", "days": 0}, "days"),
        ({"space_id": 1, "holder": "x", "days": 1000}, "days"),
        ({"space_id": 1, "holder": "", "days": 1}, "holder"),
        ({"space_id": 1, "days": 1}, "holder"),
        ({"space_id": 1, "holder": "x", "days": 1, "until": "later"}, "until"),
    ],
)
def test_hold_bad_input(api: Api, body: dict[str, Any], field: str) -> None:
    r = api.client.post("/api/v1/reservations", json=body, headers=api.h("officer"))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


def test_hold_roles_and_missing(api: Api) -> None:
    body = {"space_id": api.zone.spaces[0], "holder": "x", "days": 1}
    assert api.client.post("/api/v1/reservations", json=body).status_code == 401
    assert (
        api.client.post("/api/v1/reservations", json=body, headers=api.h("planner")).status_code
        == 403
    )
    missing = {**body, "space_id": 2_000_000_000}
    assert (
        api.client.post("/api/v1/reservations", json=missing, headers=api.h("officer")).status_code
        == 404
    )
    assert api.client.get("/api/v1/reservations").status_code == 401
    assert (
        api.client.get("/api/v1/reservations/2000000000", headers=api.h("officer")).status_code
        == 404
    )


def test_rank_public_shows_the_ranking_and_public_fields_only(conn, session, settings) -> None:
    """Anyone may rank the open stock; what a candidate shows is its rank and public fields."""
    from parkgis.access import PUBLIC_FIELDS
    from parkgis.errors import Forbidden
    from parkgis.matching import rank_public
    from parkgis.matching.service import RANKING_FIELDS
    from tests.support.rows import parcel

    pid = parcel(conn, price_cny_m2=420, holder_enterprise_id=None)
    got = rank_public(
        session, {"kind": "parcel", "land_area_m2": {"min": 100}}, settings, limit=10_000
    )
    assert got["request_id"] is None and got["origin"] is None
    assert pid in {f["properties"]["id"] for f in got["features"]}
    public = set(PUBLIC_FIELDS["parcels"]) | set(RANKING_FIELDS)
    for f in got["features"] + got["near_misses"]:
        assert set(f["properties"]) <= public, sorted(set(f["properties"]) - public)
    with pytest.raises(Forbidden):
        rank_public(session, {"enterprise_id": 1, "floor_area_m2": {"min": 100}}, settings)
