"""``parkgis import KIND FILE …`` and ``parkgis export KIND FILE …``.

Exit codes: 0 when the file loads (or, with ``--dry-run``, would load); 2 when it would
not, or cannot be read at all (one line on stderr naming the problem).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from parkgis.commands.common import load_settings

F = TypeVar("F", bound=Callable[..., Any])


def exit2_errors(fn: F) -> F:
    """Like ``clean_errors``, but bad input exits 2 (the import/export contract)."""
    from parkgis.errors import ParkGISError

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ParkGISError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def print_report(r: dict[str, Any]) -> None:
    """The report as short lines for people (``--json`` prints it whole)."""
    echo = typer.echo
    f = r["file"]
    echo(f"file      {f['name']} ({f['size_bytes']:,} bytes, sha256 {f['sha256'][:16]}…)")
    echo(f"driver    {r['driver']}; layers {', '.join(r['layers'])}; chosen {r['layer']}")
    echo(f"features  {r['features']:,}")
    e = r["encoding"]
    echo(f"encoding  {e['name']}: {'; '.join(e['evidence'])}")
    if e["samples"]:
        echo(f"          samples: {' | '.join(e['samples'])}")
    c = r["crs"]
    echo(f"crs       declared {c['declared'] or '-'}; used {c['used']} ({c['evidence']})")
    for w in c["warnings"]:
        typer.secho(f"          warning: {w}", fg=typer.colors.YELLOW)
    echo(f"bbox      {r['bbox_4326']} (EPSG:4326)")
    g = r["geometry"]
    echo(
        f"geometry  {g['types']}; invalid {g['invalid']}, empty {g['empty']}, "
        f"repaired {g['repaired']}"
    )
    m = r["fields"]
    echo(f"mapped    {', '.join(f'{k}←{v}' for k, v in m['mapped'].items()) or '-'}")
    if m["set"]:
        echo(f"set       {', '.join(f'{k}={v}' for k, v in m['set'].items())}")
    echo(f"unmapped  {', '.join(m['unmapped']) or '-'}")
    if m["missing_required"]:
        typer.secho(
            f"missing   {', '.join(m['missing_required'])} (required: --map or --set)",
            fg=typer.colors.RED,
        )
    p = r["problems"]
    echo(f"problems  {p['errors']} errors, {p['warnings']} warnings")
    for x in p["first"]:
        where = f" at {x['location']}" if x.get("location") else ""
        color = typer.colors.RED if x["severity"] == "error" else typer.colors.YELLOW
        typer.secho(
            f"  row {x.get('row', '-')}: {x.get('field', '')}: {x['message']}{where}", fg=color
        )
    k = r["counts"]
    echo(f"counts    insert {k['insert']:,}, update {k['update']:,}, skip {k['skip']:,}")
    if r["loaded"]:
        echo(f"loaded    import {r['import_id']}")
    else:
        echo("would load" if r["would_load"] else "would NOT load")


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (features read of the file's count); silent for --json."""
    if quiet:
        yield lambda done, total: None
        return
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading and checking", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield tick


@exit2_errors
def import_cmd(
    kind: str = typer.Argument(
        ..., help="parcels buildings spaces enterprises officers projects context"
    ),
    file: Path = typer.Argument(
        ..., help="GPKG, SHP (+siblings) or ZIP, GeoJSON, FGB, KML, DXF, CSV, XLSX"
    ),
    layer: str | None = typer.Option(None, help="Layer (or sheet, or DXF layer)."),
    crs: str | None = typer.Option(None, help="EPSG:NNNN, or gcj02 for AMap lon/lat."),
    encoding: str | None = typer.Option(None, help="Text encoding, e.g. GBK."),
    map_: list[str] = typer.Option([], "--map", help="target=source (repeatable)."),
    set_: list[str] = typer.Option([], "--set", help="field=value for every row (repeatable)."),
    key: str | None = typer.Option(None, help="Key field for upsert (default per kind)."),
    mode: str = typer.Option("insert", help="insert or upsert."),
    repair: bool = typer.Option(False, help="Repair invalid geometries with make_valid."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report only; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import a file of KIND in one transaction; print the report (exit 0 loads, 2 refused)."""
    from parkgis.access import Principal
    from parkgis.db import make_engine, make_sessionmaker
    from parkgis.io.fields import parse_pairs
    from parkgis.io.importer import ImportOptions, import_file

    opts = ImportOptions(
        kind=kind,
        layer=layer,
        crs=crs,
        encoding=encoding,
        map=parse_pairs(map_, "map"),
        set=parse_pairs(set_, "set"),
        key=key,
        mode=mode,
        repair=repair,
        dry_run=dry_run,
    )
    settings = load_settings()
    principal = Principal(name="parkgis-cli", role="admin")
    engine = make_engine(settings.db)
    try:
        with make_sessionmaker(engine)() as session, _progress(as_json) as tick:
            report = import_file(session, file, opts, principal, settings, progress=tick)
            if report["loaded"]:
                session.commit()
            else:
                session.rollback()
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        print_report(report)
    if not (report["loaded"] or (dry_run and report["would_load"])):
        raise typer.Exit(2)


@exit2_errors
def export_cmd(
    kind: str = typer.Argument(
        ..., help="parcels buildings spaces enterprises officers projects context"
    ),
    file: Path = typer.Argument(..., help=".gpkg .zip (shapefile) .geojson .fgb .csv .xlsx .dxf"),
    crs: str | None = typer.Option(None, help="Output CRS, e.g. EPSG:4547 (DXF: zone CRS)."),
    encoding: str | None = typer.Option(None, help="Shapefile/CSV text encoding, e.g. GBK."),
) -> None:
    """Export every row of KIND to FILE (format from its suffix)."""
    from parkgis.access import Principal
    from parkgis.db import make_engine, make_sessionmaker
    from parkgis.io.export import export_file

    settings = load_settings()
    engine = make_engine(settings.db)
    try:
        with make_sessionmaker(engine)() as session:
            n = export_file(
                session,
                kind,
                file,
                Principal(name="parkgis-cli", role="admin"),
                settings,
                crs=crs,
                encoding=encoding,
            )
    finally:
        engine.dispose()
    typer.echo(f"{n:,} {kind} written to {file}")
