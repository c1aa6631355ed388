"""Bad input is refused with a 4xx naming the field and the reason, and changes nothing.

Every case compares the database before and after: rows carrying this run's tag, the
audit rows of this run's users, and (for changes) the target row's version.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from parkgis.settings import Settings
from tests.support.firms import uscc
from tests.support.geometry import LAT0, LON0, ring, square
from tests.writes.world import D, World

BOWTIE = [[112.70, 23.30], [112.71, 23.31], [112.71, 23.30], [112.70, 23.31], [112.70, 23.30]]


def state(world: World) -> tuple[int, ...]:
    """What a refused write must not change."""
    return (
        world.count("SELECT count(*) FROM parcels WHERE code LIKE :tag"),
        world.count("SELECT count(*) FROM buildings WHERE name LIKE :tag"),
        world.count("SELECT count(*) FROM enterprises WHERE name LIKE :tag"),
        world.count("SELECT count(*) FROM officers WHERE name LIKE :tag"),
        world.count(
            "SELECT count(*) FROM visits v JOIN enterprises e ON e.id = v.enterprise_id "
            "WHERE e.name LIKE :tag"
        ),
        world.audit_rows(),
    )


def parcel(world: World, geometry: Any, **props: Any) -> dict[str, Any]:
    p = {"code": world.code("bad"), "land_use": "100101"} | props
    return {"type": "Feature", "geometry": geometry, "properties": p}


def refused(
    client: TestClient,
    world: World,
    status: int,
    field: str,
    reason: str,
    *,
    url: str = "/api/v1/parcels",
    method: str = "POST",
    **kw: Any,
) -> dict[str, Any]:
    """Send, expect ``status`` naming ``field`` with ``reason``, and nothing changed."""
    before = state(world)
    headers = world.headers("admin", **kw.pop("headers", {}))
    r = client.request(method, url, headers=headers, **kw)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["field"] == field, body
    assert reason.lower() in body["description"].lower(), body
    assert state(world) == before
    return body


# --- geometry -----------------------------------------------------------------------


def test_self_intersecting_polygon_is_explained_and_repairable(
    client: TestClient, world: World
) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [BOWTIE]})
    body = refused(client, world, 422, "geometry", "Self-intersection", json=f)
    assert "repair=true" in body["description"]
    r = client.post(
        "/api/v1/parcels", json=f, params={"repair": "true"}, headers=world.headers("admin")
    )
    assert r.status_code == 201, r.text
    assert r.json()["geometry"]["type"] == "MultiPolygon"
    assert len(r.json()["geometry"]["coordinates"]) == 2  # the two triangles


def test_unclosed_ring(client: TestClient, world: World) -> None:
    open_ring = ring(square(deg=D))[:-1]
    f = parcel(world, {"type": "Polygon", "coordinates": [open_ring]})
    refused(client, world, 422, "geometry.coordinates.0", "not closed", json=f)


def test_too_few_positions(client: TestClient, world: World) -> None:
    ring = [[LON0, LAT0], [LON0 + 0.001, LAT0], [LON0, LAT0]]
    f = parcel(world, {"type": "Polygon", "coordinates": [ring]})
    refused(client, world, 422, "geometry.coordinates.0", "at least 4 positions", json=f)


def test_latitude_95(client: TestClient, world: World) -> None:
    ring = [[112.7, 94.9], [112.71, 94.9], [112.71, 95.0], [112.7, 95.0], [112.7, 94.9]]
    f = parcel(world, {"type": "Polygon", "coordinates": [ring]})
    refused(client, world, 422, "geometry", "latitude must be within -90..90", json=f)


def test_latitude_longitude_swapped(client: TestClient, world: World) -> None:
    f = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [LAT0, 112.7]},
        "properties": {"name": world.code("e"), "uscc": uscc()},
    }
    refused(client, world, 422, "geometry", "wrong order", url="/api/v1/enterprises", json=f)


def test_metres_sent_as_degrees_hint_the_crs(client: TestClient, world: World) -> None:
    x, y = 12545000.0, 2670000.0
    ring = [[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100], [x, y]]
    f = parcel(world, {"type": "Polygon", "coordinates": [ring]})
    body = refused(client, world, 422, "geometry", "EPSG:3857", json=f)
    assert "outside longitude/latitude range" in body["description"]


def test_degrees_declared_as_metres(client: TestClient, world: World) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]})
    refused(
        client,
        world,
        422,
        "geometry",
        "look like longitude/latitude degrees",
        json=f,
        params={"crs": "EPSG:3857"},
    )


def test_gauss_kruger_outside_its_area_of_use(client: TestClient, world: World) -> None:
    x, y = 38_500_000.0, 2_580_000.0  # zone-prefixed coordinates declared as EPSG:4547
    ring = [[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100], [x, y]]
    f = parcel(world, {"type": "Polygon", "coordinates": [ring]})
    refused(client, world, 422, "geometry", "EPSG:4513-4533", json=f, params={"crs": "EPSG:4547"})


@pytest.mark.parametrize("crs", ["EPSG:999999", "WGS84", "+proj=longlat", "EPSG:4979"])
def test_unknown_or_unusable_crs(client: TestClient, world: World, crs: str) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]})
    refused(client, world, 422, "crs", "EPSG", json=f, params={"crs": crs})


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_in_coordinates(client: TestClient, world: World, literal: str) -> None:
    raw = json.dumps(parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]}))
    raw = raw.replace(f"{LAT0 + 0.001}", literal, 1)
    assert literal in raw
    refused(
        client,
        world,
        422,
        "geometry.coordinates.0.2.1",
        "finite",
        content=raw,
        headers={"Content-Type": "application/json"},
    )


def test_nan_in_a_property(client: TestClient, world: World) -> None:
    raw = json.dumps(
        parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]}, price_cny_m2=123.5)
    ).replace("123.5", "NaN")
    refused(
        client,
        world,
        422,
        "properties.price_cny_m2",
        "finite number",
        content=raw,
        headers={"Content-Type": "application/json"},
    )


def test_wrong_geometry_type(client: TestClient, world: World) -> None:
    f = parcel(world, {"type": "Point", "coordinates": [LON0, LAT0]})
    refused(client, world, 422, "geometry.type", "Polygon", json=f)


def test_building_bowtie_repaired_is_still_not_one_polygon(
    client: TestClient, world: World
) -> None:
    f = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [BOWTIE]},
        "properties": {"name": world.code("b")},
    }
    refused(
        client,
        world,
        422,
        "geometry",
        "expected Polygon, got MultiPolygon",
        url="/api/v1/buildings",
        json=f,
        params={"repair": "true"},
    )


# --- properties -----------------------------------------------------------------------


def test_unknown_land_use_code_lists_the_valid_ones(client: TestClient, world: World) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]}, land_use="999999")
    body = refused(client, world, 422, "properties.land_use", "unknown land_use code", json=f)
    assert "100101" in body["description"] and "land_use_classes" in body["description"]
    assert "1101" in body["allowed"]


def test_bad_uscc_check_character(client: TestClient, world: World) -> None:
    good = uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    f = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [LON0, LAT0]},
        "properties": {"name": world.code("e"), "uscc": bad},
    }
    body = refused(
        client, world, 422, "properties.uscc", "check character", url="/api/v1/enterprises", json=f
    )
    assert f"should be {good[-1]!r}" in body["description"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("price_cny_m2", "800", "valid number"),
        ("max_far", True, "valid number"),
        ("max_far", 25, "less than or equal to 20"),
        ("price_cny_m2", -1, "greater than or equal to 0"),
        ("holder_enterprise_id", "7", "valid integer"),
        ("holder_enterprise_id", 2**40, "less than or equal to 2147483647"),
        ("status", "sold", "unknown parcel status 'sold'; use one of: planned"),
        ("granted_on", "yesterday", "date"),
        ("code", "", "at least 1 character"),
        ("code", "x" * 41, "at most 40 characters"),
        ("address", "a\u0000b", "NUL"),
    ],
)
def test_bad_property_values(
    client: TestClient, world: World, field: str, value: Any, reason: str
) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]}, **{field: value})
    refused(client, world, 422, f"properties.{field}", reason, json=f)


def test_a_string_where_a_number_belongs_on_a_building(client: TestClient, world: World) -> None:
    f = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring(square(deg=D))]},
        "properties": {"name": world.code("b"), "floors": "three"},
    }
    refused(
        client, world, 422, "properties.floors", "valid integer", url="/api/v1/buildings", json=f
    )


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("area_m2", "computed from the geometry"),
        ("area_mu", "computed from the geometry"),
        ("created_at", "set by the server"),
        ("id", "assigned by the server"),
        ("version", "assigned by the server"),
    ],
)
def test_server_managed_fields_are_refused(
    client: TestClient, world: World, field: str, reason: str
) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]}, **{field: 5})
    refused(client, world, 422, f"properties.{field}", reason, json=f)


@pytest.mark.parametrize(
    ("where", "field"), [("properties", "properties.colour"), ("top", "colour")]
)
def test_unknown_field(client: TestClient, world: World, where: str, field: str) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]})
    (f["properties"] if where == "properties" else f)["colour"] = "red"
    refused(client, world, 422, field, "Extra inputs are not permitted", json=f)


def test_granted_parcel_needs_a_grant_date(client: TestClient, world: World) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]}, status="granted")
    refused(client, world, 422, "properties.granted_on", "needs granted_on", json=f)


def test_visit_time_needs_an_offset(client: TestClient, world: World) -> None:
    body = world.bodies("visits") | {"visited_at": "2025-03-01T09:30:00"}
    refused(client, world, 422, "visited_at", "timezone", url="/api/v1/visits", json=body)


def test_request_resolved_before_it_was_opened(client: TestClient, world: World) -> None:
    body = world.bodies("service_requests") | {"status": "resolved", "resolved_on": "2025-02-01"}
    refused(
        client,
        world,
        422,
        "resolved_on",
        "not be before opened_on",
        url="/api/v1/service_requests",
        json=body,
    )


def test_bad_patch_leaves_the_row_as_it_was(client: TestClient, world: World) -> None:
    p = world.make("parcels", world.bodies("parcels"))
    url = f"/api/v1/parcels/{p['id']}"
    bowtie = {"type": "Polygon", "coordinates": [BOWTIE]}
    refused(
        client,
        world,
        422,
        "geometry",
        "Self-intersection",
        url=url,
        method="PATCH",
        json={"geometry": bowtie, "properties": {"price_cny_m2": 1}},
        headers={"If-Match": '"1"'},
    )
    refused(
        client,
        world,
        422,
        "properties.land_use",
        "unknown land_use",
        url=url,
        method="PATCH",
        json={"properties": {"land_use": "0000"}},
        headers={"If-Match": '"1"'},
    )
    with world.engine.connect() as conn:
        v, price = conn.execute(
            text("SELECT version, price_cny_m2 FROM parcels WHERE id = :i"), {"i": p["id"]}
        ).one()
    assert (v, price) == (1, None)


# --- the body itself ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ['{"type": "Feature", "geometry": ', "{'single': 'quotes'}", "{,}", "\x00"]
)
def test_malformed_json(client: TestClient, world: World, raw: str) -> None:
    refused(
        client,
        world,
        422,
        "body",
        "malformed JSON",
        content=raw,
        headers={"Content-Type": "application/json"},
    )


@pytest.mark.parametrize("raw", ["[]", '"a string"', "42", "null"])
def test_body_that_is_not_an_object(client: TestClient, world: World, raw: str) -> None:
    before = state(world)
    r = client.post(
        "/api/v1/parcels",
        content=raw,
        headers=world.headers("admin", **{"Content-Type": "application/json"}),
    )
    assert r.status_code == 422, r.text
    assert state(world) == before


def test_thirty_megabytes_with_content_length_is_413(client: TestClient, world: World) -> None:
    big = b"x" * (30 * 1024 * 1024)
    before = state(world)
    r = client.post(
        "/api/v1/parcels",
        content=big,
        headers=world.headers("admin", **{"Content-Type": "application/json"}),
    )
    assert r.status_code == 413
    assert r.json()["field"] == "body" and "PARKGIS_MAX_BODY_BYTES" in r.json()["description"]
    assert state(world) == before


# --- 413 on a real server: refused before the body is read whole --------------------


@pytest.fixture(scope="module")
def live_url(settings: Settings, world: World) -> Iterator[str]:
    """The app on a real uvicorn server in a thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


