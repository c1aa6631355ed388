"""The project API: summary, yearly XLSX, board, reminders, history, transitions, roles.

TestClient requests commit, so the data is made with unique names and deleted afterwards.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.auth import create_token
from parkgis.settings import Settings
from parkgis.zonetime import zone_today
from tests.projects.factory import TZ, plan
from tests.support.rows import officer, project


@dataclass
class Zone:
    client: TestClient
    tag: str
    officer_id: int
    other_officer_id: int
    late: int
    fine: int
    theirs: int
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def zone(engine: Engine, settings: Settings) -> Iterator[Zone]:
    tag = uuid.uuid4().hex[:8]
    today = zone_today(TZ)
    with engine.begin() as conn:
        o1 = officer(conn, f"officer {tag} a")
        o2 = officer(conn, f"officer {tag} b")
        late = project(
            conn,
            name=f"{tag} late",
            officer_id=o1,
            industry_chain="batteries",
            milestones=plan(today - timedelta(days=200), step_days=30, actual_upto=0),
        )
        fine = project(
            conn,
            name=f"{tag} fine",
            officer_id=o1,
            stage="signed",
            industry_chain="batteries",
            milestones=plan(today - timedelta(days=100), step_days=60, actual_upto=1),
        )
        theirs = project(conn, name=f"{tag} theirs", officer_id=o2, milestones=plan(today))
    with Session(engine) as s, s.begin():
        headers = {
            role: {
                "Authorization": "Bearer "
                + create_token(
                    s, role=role, name=f"{tag}-{role}", officer_id=o1 if role == "officer" else None
                )
            }
            for role in ("planner", "officer", "investment")
        }
    app = create_app(settings)
    with TestClient(app) as client:
        yield Zone(client, tag, o1, o2, late, fine, theirs, headers)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM projects WHERE name LIKE :t"), {"t": f"{tag} %"})
        conn.execute(text("DELETE FROM users WHERE name LIKE :t"), {"t": f"{tag}-%"})
        conn.execute(text("DELETE FROM officers WHERE id IN (:a, :b)"), {"a": o1, "b": o2})


def _mine(z: Zone) -> str:
    return f"officer_id={z.officer_id},{z.other_officer_id}"


def test_summary_is_not_shadowed_and_adds_up(zone: Zone) -> None:
    r = zone.client.get(
        f"/api/v1/projects/summary?{_mine(zone)}", headers=zone.headers["investment"]
    )
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["total"]["count"] == 3
    assert sum(g["count"] for g in s["by_stage"]) == 3
    assert sum(g["count"] for g in s["by_officer"]) == 3
    assert s["overdue"]["projects"] == 1
    assert {g["officer_id"]: g["count"] for g in s["by_officer"]} == {
        zone.officer_id: 2,
        zone.other_officer_id: 1,
    }
    assert set(s["this_year"]) == {"year", "starts", "completions", "productions"}


def test_anonymous_and_bad_queries(zone: Zone) -> None:
    c = zone.client
    assert c.get("/api/v1/projects/summary").status_code == 401
    r = c.get("/api/v1/projects/board?colour=red", headers=zone.headers["planner"])
    assert r.status_code == 400 and r.json()["field"] == "colour"
    r = c.get("/api/v1/projects/board?stage=built", headers=zone.headers["planner"])
    assert r.status_code == 400 and r.json()["field"] == "stage"
    r = c.get("/api/v1/projects/board?bbox=1,2", headers=zone.headers["planner"])
    assert r.status_code == 400 and r.json()["field"] == "bbox"
    r = c.get("/api/v1/projects/reminders?within_days=x", headers=zone.headers["planner"])
    assert r.status_code == 400 and r.json()["field"] == "within_days"


def test_board_filters(zone: Zone) -> None:
    h = zone.headers["planner"]
    r = zone.client.get(f"/api/v1/projects/board?{_mine(zone)}&overdue=1", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert [f["id"] for f in fc["features"]] == [zone.late]
    props = fc["features"][0]["properties"]
    assert props["next_milestone"]["stage"] == "signed" and props["next_milestone"]["days_late"] > 0
    r = zone.client.get(
        f"/api/v1/projects/board?{_mine(zone)}&chain=batteries&stage=signed", headers=h
    )
    assert [f["id"] for f in r.json()["features"]] == [zone.fine]


def test_reminders(zone: Zone) -> None:
    r = zone.client.get(
        f"/api/v1/projects/reminders?within_days=366&officer_id={zone.officer_id}",
        headers=zone.headers["officer"],
    )
    assert r.status_code == 200
    body = r.json()
    assert {x["project_id"] for x in body["overdue"]} == {zone.late}
    assert body["due_soon"] and all(x["days_left"] <= 366 for x in body["due_soon"])


def test_yearly_xlsx(zone: Zone) -> None:
    year = zone_today(TZ).year
    r = zone.client.get(
        f"/api/v1/projects/summary/yearly?year={year}&format=xlsx&{_mine(zone)}",
        headers=zone.headers["planner"],
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"projects-{year}.xlsx" in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["Targets", "Months", "Projects"]
    j = zone.client.get(
        f"/api/v1/projects/summary/yearly?year={year}&{_mine(zone)}",
        headers=zone.headers["planner"],
    ).json()
    assert book["Projects"].max_row == 1 + sum(len(p["milestones"]) for p in j["projects"])
    bad = zone.client.get(
        "/api/v1/projects/summary/yearly?format=pdf", headers=zone.headers["planner"]
    )
    assert bad.status_code == 400


def test_transitions_over_http(zone: Zone) -> None:
    c, pid = zone.client, zone.fine
    url = f"/api/v1/projects/{pid}/transition"
    r = c.post(url, json={"to": "completed"}, headers=zone.headers["officer"])
    assert r.status_code == 409
    body = r.json()
    assert body["allowed"] == ["land_granted", "stalled", "cancelled"] and body["field"] == "to"
    r = c.post(url, json={"to": "stalled"}, headers=zone.headers["officer"])
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = c.post(url, json={"to": "land_granted"}, headers=zone.headers["investment"])
    assert r.status_code == 403
    assert c.post(url, json={"to": "land_granted"}).status_code == 401
    r = c.post(
        url, json={"to": "land_granted"}, headers={**zone.headers["officer"], "If-Match": '"99"'}
    )
    assert r.status_code == 412
    r = c.post(
        url, json={"to": "land_granted"}, headers={**zone.headers["officer"], "If-Match": '"1"'}
    )
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    today = zone_today(TZ).isoformat()
    assert r.json()["project"]["milestones"]["land_granted"]["actual"] == today
    # an officer may not move someone else's project
    r = c.post(
        f"/api/v1/projects/{zone.theirs}/transition",
        json={"to": "signed"},
        headers=zone.headers["officer"],
    )
    assert r.status_code == 403
    # construction_started was planned today+80, topped_out today+140
    new_date = (zone_today(TZ) + timedelta(days=120)).isoformat()
    r = c.post(
        f"/api/v1/projects/{pid}/replan",
        json={"planned": {"construction_started": new_date}, "reason": "图审延期"},
        headers=zone.headers["officer"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["project"]["milestones"]["construction_started"]["planned"] == new_date
    hist = c.get(f"/api/v1/projects/{pid}/history", headers=zone.headers["investment"]).json()
    kinds = [(e["kind"], e["to_stage"]) for e in hist["events"]]
    assert kinds == [("transition", "land_granted"), ("replan", "land_granted")]
    old_plan = (zone_today(TZ) + timedelta(days=80)).isoformat()
    assert hist["events"][1]["data"]["before"] == {"construction_started": old_plan}
    assert hist["events"][0]["actor"] == f"{zone.tag}-officer"
    assert hist["events"][0]["at"].endswith("Z")
    assert (
        c.get("/api/v1/projects/999999999/history", headers=zone.headers["planner"]).status_code
        == 404
    )


def test_replan_body_validation(zone: Zone) -> None:
    r = zone.client.post(
        f"/api/v1/projects/{zone.late}/replan",
        json={"planned": {"signed": "2025-02-30"}},
        headers=zone.headers["planner"],
    )
    assert r.status_code == 422 and "planned" in r.json()["field"]
    r = zone.client.post(
        f"/api/v1/projects/{zone.late}/replan",
        json={"planned": {"signed": "2030-01-01", "land_granted": "2029-01-01"}, "reason": "x"},
        headers=zone.headers["planner"],
    )
    assert r.status_code == 422 and r.json()["field"].startswith("planned.")


def test_idle_land_endpoints(zone: Zone) -> None:
    r = zone.client.get("/api/v1/projects/idle-land", headers=zone.headers["investment"])
    assert r.status_code == 200 and "items" in r.json()
    r = zone.client.post("/api/v1/projects/idle-land/flag", headers=zone.headers["officer"])
    assert r.status_code == 403


def test_timeline_json(zone: Zone) -> None:
    r = zone.client.get(
        f"/api/v1/projects/{zone.late}/timeline?lang=en", headers=zone.headers["planner"]
    )
    assert r.status_code == 200
    rows = {s["stage"]: s for s in r.json()["stages"]}
    assert rows["signed"]["state"] == "overdue" and rows["signed"]["label"] == "Signed"
    assert json.dumps(r.json())  # plain JSON
