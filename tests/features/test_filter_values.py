"""A filter value that can never match is a 400 naming the field, on the API, OGC and maps.

Table-driven over every filter parameter of every collection: each parameter gets a value of
the wrong form (or a code outside its reference table); free-text filters are listed on
purpose, so a new filter must be added here by someone who decides which it is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from parkgis.features.allowed import ALLOWED, allowed_values
from parkgis.features.registry import COLLECTIONS, OGC_COLLECTIONS
from parkgis.settings import Settings
from tests.support.roles import made_role_tokens

FREE_TEXT = {
    ("parcels", "code"),
    ("buildings", "owner"),
    ("spaces", "code"),
    ("grid_areas", "code"),
    ("officers", "unit"),
    ("service_requests", "department"),
}
"""Filters on free text: any value is a fair question (an empty answer is the truth)."""

BAD_BY_KIND = {
    "int": "abc",
    "float": "1,5x",
    "bool": "maybe",
    "date": "2026-13-45",
    "timestamp": "yesterday",
}
CODE_BAD = {
    ("parcels", "status"): "vacant",  # a space status, not a parcel one
    ("parcels", "land_use"): "industrial",
    ("spaces", "status"): "available",
    ("enterprises", "industry_chain"): "chips",
    ("enterprises", "industry_code"): "3612",
    ("enterprises", "uscc"): "not-a-code",
    ("projects", "industry_chain"): "electronic",
    ("projects", "stage"): "started",
    ("visits", "kind"): "call",
    ("service_requests", "category"): "water",
    ("service_requests", "status"): "done",
}


def cases() -> list[tuple[str, str, str]]:
    """(collection, parameter, bad value) for every filter parameter."""
    out = []
    for coll in COLLECTIONS.values():
        for param in coll.filter_names():
            col = coll.by_name.get(param) or coll.by_name[param.split("_", 1)[1]]
            if (coll.name, param) in CODE_BAD:
                out.append((coll.name, param, CODE_BAD[(coll.name, param)]))
            elif (coll.name, param) in FREE_TEXT:
                continue
            elif col.kind in BAD_BY_KIND:
                out.append((coll.name, param, BAD_BY_KIND[col.kind]))
            else:
                raise AssertionError(f"no bad value for {coll.name}.{param} ({col.kind})")
    return out


CASES = cases()


@pytest.fixture(scope="module")
def role_tokens(engine: Engine) -> Iterator[dict[str, str | None]]:
    with made_role_tokens(engine) as tokens:
        yield tokens


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_the_table_covers_every_filter() -> None:
    covered = {(c, p) for c, p, _ in CASES} | FREE_TEXT
    every = {(c.name, p) for c in COLLECTIONS.values() for p in c.filter_names()}
    assert covered == every
    assert set(ALLOWED) <= set(CODE_BAD)
    assert len(CASES) > 50


@pytest.mark.parametrize(("collection", "param", "value"), CASES)
def test_api_refuses_a_bad_filter_value(
    client: TestClient,
    role_tokens: dict[str, str | None],
    collection: str,
    param: str,
    value: str,
) -> None:
    headers = {"Authorization": f"Bearer {role_tokens['admin']}"}
    r = client.get(f"/api/v1/{collection}", params={param: value}, headers=headers)
    assert r.status_code == 400, (collection, param, r.status_code, r.text[:200])
    body = r.json()
    assert body["field"] == param
    allowed = allowed_values(collection, param)
    if allowed is not None:
        assert body["allowed"] == list(allowed)
        assert all(code in body["description"] for code in allowed[:3])


@pytest.mark.parametrize(
    ("collection", "param", "value"), [c for c in CASES if c[0] in OGC_COLLECTIONS]
)
def test_ogc_refuses_a_bad_filter_value(
    client: TestClient,
    role_tokens: dict[str, str | None],
    collection: str,
    param: str,
    value: str,
) -> None:
    headers = {"Authorization": f"Bearer {role_tokens['admin']}"}
    r = client.get(f"/ogc/collections/{collection}/items", params={param: value}, headers=headers)
    assert r.status_code == 400 and r.json()["field"] == param, r.text[:200]


@pytest.mark.parametrize(("collection", "param", "value"), [c for c in CASES if c[0] == "parcels"])
def test_the_zone_map_refuses_a_bad_filter_value(
    client: TestClient, collection: str, param: str, value: str
) -> None:
    r = client.get("/maps/parcels", params={param: value, "basemap": "none"})
    assert r.status_code == 400 and r.json()["field"] == param, r.text[:200]


@pytest.mark.parametrize(
    ("param", "good"),
    [("status", "idle"), ("status", "available,idle"), ("land_use", "100101")],
)
def test_good_codes_still_pass(
    client: TestClient,
    role_tokens: dict[str, str | None],
    param: str,
    good: str,
) -> None:
    headers = {"Authorization": f"Bearer {role_tokens['planner']}"}
    assert client.get("/api/v1/parcels", params={param: good}, headers=headers).status_code == 200
    assert client.get("/maps/parcels", params={param: good, "basemap": "none"}).status_code == 200


def test_one_bad_code_in_a_list_is_named(client: TestClient) -> None:
    r = client.get("/api/v1/parcels", params={"status": "available,vacant"})
    assert r.status_code == 400
    assert "'vacant'" in r.json()["description"] and "idle" in r.json()["description"]


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        ("/maps/projects", "stage", "started"),
        ("/maps/projects", "industry_chain", "chips"),
        ("/maps/projects", "officer_id", "abc"),
        ("/maps/coverage", "officer_id", "abc"),
        ("/maps/coverage", "month", "2026-13"),
    ],
)
def test_other_maps_refuse_bad_filter_values(
    client: TestClient,
    role_tokens: dict[str, str | None],
    path: str,
    param: str,
    value: str,
) -> None:
    headers = {"Authorization": f"Bearer {role_tokens['planner']}"}
    r = client.get(path, params={param: value, "basemap": "none"}, headers=headers)
    assert r.status_code == 400 and r.json()["field"] == param, r.text[:200]
