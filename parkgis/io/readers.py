"""Read a file as batches of attributes (pandas) and geometries (shapely), whatever its format.

GDAL (pyogrio, Arrow streams) reads GeoPackage, Shapefile, GeoJSON, FlatGeobuf and KML;
ezdxf reads DXF (closed polylines become polygons, the DXF layer is kept as ``layer``, and
a TEXT inside a closed outline becomes its ``label``); CSV and XLSX rows become points from
coordinate columns found by name. Geometries stay in the file's own CRS here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from parkgis.errors import InvalidInput
from parkgis.io.encoding import EncodingChoice, detect_dbf, detect_text, normalise
from parkgis.io.source import Source

BATCH_ROWS = 50_000
UNREADABLE = (ValueError, OSError, RuntimeError, KeyError, IndexError, TypeError, EOFError)
"""What parsers raise on a damaged or mislabelled file (pandas, GDAL, ezdxf, openpyxl)."""
COORD_PAIRS = (
    ("lon", "lat"),
    ("lng", "lat"),
    ("longitude", "latitude"),
    ("x", "y"),
    ("经度", "纬度"),
    ("x坐标", "y坐标"),
    ("东经", "北纬"),
)
"""Coordinate column names (case-insensitive) of CSV/XLSX, in order of preference."""
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
"""Columns holding WKT geometry (used when there are no coordinate columns)."""


@dataclass
class Batch:
    """Features ``offset .. offset + len(geoms) - 1`` (0-based) of the chosen layer."""

    offset: int
    attrs: pd.DataFrame
    geoms: np.ndarray
    wkb: Any = None
    """The geometries' WKB as read (a pyarrow binary array), when the reader has it."""


@dataclass
class Reader:
    """What was found in the file, and a way to read it in batches."""

    driver: str
    layers: list[str]
    layer: str | None
    count: int
    columns: list[str]
    declared_crs: str | None
    bounds: tuple[float, float, float, float] | None
    encoding: EncodingChoice
    _batches: Any = field(repr=False, default=None)

    def batches(self, size: int = BATCH_ROWS) -> Iterator[Batch]:
        """Yield the features in batches of at most ``size``."""
        try:
            yield from self._batches(size)
        except InvalidInput:
            raise
        except UNREADABLE as exc:
            raise InvalidInput(f"the file cannot be read: {_clean(exc)}", field="file") from exc


