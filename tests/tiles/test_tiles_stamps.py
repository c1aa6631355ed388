"""Change stamps: every write to a collection bumps its stamp, and no other's.

The library tests run in the rolled-back test transaction (the trigger writes
``change_stamps`` in the writing transaction); the HTTP test commits through the app on
the committed test zone and checks ETags, 304 and a fresh tile after a write.
"""

from __future__ import annotations

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.tiles import TILE_LAYERS, TileCache, change_stamps, lonlat_to_tile
from parkgis.writes import create, update
from tests.features.zone import Zone
from tests.support.firms import uscc
from tests.support.geometry import square
from tests.support.rows import insert

PLANNER = Principal(name="t-planner", role="planner")


def _changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {k for k in before if after[k] != before[k]}


def test_every_tiled_collection_has_a_stamp(session: Session) -> None:
    assert set(change_stamps(session)) == set(TILE_LAYERS)


@pytest.mark.parametrize(
    "table, coll",
    [
        ("parcels", "parcels"),
        ("grid_areas", "grid_areas"),
        ("context_features", "context"),
        ("enterprises", "enterprises"),
    ],
)
def test_an_insert_bumps_only_its_collection(
    session: Session, conn: Connection, table: str, coll: str
) -> None:
    before = change_stamps(session)
    if table == "parcels":
        insert(
            conn,
            table,
            code="STAMP-1",
            land_use="100101",
            status="planned",
            geom=MultiPolygon([square()]),
        )
    elif table == "grid_areas":
        insert(conn, table, code="STAMP-G", name="g", geom=square())
    elif table == "context_features":
        insert(conn, table, kind="road", name="r", geom=Point(112.7, 23.3).buffer(0.001))
    else:
        insert(conn, table, name="stamp firm", uscc=uscc(), geom=Point(112.7, 23.3))
    assert _changed(before, change_stamps(session)) == {coll}


def test_library_write_bumps_only_its_collection(session: Session) -> None:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [list(square().exterior.coords)]},
        "properties": {"code": "STAMP-W", "land_use": "100101"},
    }
    before = change_stamps(session)
    w = create(session, "parcels", PLANNER, feature)
    mid = change_stamps(session)
    assert _changed(before, mid) == {"parcels"}
    update(
        session,
        "parcels",
        PLANNER,
        w.id,
        {"properties": {"address": "stamp 2"}},
        partial=True,
        if_match="*",
    )
    after = change_stamps(session)
    assert _changed(mid, after) == {"parcels"}
    assert after["parcels"] > mid["parcels"] > before["parcels"]


def test_update_and_delete_by_sql_bump_too(session: Session, conn: Connection) -> None:
    gid = insert(conn, "grid_areas", code="STAMP-D", name="g", geom=square())
    s0 = change_stamps(session)
    conn.execute(text("UPDATE grid_areas SET name = 'h' WHERE id = :i"), {"i": gid})
    s1 = change_stamps(session)
    conn.execute(text("DELETE FROM grid_areas WHERE id = :i"), {"i": gid})
    s2 = change_stamps(session)
    assert _changed(s0, s1) == _changed(s1, s2) == {"grid_areas"}


def test_a_rolled_back_write_leaves_the_stamp(engine: Engine) -> None:
    q = text("SELECT stamp FROM change_stamps WHERE collection = 'parcels'")
    with engine.connect() as c:
        stamp = c.execute(q).scalar_one()
        c.rollback()
        # A statement-level trigger fires even when no row matches.
        c.execute(text("UPDATE parcels SET address = address WHERE false"))
        assert c.execute(q).scalar_one() > stamp
        c.rollback()
        assert c.execute(q).scalar_one() == stamp


# --- over HTTP: ETag, 304, and a write changes one collection's ETag -------------------


def test_etag_304_and_a_write_bumps_only_its_collection(client: TestClient, zone: Zone) -> None:
    x, y = lonlat_to_tile(zone.lon + 0.001, zone.lat + 0.001, 15)
    h = zone.headers("planner")
    urls = {c: f"/tiles/{c}/15/{x}/{y}.mvt" for c in ("parcels", "buildings", "grid_areas")}
    first = {c: client.get(u, headers=h) for c, u in urls.items()}
    assert first["parcels"].status_code == 200
    assert first["parcels"].headers["cache-control"] == "private, no-cache"
    etags = {c: r.headers["etag"] for c, r in first.items()}
    assert all(e.startswith('W/"') for e in etags.values())
    again = client.get(urls["parcels"], headers={**h, "If-None-Match": etags["parcels"]})
    assert again.status_code == 304 and again.content == b""
    anon = client.get(urls["parcels"])
    assert anon.headers["etag"] != etags["parcels"]  # another view, another tag
    assert anon.headers["cache-control"] == "public, no-cache"

    pid = zone.ids["parcel_0"]
    cur = client.get(f"/api/v1/parcels/{pid}", headers=h)
    r = client.patch(
        f"/api/v1/parcels/{pid}",
        json={"properties": {"address": "stamp road 1"}},
        headers={**h, "If-Match": cur.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    after = {c: client.get(u, headers=h).headers["etag"] for c, u in urls.items()}
    assert after["parcels"] != etags["parcels"]
    assert after["buildings"] == etags["buildings"]
    assert after["grid_areas"] == etags["grid_areas"]
    stale = client.get(urls["parcels"], headers={**h, "If-None-Match": etags["parcels"]})
    assert stale.status_code == 200 and stale.content
    # The app's tile cache held the old tile: the new stamp makes it unreachable.
    feats = mapbox_vector_tile.decode(stale.content)["parcels"]["features"]
    assert {f["properties"].get("address") for f in feats if f["id"] == pid} == {"stamp road 1"}


def test_tile_cache_is_bounded_and_least_recently_used() -> None:
    cache = TileCache(max_bytes=8 * 1000)
    for i in range(10):
        cache.put(("k", 1, 0, i, 1), b"x" * 700)
    assert len(cache) == 8  # 700 + 200 bytes of bookkeeping each
    assert cache.get(("k", 1, 0, 0, 1)) is None
    assert cache.get(("k", 1, 0, 9, 1)) == b"x" * 700
    assert cache.get(("k", 1, 0, 9, 2)) is None  # another stamp is another tile
    off = TileCache(0)
    off.put(("k", 1, 0, 0, 1), b"x")
    assert off.get(("k", 1, 0, 0, 1)) is None
