"""Privacy canaries: a prospect-safe map download carries no firm, no owner, no hidden parcel.

The zone holds a firm, a building and parcels whose names are canaries; the safe file may
carry the available parcels only, with their public fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, Engine

from api.app import create_app
from parkgis.settings import Settings
from tests.support.geometry import square
from tests.support.rows import enterprise, insert
from tests.support.zones import committed, drop_rows, spot


@dataclass
class CanaryZone:
    bbox: str
    tag: str
    firm: int
    building: int
    parcels: list[int]

    @property
    def canaries(self) -> dict[str, str]:
        t = self.tag
        return {
            "firm": f"CANARYFIRM{t}",
            "firm_en": f"CanaryFirmEn{t}",
            "address": f"CANARYADDR{t}",
            "owner": f"CANARYOWNER{t}",
            "idle": f"CANARYIDLE{t}",
            "price": "7,777.5",
        }


def _build(conn: Connection) -> CanaryZone:
    where = spot(113.5, 22.5)
    lon, lat, tag = where.lon, where.lat, where.tag
    firm = enterprise(
        conn,
        name=f"CANARYFIRM{tag}",
        name_en=f"CanaryFirmEn{tag}",
        address=f"CANARYADDR{tag}",
        employees=4321,
        geom=Point(lon + 0.001, lat + 0.001),
    )
    idle = insert(
        conn,
        "parcels",
        code=f"CANARYIDLE{tag}",
        land_use="100101",
        status="idle",
        price_cny_m2=7777.5,
        holder_enterprise_id=firm,
        granted_on=date(2023, 3, 1),
        geom=MultiPolygon([square(lon, lat, side_m=120)]),
    )
    free = insert(
        conn,
        "parcels",
        code=f"PUBLIC{tag}",
        land_use="100102",
        status="available",
        price_cny_m2=400.0,
        geom=MultiPolygon([square(lon + 0.003, lat, side_m=120)]),
    )
    building = insert(
        conn,
        "buildings",
        parcel_id=idle,
        name=f"CANARYBLDG{tag}",
        owner=f"CANARYOWNER{tag}",
        floors=2,
        geom=square(lon + 0.0002, lat + 0.0002, side_m=40),
    )
    bbox = f"{lon - 0.002:.6f},{lat - 0.002:.6f},{lon + 0.006:.6f},{lat + 0.004:.6f}"
    return CanaryZone(bbox, tag, firm, building, [idle, free])


def _drop(conn: Connection, z: CanaryZone) -> None:
    drop_rows(
        conn, [("buildings", [z.building]), ("parcels", z.parcels), ("enterprises", [z.firm])]
    )


@pytest.fixture(scope="module")
def zone(engine: Engine) -> Iterator[tuple[CanaryZone, dict[str, str]]]:
    roles = {"investment": None, "planner": None}
    with committed(engine, _build, _drop, lambda z: f"canary-{z.tag}", roles) as made:
        yield made


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def _get(client: TestClient, token: str, z: CanaryZone, **params: str) -> str:
    r = client.get(
        "/maps/parcels",
        params={"bbox": z.bbox, "basemap": "none", **params},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text[:300]
    return r.text


def leaked(html: str, z: CanaryZone) -> list[str]:
    return [k for k, v in z.canaries.items() if v in html]


def test_investment_download_is_prospect_safe_by_default(
    client: TestClient, zone: tuple[CanaryZone, dict[str, str]]
) -> None:
    z, tokens = zone
    html = _get(client, tokens["investment"], z, download="1")
    assert leaked(html, z) == []
    assert f"PUBLIC{z.tag}" in html  # the public parcel is there


def test_investment_may_choose_the_full_file(
    client: TestClient, zone: tuple[CanaryZone, dict[str, str]]
) -> None:
    z, tokens = zone
    html = _get(client, tokens["investment"], z, download="1", safe="0")
    # the canaries are real: the full rendering does carry them
    assert {"firm", "owner", "idle"} <= set(leaked(html, z))


def test_other_roles_choose_the_safe_rendering(
    client: TestClient, zone: tuple[CanaryZone, dict[str, str]]
) -> None:
    z, tokens = zone
    full = _get(client, tokens["planner"], z, download="1")
    assert {"firm", "address", "owner", "idle", "price"} <= set(leaked(full, z))
    safe = _get(client, tokens["planner"], z, download="1", safe="1")
    assert leaked(safe, z) == []
    page = _get(client, tokens["planner"], z)
    assert "safe=1" in page and "safe=0" in page  # the frame offers both downloads


def test_safe_is_a_flag(client: TestClient, zone: tuple[CanaryZone, dict[str, str]]) -> None:
    z, tokens = zone
    r = client.get("/maps/parcels", params={"bbox": z.bbox, "safe": "perhaps"})
    assert r.status_code == 400 and r.json()["field"] == "safe"
