"""``import_file``: read, detect, check, stage and (unless told not to) load one file.

The whole file is one transaction: every feature is staged, every check runs, and only
when no feature has an error are the rows written (``would_load``). The caller commits
when ``report["loaded"]`` is true and rolls back otherwise, so a refused file, a dry run,
a crash or a ``kill -9`` leaves the database as it was.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.errors import InvalidInput
from parkgis.io import stage
from parkgis.io.arrowcopy import CsvCopy, hex_ewkb
from parkgis.io.crs import CrsChoice, bounds_to_wgs84, choose_crs, transform_to_wgs84
from parkgis.io.fields import Mapping, Problem, cast_batch, plan, to_arrow
from parkgis.io.geometry import GeometryStats, prepare
from parkgis.io.readers import Batch, open_reader
from parkgis.io.source import open_source
from parkgis.io.targets import Target, target
from parkgis.io.write import plan as write_plan
from parkgis.io.write import write
from parkgis.models.context import Import
from parkgis.settings import Settings

MAX_LISTED = 50
KEEP_PROBLEMS = 2000
"""Problems kept in memory (the rest are only counted)."""
IMPORT_ROLES = ("admin", "planner")


@dataclass
class ImportOptions:
    """What the caller asked for (the CLI's and the API's options)."""

    kind: str
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    map: dict[str, str] = field(default_factory=dict)
    set: dict[str, str] = field(default_factory=dict)
    key: str | None = None
    mode: str = "insert"
    repair: bool = False
    dry_run: bool = False
    preview: int = 0
    """Put the first ``preview`` features (EPSG:4326, with their status) in the report."""


def _key(tgt: Target, opts: ImportOptions) -> str | None:
    key = opts.key or tgt.key
    if opts.mode not in ("insert", "upsert"):
        raise InvalidInput(f"mode {opts.mode!r} is not insert or upsert", field="mode")
    if key is not None and key != "id" and key not in tgt.names:
        raise InvalidInput(
            f"{tgt.kind} have no field {key!r} to use as key; fields: {', '.join(tgt.names)}",
            field="key",
        )
    if opts.mode == "upsert" and key is None:
        raise InvalidInput(f"--mode upsert needs --key for {tgt.kind}", field="key")
    return key


def import_file(
    session: Session,
    path: Path,
    opts: ImportOptions,
    principal: Principal,
    settings: Settings,
    *,
    file_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Import one file of ``opts.kind`` and return the report (see the module docstring).

    Parameters
    ----------
    session : Session
        Its transaction receives the staging table and, when the file loads, the rows.
    path : Path
        The file (``.gpkg .shp .zip .geojson .json .fgb .kml .dxf .csv .xlsx``), in any
        CRS that can be found (see :mod:`parkgis.io.crs`); stored as EPSG:4326.
    progress : callable, optional
        Called with (features read so far, features in the file) after each batch.

    Returns
    -------
    dict
        The report; ``would_load`` says whether the file is acceptable, ``loaded``
        whether its rows were written (the caller then commits).

    Raises
    ------
    InvalidInput, PayloadTooLarge
        The file cannot be read at all (empty, unknown format, unsafe zip, no CRS, ...).
    """
    require_role(principal, IMPORT_ROLES, "import files")
    tgt = target(opts.kind)
    key = _key(tgt, opts)
    with open_source(path, max_bytes=settings.imports.import_max_bytes, file_name=file_name) as src:
        reader = open_reader(src, layer=opts.layer, encoding=opts.encoding)
        mapping = plan(tgt, reader.columns, overrides=opts.map, sets=opts.set, key=key)
        if reader.bounds is not None:
            choice = choose_crs(
                reader.declared_crs,
                reader.bounds,
                option=opts.crs,
                zone_crs=settings.zone.projected_crs,
            )
        else:
            choice = CrsChoice(None, "EPSG:4326", "no coordinates in the file")
        names = [
            f.name for f in tgt.fields if f.name in mapping.mapped or f.name in mapping.set_values
        ]
        if mapping.id_source:
            names.insert(0, "id")
        if tgt.props_column:
            names.append(tgt.props_column)
        if mapping.area_source:
            names.append("_area")
        started = time.perf_counter()
        conn = session.connection()
        stage.tune(conn)
        stage.create(conn, stage.columns_for(tgt, names))
        kinds = {n: stage.kind_of(tgt, n) for n in names}
        problems: list[Problem] = []
        dropped: Counter[str] = Counter()
        stats = GeometryStats()
        read = 0
        shown: list[tuple[int, Any]] = []
        with CsvCopy(conn, stage.STAGE, ["_row", *names, "geom", "_ok"]) as sink:
            for batch in reader.batches(settings.imports.import_batch_rows):
                n = len(batch.geoms)
                rows = np.arange(batch.offset + 1, batch.offset + n + 1)
                before = len(problems)
                geoms, same = prepare(
                    batch.geoms,
                    rows,
                    tgt,
                    choice,
                    repair=opts.repair,
                    stats=stats,
                    problems=problems,
                )
                values = cast_batch(tgt, mapping, batch.attrs, rows, problems)
                bad = [p.row for p in problems[before:] if p.severity == "error" and p.row]
                if len(problems) > KEEP_PROBLEMS:  # memory stays flat however bad the file
                    for p in problems[KEEP_PROBLEMS:]:
                        dropped[p.severity] += 1
                    del problems[KEEP_PROBLEMS:]
                columns = [pa.array(rows, pa.int32())]
                for k in names:
                    columns.append(
                        to_arrow(kinds[k], values[k])
                        if k in values
                        else pa.nulls(n, stage.ARROW_TYPES[kinds[k]])
                    )
                columns.append(_geometry_column(batch, geoms, same))
                columns.append(pa.array(~np.isin(rows, bad)))
                sink.write(pa.Table.from_arrays(columns, names=["_row", *names, "geom", "_ok"]))
                if len(shown) < opts.preview:
                    shown += _display(batch.geoms[: opts.preview - len(shown)], rows, choice)
                read += n
                if not reader.encoding.samples:
                    reader.encoding.samples = _samples(batch.attrs)
                if progress is not None:
                    progress(read, reader.count)
        conn.execute(text(f"ANALYZE {stage.STAGE}"))
        staged = [k for k in names]
        problems += stage.check(conn, tgt, staged, key, opts.mode)
        errs = [p for p in problems if p.severity == "error"]
        bad_rows = sorted({p.row for p in errs if p.row})
        if bad_rows:
            conn.execute(
                text(f"UPDATE {stage.STAGE} SET _ok = false WHERE _row = ANY(:r)"), {"r": bad_rows}
            )
        if tgt.geom_required and tgt.geom_column is None:
            pass
        cols = [c for c in names if c not in ("_area",)]
        counts = write_plan(conn, tgt, cols, key, opts.mode)
        file_errors = [p for p in errs if p.row is None]
        would_load = not errs and not dropped["error"] and not mapping.missing_required and read > 0
        report = _report(src, reader, opts, key, choice, stats, mapping, problems, counts, read)
        if dropped:
            pr = report["problems"]
            pr["count"] += sum(dropped.values())
            pr["errors"] += dropped["error"]
            pr["warnings"] += dropped["warning"]
        report["would_load"] = would_load
        report["timing_s"] = {"read_and_check": round(time.perf_counter() - started, 3)}
        if opts.preview:
            report["preview"] = _preview(shown, problems)
        report["loaded"] = False
        report["import_id"] = None
        if file_errors or mapping.missing_required:
            report["problems"]["file"] = [p.as_dict() for p in file_errors]
        if would_load and not opts.dry_run:
            imp = Import(
                user_id=principal.user_id,
                actor=principal.name,
                kind=tgt.kind,
                mode=opts.mode,
                file_name=src.file_name,
                sha256=src.sha256,
                size_bytes=src.size_bytes,
                driver=reader.driver,
                layer=reader.layer,
                features=read,
                report={},
            )
            session.add(imp)
            session.flush()
            inserted, updated = write(
                conn,
                tgt,
                cols,
                key=key,
                mode=opts.mode,
                import_id=imp.id,
                sha256=src.sha256,
                user_id=principal.user_id,
                actor=principal.name,
                expected_inserts=counts.insert,
            )
            report["counts"] = {
                "insert": inserted,
                "update": updated,
                "skip": read - inserted - updated,
            }
            report["loaded"] = True
            report["timing_s"]["write"] = round(
                time.perf_counter() - started - report["timing_s"]["read_and_check"], 3
            )
            report["import_id"] = imp.id
            imp.inserted, imp.updated = inserted, updated
            imp.skipped = read - inserted - updated
            imp.report = report
            session.flush()
        return report


