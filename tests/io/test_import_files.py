"""Real files in: encodings, CRSs, DXF, XLSX, invalid geometry, duplicates, real cadastre."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.io.importer import ImportOptions, import_file
from parkgis.settings import Settings
from tests.io import files

ADMIN = Principal(name="io-test", role="admin")
REAL = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "bubenec.gpkg"


def run(session: Session, settings: Settings, path: Path, kind: str, **kw: Any) -> dict:
    return import_file(session, path, ImportOptions(kind=kind, **kw), ADMIN, settings)


def test_gbk_dbf_ldid_57_without_cpg_is_sniffed(session, settings, tmp_path) -> None:
    shp = files.gbk_shapefile(tmp_path / "a", cpg=None)
    r = run(session, settings, shp, "context", dry_run=True)
    assert r["encoding"]["name"] == "gb18030"
    ev = " ".join(r["encoding"]["evidence"])
    assert "no .cpg" in ev and "0x57" in ev and "GB18030" in ev
    assert "地铁1号线" in r["encoding"]["samples"] and len(r["encoding"]["samples"]) == 3
    assert r["would_load"], r["problems"]


def test_cpg_is_used_and_a_wrong_cpg_is_caught(session, settings, tmp_path) -> None:
    right = run(
        session, settings, files.gbk_shapefile(tmp_path / "b", cpg="GBK"), "context", dry_run=True
    )
    assert right["encoding"]["name"] == "gb18030"
    assert right["encoding"]["evidence"] == [".cpg says GBK"]
    wrong = run(
        session, settings, files.gbk_shapefile(tmp_path / "c", cpg="UTF-8"), "context", dry_run=True
    )
    assert wrong["encoding"]["name"] == "gb18030"
    assert any("does not decode as utf-8" in e for e in wrong["encoding"]["evidence"])
    assert "珠江" in wrong["encoding"]["samples"]


def test_shapefile_zip_loads_names_and_landmark_subtype(session, settings, tmp_path) -> None:
    folder = tmp_path / "z"
    files.gbk_shapefile(folder, cpg=None)
    z = files.zip_folder(folder, tmp_path / "context.zip")
    r = run(session, settings, z, "context")
    assert r["loaded"] and r["counts"]["insert"] == 3
    rows = session.execute(
        text(
            "SELECT name, kind, subtype, props, import_id FROM context_features "
            "WHERE import_id = :i ORDER BY id"
        ),
        {"i": r["import_id"]},
    ).all()
    assert [x.name for x in rows] == files.NAMES
    assert rows[2].kind == "landmark" and rows[2].subtype == "highway_exit"


def test_prefixed_gauss_kruger_without_prj(session, settings, tmp_path) -> None:
    shp = files.gbk_shapefile(tmp_path / "gk", cpg=None, gk=True)
    assert not shp.with_suffix(".prj").exists()
    r = run(session, settings, shp, "context", dry_run=True)
    assert r["crs"]["declared"] is None
    assert r["crs"]["used"] == "EPSG:4526"  # zone 38 → 4513 + 38 − 25
    assert "zone prefix 38" in r["crs"]["evidence"]
    west, south, east, north = r["bbox_4326"]
    assert 112.5 < west < east < 113.0 and 23.0 < south < north < 23.5


def test_r12_dxf_ansi_936_closed_polylines(session, settings, tmp_path) -> None:
    dxf = files.r12_dxf(tmp_path / "plots.dxf")
    r = run(
        session,
        settings,
        dxf,
        "parcels",
        map={"code": "label"},
        set={"land_use": "100101", "status": "available"},
        dry_run=True,
    )
    assert r["driver"] == "DXF" and "ANSI_936" in r["encoding"]["evidence"][0]
    assert "地块A-01" in r["encoding"]["samples"]
    assert r["geometry"]["types"] == {"Polygon": 2, "LineString": 1}
    assert r["crs"]["used"] == "EPSG:4526"
    # the road line cannot be a parcel; the two plots are fine
    assert [p["code"] for p in r["problems"]["first"] if p["severity"] == "error"] == [
        "wrong_type",
        "missing",
    ]
    assert "規劃" not in str(r) and "规划地块" in r["layers"]


def test_xlsx_lon_lat_columns_and_bad_rows(session, settings, tmp_path) -> None:
    x = files.firms_xlsx(tmp_path / "firms.xlsx")
    r = run(session, settings, x, "enterprises", dry_run=True)
    assert r["fields"]["mapped"]["name"] == "企业名称"
    assert r["fields"]["mapped"]["uscc"] == "统一社会信用代码"
    assert "经度/纬度" in " ".join(r["encoding"]["evidence"])
    bad = {(p["row"], p["code"]) for p in r["problems"]["first"]}
    assert (2, "bad_uscc") in bad and (2, "bad_type") in bad
    assert not r["would_load"]


def test_bowtie_and_duplicate_code(session, settings, tmp_path) -> None:
    g = files.bowtie_geojson(tmp_path / "p.geojson")
    r = run(session, settings, g, "parcels", dry_run=True)
    probs = r["problems"]["first"]
    inv = [p for p in probs if p["code"] == "invalid"]
    assert len(inv) == 1 and inv[0]["row"] == 2 and "Self-intersection" in inv[0]["message"]
    assert inv[0]["location"] == pytest.approx([112.7205, 23.3505], abs=1e-4)
    dups = sorted(p["row"] for p in probs if p["code"] == "duplicate_key")
    assert dups == [1, 3]
    assert not r["would_load"]
    fixed = run(session, settings, g, "parcels", repair=True, dry_run=True)
    assert fixed["geometry"]["repaired"] == 1
    assert fixed["geometry"]["repairs"][0]["after"] == "MultiPolygon"
    assert not any(p["code"] == "invalid" for p in fixed["problems"]["first"])


def test_gcj02_points_are_shifted_back(session, settings, tmp_path) -> None:
    from parkgis.geo import wgs84_to_gcj02

    lon, lat = 112.7, 23.35
    glon, glat = wgs84_to_gcj02(lon, lat)
    csv = tmp_path / "f.csv"
    csv.write_text(f"name,uscc,lng,lat\n甲公司,{files.uscc(7)},{glon},{glat}\n", "utf-8")
    r = run(session, settings, csv, "enterprises", crs="gcj02")
    assert r["loaded"]
    x, y = session.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM enterprises WHERE uscc = :u"), {"u": files.uscc(7)}
    ).one()
    assert abs(x - lon) < 1e-6 and abs(y - lat) < 1e-6


def test_bubenec_plots_and_buildings(session, settings) -> None:
    r = run(
        session,
        settings,
        REAL,
        "parcels",
        layer="plots",
        map={"code": "ID"},
        set={"land_use": "100101", "status": "available"},
    )
    assert r["loaded"] and r["counts"]["insert"] == 407
    assert r["crs"]["used"] == "EPSG:3857"
    b = run(session, settings, REAL, "buildings", layer="buildings")
    assert b["loaded"] and b["counts"]["insert"] == 144
    import geopandas as gpd

    geod = Geod(ellps="WGS84")
    plots = gpd.read_file(REAL, layer="plots").to_crs(4326)
    expect = {
        str(c): abs(geod.geometry_area_perimeter(g)[0])
        for c, g in zip(plots["ID"], plots.geometry, strict=True)
    }
    stored = dict(
        session.execute(
            text(
                "SELECT code, area_m2 FROM parcels WHERE id IN (SELECT entity_id FROM audit_log "
                "WHERE after->'_import'->>'id' = :i)"
            ),
            {"i": str(r["import_id"])},
        ).all()
    )
    assert len(stored) == 407
    worst = max(abs(stored[c] - a) / a for c, a in expect.items())
    assert worst < 0.005
    audit = session.execute(
        text(
            "SELECT count(*), min(after->'_import'->>'sha256') FROM audit_log "
            "WHERE action = 'import' AND after->'_import'->>'id' = :i"
        ),
        {"i": str(r["import_id"])},
    ).one()
    assert audit[0] == 407 and audit[1] == r["file"]["sha256"]


def test_upsert_bumps_versions_and_skips_identical(session, settings) -> None:
    opts = {
        "layer": "plots",
        "map": {"code": "ID"},
        "set": {"land_use": "100101", "status": "available"},
    }
    first = run(session, settings, REAL, "parcels", **opts)
    again = run(session, settings, REAL, "parcels", mode="upsert", **opts)
    assert again["counts"] == {"insert": 0, "update": 0, "skip": 407}
    opts["set"] = {"land_use": "100102", "status": "available"}
    changed = run(session, settings, REAL, "parcels", mode="upsert", **opts)
    assert changed["counts"]["update"] == 407
    versions = session.execute(
        text(
            "SELECT DISTINCT version FROM parcels WHERE id IN (SELECT entity_id FROM "
            "audit_log WHERE after->'_import'->>'id' = :i)"
        ),
        {"i": str(first["import_id"])},
    ).all()
    assert versions == [(2,)]
    upd = session.execute(
        text(
            "SELECT before, after FROM audit_log WHERE action = 'update' AND "
            "after->'_import'->>'id' = :i LIMIT 1"
        ),
        {"i": str(changed["import_id"])},
    ).one()
    assert upd.before["land_use"] == "100101" and upd.after["land_use"] == "100102"
    assert upd.after["_import"]["sha256"] == changed["file"]["sha256"]