THIRTY_MB = 30 * 1024 * 1024
CHUNK = 64 * 1024


def test_streamed_body_without_content_length_is_413_early(
    live_url: str, settings: Settings, world: World
) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        while sent < THIRTY_MB:
            sent += CHUNK
            yield b" " * CHUNK

    before = state(world)
    with httpx.Client(timeout=30) as http:
        r = http.post(
            f"{live_url}/api/v1/parcels",
            content=chunks(),
            headers=world.headers("admin", **{"Content-Type": "application/json"}),
        )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "PayloadTooLarge"
    # The server answered once the limit was passed, before the 30 MB were produced (about
    # 16-17 MB leave the client here: the 10 MiB read plus what the socket buffers held).
    assert sent < THIRTY_MB, sent
    assert sent > settings.api.max_body_bytes
    assert state(world) == before


def test_content_length_of_30_mb_is_413_before_any_body_is_sent(
    live_url: str, world: World
) -> None:
    host, port = live_url.removeprefix("http://").split(":")
    token = world.tokens["admin"]
    head = (
        "POST /api/v1/parcels HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {THIRTY_MB}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode())  # and not one byte of the body
        data = b""
        while chunk := sock.recv(65536):  # the server closes the connection after the 413
            data += chunk
        reply = data.decode(errors="replace")
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    assert "PayloadTooLarge" in reply


def test_small_body_on_the_live_server_still_works(live_url: str, world: World) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [ring(square(deg=D))]})
    r = httpx.post(f"{live_url}/api/v1/parcels", json=f, headers=world.headers("admin"))
    assert r.status_code == 201, r.text


def test_unknown_query_parameter_is_400(client: TestClient, world: World) -> None:
    f = parcel(world, {"type": "Polygon", "coordinates": [BOWTIE]})
    refused(
        client, world, 400, "repiar", "unknown query parameter", json=f, params={"repiar": "true"}
    )
    p = world.make("parcels", world.bodies("parcels"))
    refused(
        client,
        world,
        400,
        "force",
        "takes no query parameters",
        url=f"/api/v1/parcels/{p['id']}",
        method="DELETE",
        params={"force": "1"},
        headers={"If-Match": "*"},
    )