def _geometry_column(batch: Batch, geoms: np.ndarray, same: np.ndarray) -> pa.Array:
    """Hex EWKB (EPSG:4326) of a batch's checked geometries; null where refused.

    Geometries that are still the file's own go out as the WKB that was read (header
    rewritten in bulk, :func:`parkgis.io.arrowcopy.hex_ewkb`); the others are written by
    shapely.
    """
    n = len(geoms)
    if batch.wkb is not None:
        hexed, fast = hex_ewkb(batch.wkb, 4326)
        use = same & fast
    else:
        hexed, use = pa.nulls(n, pa.string()), np.zeros(n, dtype=bool)
    if use.all():
        return hexed
    other = ~use
    values = np.full(int(other.sum()), None, dtype=object)
    present = ~shapely.is_missing(geoms[other])
    if present.any():
        values[present] = shapely.to_wkb(
            shapely.set_srid(geoms[other][present], 4326), hex=True, include_srid=True
        )
    return pc.replace_with_mask(hexed, pa.array(other), pa.array(values, pa.string()))


def _display(geoms: np.ndarray, rows: np.ndarray, choice: CrsChoice) -> list[tuple[int, Any]]:
    """The features as drawn on the preview map: 2-D, EPSG:4326, valid or not."""
    out: list[tuple[int, Any]] = []
    keep = ~(
        shapely.is_missing(geoms)
        | shapely.is_empty(np.where(shapely.is_missing(geoms), shapely.Point(), geoms))
    )
    if not keep.any():
        return out
    try:
        shown = transform_to_wgs84(shapely.force_2d(geoms[keep]), choice)
    except Exception:  # noqa: BLE001 - a preview never blocks the report
        return out
    for r, g in zip(rows[: len(geoms)][keep], shown, strict=True):
        out.append((int(r), g))
    return out


