"""Export a collection to GeoPackage, Shapefile (zip), GeoJSON, FlatGeobuf, CSV, XLSX or DXF.

Rows come from :func:`parkgis.features.feature_collection`, the same role-aware query the
API serves, so an export never holds a field its caller could not read through the API.
Geometries leave in EPSG:4326 unless a CRS is asked for; DXF is always written in a
projected CRS (the zone's setting by default), since CAD works in metres.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_read
from parkgis.errors import InvalidInput
from parkgis.io.encoding import normalise
from parkgis.settings import Settings

FORMATS = {
    "gpkg": ("GPKG", "application/geopackage+sqlite3"),
    "geojson": ("GeoJSON", "application/geo+json"),
    "fgb": ("FlatGeobuf", "application/flatgeobuf"),
    "shp": ("ESRI Shapefile", "application/zip"),
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "dxf": ("DXF", "application/dxf"),
}
EXPORT_KINDS = ("parcels", "buildings", "spaces", "enterprises", "officers", "projects", "context")


def format_of(name: str) -> str:
    """The export format of a file name or ``f=`` value (``plots.zip`` → ``shp``)."""
    f = name.lower().rsplit(".", 1)[-1]
    f = {"zip": "shp", "json": "geojson"}.get(f, f)
    if f not in FORMATS:
        raise InvalidInput(f"unknown export format {f!r}; one of {', '.join(FORMATS)}", field="f")
    return f


def frame(
    session: Session, kind: str, principal: Principal, settings: Settings
) -> gpd.GeoDataFrame:
    """Every row of ``kind`` the caller may read, as a GeoDataFrame in EPSG:4326."""
    if kind not in EXPORT_KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; one of {', '.join(EXPORT_KINDS)}", field="kind")
    if kind == "context":
        rows = (
            session.execute(
                text(
                    "SELECT id, kind, subtype, code, name, name_en, props::text AS props, "
                    "ST_AsBinary(geom) AS wkb FROM context_features ORDER BY id"
                )
            )
            .mappings()
            .all()
        )
        df = pd.DataFrame(
            [{k: v for k, v in r.items() if k != "wkb"} for r in rows],
            columns=["id", "kind", "subtype", "code", "name", "name_en", "props"],
        )
        geoms = shapely.from_wkb([bytes(r["wkb"]) for r in rows]) if rows else []
        return gpd.GeoDataFrame(df, geometry=list(geoms), crs="EPSG:4326")
    from parkgis.features import feature_collection

    require_read(principal, kind)

    feats: list[dict[str, Any]] = []
    page = settings.api.max_limit
    offset = 0
    while True:
        fc = feature_collection(session, kind, principal, limit=page, offset=offset, max_limit=page)
        batch = fc.get("features", fc.get("items", []))
        feats += batch
        offset += len(batch)
        if len(batch) < page or offset >= fc.get("numberMatched", 0):
            break
    records = []
    geoms = []
    for f in feats:
        props = dict(f.get("properties", f))
        props.pop("geometry", None)
        props = {
            k: (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
            for k, v in props.items()
        }
        records.append(props)
        g = f.get("geometry")
        geoms.append(shapely.geometry.shape(g) if g else None)
    return gpd.GeoDataFrame(pd.DataFrame(records), geometry=geoms, crs="EPSG:4326")


def write(
    gdf: gpd.GeoDataFrame,
    out: Path,
    fmt: str,
    *,
    kind: str,
    crs: str | None,
    encoding: str | None,
    settings: Settings,
) -> Path:
    """Write ``gdf`` to ``out`` in ``fmt`` (see :data:`FORMATS`); returns ``out``."""
    if fmt == "dxf":
        crs = crs or settings.zone.projected_crs
    if crs:
        try:
            gdf = gdf.to_crs(crs)
        except Exception as exc:  # noqa: BLE001 - pyproj's many errors
            raise InvalidInput(f"cannot write in CRS {crs!r} ({exc})", field="crs") from exc
    if fmt == "csv" or fmt == "xlsx":
        df = pd.DataFrame(gdf.drop(columns="geometry"))
        pts = gdf.geometry.geom_type.eq("Point").all() and len(gdf)
        if pts:
            df["lon" if gdf.crs.is_geographic else "x"] = gdf.geometry.x
            df["lat" if gdf.crs.is_geographic else "y"] = gdf.geometry.y
        else:
            df["wkt"] = gdf.geometry.to_wkt()
        if fmt == "csv":
            df.to_csv(out, index=False, encoding=normalise(encoding) if encoding else "utf-8-sig")
        else:
            df.to_excel(out, index=False, sheet_name=kind)
        return out
    if fmt == "dxf":
        return _dxf(gdf, out, kind)
    if fmt == "shp":
        enc = normalise(encoding) if encoding else "utf-8"
        with tempfile.TemporaryDirectory() as tmp:
            shp = Path(tmp) / f"{kind}.shp"
            gdf.to_file(
                shp,
                driver="ESRI Shapefile",
                engine="pyogrio",
                encoding="GBK" if enc == "gb18030" else enc.upper(),
            )
            if not shp.with_suffix(".cpg").exists():
                shp.with_suffix(".cpg").write_text("GBK" if enc == "gb18030" else enc.upper())
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
                for p in sorted(Path(tmp).iterdir()):
                    zf.write(p, p.name)
        return out
    driver = FORMATS[fmt][0]
    kw: dict[str, Any] = {"layer": kind} if fmt == "gpkg" else {}
    gdf.to_file(out, driver=driver, engine="pyogrio", **kw)
    return out


def _dxf(gdf: gpd.GeoDataFrame, out: Path, kind: str) -> Path:
    import ezdxf

    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    label_col = next((c for c in ("code", "name") if c in gdf.columns), None)
    for _, row in gdf.iterrows():
        g = row.geometry
        if g is None:
            continue
        parts = getattr(g, "geoms", [g])
        for p in parts:
            if p.geom_type == "Polygon":
                for ring in [p.exterior, *p.interiors]:
                    msp.add_lwpolyline(
                        list(ring.coords)[:-1], close=True, dxfattribs={"layer": kind}
                    )
            elif p.geom_type == "LineString":
                msp.add_lwpolyline(list(p.coords), dxfattribs={"layer": kind})
            elif p.geom_type == "Point":
                msp.add_point((p.x, p.y), dxfattribs={"layer": kind})
        if label_col and row[label_col] is not None:
            at = g.representative_point()
            msp.add_text(
                str(row[label_col]), dxfattribs={"layer": f"{kind}_label", "insert": (at.x, at.y)}
            )
    doc.saveas(out)
    return out


def export_file(
    session: Session,
    kind: str,
    out: Path,
    principal: Principal,
    settings: Settings,
    *,
    fmt: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> int:
    """Export every row of ``kind`` the caller may read to ``out``; returns the row count.

    Parameters
    ----------
    out : Path
        Target file; its suffix picks the format unless ``fmt`` is given.
    crs : str, optional
        Output CRS (default EPSG:4326; DXF: the zone's projected CRS).
    encoding : str, optional
        Text encoding of Shapefile DBF and CSV (e.g. ``GBK``); default UTF-8.
    """
    f = fmt or format_of(out.name)
    gdf = frame(session, kind, principal, settings)
    write(gdf, out, f, kind=kind, crs=crs, encoding=encoding, settings=settings)
    return len(gdf)
