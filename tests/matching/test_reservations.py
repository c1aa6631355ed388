"""Holds: never two active on one unit (20 concurrent officers), expiry, release, lease."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from psycopg.errors import ExclusionViolation
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.db.engine import make_engine
from parkgis.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from parkgis.matching.reservations import active_holds, hold, hold_json, lease, release
from parkgis.matching.service import match
from parkgis.models import AuditLog, Reservation, Space
from parkgis.settings import Settings
from tests.matching.zone import lonlat_box
from tests.support.firms import uscc
from tests.support.rows import insert

OFFICER = Principal(user_id=None, name="officer-a", role="officer", officer_id=1)
ADMIN = Principal(user_id=None, name="admin", role="admin")


def _unit(conn: Connection, tag: str, x: float = 9000.0) -> dict[str, int]:
    geom = lonlat_box(x, 9000, x + 200, 9200).replace("POLYGON", "MULTIPOLYGON(") + ")"
    pid = insert(
        conn,
        "parcels",
        code=f"R-{tag}",
        land_use="100102",
        status="built",
        granted_on=date(2020, 1, 1),
        geom=geom,
    )
    free = insert(
        conn,
        "parcels",
        code=f"RF-{tag}",
        land_use="100103",
        status="available",
        geom=lonlat_box(x, 9300, x + 200, 9500).replace("POLYGON", "MULTIPOLYGON(") + ")",
    )
    bid = insert(
        conn,
        "buildings",
        parcel_id=pid,
        name=f"Plant {tag}",
        geom=lonlat_box(x + 10, 9010, x + 110, 9070),
    )
    sid = insert(
        conn,
        "spaces",
        building_id=bid,
        floor=1,
        status="vacant",
        code=f"S-{tag}",
        power_kva=1250.0,
        geom=lonlat_box(x + 10, 9010, x + 110, 9070),
    )
    firm = insert(
        conn,
        "enterprises",
        name=f"Firm {tag}",
        uscc=uscc(int(tag[:6], 16) % 10**8),
        geom="SRID=4326;POINT(112.71 23.34)",
    )
    return {"parcel": pid, "free_parcel": free, "building": bid, "space": sid, "firm": firm}


@pytest.fixture
def committed_unit(engine: Engine) -> Iterator[dict[str, int]]:
    """A unit committed to the test database (holds from other connections must see it)."""
    tag = uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        ids = _unit(conn, tag)
    try:
        yield ids
    finally:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM audit_log WHERE entity = 'reservations' AND entity_id IN "
                    "(SELECT id FROM reservations WHERE space_id = :s OR parcel_id = :p)"
                ),
                {"s": ids["space"], "p": ids["free_parcel"]},
            )
            conn.execute(text("DELETE FROM reservations WHERE space_id = :s"), {"s": ids["space"]})
            conn.execute(text("DELETE FROM spaces WHERE id = :s"), {"s": ids["space"]})
            conn.execute(text("DELETE FROM buildings WHERE id = :b"), {"b": ids["building"]})
            conn.execute(
                text("DELETE FROM parcels WHERE id IN (:a, :b)"),
                {"a": ids["parcel"], "b": ids["free_parcel"]},
            )
            conn.execute(text("DELETE FROM enterprises WHERE id = :f"), {"f": ids["firm"]})


def test_twenty_officers_hold_one_unit_at_once(
    committed_unit: dict[str, int], settings: Settings
) -> None:
    sid = committed_unit["space"]
    eng = make_engine(settings.db, pool_size=22, max_overflow=2)
    barrier = threading.Barrier(20)

    def attempt(i: int) -> tuple[str, Any]:
        with Session(eng) as s:
            s.execute(text("SELECT 1"))  # connect before the race starts
            barrier.wait()
            try:
                r = hold(
                    s,
                    space_id=sid,
                    holder=f"officer {i}",
                    days=7,
                    principal=ADMIN,
                    settings=settings,
                )
                s.commit()
                return "won", r.id
            except Conflict as exc:
                s.rollback()
                return "409", exc

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(attempt, range(20)))
        with eng.connect() as c:
            rows = c.execute(
                text(
                    "SELECT id, holder, expires_at FROM reservations WHERE space_id = :s "
                    "AND tstzrange(held_from, expires_at) @> now()"
                ),
                {"s": sid},
            ).all()
            overlaps = c.execute(
                text(
                    "SELECT count(*) FROM reservations a JOIN reservations b ON a.id < b.id "
                    "AND a.space_id = b.space_id AND tstzrange(a.held_from, a.expires_at) && "
                    "tstzrange(b.held_from, b.expires_at) WHERE a.space_id = :s"
                ),
                {"s": sid},
            ).scalar_one()
    finally:
        eng.dispose()
    won = [r for kind, r in results if kind == "won"]
    lost = [r for kind, r in results if kind == "409"]
    assert len(won) == 1 and len(lost) == 19
    assert len(rows) == 1 and rows[0].id == won[0]
    assert overlaps == 0
    for exc in lost:
        assert rows[0].holder not in exc.message  # the firm it is held for stays private
        assert exc.detail["reservation_id"] == won[0]
        assert exc.detail["expires_at"] == rows[0].expires_at.isoformat()
        assert exc.field == "space_id"


def test_database_refuses_overlap_without_python(conn: Connection) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    sql = text(
        "INSERT INTO reservations (space_id, holder, held_from, expires_at) "
        "VALUES (:s, :h, now(), now() + interval '3 days')"
    )
    conn.execute(sql, {"s": ids["space"], "h": "a"})
    with pytest.raises(IntegrityError) as exc, conn.begin_nested():
        conn.execute(sql, {"s": ids["space"], "h": "b"})
    assert isinstance(exc.value.orig, ExclusionViolation)


def test_expired_hold_frees_the_unit(
    conn: Connection, session: Session, settings: Settings
) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    conn.execute(
        text(
            "INSERT INTO reservations (space_id, holder, held_from, expires_at) "
            "VALUES (:s, 'old', now() - interval '8 days', now() - interval '1 second')"
        ),
        {"s": ids["space"]},
    )
    assert active_holds(session, OFFICER, space_id=ids["space"]) == []
    r = hold(
        session, space_id=ids["space"], holder="new", days=3, principal=OFFICER, settings=settings
    )
    assert hold_json(r)["active"] is True
    assert [h.id for h in active_holds(session, OFFICER, space_id=ids["space"])] == [r.id]
    with pytest.raises(Conflict) as exc:
        hold(
            session,
            space_id=ids["space"],
            holder="third",
            days=1,
            principal=OFFICER,
            settings=settings,
        )
    assert "new" not in exc.value.message and "held by another user" in exc.value.message


def test_hold_hides_unit_from_match(conn: Connection, session: Session, settings: Settings) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    req = {"power_kva": 1250, "near": {"lon": 112.7, "lat": 23.33}, "limit": 100}

    def found() -> bool:
        out = match(session, req, OFFICER, settings, save=False)
        return ids["space"] in {f["properties"]["id"] for f in out["features"]}

    assert found()
    r = hold(
        session, space_id=ids["space"], holder="x", days=2, principal=OFFICER, settings=settings
    )
    assert not found()
    release(session, r.id, OFFICER)
    assert found()


def test_release(conn: Connection, session: Session, settings: Settings) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    me = Principal(user_id=None, name="me", role="investment")
    r = hold(
        session,
        parcel_id=ids["free_parcel"],
        holder="Acme",
        days=5,
        principal=me,
        settings=settings,
    )
    out = release(session, r.id, me)
    assert out.outcome == "released" and out.released_at is not None
    assert hold_json(out)["active"] is False
    with pytest.raises(Conflict):
        release(session, r.id, me)
    again = hold(
        session,
        parcel_id=ids["free_parcel"],
        holder="Beta",
        days=5,
        principal=me,
        settings=settings,
    )
    assert again.id != r.id
    actions = session.scalars(
        AuditLog.__table__.select()
        .with_only_columns(AuditLog.action)
        .where(AuditLog.entity == "reservations", AuditLog.entity_id == r.id)
    ).all()
    assert sorted(actions) == ["hold", "release"]


def test_only_owner_or_admin_releases(
    conn: Connection, session: Session, settings: Settings
) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    uids = [
        insert(conn, "users", name=f"u-{uuid.uuid4().hex[:6]}", role="investment") for _ in range(2)
    ]
    a = Principal(user_id=uids[0], name="a", role="investment")
    b = Principal(user_id=uids[1], name="b", role="investment")
    r = hold(session, space_id=ids["space"], holder="A", days=5, principal=a, settings=settings)
    assert r.user_id == uids[0]
    with pytest.raises(Forbidden):
        release(session, r.id, b)
    assert release(session, r.id, ADMIN).outcome == "released"


def test_lease_occupies_space_and_audits(
    conn: Connection, session: Session, settings: Settings
) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    r = hold(
        session, space_id=ids["space"], holder="Firm", days=5, principal=OFFICER, settings=settings
    )
    v0 = session.get(Space, ids["space"]).version  # type: ignore[union-attr]
    out = lease(session, r.id, enterprise_id=ids["firm"], principal=OFFICER, settings=settings)
    assert out.outcome == "leased" and out.lease_enterprise_id == ids["firm"]
    assert hold_json(out)["active"] is False
    space = session.get(Space, ids["space"])
    assert space is not None
    session.refresh(space)
    assert space.status == "occupied" and space.occupant_enterprise_id == ids["firm"]
    assert space.version == v0 + 1
    logs = session.execute(
        text(
            "SELECT action, entity, after FROM audit_log WHERE (entity = 'spaces' AND "
            "entity_id = :s) OR (entity = 'reservations' AND entity_id = :r) ORDER BY id"
        ),
        {"s": ids["space"], "r": r.id},
    ).all()
    assert [(x.action, x.entity) for x in logs] == [
        ("hold", "reservations"),
        ("lease", "spaces"),
        ("lease", "reservations"),
    ]
    assert logs[1].after["status"] == "occupied"
    assert logs[1].after["occupant_enterprise_id"] == ids["firm"]
    with pytest.raises(Conflict):
        hold(
            session,
            space_id=ids["space"],
            holder="late",
            days=1,
            principal=OFFICER,
            settings=settings,
        )
    with pytest.raises(Conflict):
        lease(session, r.id, enterprise_id=ids["firm"], principal=OFFICER, settings=settings)


def test_lease_grants_parcel(conn: Connection, session: Session, settings: Settings) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    r = hold(
        session,
        parcel_id=ids["free_parcel"],
        holder="F",
        days=5,
        principal=ADMIN,
        settings=settings,
    )
    out = lease(session, r.id, enterprise_id=ids["firm"], principal=ADMIN, settings=settings)
    assert out.outcome == "granted"
    row = conn.execute(
        text("SELECT status, holder_enterprise_id, granted_on FROM parcels WHERE id = :p"),
        {"p": ids["free_parcel"]},
    ).one()
    assert row.status == "granted" and row.holder_enterprise_id == ids["firm"]
    assert row.granted_on is not None


def test_expired_hold_cannot_be_leased(
    conn: Connection, session: Session, settings: Settings
) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    rid = conn.execute(
        text(
            "INSERT INTO reservations (space_id, holder, held_from, expires_at) VALUES "
            "(:s, 'old', now() - interval '3 days', now() - interval '1 hour') RETURNING id"
        ),
        {"s": ids["space"]},
    ).scalar_one()
    with pytest.raises(Conflict) as exc:
        lease(session, rid, enterprise_id=ids["firm"], principal=ADMIN, settings=settings)
    assert "expired" in exc.value.message
    assert session.get(Reservation, rid).outcome is None  # type: ignore[union-attr]


def test_hold_validation(conn: Connection, session: Session, settings: Settings) -> None:
    ids = _unit(conn, uuid.uuid4().hex[:8])
    ok: dict[str, Any] = {"holder": "h", "days": 3, "principal": OFFICER, "settings": settings}
    with pytest.raises(InvalidInput) as e1:
        hold(session, space_id=ids["space"], parcel_id=ids["free_parcel"], **ok)
    assert e1.value.field == "space_id"
    with pytest.raises(InvalidInput) as e2:
        hold(session, space_id=ids["space"], **{**ok, "days": 0})
    assert e2.value.field == "days"
    with pytest.raises(InvalidInput) as e3:
        hold(session, space_id=ids["space"], **{**ok, "days": settings.match.max_hold_days + 1})
    assert e3.value.field == "days"
    with pytest.raises(InvalidInput) as e4:
        hold(session, space_id=ids["space"], **{**ok, "holder": "  "})
    assert e4.value.field == "holder"
    with pytest.raises(NotFound):
        hold(session, space_id=2_000_000_000, **ok)
    with pytest.raises(InvalidInput) as e5:
        hold(session, space_id=ids["space"], request_id=2_000_000_000, **ok)
    assert e5.value.field == "request_id"
    with pytest.raises(Conflict):
        hold(session, parcel_id=ids["parcel"], **ok)  # built, not available
    with pytest.raises(Unauthorized):
        hold(session, space_id=ids["space"], **{**ok, "principal": Principal()})
    with pytest.raises(Forbidden):
        hold(
            session,
            space_id=ids["space"],
            **{**ok, "principal": Principal(user_id=1, name="p", role="planner")},
        )
