"""Land-use review commands (issue 13).

- ``parkgis landuse summary [--by zone|grid|class|status] [--bbox W,S,E,N] [--xlsx F]``:
  area by class in m², ha and 亩, rates, intensity and reference figures (a table, or
  ``--json``; ``--xlsx`` also writes the workbook).
- ``parkgis landuse parcels [--check below_minimum] [--bbox ...]``: control indicators.
- ``parkgis landuse firms [--xlsx F]``: the 亩均 evaluation and grades.
- ``parkgis landuse inefficient [--type T] [--bbox ...]``: inefficient land, idle clocks.
- ``parkgis landuse report --out F.(html|pdf|xlsx) [--lang zh|en] [--bbox ...]``.

The command line acts as admin (:data:`parkgis.commands.common.CLI`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from parkgis.commands.common import CLI, clean_errors, load_settings

landuse_app = typer.Typer(
    help="Land-use review: area by class, control indicators, 亩均 grades, inefficient land.",
    no_args_is_help=True,
)


@contextmanager
def _session() -> Iterator[tuple[Any, Any, Any]]:
    """(session, settings, today) in one read transaction."""
    from parkgis.db import make_engine, session_scope
    from parkgis.zonetime import zone_today

    settings = load_settings()
    engine = make_engine(settings.db)
    try:
        with session_scope(engine) as session:
            yield session, settings, zone_today(settings.zone.timezone)
    finally:
        engine.dispose()


def _scope(bbox: str | None) -> Any:
    from parkgis.features.params import parse_bbox
    from parkgis.landuse import Scope

    return Scope(bbox=parse_bbox(bbox) if bbox else None)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _summary_table(data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    zone = data["zone"]
    table = Table(title=f"Land use by class ({zone['parcels']} parcels)")
    for col in ("code", "name", "parcels", "m²", "ha", "亩", "share"):
        table.add_column(col, justify="left" if col in ("code", "name") else "right")
    for c in zone["classes"]:
        table.add_row(
            c["code"],
            f"{c['name_zh']} {c['name_en']}",
            str(c["parcels"]),
            f"{c['area_m2']:,.0f}",
            f"{c['area_ha']:,.2f}",
            f"{c['area_mu']:,.1f}",
            f"{(c['share'] or 0) * 100:.1f}%",
        )
    table.add_row(
        "Σ",
        "",
        str(zone["parcels"]),
        f"{zone['area_m2']:,.0f}",
        f"{zone['area_ha']:,.2f}",
        f"{zone['area_mu']:,.1f}",
        "100%",
    )
    console.print(table, markup=False)
    if data["by"] != "zone":
        grouped = Table(title=f"By {data['by']}")
        for col in ("group", "parcels", "亩", "industrial", "plot ratio", "coefficient"):
            grouped.add_column(col, justify="left" if col == "group" else "right")
        for g in data["groups"]:
            grouped.add_row(
                str(g["key"]),
                str(g["parcels"]),
                f"{g['area_mu']:,.1f}",
                f"{(g['rates']['industrial_share'] or 0) * 100:.1f}%",
                str(g["intensity"]["industrial_plot_ratio"]),
                str(g["intensity"]["industrial_building_coefficient"]),
            )
        console.print(grouped, markup=False)
    for k, v in {**zone["rates"], **zone["intensity"]}.items():
        typer.echo(f"{k}: {v}")
    for r in data["comparison"]:
        typer.echo(
            f"{r['key']}: zone {r['zone_value']} vs {r['value']} ({r['scope']}, {r['year']})"
        )


@landuse_app.command("summary")
@clean_errors
def summary_cmd(
    by: str = typer.Option("zone", help="zone, grid, class or status."),
    bbox: str | None = typer.Option(None, help="minLon,minLat,maxLon,maxLat (EPSG:4326)."),
    xlsx: Path | None = typer.Option(None, help="Also write the summary to this XLSX file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Area by land-use class (m², ha, 亩), rates, intensity and reference figures."""
    from parkgis.landuse import landuse_summary, summary_xlsx

    with _session() as (session, _settings, today):
        data = landuse_summary(session, CLI, by=by, scope=_scope(bbox), today=today)
    if xlsx is not None:
        xlsx.write_bytes(summary_xlsx(data))
        typer.echo(f"wrote {xlsx}", err=True)
    if as_json:
        _print_json(data)
    else:
        _summary_table(data)


@landuse_app.command("parcels")
@clean_errors
def parcels_cmd(
    check: str | None = typer.Option(None, help="ok, below_minimum or no_data."),
    bbox: str | None = typer.Option(None, help="minLon,minLat,maxLon,maxLat (EPSG:4326)."),
) -> None:
    """Control indicators per industrial parcel, as JSON."""
    from parkgis.landuse import parcel_indicators

    with _session() as (session, settings, _today):
        rows = parcel_indicators(session, CLI, settings.landuse, scope=_scope(bbox), check=check)
    _print_json(rows)


@landuse_app.command("firms")
@clean_errors
def firms_cmd(
    xlsx: Path | None = typer.Option(None, help="Write the evaluation to this XLSX file."),
) -> None:
    """The 亩均 evaluation: land, indicators, scores and grades (JSON, or --xlsx)."""
    from parkgis.landuse import evaluate_firms, firms_xlsx

    with _session() as (session, settings, _today):
        data = evaluate_firms(session, CLI, settings.landuse)
    if xlsx is not None:
        xlsx.write_bytes(firms_xlsx(data))
        typer.echo(f"wrote {xlsx}: {data['counts']}")
    else:
        _print_json(data)


@landuse_app.command("inefficient")
@clean_errors
def inefficient_cmd(
    kind: str | None = typer.Option(None, "--type", help="One type, e.g. supplied_not_used."),
    bbox: str | None = typer.Option(None, help="minLon,minLat,maxLon,maxLat (EPSG:4326)."),
) -> None:
    """Inefficient land by type with the idle-land clocks, as JSON."""
    from parkgis.landuse import inefficient_land

    with _session() as (session, settings, today):
        data = inefficient_land(
            session, CLI, settings.landuse, today=today, scope=_scope(bbox), kind=kind
        )
    _print_json(data)


@landuse_app.command("report")
@clean_errors
def report_cmd(
    out: Path = typer.Option(..., help="Output file: .html, .pdf or .xlsx."),
    lang: str = typer.Option("zh", help="zh or en."),
    bbox: str | None = typer.Option(None, help="minLon,minLat,maxLon,maxLat (EPSG:4326)."),
) -> None:
    """Write the printable land-use report (HTML, PDF or XLSX by the file's suffix)."""
    from parkgis.errors import InvalidInput
    from parkgis.landuse.report import landuse_report, report_html, report_pdf, report_xlsx

    suffix = out.suffix.lower()
    if suffix not in (".html", ".pdf", ".xlsx"):
        raise InvalidInput("the output must end in .html, .pdf or .xlsx", field="out")
    if lang not in ("zh", "en"):
        raise InvalidInput(f"unknown language {lang!r}; use zh or en", field="lang")
    with _session() as (session, settings, today):
        data = landuse_report(session, CLI, settings, today=today, scope=_scope(bbox))
    if suffix == ".xlsx":
        out.write_bytes(report_xlsx(data))
    else:
        html = report_html(data, lang=lang, principal=CLI)
        if suffix == ".pdf":
            out.write_bytes(report_pdf(html))
        else:
            out.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {out}")
