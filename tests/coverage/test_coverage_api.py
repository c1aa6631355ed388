"""The coverage, request, report and draw endpoints, with roles.

TestClient requests commit, so the data is made with unique names, and deleted afterwards.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.auth import create_token
from parkgis.settings import Settings
from parkgis.zonetime import Month, zone_today
from tests.coverage.layout import Layout

DRAW_MONTHS = ("2398-12", "2399-01")


@dataclass
class Zone:
    client: TestClient
    tag: str
    a: int
    b: int
    firms: dict[str, int]
    request: int
    h: dict[str, dict[str, str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def zone(engine: Engine, settings: Settings) -> Iterator[Zone]:
    tag = uuid.uuid4().hex[:8]
    tz = settings.zone.timezone
    today = zone_today(tz)
    with engine.begin() as conn:
        lay = Layout(conn)
        a = lay.officer(f"甲 {tag}", office=(0, 0))
        b = lay.officer(f"乙 {tag}")
        firms = {
            "a1": lay.firm(0, 500, name=f"<script>alert('{tag}')</script>"),
            "a2": lay.firm(800, 500, name=f"a2 {tag}"),
            "b1": lay.firm(600, 600, name=f"b1 {tag}"),
        }
        lay.assign(a, firms["a1"], firms["a2"])
        lay.assign(b, firms["b1"])
        lay.visit(a, firms["a2"], today.isoformat() + "T09:00:00+08:00")
        req = lay.request(firms["a1"], "utilities", today - timedelta(days=30))
        conn.execute(text("DELETE FROM draws WHERE month = ANY(:m)"), {"m": list(DRAW_MONTHS)})
    with Session(engine) as s:
        h = {
            role: {"Authorization": "Bearer " + create_token(s, role=role, name=f"{role} {tag}")}
            for role in ("admin", "planner", "investment")
        }
        h["officer"] = {
            "Authorization": "Bearer "
            + create_token(s, role="officer", name=f"officer {tag}", officer_id=a)
        }
        h["anon"] = {}
        s.commit()
    with TestClient(create_app(settings)) as client:
        yield Zone(client, tag, a, b, firms, req, h)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE name LIKE :t"), {"t": f"% {tag}"})
        conn.execute(text("DELETE FROM officers WHERE id IN (:a, :b)"), {"a": a, "b": b})
        conn.execute(
            text("DELETE FROM enterprises WHERE id = ANY(:f)"), {"f": list(firms.values())}
        )
        conn.execute(text("DELETE FROM draws WHERE month = ANY(:m)"), {"m": list(DRAW_MONTHS)})


def test_coverage_roles(zone: Zone) -> None:
    c = zone.client
    r = c.get("/api/v1/coverage", headers=zone.h["planner"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    by = {f["properties"]["officer_id"]: f for f in fc["features"]}
    assert {zone.a, zone.b} <= set(by)
    pa = by[zone.a]["properties"]
    assert (pa["firms"], pa["not_visited_this_month"], pa["overdue_requests"]) == (2, 1, 1)
    assert by[zone.a]["geometry"]["type"] == "Polygon"
    assert [zone.a, zone.b] in [o["officer_ids"] for o in fc["overlaps"]]
    assert isinstance(fc["unassigned_enterprises"], list)
    mine = c.get("/api/v1/coverage", headers=zone.h["officer"]).json()
    assert [f["id"] for f in mine["features"]] == [zone.a]
    assert (
        c.get(f"/api/v1/coverage?officer_id={zone.b}", headers=zone.h["officer"]).status_code == 403
    )
    assert c.get("/api/v1/coverage", headers=zone.h["investment"]).status_code == 403
    assert c.get("/api/v1/coverage").status_code == 401
    bad = c.get("/api/v1/coverage?month=2026-13", headers=zone.h["admin"])
    assert bad.status_code == 400 and bad.json()["field"] == "month"
    assert c.get("/api/v1/coverage?colour=red", headers=zone.h["admin"]).status_code == 400
    last = Month.of(zone_today("Asia/Shanghai")).prev()
    r = c.get(f"/api/v1/coverage?month={last}&officer_id={zone.a}", headers=zone.h["admin"])
    assert r.json()["month"] == str(last) and r.json()["features"][0]["id"] == zone.a


def test_route_endpoint(zone: Zone) -> None:
    c = zone.client
    r = c.get(f"/api/v1/officers/{zone.a}/route", headers=zone.h["officer"])
    assert r.status_code == 200
    body = r.json()
    assert [s["enterprise_id"] for s in body["stops"]] == [zone.firms["a1"]]
    assert body["start"]["kind"] == "office"
    assert c.get(f"/api/v1/officers/{zone.b}/route", headers=zone.h["officer"]).status_code == 403
    r = c.get(f"/api/v1/officers/{zone.a}/route?max_stops=0", headers=zone.h["admin"])
    assert r.status_code == 400 and r.json()["field"] == "max_stops"


def test_rebalance_endpoints(zone: Zone) -> None:
    c = zone.client
    r = c.get("/api/v1/coverage/rebalance?max_moves=3", headers=zone.h["planner"])
    assert r.status_code == 200
    s = r.json()
    assert len(s["moves"]) <= 3 and s["after"]["max_workload"] <= s["before"]["max_workload"]
    assert c.get("/api/v1/coverage/rebalance", headers=zone.h["officer"]).status_code == 403
    r = c.get(f"/api/v1/coverage/rebalance?officer_ids={zone.a},{zone.b}", headers=zone.h["admin"])
    assert r.json()["before"]["officers"] == 2 and r.json()["before"]["max_workload"] == 2
    bad = c.get("/api/v1/coverage/rebalance?officer_ids=a,b", headers=zone.h["admin"])
    assert bad.status_code == 400 and bad.json()["field"] == "officer_ids"
    move = {"enterprise_id": zone.firms["b1"], "from_officer_id": zone.a, "to_officer_id": zone.b}
    body = {"moves": [move]}
    assert (
        c.post("/api/v1/coverage/rebalance/apply", json=body, headers=zone.h["planner"]).status_code
        == 403
    )
    r = c.post("/api/v1/coverage/rebalance/apply", json=body, headers=zone.h["admin"])
    assert r.status_code == 409 and r.json()["field"] == "moves.0"  # b1 is b's, not a's
    r = c.post("/api/v1/coverage/rebalance/apply", json={"moves": []}, headers=zone.h["admin"])
    assert r.status_code == 422


def test_transition_endpoint(zone: Zone) -> None:
    c = zone.client
    url = f"/api/v1/service_requests/{zone.request}/transition"
    r = c.post(url, json={"to": "in_progress"}, headers=zone.h["officer"])
    assert r.status_code == 422 and r.json()["field"] == "department"
    r = c.post(url, json={"to": "in_progress", "department": "供电局"}, headers=zone.h["officer"])
    assert r.status_code == 200, r.text
    etag = r.headers["ETag"]
    assert r.json()["status"] == "in_progress" and r.json()["in_progress_on"]
    r = c.post(url, json={"to": "closed"}, headers=zone.h["officer"])
    assert r.status_code == 409 and "resolved" in r.json()["allowed"]
    r = c.post(url, json={"to": "resolved"}, headers={**zone.h["officer"], "If-Match": '"1"'})
    assert r.status_code == 412
    r = c.post(url, json={"to": "resolved"}, headers={**zone.h["officer"], "If-Match": etag})
    assert r.status_code == 200 and r.json()["resolved_on"]
    assert c.post(url, json={"to": "closed"}, headers=zone.h["planner"]).status_code == 403
    assert c.post(url, json={"to": "closed", "x": 1}, headers=zone.h["admin"]).status_code == 422
    r = c.post(
        "/api/v1/service_requests/0/transition", json={"to": "closed"}, headers=zone.h["admin"]
    )
    assert r.status_code == 404


def test_overdue_and_stats_endpoints(zone: Zone) -> None:
    c = zone.client
    r = c.get(f"/api/v1/requests/overdue?officer_id={zone.a}", headers=zone.h["planner"])
    assert r.status_code == 200
    assert set(r.json()) >= {"by_officer", "by_department", "count"}
    assert c.get("/api/v1/requests/overdue", headers=zone.h["investment"]).status_code == 403
    r = c.get(f"/api/v1/requests/stats?officer_id={zone.a}", headers=zone.h["officer"])
    cats = {x["category"]: x for x in r.json()["categories"]}
    assert cats["utilities"]["raised"] == 1
    assert c.get("/api/v1/requests/stats?month=x", headers=zone.h["admin"]).status_code == 400


def test_report_formats(zone: Zone) -> None:
    c = zone.client
    base = f"/api/v1/reports/visits?officer_id={zone.a}"
    r = c.get(base, headers=zone.h["planner"])
    assert r.status_code == 200 and r.json()["officers"][0]["firms_not_visited"] == 1
    x = c.get(base + "&format=xlsx", headers=zone.h["planner"])
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in x.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(x.content))
    assert wb["officers"]["A2"].value == zone.a
    h = c.get(base + "&format=html", headers=zone.h["planner"])
    assert h.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in h.text and "&lt;script&gt;alert" in h.text
    assert "@media print" in h.text
    assert c.get(base + "&format=pdf", headers=zone.h["planner"]).status_code == 400
    assert (
        c.get(f"/api/v1/reports/visits?officer_id={zone.b}", headers=zone.h["officer"]).status_code
        == 403
    )


def test_draw_endpoints(zone: Zone) -> None:
    c = zone.client
    body = {"month": DRAW_MONTHS[0], "count": 1, "seed": f"seed {zone.tag}"}
    assert c.post("/api/v1/draws", json=body, headers=zone.h["planner"]).status_code == 403
    r = c.post("/api/v1/draws", json=body, headers=zone.h["admin"])
    assert r.status_code == 201 and r.json()["verified"] and len(r.json()["officer_ids"]) == 1
    first = r.json()["officer_ids"]
    again = c.post("/api/v1/draws", json=body, headers=zone.h["admin"])
    assert again.status_code == 409 and again.json()["draw"]["officer_ids"] == first
    r = c.post("/api/v1/draws", json={**body, "month": DRAW_MONTHS[1]}, headers=zone.h["admin"])
    assert r.status_code == 201 and r.json()["officer_ids"] != first
    assert r.json()["previous_ids"] == first
    listed = c.get("/api/v1/draws?year=2399", headers=zone.h["officer"]).json()
    assert [d["month"] for d in listed["items"]] == [DRAW_MONTHS[1]]
    bad = c.post("/api/v1/draws", json={"month": "2399-13", "count": 1}, headers=zone.h["admin"])
    assert bad.status_code == 422 and bad.json()["field"] == "month"
