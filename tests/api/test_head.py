"""HEAD answers every GET route with the GET's status and headers and no body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from parkgis.settings import Settings

PATHS = [
    "/",
    "/health",
    "/openapi.json",
    "/docs",
    "/ogc",
    "/ogc/collections",
    "/ogc/collections/parcels/items?limit=2",
    "/api/v1/spaces?limit=2",
    "/maps/parcels",
    "/api/v1/parcels?status=nonsense",  # a 400 stays a 400
    "/no/such/page",  # and a 404 a 404
]


@pytest.fixture(scope="module")
def client(engine: Engine, settings: Settings) -> TestClient:
    with TestClient(create_app(settings)) as c:
        yield c  # type: ignore[misc]


@pytest.mark.parametrize("path", PATHS)
def test_head_mirrors_get(client: TestClient, path: str) -> None:
    got = client.get(path, follow_redirects=False)
    head = client.head(path, follow_redirects=False)
    assert head.status_code == got.status_code
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    if "content-length" in got.headers:
        assert head.headers["content-length"] == str(len(got.content))


def test_head_on_a_post_only_path_is_405(client: TestClient) -> None:
    assert client.head("/api/v1/match").status_code == 405
