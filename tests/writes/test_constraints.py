"""Each database rule refuses what must never be stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon
from sqlalchemy import Connection, text
from sqlalchemy.exc import DataError, IntegrityError, InternalError, ProgrammingError

from tests.support.firms import uscc
from tests.support.geometry import square
from tests.support.rows import building, enterprise, insert, parcel


def refused(conn: Connection, action: Callable[[], Any], constraint: str | None = None) -> str:
    """Run ``action`` in a savepoint; assert the database refuses it; return the message."""
    sp = conn.begin_nested()
    with pytest.raises((IntegrityError, DataError, InternalError, ProgrammingError)) as info:
        action()
    sp.rollback()
    msg = str(info.value.orig)
    if constraint:
        assert constraint in msg, msg
    return msg


def test_parcel_rules(conn: Connection) -> None:
    refused(conn, lambda: parcel(conn, status="sold"), "status_known")
    refused(conn, lambda: parcel(conn, land_use="999999"), "land_use")
    refused(conn, lambda: parcel(conn, price_cny_m2=-1), "price_nonneg")
    refused(conn, lambda: parcel(conn, max_far=0), "far_range")
    refused(conn, lambda: parcel(conn, status="granted"), "granted_has_date")
    bowtie = Polygon([(112.7, 23.3), (112.71, 23.31), (112.71, 23.3), (112.7, 23.31)])
    refused(conn, lambda: parcel(conn, geom=MultiPolygon([bowtie])), "geom_valid")
    refused(conn, lambda: parcel(conn, geom=Point(112.7, 23.3)), "Geometry type")
    ok = parcel(conn)
    assert ok > 0


def test_area_is_computed_never_typed(conn: Connection) -> None:
    refused(
        conn,
        lambda: parcel(conn, area_m2=5),
        "area_m2",
    )
    pid = parcel(conn, geom=MultiPolygon([square(side_m=100)]))
    area = conn.execute(text("SELECT area_m2 FROM parcels WHERE id = :i"), {"i": pid}).scalar()
    assert area == pytest.approx(10_000, rel=1e-3)
    sp = conn.begin_nested()
    with pytest.raises((IntegrityError, ProgrammingError, InternalError)):
        conn.execute(text("UPDATE parcels SET area_m2 = 1 WHERE id = :i"), {"i": pid})
    sp.rollback()


def test_space_rules(conn: Connection) -> None:
    pid = parcel(conn)
    bid = building(conn, pid)

    def space(**kw: Any) -> int:
        values: dict[str, Any] = {
            "building_id": bid,
            "floor": 1,
            "status": "vacant",
            "geom": square(side_m=40),
        }
        values.update(kw)
        return insert(conn, "spaces", **values)

    refused(conn, lambda: space(building_id=987654321), "fk_spaces_building_id_buildings")
    refused(conn, lambda: space(status="free"), "status_known")
    refused(conn, lambda: space(clear_height_m=-3), "clear_height_range")
    refused(conn, lambda: space(floor_load_t_m2=0), "load_positive")
    refused(conn, lambda: space(power_kva=-1), "power_nonneg")
    refused(conn, lambda: space(rent_cny_m2_month=-0.5), "rent_nonneg")
    refused(conn, lambda: space(floor=0), "floor_range")
    assert space() > 0


def test_building_rules(conn: Connection) -> None:
    pid = parcel(conn)
    refused(conn, lambda: building(conn, pid, floors=0), "floors_range")
    refused(conn, lambda: building(conn, pid, gross_floor_area_m2=-10), "gfa_positive")
    refused(conn, lambda: building(conn, 987654321), "fk_buildings_parcel_id_parcels")


def test_enterprise_rules(conn: Connection) -> None:
    good = uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    refused(conn, lambda: enterprise(conn, uscc=bad), "uscc_checksum")
    refused(conn, lambda: enterprise(conn, uscc="91441200ABCDEFGHIO"), "uscc_checksum")
    refused(conn, lambda: enterprise(conn, employees=-1), "employees_nonneg")
    refused(conn, lambda: enterprise(conn, tax_cny=-1), "tax_nonneg")
    refused(conn, lambda: enterprise(conn, name="   "), "name_not_blank")
    refused(conn, lambda: enterprise(conn, industry_chain="space_mining"), "industry_chain")
    refused(conn, lambda: enterprise(conn, industry_code="3670"), "industry_code_form")
    enterprise(conn, uscc=good)
    refused(conn, lambda: enterprise(conn, uscc=good), "uq_enterprises_uscc")


def test_assignment_and_activity_rules(conn: Connection) -> None:
    oid = insert(conn, "officers", name="张三")
    eid = enterprise(conn)
    refused(
        conn,
        lambda: insert(
            conn,
            "assignments",
            officer_id=oid,
            enterprise_id=eid,
            since="2026-05-01",
            until="2026-04-01",
        ),
        "period_order",
    )
    insert(conn, "assignments", officer_id=oid, enterprise_id=eid, since="2026-01-01")
    refused(
        conn,
        lambda: insert(conn, "assignments", officer_id=oid, enterprise_id=eid, since="2026-02-01"),
        "uq_assignments_current",
    )
    refused(
        conn,
        lambda: insert(
            conn, "visits", officer_id=oid, enterprise_id=eid, visited_at="2026-01-01", kind="call"
        ),
        "kind_known",
    )
    req = {"enterprise_id": eid, "category": "land", "title": "t", "opened_on": "2026-03-01"}
    refused(conn, lambda: insert(conn, "service_requests", **req, status="done"), "status_known")
    refused(
        conn,
        lambda: insert(conn, "service_requests", **req, status="resolved"),
        "resolved_has_date",
    )
    refused(
        conn,
        lambda: insert(
            conn, "service_requests", **req, status="resolved", resolved_on="2026-02-01"
        ),
        "resolved_order",
    )
    refused(
        conn,
        lambda: insert(conn, "service_requests", **{**req, "category": "gossip"}, status="open"),
        "category_known",
    )
    refused(
        conn,
        lambda: insert(conn, "projects", name="p", stage="dreaming", geom=Point(112.7, 23.3)),
        "stage_known",
    )


def test_holds_never_overlap(conn: Connection) -> None:
    pid = parcel(conn)
    insert(
        conn,
        "reservations",
        parcel_id=pid,
        holder="A",
        held_from="2026-01-01T00:00Z",
        expires_at="2026-01-10T00:00Z",
    )
    refused(
        conn,
        lambda: insert(
            conn,
            "reservations",
            parcel_id=pid,
            holder="B",
            held_from="2026-01-05T00:00Z",
            expires_at="2026-01-20T00:00Z",
        ),
        "no_double_parcel_hold",
    )
    # Back to back is fine: the first hold has ended when the second starts.
    insert(
        conn,
        "reservations",
        parcel_id=pid,
        holder="B",
        held_from="2026-01-10T00:00Z",
        expires_at="2026-01-20T00:00Z",
    )
    refused(
        conn,
        lambda: insert(conn, "reservations", holder="C", expires_at="2030-01-01T00:00Z"),
        "one_unit",
    )


def test_users_and_tokens(conn: Connection) -> None:
    refused(conn, lambda: insert(conn, "users", name="u1", role="king"), "role_known")
    refused(conn, lambda: insert(conn, "users", name="u2", role="officer"), "officer_linked")
    uid = insert(conn, "users", name="u3", role="admin")
    refused(
        conn,
        lambda: insert(conn, "api_tokens", user_id=uid, token_hash="plaintext", prefix="x"),
        "hash_form",
    )
