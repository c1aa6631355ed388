"""``parkgis demo load`` and ``parkgis demo generate``: the demo zone."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import typer

from parkgis.commands.common import clean_errors, load_settings

demo_app = typer.Typer(
    help="The demo zone: load it, or generate (larger) versions.", no_args_is_help=True
)


def _day(value: str | None, tz: str) -> date:
    from parkgis.errors import InvalidInput
    from parkgis.zonetime import zone_today

    if value is None:
        return zone_today(tz)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date like 2026-03-01", field="today") from exc


def _progress() -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    )


@demo_app.command("load")
@clean_errors
def load_cmd(
    directory: Path | None = typer.Option(
        None, "--dir", help="Demo directory (default: the committed data/parcels)."
    ),
    today: str | None = typer.Option(
        None, help="Pretend the load happens on this day (YYYY-MM-DD, zone time)."
    ),
    replace_all_data: bool = typer.Option(
        False,
        "--replace-all-data",
        help="Load even when the database holds data that is not the demo, ERASING it "
        "(parcels, firms, projects, visits, requests, holds and the audit log).",
    ),
) -> None:
    """Load the demo zone into an empty database or one holding only the demo.

    A database with any other data is refused (with the number of rows a load would erase)
    unless --replace-all-data is given. Users and tokens are kept.
    """
    from parkgis.db import db_up
    from parkgis.demo.files import read_meta
    from parkgis.demo.generate import DEMO_DIR
    from parkgis.demo.load import load_demo

    settings = load_settings()
    day = _day(today, settings.zone.timezone)
    read_meta(directory or DEMO_DIR)  # a wrong --dir fails before the database starts
    engine = db_up(settings.db)
    started = time.perf_counter()
    try:
        with _progress() as bar, engine.begin() as conn:
            tasks: dict[str, Any] = {}

            def tick(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = bar.add_task(table, total=max(total, 1))
                bar.update(tasks[table], completed=done if total else 1)

            report = load_demo(
                conn, directory, today=day, progress=tick, replace_all_data=replace_all_data
            )
    finally:
        engine.dispose()
    took = time.perf_counter() - started
    if report.erased:
        typer.echo(f"erased {report.erased:,} rows that were there before")
    typer.echo(
        f"demo loaded: {report.rows:,} rows in {took:.1f} s "
        f"({report.rows / took:,.0f} rows/s); dates moved by {report.shift_days} days "
        f"to end on {report.today}"
    )
    d = report.derived
    typer.echo(
        f"made from them: {report.activities:,} programme activities, "
        f"{d.get('draws', 0):,} monthly draws with {d.get('draw_scores', 0):,} scores, "
        f"{d.get('calls', 0):,} investment calls"
    )


@demo_app.command("generate")
@clean_errors
def generate_cmd(
    out: Path | None = typer.Option(
        None, help="Output directory (default: data/parcels at scale 1, else bench/out/scale-N)."
    ),
    scale: float = typer.Option(1.0, help="1 = the committed zone; N = N zones side by side."),
    today: str | None = typer.Option(None, help="Generation day (YYYY-MM-DD, zone time)."),
    seed: int | None = typer.Option(None, help="Random seed (default: the demo's own)."),
) -> None:
    """Generate the demo zone files (GeoPackage, CSVs, meta.json) deterministically."""
    from parkgis.demo.generate import DEMO_DIR, SEED, generate, tiles_for

    settings = load_settings()
    day = _day(today, settings.zone.timezone)
    tiles = tiles_for(scale)
    target = out or (DEMO_DIR if scale == 1 else Path("bench/out") / f"scale-{scale:g}")
    with _progress() as bar:
        task = bar.add_task("tiles", total=tiles)
        report = generate(
            target,
            scale=scale,
            today=day,
            seed=SEED if seed is None else seed,
            progress=lambda done, _n: bar.update(task, completed=done),
        )
    counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
    typer.echo(f"wrote {target}: {counts}")
