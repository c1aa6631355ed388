"""File import and export.

- ``POST /api/v1/imports?kind=…[&commit=true]`` (multipart ``file``; planner/admin): the
  import report; with ``commit=true`` the file is loaded when it can be (201), else 422
  with the report. The size limit is ``PARKGIS_IMPORT_MAX_BYTES``.
- ``GET /api/v1/imports``: past imports (who, when, file hash, counts).
- ``GET /imports``: the page where a planner drops a file, reads the report (problems
  highlighted, a preview map of the file's features over the zone's parcels) and loads it.
- ``GET /api/v1/{kind}/export?f=gpkg|shp|geojson|fgb|csv|xlsx|dxf[&crs=…]``: every row the
  caller may read, with only the fields they may read through the API.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.csrf import csrf_token
from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.pages import FrameDep, page_response
from api.responses import JSONResponse
from parkgis.access import Principal
from parkgis.errors import PayloadTooLarge
from parkgis.io.export import EXPORT_KINDS, FORMATS, export_file
from parkgis.io.fields import parse_pairs
from parkgis.io.importer import ImportOptions, import_file
from parkgis.io.log import list_imports
from parkgis.zonetime import zone_minute

router = APIRouter(tags=["import and export"])
STATIC = Path(__file__).resolve().parent.parent / "static" / "io"
Importer = Annotated[Principal, Depends(require("admin", "planner"))]

Kind = Literal["parcels", "buildings", "spaces", "enterprises", "officers", "projects", "context"]


def safe_name(filename: str | None) -> str:
    """The upload's base name with only word characters, dots, dashes and spaces."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ()]", "_", base)[-200:].strip(" .")
    return cleaned or "upload"


@router.post("/api/v1/imports")
def post_import(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="The data file (.zip for a shapefile).")],
    kind: Annotated[Kind, Query()],
    layer: Annotated[str | None, Query(max_length=200)] = None,
    crs: Annotated[str | None, Query(max_length=200)] = None,
    encoding: Annotated[str | None, Query(max_length=40)] = None,
    map: Annotated[list[str] | None, Query(description="target=source")] = None,  # noqa: A002
    set: Annotated[list[str] | None, Query(description="field=value")] = None,  # noqa: A002
    key: Annotated[str | None, Query(max_length=40)] = None,
    mode: Annotated[Literal["insert", "upsert"], Query()] = "insert",
    repair: bool = False,
    commit: bool = False,
    preview: Annotated[int, Query(ge=0, le=5000, description="features for a map")] = 0,
) -> JSONResponse:
    """Check (and with ``commit=true`` load) one file; the answer is the import report."""
    name = safe_name(file.filename)
    limit = settings.imports.import_max_bytes
    with tempfile.TemporaryDirectory(prefix="parkgis-upload-") as tmp:
        path = Path(tmp) / name
        size = 0
        with path.open("wb") as out:
            while block := file.file.read(1 << 20):
                size += len(block)
                if size > limit:
                    raise PayloadTooLarge(
                        f"{name}: over the import limit of {limit:,} bytes", field="file"
                    )
                out.write(block)
        opts = ImportOptions(
            kind=kind,
            layer=layer,
            crs=crs,
            encoding=encoding,
            map=parse_pairs(map, "map"),
            set=parse_pairs(set, "set"),
            key=key,
            mode=mode,
            repair=repair,
            dry_run=not commit,
            preview=preview,
        )
        report = import_file(session, path, opts, principal, settings, file_name=name)
    if report["loaded"]:
        session.commit()
        return JSONResponse(report, status_code=201)
    session.rollback()
    if commit:
        return JSONResponse(
            {
                "code": "not_loadable",
                "field": "file",
                "report": report,
                "description": f"{name}: {report['problems']['errors']} errors; nothing written",
            },
            status_code=422,
        )
    return JSONResponse(report)


