"""HTTP import and export, role rules, and export → import giving identical rows."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from parkgis.access import Principal
from parkgis.auth import create_token
from parkgis.io.export import export_file
from parkgis.io.importer import ImportOptions, import_file

ADMIN = Principal(name="io-test", role="admin")


def clean_parcels(path: Path, tag: str) -> Path:
    feats = [
        {
            "type": "Feature",
            "properties": {
                "code": f"{tag}-{i}",
                "land_use": "100101",
                "status": "granted",
                "granted_on": "2024-03-01",
                "max_far": 1.5,
                "address": f"路{i}号",
            },
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [
                        [
                            [112.8 + i / 1000, 23.4],
                            [112.8005 + i / 1000, 23.4],
                            [112.8005 + i / 1000, 23.4005],
                            [112.8 + i / 1000, 23.4],
                        ]
                    ]
                ],
            },
        }
        for i in range(3)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    return path


@pytest.mark.parametrize("suffix", ["gpkg", "zip", "geojson", "fgb", "csv", "xlsx"])
def test_export_then_import_gives_identical_rows(session, settings, tmp_path, suffix) -> None:
    tag = f"RT{uuid.uuid4().hex[:6]}"
    src = clean_parcels(tmp_path / "in.geojson", tag)
    first = import_file(session, src, ImportOptions(kind="parcels"), ADMIN, settings)
    assert first["loaded"]
    before = session.execute(
        text(
            "SELECT code, land_use, status, granted_on, max_far, address, ST_AsText(geom), version "
            "FROM parcels WHERE code LIKE :t ORDER BY code"
        ),
        {"t": f"{tag}%"},
    ).all()
    out = tmp_path / f"parcels.{suffix}"
    export_file(session, "parcels", out, ADMIN, settings)
    again = import_file(session, out, ImportOptions(kind="parcels", mode="upsert"), ADMIN, settings)
    assert again["loaded"] and again["counts"]["insert"] == 0
    assert again["counts"]["skip"] >= 3
    after = session.execute(
        text(
            "SELECT code, land_use, status, granted_on, max_far, address, ST_AsText(geom), version "
            "FROM parcels WHERE code LIKE :t ORDER BY code"
        ),
        {"t": f"{tag}%"},
    ).all()
    assert after == before


def test_http_import_export_roles(engine, settings, tmp_path) -> None:
    tag = f"H{uuid.uuid4().hex[:6]}"
    src = clean_parcels(tmp_path / "in.geojson", tag)
    with engine.begin() as c:
        from sqlalchemy.orm import Session

        s = Session(bind=c)
        planner = create_token(s, role="planner", name=f"io-p-{tag}")
        officer = create_token(s, role="investment", name=f"io-i-{tag}")
        s.flush()
    try:
        with TestClient(create_app(settings)) as client:
            data = src.read_bytes()
            r = client.post(
                "/api/v1/imports?kind=parcels",
                files={"file": ("in.geojson", data)},
                headers={"Authorization": f"Bearer {officer}"},
            )
            assert r.status_code == 403
            r = client.post(
                "/api/v1/imports?kind=parcels",
                files={"file": ("in.geojson", data)},
                headers={"Authorization": f"Bearer {planner}"},
            )
            assert r.status_code == 200 and r.json()["would_load"] and not r.json()["loaded"]
            r = client.post(
                "/api/v1/imports?kind=parcels&commit=true",
                files={"file": ("in.geojson", data)},
                headers={"Authorization": f"Bearer {planner}"},
            )
            assert r.status_code == 201 and r.json()["counts"]["insert"] == 3
            iid = r.json()["import_id"]
            r = client.post(
                "/api/v1/imports?kind=parcels",
                files={"file": ("x.txt", b"abc")},
                headers={"Authorization": f"Bearer {planner}"},
            )
            assert r.status_code in (400, 422) and "unknown format" in r.text
            r = client.get("/api/v1/imports", headers={"Authorization": f"Bearer {planner}"})
            assert r.json()["imports"][0]["id"] == iid
            r = client.get(
                "/api/v1/enterprises/export?f=geojson",
                headers={"Authorization": f"Bearer {officer}"},
            )
            assert r.status_code == 200
            props = {k for f in r.json()["features"] for k in f["properties"]}
            assert "tax_cny" not in props and "contact_phone" not in props
            r = client.get("/api/v1/parcels/export?f=csv")
            assert r.status_code == 200 and "holder_enterprise_id" not in r.text.splitlines()[0]
    finally:
        with engine.begin() as c:
            c.execute(
                text(
                    "DELETE FROM audit_log WHERE entity = 'parcels' AND entity_id IN "
                    "(SELECT id FROM parcels WHERE code LIKE :t)"
                ),
                {"t": f"{tag}%"},
            )
            c.execute(text("DELETE FROM parcels WHERE code LIKE :t"), {"t": f"{tag}%"})
            c.execute(text("DELETE FROM imports WHERE file_name = 'in.geojson'"))