def _clean(exc: BaseException) -> str:
    """An exception's text on one line, without the file's control bytes, at most 200 chars."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(exc)).strip()[:200]


def _pick_layer(layers: list[str], layer: str | None, name: str) -> str:
    if layer is None:
        return layers[0]
    if layer not in layers:
        raise InvalidInput(
            f"{name} has no layer {layer!r}; layers: {', '.join(layers)}", field="layer"
        )
    return layer


def _bounds(geoms: np.ndarray) -> tuple[float, float, float, float] | None:
    ok = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(ok) == 0:
        return None
    b = shapely.total_bounds(ok)
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def read_ogr(src: Source, layer: str | None, encoding: str | None) -> Reader:
    """GeoPackage, Shapefile, GeoJSON, FlatGeobuf, KML through GDAL (Arrow batches)."""
    import pyogrio
    import pyogrio.raw

    path = str(src.path)
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:  # noqa: BLE001 - GDAL's errors carry the reason
        raise InvalidInput(
            f"{src.file_name}: GDAL cannot read it ({_clean(exc)})", field="file"
        ) from exc
    layers = [str(row[0]) for row in listed]
    if not layers:
        raise InvalidInput(f"{src.file_name}: no layers", field="file")
    if layer is None and src.driver == "KML":
        counts = [pyogrio.read_info(path, layer=lyr)["features"] for lyr in layers]
        layer = next((lyr for lyr, n in zip(layers, counts, strict=True) if n), layers[0])
    chosen = _pick_layer(layers, layer, src.file_name)
    if src.driver == "ESRI Shapefile":
        enc = detect_dbf(src.path, encoding)
    else:
        evidence = [f"{src.driver} text is UTF-8 by definition"]
        if encoding:
            evidence = [f"given by --encoding ({encoding})"]
        enc = EncodingChoice(normalise(encoding) if encoding else "utf-8", evidence)
    gdal_enc = enc.name if src.driver == "ESRI Shapefile" or encoding else None
    info = pyogrio.read_info(path, layer=chosen, encoding=gdal_enc, force_total_bounds=True)
    declared = info.get("crs")
    tb = info.get("total_bounds")
    bounds = tuple(float(v) for v in tb) if tb is not None and np.isfinite(tb).all() else None

    def batches(size: int) -> Iterator[Batch]:
        offset = 0
        with pyogrio.raw.open_arrow(
            path, layer=chosen, encoding=gdal_enc, batch_size=size, use_pyarrow=True
        ) as (meta, stream):
            gname = meta.get("geometry_name") or "wkb_geometry"
            for rb in stream:
                names = rb.schema.names
                gcol = gname if gname in names else None
                wkb = None
                if gcol is not None:
                    wkb = rb.column(names.index(gcol))
                    geoms = shapely.from_wkb(
                        wkb.to_numpy(zero_copy_only=False), on_invalid="ignore"
                    )
                    rb = rb.drop_columns([gcol])
                else:
                    geoms = np.full(rb.num_rows, None, dtype=object)
                attrs = rb.to_pandas()
                yield Batch(offset, attrs, np.asarray(geoms, dtype=object), wkb)
                offset += rb.num_rows

    columns = [str(c) for c in info["fields"]]
    return Reader(
        src.driver,
        layers,
        chosen,
        int(info["features"]),
        columns,
        declared,
        bounds,  # type: ignore[arg-type]
        enc,
        batches,
    )


def _frame_reader(
    src: Source, frame: pd.DataFrame, enc: EncodingChoice, layers: list[str], layer: str | None
) -> Reader:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    pair = next(((lower[a], lower[b]) for a, b in COORD_PAIRS if a in lower and b in lower), None)
    wkt = next((lower[n] for n in WKT_NAMES if n in lower), None)
    if pair is None and wkt is not None:
        texts = frame[wkt].astype(object).where(frame[wkt].notna(), None)
        geoms = np.asarray(shapely.from_wkt(texts.to_numpy(), on_invalid="ignore"), dtype=object)
        enc.evidence.append(f"geometry from WKT column {wkt}")
        return _batched(
            src, frame.drop(columns=[wkt]).reset_index(drop=True), geoms, enc, layers, layer
        )
    if pair is None:
        names = ", ".join("/".join(p) for p in COORD_PAIRS)
        raise InvalidInput(
            f"{src.file_name}: no coordinate columns (looked for {names}); "
            f"columns are {_clean(ValueError(', '.join(map(str, frame.columns))))}",
            field="file",
        )
    xs = pd.to_numeric(frame[pair[0]], errors="coerce").to_numpy(dtype=float)
    ys = pd.to_numeric(frame[pair[1]], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    geoms = np.full(len(frame), None, dtype=object)
    geoms[ok] = shapely.points(xs[ok], ys[ok])
    attrs = frame.drop(columns=list(pair)).reset_index(drop=True)
    enc.evidence.append(f"coordinates from columns {pair[0]}/{pair[1]}")
    return _batched(src, attrs, geoms, enc, layers, layer)


def _batched(
    src: Source,
    attrs: pd.DataFrame,
    geoms: np.ndarray,
    enc: EncodingChoice,
    layers: list[str],
    layer: str | None,
) -> Reader:
    if not enc.samples:
        texts = [str(v) for col in attrs.columns for v in attrs[col].dropna().head(20)]
        enc.samples = [t for t in texts if not t.isascii()][:3] or texts[:3]

    def batches(size: int) -> Iterator[Batch]:
        for start in range(0, len(attrs), size):
            yield Batch(start, attrs.iloc[start : start + size], geoms[start : start + size])

    return Reader(
        src.driver,
        layers,
        layer,
        len(attrs),
        [str(c) for c in attrs.columns],
        None,
        _bounds(geoms),
        enc,
        batches,
    )


def read_csv(src: Source, encoding: str | None) -> Reader:
    """A CSV with coordinate columns; the encoding is sniffed from its bytes."""
    raw = src.path.read_bytes()
    enc = detect_text(raw, encoding)
    text = raw.decode(enc.name, errors="strict" if not encoding else "replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    frame = frame.replace({"": None})
    return _frame_reader(src, frame, enc, [src.path.stem], src.path.stem)


def read_xlsx(src: Source, layer: str | None) -> Reader:
    """The first (or ``layer``) sheet of a workbook; the header is the first non-empty row."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(src.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise InvalidInput(
            f"{src.file_name}: not a readable .xlsx ({_clean(exc)})", field="file"
        ) from exc
    sheets = list(wb.sheetnames)
    chosen = _pick_layer(sheets, layer, src.file_name)
    rows = [r for r in wb[chosen].iter_rows(values_only=True) if any(v is not None for v in r)]
    wb.close()
    if not rows:
        raise InvalidInput(f"{src.file_name}: sheet {chosen!r} is empty", field="file")
    header = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(rows[0])]
    frame = pd.DataFrame([list(r) for r in rows[1:]], columns=header, dtype=object)
    enc = EncodingChoice("utf-8", ["XLSX text is Unicode by definition"])
    return _frame_reader(src, frame, enc, sheets, chosen)


