"""The direct load (rows straight into the table, checked after) gives what staging gives.

A clean insert goes through :mod:`parkgis.io.direct`; anything it cannot take (a key the
database refuses, a reference that does not exist, an error in a row) is rolled back to
its savepoint and goes through the staging path, whose report lists every problem.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.io.importer import ImportOptions, import_file
from parkgis.settings import Settings

ADMIN = Principal(name="io-direct-test", role="admin")


def parcels_gpkg(path: Path, tag: str, n: int, *, land_use: str = "100101", dx: float = 0) -> Path:
    """``n`` square parcels coded ``{tag}{i}``: polygons and multipolygons (in a GeoJSON,
    which keeps both), dates, numbers and blanks, so that every kind of value, the file's own
    WKB and the promotion to MultiPolygon are all written. A GeoPackage is written as is."""
    i = np.arange(n)
    x = 113.9 + (i % 50) * 0.0004 + dx  # east of the demo zone: nothing stored overlaps
    y = 22.9 + (i // 50) * 0.0004
    boxes = shapely.box(x, y, x + 0.0003, y + 0.0003)
    geoms = [shapely.MultiPolygon([b]) if k % 3 == 0 else b for k, b in enumerate(boxes)]
    gdf = gpd.GeoDataFrame(
        {
            "地块编号": [f"{tag}{k}" for k in i],
            "用地性质": land_use,
            "status": np.where(i % 2 == 0, "granted", "available"),
            "granted_on": [dt.date(2020, 1, 1) + dt.timedelta(days=int(k)) for k in i],
            "max_far": np.where(i % 4 == 0, np.nan, 1.0 + (i % 7) / 10),
            "address": [None if k % 5 == 0 else f"路{k}号" for k in i],
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    if path.suffix == ".geojson":
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        gdf.to_file(path, layer="parcels", engine="pyogrio")
    return path


def run(session: Session, settings: Settings, path: Path, **kw: Any) -> dict[str, Any]:
    return import_file(session, path, ImportOptions(kind="parcels", **kw), ADMIN, settings)


def stored(session: Session, tag: str) -> tuple[list[Any], list[Any]]:
    """The tag's parcels (without ids) and their audit rows' ``after``."""
    rows = session.execute(
        text(
            "SELECT code, land_use, status, granted_on, max_far, address, version, "
            "ST_AsEWKB(geom), area_m2 FROM parcels WHERE code LIKE :t ORDER BY code"
        ),
        {"t": f"{tag}%"},
    ).all()
    afters = session.execute(
        text(
            "SELECT a.after FROM audit_log a JOIN parcels p "
            "ON a.entity = 'parcels' AND a.entity_id = p.id AND a.action = 'import' "
            "WHERE p.code LIKE :t ORDER BY p.code"
        ),
        {"t": f"{tag}%"},
    ).scalars()
    return [tuple(r) for r in rows], list(afters)


def test_a_clean_load_goes_direct_and_stores_what_staging_stores(session, settings, tmp_path):
    tag = f"D{uuid.uuid4().hex[:5]}-"
    path = parcels_gpkg(tmp_path / "p.geojson", tag, 240)
    sp = session.begin_nested()
    direct = run(session, settings, path)
    assert direct["loaded"] and direct["load_path"] == "direct", direct["problems"]
    assert direct["counts"] == {"insert": 240, "update": 0, "skip": 0}
    got = stored(session, tag)
    audit = session.execute(
        text(
            "SELECT count(*), min(after->'_import'->>'sha256') FROM audit_log WHERE action = "
            "'import' AND after->'_import'->>'id' = :i"
        ),
        {"i": str(direct["import_id"])},
    ).one()
    sp.rollback()
    assert tuple(audit) == (240, direct["file"]["sha256"])
    # The staging path writes new rows too when asked to upsert by code.
    staged = run(session, settings, path, mode="upsert", key="code")
    assert staged["loaded"] and staged["load_path"] == "staged"
    assert staged["counts"] == direct["counts"]
    want = stored(session, tag)
    assert len(got[0]) == 240 and got[0] == want[0]
    # A new row's audit row names the import and the file; the values are the row's own.
    for report, afters in ((direct, got[1]), (staged, want[1])):
        stamp = {"id": report["import_id"], "sha256": report["file"]["sha256"]}
        assert afters == [{"_import": stamp}] * 240
    for part in ("features", "geometry", "fields", "crs", "bbox_4326", "problems", "encoding"):
        assert direct[part] == staged[part], part
    assert direct["geometry"]["types"] == {"Polygon": 160, "MultiPolygon": 80}


def test_keys_the_database_refuses_go_back_to_staging(session, settings, tmp_path):
    tag = f"E{uuid.uuid4().hex[:5]}-"
    path = parcels_gpkg(tmp_path / "p.gpkg", tag, 30)
    first = run(session, settings, path)
    assert first["load_path"] == "direct" and first["loaded"]
    count = session.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    again = run(session, settings, path)  # the same codes: the unique key refuses the COPY
    assert again["load_path"] == "staged"
    assert not again["would_load"] and not again["loaded"]
    exists = sorted(p["row"] for p in again["problems"]["first"] if p["code"] == "exists")
    assert exists == list(range(1, 31))
    assert session.execute(text("SELECT count(*) FROM parcels")).scalar_one() == count


def test_unknown_land_use_and_row_errors_go_back_to_staging(session, settings, tmp_path):
    tag = f"F{uuid.uuid4().hex[:5]}-"
    unknown = run(session, settings, parcels_gpkg(tmp_path / "u.gpkg", tag, 12, land_use="999999"))
    assert unknown["load_path"] == "staged" and not unknown["loaded"]
    refs = [p for p in unknown["problems"]["first"] if p["code"] == "unknown_reference"]
    assert len(refs) == 12 and refs[0]["field"] == "land_use"
    long = run(
        session,
        settings,
        parcels_gpkg(tmp_path / "l.gpkg", tag + "x" * 40, 5),
    )
    assert long["load_path"] == "staged" and not long["loaded"]
    assert {p["code"] for p in long["problems"]["first"]} == {"too_long"}
    n = session.execute(text("SELECT count(*) FROM parcels WHERE code LIKE :t"), {"t": f"{tag}%"})
    assert n.scalar_one() == 0


def test_overlaps_with_stored_parcels_are_reported_on_a_direct_load(session, settings, tmp_path):
    tag = f"G{uuid.uuid4().hex[:5]}-"
    run(session, settings, parcels_gpkg(tmp_path / "a.gpkg", tag + "a", 10))
    # The same squares a third of a square to the east, under other codes.
    b = run(session, settings, parcels_gpkg(tmp_path / "b.gpkg", tag + "b", 10, dx=0.0001))
    assert b["loaded"] and b["load_path"] == "direct"
    over = [p for p in b["problems"]["first"] if p["code"] == "overlaps_stored"]
    assert sorted(p["row"] for p in over) == list(range(1, 11))
    assert all(p["severity"] == "warning" for p in over)
    assert f"stored parcel {tag}a0 " in over[0]["message"]


def test_an_upsert_measures_overlaps_of_moved_parcels_only(session, settings, tmp_path):
    tag = f"H{uuid.uuid4().hex[:5]}-"
    run(session, settings, parcels_gpkg(tmp_path / "a.gpkg", tag + "a", 10))
    b = parcels_gpkg(tmp_path / "b.gpkg", tag + "b", 10, dx=0.0001)  # overlaps every a
    first = run(session, settings, b)
    assert len([p for p in first["problems"]["first"] if p["code"] == "overlaps_stored"]) == 10

    def overlaps(report: dict[str, Any]) -> list[int]:
        found = report["problems"]["first"]
        return sorted({p["row"] for p in found if p["code"] == "overlaps_stored"})

    # The same file again: stored under their codes as they are, so nothing new to report.
    again = run(session, settings, b, mode="upsert", key="code")
    assert again["loaded"] and again["counts"] == {"insert": 0, "update": 0, "skip": 10}
    assert overlaps(again) == []
    # Moved further east, now over two a squares each: measured again, and reported.
    moved = run(
        session,
        settings,
        parcels_gpkg(tmp_path / "m.gpkg", tag + "b", 10, dx=0.0002),
        mode="upsert",
        key="code",
    )
    assert moved["counts"] == {"insert": 0, "update": 10, "skip": 0}
    assert overlaps(moved) == list(range(1, 11))
    # A square that only shares an edge with a stored one overlaps nothing.
    edge = run(session, settings, parcels_gpkg(tmp_path / "e.gpkg", tag + "e", 1, dx=-0.0003))
    assert edge["loaded"] and overlaps(edge) == []


def test_a_big_direct_load_rebuilds_keys_and_indexes(session, settings, tmp_path):
    def schema() -> list[Any]:
        return session.execute(
            text(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'parcels' UNION ALL "
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'parcels'::regclass ORDER BY 1"
            )
        ).all()

    before = schema()
    held = session.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    n = max(20_000, 2 * held)  # a bulk load (see parkgis.io.write.is_bulk)
    tag = f"H{uuid.uuid4().hex[:5]}-"
    r = run(session, settings, parcels_gpkg(tmp_path / "big.gpkg", tag, n))
    assert r["loaded"] and r["load_path"] == "direct"
    assert "keys_and_indexes" in r["timing_s"]
    assert schema() == before
    plan = session.execute(
        text(
            "EXPLAIN SELECT id FROM parcels "
            "WHERE geom && ST_MakeEnvelope(113.9, 22.9, 113.91, 22.91, 4326)"
        )
    ).scalars()
    assert "idx_parcels_geom" in " ".join(plan)
    assert (
        session.execute(
            text("SELECT count(*) FROM audit_log WHERE after->'_import'->>'id' = :i"),
            {"i": str(r["import_id"])},
        ).scalar_one()
        == n
    )
