"""The body limit: one setting everywhere, a larger one on the upload path."""

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from api.middleware import BodySizeLimit


def _client() -> TestClient:
    app = FastAPI()

    @app.post("/api/v1/imports")
    async def upload(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.post("/api/v1/parcels")
    async def write(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    app.add_middleware(
        BodySizeLimit,
        max_bytes=1_000,
        paths={"/api/v1/imports": (50_000, "PARKGIS_IMPORT_MAX_BYTES")},
    )
    return TestClient(app)


def test_uploads_have_their_own_limit() -> None:
    c = _client()
    big = b"x" * 20_000
    assert c.post("/api/v1/imports", content=big).json() == {"bytes": 20_000}
    r = c.post("/api/v1/parcels", content=big)
    assert r.status_code == 413 and "PARKGIS_MAX_BODY_BYTES" in r.json()["description"]
    r = c.post("/api/v1/imports", content=b"x" * 60_000)
    assert r.status_code == 413 and "PARKGIS_IMPORT_MAX_BYTES" in r.json()["description"]
    assert "50000 bytes" in r.json()["description"]
