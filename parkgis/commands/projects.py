"""Project commands.

- ``parkgis map projects --out FILE.html [--stage S,...] [--chain C,...] [--officer ID,...]
  [--overdue] [--bbox ...]``: the battle map as one offline file (replaces the generic
  ``parkgis map projects`` so the filters are options; ``KEY=VALUE`` still works).
- ``parkgis projects summary``: the summary of ``GET /api/v1/projects/summary`` as JSON.
- ``parkgis projects reminders [--days N] [--officer ID]``: overdue and due-soon lists.
- ``parkgis projects yearly [--year Y] --out FILE.xlsx``: the yearly summary workbook.
- ``parkgis projects idle-land [--flag]``: idle granted land; ``--flag`` marks the parcels.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from parkgis.commands.common import CLI, clean_errors, load_settings

projects_app = typer.Typer(
    help="Investment projects: summary, reminders, yearly workbook, idle land.",
    no_args_is_help=True,
)


@contextmanager
def _session() -> Iterator[tuple[Any, Any, Any]]:
    """(session, settings, today) in one committed transaction."""
    from parkgis.db import make_engine, session_scope
    from parkgis.zonetime import zone_today

    settings = load_settings()
    engine = make_engine(settings.db)
    try:
        with session_scope(engine) as session:
            yield session, settings, zone_today(settings.zone.timezone)
    finally:
        engine.dispose()


def _filters(stage: str | None, chain: str | None, officer: str | None) -> dict[str, str]:
    raw = {"stage": stage, "industry_chain": chain, "officer_id": officer}
    return {k: v for k, v in raw.items() if v}


@projects_app.command("summary")
@clean_errors
def summary_cmd(
    stage: str | None = typer.Option(None, help="Current stage(s), comma list."),
    chain: str | None = typer.Option(None, help="Industry chain code(s), comma list."),
    officer: str | None = typer.Option(None, help="Officer id(s), comma list."),
) -> None:
    """Print the project summary (by stage, overdue, chain, officer, targets) as JSON."""
    from parkgis.projects.filters import filter_from_query
    from parkgis.projects.summary import project_summary

    f = filter_from_query(_filters(stage, chain, officer))
    with _session() as (session, settings, today):
        out = project_summary(session, CLI, today=today, cfg=settings.projects, filters=f)
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


@projects_app.command("reminders")
@clean_errors
def reminders_cmd(
    days: int | None = typer.Option(None, help="Due-soon horizon (default the setting)."),
    officer: str | None = typer.Option(None, help="Officer id(s), comma list."),
) -> None:
    """List overdue milestones and those due within the horizon."""
    from parkgis.projects.filters import filter_from_query
    from parkgis.projects.supervision import reminders

    f = filter_from_query(_filters(None, None, officer))
    with _session() as (session, settings, today):
        horizon = settings.projects.reminder_days if days is None else days
        out = reminders(session, CLI, today=today, within_days=horizon, filters=f)
    typer.echo(f"as of {out['as_of']}: {len(out['overdue'])} overdue, {len(out['due_soon'])} due")
    for x in out["overdue"]:
        typer.echo(
            f"  LATE {x['days_late']:>4} d  {x['milestone']:<21} {x['planned']}  "
            f"#{x['project_id']} {x['project_name']} ({x['officer_name'] or '-'})"
        )
    for x in out["due_soon"]:
        typer.echo(
            f"  due  {x['days_left']:>4} d  {x['milestone']:<21} {x['planned']}  "
            f"#{x['project_id']} {x['project_name']} ({x['officer_name'] or '-'})"
        )


@projects_app.command("yearly")
@clean_errors
def yearly_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="XLSX file to write."),
    year: int | None = typer.Option(None, help="Calendar year (default this year)."),
) -> None:
    """Write the yearly summary (targets, months, projects) as an XLSX workbook."""
    from parkgis.projects.summary import yearly_summary, yearly_summary_xlsx

    with _session() as (session, settings, today):
        data = yearly_summary(
            session, CLI, year=year or today.year, today=today, cfg=settings.projects
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(yearly_summary_xlsx(data))
    typer.echo(f"wrote {out} ({len(data['projects'])} projects, year {data['year']})")


@projects_app.command("idle-land")
@clean_errors
def idle_land_cmd(
    flag: bool = typer.Option(False, "--flag", help="Mark the parcels (planner action)."),
) -> None:
    """List projects whose granted land was not started within a year; --flag marks them."""
    from parkgis.projects.idle_land import flag_idle_land, idle_land

    with _session() as (session, _settings, today):
        if flag:
            items = flag_idle_land(session, today=today, principal=CLI)
        else:
            items = idle_land(session, CLI, today=today)
    typer.echo(f"{len(items)} idle as of {today}" + (" (parcels flagged)" if flag else ""))
    for x in items:
        typer.echo(
            f"  {x.parcel_code:<16} {x.days_over:>4} d past {x.deadline}  "
            f"#{x.project_id} {x.project_name} [{x.stage}] parcel {x.parcel_status}"
        )


def map_projects_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="HTML file to write."),
    filters: list[str] | None = typer.Argument(None, help="More filters as KEY=VALUE."),
    stage: str | None = typer.Option(None, help="Current stage(s), comma list."),
    chain: str | None = typer.Option(None, help="Industry chain code(s), comma list."),
    officer: str | None = typer.Option(None, help="Officer id(s), comma list."),
    overdue: bool = typer.Option(False, "--overdue", help="Only projects with overdue milestones."),
    bbox: str | None = typer.Option(None, help="minLon,minLat,maxLon,maxLat (EPSG:4326)."),
    basemap: str | None = typer.Option(None, help="osm, amap, tianditu or none."),
    lang: str | None = typer.Option(None, help="zh or en (default PARKGIS_LANGUAGE)."),
    role: str = typer.Option("planner", help="See the data as this role."),
) -> None:
    """Battle map: projects by stage, overdue ones ringed (one offline HTML file)."""
    from parkgis.commands.maps import write_map
    from parkgis.errors import InvalidInput

    f: dict[str, str] = {}
    for pair in filters or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"filter {pair!r} must look like KEY=VALUE", field="filters")
        f[key] = value
    f.update(_filters(stage, chain, officer))
    if overdue:
        f["overdue"] = "1"
    size = write_map(
        "projects",
        out,
        filters=f,
        bbox=bbox,
        basemap=basemap,
        lang=lang,
        role=role,
        officer=None,
    )
    typer.echo(f"wrote {out} ({size / 1024:,.0f} KiB, self-contained)")


def install_map_command(map_app: typer.Typer) -> None:
    """Put :func:`map_projects_cmd` in place of the generic ``parkgis map projects``."""
    map_app.registered_commands = [c for c in map_app.registered_commands if c.name != "projects"]
    cmd: Callable[..., None] = clean_errors(map_projects_cmd)
    map_app.command("projects")(cmd)
