"""File import and export.

- ``POST /api/v1/imports?kind=…[&commit=true]`` (multipart ``file``; planner/admin): the
  import report; with ``commit=true`` the file is loaded when it can be (201), else 422
  with the report. The size limit is ``PARKGIS_IMPORT_MAX_BYTES``.
- ``GET /api/v1/imports``: past imports (who, when, file hash, counts).
- ``GET /api/v1/{kind}/export?f=gpkg|shp|geojson|fgb|csv|xlsx|dxf[&crs=…]``: every row the
  caller may read, with only the fields they may read through the API.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.responses import JSONResponse
from parkgis.errors import PayloadTooLarge
from parkgis.io.export import EXPORT_KINDS, FORMATS, export_file
from parkgis.io.fields import parse_pairs
from parkgis.io.importer import ImportOptions, import_file
from parkgis.io.log import list_imports

router = APIRouter(tags=["import and export"])

Kind = Literal["parcels", "buildings", "spaces", "enterprises", "officers", "projects", "context"]


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
) -> JSONResponse:
    """Check (and with ``commit=true`` load) one file; the answer is the import report."""
    name = Path(file.filename or "upload").name
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
