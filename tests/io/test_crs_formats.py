"""CRS checks (declared, wrong, unprefixed, rough datums), KML, GBK CSV, and the exports."""

from __future__ import annotations

import zipfile
from pathlib import Path

import ezdxf
import geopandas as gpd
import pytest
import shapely
from openpyxl import load_workbook
from pyproj import Transformer

from parkgis.access import Principal
from parkgis.errors import InvalidInput
from parkgis.io.export import export_file
from parkgis.io.importer import ImportOptions, import_file
from tests.io import files

ADMIN = Principal(name="io-test", role="admin")
LON, LAT = 112.70, 23.35


def points(path: Path, crs: str, xy: list[tuple[float, float]], driver: str = "GPKG") -> Path:
    gdf = gpd.GeoDataFrame(
        {
            "名称": ["港口", "车站"][: len(xy)],
            "类型": "landmark",
            "子类": ["port", "station"][: len(xy)],
        },
        geometry=[shapely.Point(p) for p in xy],
        crs=crs,
    )
    gdf.to_file(path, driver=driver, engine="pyogrio")
    return path


def projected(crs: str) -> list[tuple[float, float]]:
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return [t.transform(LON, LAT), t.transform(LON + 0.01, LAT + 0.01)]


def test_declared_utm_with_web_mercator_numbers_is_refused(session, settings, tmp_path) -> None:
    merc = projected("EPSG:3857")
    path = points(tmp_path / "lie.gpkg", "EPSG:32649", merc)
    with pytest.raises(InvalidInput) as err:
        import_file(session, path, ImportOptions(kind="context"), ADMIN, settings)
    msg = str(err.value)
    assert "EPSG:32649" in msg and "area of use" in msg and "EPSG:3857" in msg


def test_unprefixed_gk_uses_the_zone_setting(session, settings, tmp_path) -> None:
    gk = projected("EPSG:4547")
    gdf = gpd.GeoDataFrame(
        {"名称": ["港口", "车站"], "类型": "landmark", "子类": ["port", "station"]},
        geometry=[shapely.Point(p) for p in gk],
    )
    gdf.to_file(tmp_path / "noprj.shp", engine="pyogrio", encoding="UTF-8")
    r = import_file(
        session,
        tmp_path / "noprj.shp",
        ImportOptions(kind="context", dry_run=True),
        ADMIN,
        settings,
    )
    assert r["crs"]["used"] == "EPSG:4547" and "zone's projected CRS" in r["crs"]["evidence"]
    assert r["bbox_4326"][0] == pytest.approx(LON, abs=1e-6)
    far = gpd.GeoDataFrame({"名称": ["x"]}, geometry=[shapely.Point(200_000, 4_500_000)])
    far.to_file(tmp_path / "far.shp", engine="pyogrio")
    with pytest.raises(InvalidInput, match="give --crs"):
        import_file(session, tmp_path / "far.shp", ImportOptions(kind="context"), ADMIN, settings)


def test_xian80_is_accepted_with_a_warning(session, settings, tmp_path) -> None:
    path = points(tmp_path / "xian.gpkg", "EPSG:2383", projected("EPSG:2383"))
    r = import_file(session, path, ImportOptions(kind="context", dry_run=True), ADMIN, settings)
    assert r["would_load"] and r["crs"]["used"] == "EPSG:2383"
    assert any("Xian 1980" in w and "ballpark" in w for w in r["crs"]["warnings"])


def test_kml_landmarks(session, settings, tmp_path) -> None:
    path = points(tmp_path / "marks.kml", "EPSG:4326", [(LON, LAT), (LON + 0.01, LAT)], "KML")
    r = import_file(
        session,
        path,
        ImportOptions(
            kind="context", map={"name": "Name"}, set={"kind": "landmark", "subtype": "port"}
        ),
        ADMIN,
        settings,
    )
    assert r["driver"] == "KML" and r["loaded"] and r["counts"]["insert"] == 2


def test_gbk_csv_is_sniffed(session, settings, tmp_path) -> None:
    csv = tmp_path / "firms.csv"
    csv.write_bytes(
        (
            f"企业名称,统一社会信用代码,经度,纬度\n广东测试有限公司,{files.uscc(11)},{LON},{LAT}\n"
        ).encode("gbk")
    )
    r = import_file(session, csv, ImportOptions(kind="enterprises", dry_run=True), ADMIN, settings)
    assert r["encoding"]["name"] == "gb18030" and r["would_load"]
    assert "广东测试有限公司" in " ".join(r["encoding"]["samples"])


def test_exports_carry_cpg_prj_and_metres(session, settings, tmp_path) -> None:
    src = files.gbk_shapefile(tmp_path / "ctx", cpg="GBK")
    assert import_file(session, src, ImportOptions(kind="context"), ADMIN, settings)["loaded"]
    z = tmp_path / "ctx.zip"
    export_file(session, "context", z, ADMIN, settings, encoding="GBK")
    names = zipfile.ZipFile(z).namelist()
    assert {"context.cpg", "context.prj", "context.dbf", "context.shp"} <= set(names)
    assert zipfile.ZipFile(z).read("context.cpg").decode().strip().upper() in ("GBK", "CP936")
    dxf = tmp_path / "ctx.dxf"
    export_file(session, "context", dxf, ADMIN, settings)
    xs = [
        p[0] for e in ezdxf.readfile(dxf).modelspace().query("LWPOLYLINE") for p in e.get_points()
    ]
    assert xs and all(300_000 < x < 700_000 for x in xs)  # EPSG:4547 metres
    xlsx = tmp_path / "ctx.xlsx"
    export_file(session, "context", xlsx, ADMIN, settings)
    header = [c.value for c in next(load_workbook(xlsx).active.iter_rows())]
    assert "name" in header and "wkt" in header
