"""``import_file``: read, detect, check, stage and (unless told not to) load one file.

The whole file is one transaction: every feature is staged, every check runs, and only
when no feature has an error are the rows written (``would_load``). The caller commits
when ``report["loaded"]`` is true and rolls back otherwise, so a refused file, a dry run,
a crash or a ``kill -9`` leaves the database as it was.

A load that only inserts first tries :mod:`parkgis.io.direct` (rows straight into the
table, checked after, in a savepoint); a file that turns out to have a problem is rolled
back to the savepoint and goes through the staging path, which reports every problem.
The report says which path wrote the rows (``load_path``: ``direct`` or ``staged``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.errors import InvalidInput
from parkgis.io import direct, stage
from parkgis.io.arrowcopy import CsvCopy
from parkgis.io.batches import Checked, tables
from parkgis.io.crs import CrsChoice, choose_crs
from parkgis.io.fields import Mapping, plan
from parkgis.io.readers import Reader, open_reader
from parkgis.io.report import build
from parkgis.io.source import Source, open_source
from parkgis.io.targets import Target, target
from parkgis.io.write import plan as write_plan
from parkgis.io.write import write
from parkgis.models.context import Import
from parkgis.settings import Settings

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
        run = _Run(session, src, reader, tgt, opts, key, mapping, choice, names, principal)
        stage.tune(session.connection())
        batch_rows = settings.imports.import_batch_rows
        if direct.eligible(
            mode=opts.mode,
            dry_run=opts.dry_run,
            preview=opts.preview,
            mapping=mapping,
            count=reader.count,
        ):
            try:
                with session.begin_nested():  # rolled back if the file is not clean
                    return _direct(run, batch_rows, progress)
            except direct.REFUSED:
                if progress is not None:
                    progress(0, reader.count)
        return _staged(run, batch_rows, progress)


@dataclass
class _Run:
    """One import's settled inputs, shared by both ways of writing."""

    session: Session
    src: Source
    reader: Reader
    tgt: Target
    opts: ImportOptions
    key: str | None
    mapping: Mapping
    choice: CrsChoice
    names: list[str]
    principal: Principal

    def tables(self, found: Checked, batch_rows: int, progress: Any) -> Any:
        """The file's batches (:func:`parkgis.io.batches.tables`)."""
        return tables(
            self.reader,
            self.tgt,
            self.mapping,
            self.names,
            self.choice,
            found,
            repair=self.opts.repair,
            batch_rows=batch_rows,
            preview=self.opts.preview,
            progress=progress,
        )

    def report(self, found: Checked, counts: dict[str, int]) -> dict[str, Any]:
        """The report (:func:`parkgis.io.report.build`) before anything was written."""
        return build(
            self.src,
            self.reader,
            kind=self.opts.kind,
            mode=self.opts.mode,
            key=self.key,
            choice=self.choice,
            mapping=self.mapping,
            found=found,
            counts=counts,
            preview=bool(self.opts.preview),
        )

    def new_import(self, features: int) -> Import:
        """The ``imports`` row of this load (flushed, so it has its id)."""
        src, reader = self.src, self.reader
        imp = Import(
            user_id=self.principal.user_id,
            actor=self.principal.name,
            kind=self.tgt.kind,
            mode=self.opts.mode,
            file_name=src.file_name,
            sha256=src.sha256,
            size_bytes=src.size_bytes,
            driver=reader.driver,
            layer=reader.layer,
            features=features,
            report={},
        )
        self.session.add(imp)
        self.session.flush()
        return imp

    def loaded(
        self, report: dict[str, Any], imp: Import, read: int, inserted: int, updated: int
    ) -> dict[str, Any]:
        """Fill in the counts of a load, in the report and in its ``imports`` row."""
        skipped = read - inserted - updated
        report["counts"] = {"insert": inserted, "update": updated, "skip": skipped}
        report["loaded"] = True
        report["import_id"] = imp.id
        imp.features = read
        imp.inserted, imp.updated = inserted, updated
        imp.skipped = skipped
        imp.report = report
        self.session.flush()
        return report


def _direct(run: _Run, batch_rows: int, progress: Any) -> dict[str, Any]:
    """Load through :mod:`parkgis.io.direct` (raises one of its ``REFUSED`` otherwise)."""
    found = Checked()
    timing: dict[str, float] = {}
    imp = run.new_import(run.reader.count)
    inserted = direct.load(
        run.session.connection(),
        run.tables(found, batch_rows, progress),
        found,
        tgt=run.tgt,
        names=run.names,
        key=run.key,
        expected=run.reader.count,
        import_id=imp.id,
        sha256=run.src.sha256,
        user_id=run.principal.user_id,
        actor=run.principal.name,
        timing=timing,
    )
    report = run.report(found, {"insert": inserted, "update": 0, "skip": 0})
    report["would_load"] = True
    report["load_path"] = "direct"
    report["timing_s"] = timing
    return run.loaded(report, imp, found.read, inserted, 0)


def _staged(run: _Run, batch_rows: int, progress: Any) -> dict[str, Any]:
    """Stage every feature, check, and load only a file without errors."""
    started = time.perf_counter()
    conn = run.session.connection()
    tgt, names, key, opts = run.tgt, run.names, run.key, run.opts
    stage.create(conn, stage.columns_for(tgt, names))
    found = Checked()
    with CsvCopy(conn, stage.STAGE, ["_row", *names, "geom", "_ok"]) as sink:
        for batch in run.tables(found, batch_rows, progress):
            sink.write(batch)
    # Row counts and the key's statistics are what the checks' plans need; the geometry's
    # histogram would cost more than it saves.
    analyzed = ", ".join(f'"{c}"' for c in ["_row", *([key] if key in names else [])])
    conn.execute(text(f"ANALYZE {stage.STAGE} ({analyzed})"))
    found.problems += stage.check(conn, tgt, names, key, opts.mode)
    errs = [p for p in found.problems if p.severity == "error"]
    bad_rows = sorted({p.row for p in errs if p.row})
    if bad_rows:
        conn.execute(
            text(f"UPDATE {stage.STAGE} SET _ok = false WHERE _row = ANY(:r)"), {"r": bad_rows}
        )
    cols = [c for c in names if c != "_area"]
    counts = write_plan(conn, tgt, cols, key, opts.mode)
    read = found.read
    would_load = not found.has_errors and not run.mapping.missing_required and read > 0
    report = run.report(
        found, {"insert": counts.insert, "update": counts.update, "skip": counts.skip}
    )
    report["would_load"] = would_load
    report["load_path"] = "staged"
    report["timing_s"] = {"read_and_check": round(time.perf_counter() - started, 3)}
    report["loaded"] = False
    report["import_id"] = None
    if not would_load or opts.dry_run:
        return report
    imp = run.new_import(read)
    inserted, updated = write(
        conn,
        tgt,
        cols,
        key=key,
        mode=opts.mode,
        import_id=imp.id,
        sha256=run.src.sha256,
        user_id=run.principal.user_id,
        actor=run.principal.name,
        expected_inserts=counts.insert,
    )
    report["timing_s"]["write"] = round(
        time.perf_counter() - started - report["timing_s"]["read_and_check"], 3
    )
    return run.loaded(report, imp, read, inserted, updated)