def _preview(shown: list[tuple[int, Any]], problems: list[Problem]) -> dict[str, Any]:
    worst: dict[int, str] = {}
    for p in problems:
        if p.row is not None and worst.get(p.row) != "error":
            worst[p.row] = p.severity
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"row": r, "status": worst.get(r, "ok")},
                "geometry": json.loads(shapely.to_geojson(g, indent=None)),
            }
            for r, g in shown
        ],
    }


def _samples(attrs: Any) -> list[str]:
    texts = [
        str(v)
        for c in attrs.columns
        if attrs[c].dtype == object
        for v in attrs[c].dropna().head(50)
        if isinstance(v, str) and v.strip()
    ]
    ordered = [t for t in texts if not t.isascii()] + [t for t in texts if t.isascii()]
    return list(dict.fromkeys(ordered))[:3]


def _report(
    src: Any,
    reader: Any,
    opts: ImportOptions,
    key: str | None,
    choice: CrsChoice,
    stats: GeometryStats,
    mapping: Mapping,
    problems: list[Problem],
    counts: Any,
    read: int,
) -> dict[str, Any]:
    errors = sum(p.severity == "error" for p in problems)
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
    bbox = None
    if stats.bounds is not None:
        bbox = [round(v, 7) for v in stats.bounds]
    elif reader.bounds is not None and choice.used != "gcj02":
        bbox = [round(v, 7) for v in bounds_to_wgs84(reader.bounds, choice.used)]
    return {
        "file": {
            "name": src.file_name,
            "size_bytes": src.size_bytes,
            "sha256": src.sha256,
            "member": src.archive_member,
        },
        "kind": opts.kind,
        "mode": opts.mode,
        "key": key,
        "driver": reader.driver,
        "layers": reader.layers,
        "layer": reader.layer,
        "features": read,
        "encoding": reader.encoding.as_dict(),
        "crs": choice.as_dict(),
        "bbox_4326": bbox,
        "geometry": stats.as_dict(),
        "fields": mapping.as_dict(),
        "problems": {
            "count": len(problems),
            "errors": errors,
            "warnings": len(problems) - errors,
            "rows_with_errors": len({p.row for p in problems if p.severity == "error"}),
            "first": [p.as_dict() for p in ordered[:MAX_LISTED]],
        },
        "counts": {"insert": counts.insert, "update": counts.update, "skip": counts.skip},
    }