@router.get("/api/v1/imports")
def get_imports(
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    """Past imports, newest first."""
    return JSONResponse({"imports": list_imports(session, principal, limit=limit)})


@router.get("/api/v1/{kind}/export")
def get_export(
    kind: Kind,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    f: Annotated[Literal["gpkg", "shp", "geojson", "fgb", "csv", "xlsx", "dxf"], Query()] = "gpkg",
    crs: Annotated[str | None, Query(max_length=200)] = None,
    encoding: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Every ``kind`` row the caller may read, as a file."""
    assert kind in EXPORT_KINDS
    suffix = "zip" if f == "shp" else f
    with tempfile.TemporaryDirectory(prefix="parkgis-export-") as tmp:
        out = Path(tmp) / f"{kind}.{suffix}"
        export_file(session, kind, out, principal, settings, fmt=f, crs=crs, encoding=encoding)
        body = out.read_bytes()
    return Response(
        body,
        media_type=FORMATS[f][1],
        headers={"Content-Disposition": f'attachment; filename="parkgis-{kind}.{suffix}"'},
    )


LABELS = {
    "zh": {
        "title": "数据导入",
        "drop": "把文件拖到这里，或点击选择（GPKG、SHP 的 ZIP、GeoJSON、FGB、KML、DXF、CSV、XLSX）",
        "kind": "数据类型",
        "check": "检查",
        "load": "导入",
        "options": "选项",
        "map": "字段对应 目标=源（每行一个）",
        "set": "统一取值 字段=值（每行一个）",
        "past": "历史导入",
        "when": "时间",
        "who": "操作人",
        "file": "文件",
        "counts": "新增/更新/跳过",
        "repair": "修复无效几何",
        "mode": "方式",
        "key": "主键",
        "crs": "坐标系",
        "encoding": "编码",
        "kinds": {
            "parcels": "地块",
            "buildings": "建筑",
            "spaces": "厂房空间",
            "enterprises": "企业",
            "officers": "首席服务官",
            "projects": "投资项目",
            "context": "周边要素（道路、轨道、水系、地标）",
        },
        "modes": {"insert": "仅新增", "upsert": "更新或新增"},
    },
    "en": {
        "title": "Import data",
        "drop": "Drop a file here or click to choose (GPKG, zipped SHP, "
        "GeoJSON, FGB, KML, DXF, CSV, XLSX)",
        "kind": "Kind",
        "check": "Check",
        "load": "Load",
        "options": "Options",
        "map": "Field mapping target=source (one per line)",
        "set": "Same value for every row field=value (one per line)",
        "past": "Past imports",
        "when": "When",
        "who": "Who",
        "file": "File",
        "counts": "Inserted/updated/skipped",
        "repair": "Repair invalid geometry",
        "mode": "Mode",
        "key": "Key",
        "crs": "CRS",
        "encoding": "Encoding",
        "kinds": {
            "parcels": "Parcels",
            "buildings": "Buildings",
            "spaces": "Leasable spaces",
            "enterprises": "Firms",
            "officers": "Service officers",
            "projects": "Investment projects",
            "context": "Context (roads, rail, water, landmarks)",
        },
        "modes": {"insert": "Add only", "upsert": "Update or add"},
    },
}


@router.get("/imports", include_in_schema=False)
def imports_page(
    request: Request,
    frame: FrameDep,
    session: SessionDep,
    settings: SettingsDep,
    principal: Importer,
) -> HTMLResponse:
    """The import page: drop a file, read the report, see it on a map, load it."""
    labels = LABELS[frame.lang]
    return page_response(
        frame,
        "imports.html",
        title=str(labels["title"]),
        labels=labels,
        csrf_token=csrf_token(request),
        max_bytes=settings.imports.import_max_bytes,
        tz=settings.zone.timezone,
        kinds=list(EXPORT_KINDS),
        past=[
            {**i, "at": zone_minute(i["at"], settings.zone.timezone)}
            for i in list_imports(session, principal, limit=20)
        ],
    )


@router.get("/static/io/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    """The import page's script."""
    if name != "imports.js":
        return Response(status_code=404)
    return FileResponse(
        STATIC / name,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