def read_dxf(src: Source, layer: str | None, encoding: str | None) -> Reader:
    """Closed polylines → Polygon, open ones and lines → LineString, POINT → Point."""
    import ezdxf
    from ezdxf import recover

    try:
        doc, _auditor = recover.readfile(str(src.path))
    except (OSError, ezdxf.DXFStructureError) as exc:
        raise InvalidInput(
            f"{src.file_name}: not a readable DXF ({_clean(exc)})", field="file"
        ) from exc
    codepage = doc.header.get("$DWGCODEPAGE", "")
    enc = EncodingChoice(
        doc.encoding,
        [f"DXF {doc.dxfversion}: $DWGCODEPAGE {codepage or '(none)'} → {doc.encoding}"]
        if doc.dxfversion <= "AC1018"
        else [f"DXF {doc.dxfversion} text is UTF-8 by definition"],
    )
    if encoding:
        enc.evidence.append(f"--encoding {encoding} ignored: DXF declares its own")
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    texts: list[tuple[Any, str]] = []
    for ent in doc.modelspace():
        e: Any = ent
        kind = e.dxftype()
        lyr = e.dxf.get("layer", "0")
        if layer is not None and lyr != layer:
            continue
        g = None
        if kind == "LWPOLYLINE":
            pts = [(p[0], p[1]) for p in e.get_points("xy")]
            g = _outline(pts, bool(e.closed))
        elif kind == "POLYLINE" and not (e.is_poly_face_mesh or e.is_polygon_mesh):
            pts = [(v.dxf.location.x, v.dxf.location.y) for v in e.vertices]
            g = _outline(pts, bool(e.is_closed))
        elif kind == "LINE":
            g = shapely.LineString([(e.dxf.start.x, e.dxf.start.y), (e.dxf.end.x, e.dxf.end.y)])
        elif kind == "POINT":
            g = shapely.Point(e.dxf.location.x, e.dxf.location.y)
        elif kind in ("TEXT", "MTEXT"):
            content = e.dxf.text if kind == "TEXT" else e.plain_text()
            texts.append((shapely.Point(e.dxf.insert.x, e.dxf.insert.y), content.strip()))
            continue
        if g is None:
            continue
        geoms.append(g)
        records.append({"layer": lyr, "dxf_type": kind, "handle": e.dxf.handle})
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    labels: list[str | None] = [None] * len(geoms)
    if texts and geoms:
        tree = shapely.STRtree(arr)
        for pt, content in texts:
            for i in tree.query(pt, predicate="within"):
                if labels[i] is None and arr[i].geom_type == "Polygon":
                    labels[i] = content
    frame = pd.DataFrame(records, columns=["layer", "dxf_type", "handle"])
    frame["label"] = labels
    layer_names = sorted({r["layer"] for r in records})
    enc.samples = (
        [t for _, t in texts if t and not t.isascii()]
        + [n for n in layer_names if not n.isascii()]
        + [t for _, t in texts if t]
    )[:3]

    def batches(size: int) -> Iterator[Batch]:
        for start in range(0, len(frame), size):
            yield Batch(start, frame.iloc[start : start + size], arr[start : start + size])

    return Reader(
        "DXF",
        layer_names,
        layer,
        len(frame),
        list(frame.columns),
        None,
        _bounds(arr),
        enc,
        batches,
    )


def _outline(pts: list[tuple[float, float]], closed: bool) -> Any:
    if len(pts) >= 2 and pts[0] == pts[-1]:
        closed = True
        pts = pts[:-1]
    if closed and len(pts) >= 3:
        return shapely.Polygon(pts)
    if len(pts) >= 2:
        return shapely.LineString(pts)
    return None


def open_reader(src: Source, *, layer: str | None = None, encoding: str | None = None) -> Reader:
    """The :class:`Reader` for ``src`` according to its driver.

    Raises
    ------
    InvalidInput
        The file is not what its name says (damaged, another format, bad text).
    """
    try:
        if src.driver == "DXF":
            return read_dxf(src, layer, encoding)
        if src.driver == "CSV":
            return read_csv(src, encoding)
        if src.driver == "XLSX":
            return read_xlsx(src, layer)
        return read_ogr(src, layer, encoding)
    except InvalidInput:
        raise
    except UNREADABLE as exc:
        raise InvalidInput(
            f"{src.file_name}: cannot be read as {src.driver} ({_clean(exc)})", field="file"
        ) from exc
