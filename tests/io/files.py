"""Files the import tests generate: real bytes written by pyogrio, ezdxf and openpyxl."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely

from parkgis.uscc import check_char

NAMES = ["地铁1号线", "珠江", "高速出口东"]
KINDS = ["metro", "water", "landmark"]
SUBTYPES = [None, "river", "highway_exit"]


def uscc(seed: int) -> str:
    first = f"91440101MA{seed:07d}"[:17]
    return first + check_char(first)


def gbk_shapefile(folder: Path, *, cpg: str | None, ldid: int = 0x57, gk: bool = False) -> Path:
    """Context features as a GBK shapefile with the given .cpg (None: no .cpg) and LDID."""
    folder.mkdir(parents=True, exist_ok=True)
    if gk:
        x0, y0, crs = 38_370_000.0, 2_585_000.0, None
        geoms = [
            shapely.LineString([(x0, y0), (x0 + 900, y0 + 300)]),
            shapely.LineString([(x0, y0 + 500), (x0 + 700, y0 + 650)]),
            shapely.LineString([(x0 + 100, y0 + 900), (x0 + 150, y0 + 950)]),
        ]
    else:
        geoms = [
            shapely.LineString([(112.70, 23.35), (112.72, 23.36)]),
            shapely.LineString([(112.69, 23.34), (112.73, 23.345)]),
            shapely.LineString([(112.71, 23.37), (112.711, 23.371)]),
        ]
        crs = "EPSG:4326"
    df = gpd.GeoDataFrame({"名称": NAMES, "类型": KINDS, "子类": SUBTYPES}, geometry=geoms, crs=crs)
    shp = folder / "context.shp"
    df.to_file(shp, driver="ESRI Shapefile", engine="pyogrio", encoding="GBK")
    for p in folder.glob("context.*"):
        if p.suffix.lower() == ".cpg":
            p.unlink()
        if gk and p.suffix.lower() == ".prj":
            p.unlink()
    if cpg is not None:
        (folder / "context.cpg").write_text(cpg)
    dbf = folder / "context.dbf"
    raw = bytearray(dbf.read_bytes())
    raw[29] = ldid
    dbf.write_bytes(bytes(raw))
    assert "地铁".encode("gbk") in raw
    return shp


def zip_folder(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, f"inner/{p.name}")
    return out


def r12_dxf(path: Path) -> Path:
    """An R12 DXF in ANSI_936 with closed polylines (GK zone 38 metres) and labels."""
    import ezdxf

    doc = ezdxf.new("R12")
    doc.encoding = "cp936"
    msp = doc.modelspace()
    x0, y0 = 38_370_000.0, 2_585_000.0
    for i, label in enumerate(["地块A-01", "地块A-02"]):
        x = x0 + i * 200
        msp.add_polyline2d(
            [(x, y0), (x + 150, y0), (x + 150, y0 + 100), (x, y0 + 100)],
            close=True,
            dxfattribs={"layer": "规划地块"},
        )
        msp.add_text(label, dxfattribs={"layer": "标注", "insert": (x + 20, y0 + 50)})
    msp.add_line((x0, y0 - 50), (x0 + 400, y0 - 50), dxfattribs={"layer": "道路"})
    doc.saveas(path)
    # ezdxf always declares ANSI_1252 in R12; a Chinese AutoCAD declares what it wrote.
    path.write_bytes(path.read_bytes().replace(b"\nANSI_1252\n", b"\nANSI_936\n"))
    assert "地块A-01".encode("gbk") in path.read_bytes()
    return path


def firms_xlsx(path: Path) -> Path:
    """Enterprises with 经度/纬度 columns; row 2 has a bad USCC."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(["企业名称", "统一社会信用代码", "经度", "纬度", "员工人数"])
    ws.append(["广东新能源科技有限公司", uscc(1), 112.701, 23.351, 120])
    ws.append(["坏代码公司", "91440101MA0000001X", 112.702, 23.352, "很多"])
    ws.append(["测试精密制造有限公司", uscc(3), 112.703, 23.353, 45])
    wb.save(path)
    return path


def bowtie_geojson(path: Path) -> Path:
    """Three parcels: codes A, B, A (duplicate) and one bow-tie polygon."""
    square = [
        [112.70, 23.35],
        [112.701, 23.35],
        [112.701, 23.351],
        [112.70, 23.351],
        [112.70, 23.35],
    ]
    other = [
        [112.71, 23.35],
        [112.711, 23.35],
        [112.711, 23.351],
        [112.71, 23.351],
        [112.71, 23.35],
    ]
    bowtie = [
        [112.72, 23.35],
        [112.721, 23.351],
        [112.721, 23.35],
        [112.72, 23.351],
        [112.72, 23.35],
    ]
    feats = [
        {
            "type": "Feature",
            "properties": {"地块编号": c, "用地性质": "100101", "状态": "available"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for c, ring in (("IO-A", square), ("IO-B", bowtie), ("IO-A", other))
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    return path


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.geojson", b" " * 5_000_000)
    return path


def traversal_zip(path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.geojson", '{"type": "FeatureCollection", "features": []}')
    path.write_bytes(buf.getvalue())
    return path
