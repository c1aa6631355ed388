"""Privacy canary: a saved match (which firm plans to move) is read only by its author, the
firm's service officer and admins, on the API and on the map."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.auth import create_token
from parkgis.settings import Settings
from tests.matching.zone import Zone, add_sure_units, drop_zone, make_zone


@dataclass
class World:
    client: TestClient
    tokens: dict[str, str]
    request_id: int
    firm_name: str

    def get(self, path: str, who: str | None) -> int:
        h = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.get(path, headers=h).status_code


@pytest.fixture(scope="module")
def world(engine: Engine, settings: Settings) -> Iterator[World]:
    seed = random.randrange(100_000, 999_999)
    tag = uuid.uuid4().hex[:8]
    with engine.begin() as c:
        zone: Zone = make_zone(c, seed=seed, cells=3, firms=4)
        add_sure_units(c, zone, seed)
        firm = zone.enterprises[0]
        canary = f"CANARYMOVER{tag}"
        c.execute(text("UPDATE enterprises SET name = :n WHERE id = :i"), {"n": canary, "i": firm})
        own, other = (
            c.execute(
                text("INSERT INTO officers (name) VALUES (:n) RETURNING id"), {"n": n}
            ).scalar_one()
            for n in (f"own-{tag}", f"other-{tag}")
        )
        c.execute(
            text(
                "INSERT INTO assignments (officer_id, enterprise_id, since) "
                "VALUES (:o, :e, '2026-01-01')"
            ),
            {"o": own, "e": firm},
        )
    roles = {
        "author": ("investment", None),
        "colleague": ("investment", None),
        "own_officer": ("officer", own),
        "other_officer": ("officer", other),
        "planner": ("planner", None),
        "admin": ("admin", None),
    }
    tokens: dict[str, str] = {}
    with Session(engine) as s, s.begin():
        for who, (role, officer) in roles.items():
            tokens[who] = create_token(s, role=role, name=f"mp-{who}-{tag}", officer_id=officer)
        uids = list(
            s.execute(
                text("SELECT id FROM users WHERE name LIKE :n"), {"n": f"mp-%-{tag}"}
            ).scalars()
        )
    body = {"floor_area_m2": {"min": 3000, "max": 6500}, "enterprise_id": firm, "limit": 3}
    try:
        with TestClient(create_app(settings)) as client:
            r = client.post(
                "/api/v1/match", json=body, headers={"Authorization": f"Bearer {tokens['author']}"}
            )
            assert r.status_code == 201, r.text
            yield World(client, tokens, r.json()["request_id"], canary)
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM assignments WHERE officer_id = :o"), {"o": own})
        drop_zone(engine, zone, uids, own)  # users first: they point at the officers
        with engine.begin() as c:
            c.execute(text("DELETE FROM officers WHERE id = :o"), {"o": other})


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("author", 200),
        ("own_officer", 200),
        ("admin", 200),
        ("colleague", 403),
        ("other_officer", 403),
        ("planner", 403),
        (None, 401),
    ],
)
def test_saved_match_access(world: World, who: str | None, status: int) -> None:
    assert world.get(f"/api/v1/match/{world.request_id}", who) == status
    page = f"/maps/match/{world.request_id}?basemap=none"
    assert world.get(page, who) == status


def test_refused_readers_never_see_the_firm(world: World) -> None:
    for who in ("colleague", "other_officer", "planner"):
        h = {"Authorization": f"Bearer {world.tokens[who]}"}
        for path in (
            f"/api/v1/match/{world.request_id}",
            f"/maps/match/{world.request_id}?basemap=none",
        ):
            r = world.client.get(path, headers=h)
            assert world.firm_name not in r.text and "author" in r.json()["description"]
    h = {"Authorization": f"Bearer {world.tokens['own_officer']}"}
    assert world.firm_name in world.client.get(f"/maps/match/{world.request_id}", headers=h).text


def test_popups_speak_words_and_whole_metres() -> None:
    from parkgis.maps.match import candidate_popup

    p = {
        "rank": 1,
        "kind": "space",
        "id": 9,
        "score": 0.8734,
        "distance_m": 3153.83,
        "checks": [
            {"criterion": "ground_floor", "required": True, "actual": 1, "ok": True},
            {
                "criterion": "near.max_distance_m",
                "required": 5000,
                "actual": 3153.83,
                "ok": True,
            },
        ],
    }
    en = candidate_popup(p, "en")
    assert "3,154" in en and "3,153.83" not in en
    assert "Yes" in en and "floor 1" in en and "True" not in en
    zh = candidate_popup(p, "zh")
    assert "是" in zh and "1 层" in zh
