"""The programme's own rules on the command line (issue 17).

- ``parkgis programme checklist [--month YYYY-MM] [--officer ID] [--json]``: each officer's
  "五个一" for the month (default this one), officers missing items first.

The command line acts as admin (:data:`parkgis.commands.common.CLI`).
"""

from __future__ import annotations

import json

import typer

from parkgis.commands.common import CLI, clean_errors, load_settings

programme_app = typer.Typer(
    help="The programme's rules: the monthly 五个一 checklist.", no_args_is_help=True
)


@programme_app.command("checklist")
@clean_errors
def checklist_cmd(
    month: str | None = typer.Option(None, help="YYYY-MM (default: this month, zone time)."),
    officer: int | None = typer.Option(None, "--officer", min=1, help="Only this officer."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Each officer's five items for the month: done or not, with the figures."""
    from parkgis.db import make_engine, session_scope
    from parkgis.programme import checklist, missing_first
    from parkgis.zonetime import parse_month

    settings = load_settings()
    m = parse_month(month, settings.zone.timezone)
    engine = make_engine(settings.db)
    try:
        with session_scope(engine) as session:
            rows = missing_first(checklist(session, CLI, settings, m, officer_id=officer))
    finally:
        engine.dispose()
    if as_json:
        out = {"month": str(m), "officers": [r.as_dict() for r in rows]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"五个一 {m}: {sum(r.all_done for r in rows)}/{len(rows)} all done")
    for col in ("officer", "name", "firms", "ledger", "briefing", "volunteer", "requests", "done"):
        table.add_column(col)
    for r in rows:
        cells = []
        for item in r.items:
            mark = "✓" if item.done else "✗"
            figure = (
                f"{item.count}/{item.required}"
                if item.key in ("contact_firms", "requests")
                else str(item.count)
            )
            cells.append(f"{mark} {figure}")
        table.add_row(str(r.officer_id), r.name, *cells, f"{5 - len(r.missing)}/5")
    Console().print(table)
