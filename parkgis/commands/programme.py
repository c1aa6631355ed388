"""The programme's own rules on the command line (issue 17).

- ``parkgis programme checklist [--month YYYY-MM] [--officer ID] [--json]``: each officer's
  "五个一" for the month (default this one), officers missing items first.
- ``parkgis programme evaluation [--year YYYY] [--json] [--xlsx FILE] [--lang zh|en]``: the
  annual evaluation, ranked (:mod:`parkgis.programme.evaluation`).

The command line acts as admin (:data:`parkgis.commands.common.CLI`).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from parkgis.commands.common import CLI, clean_errors, load_settings

programme_app = typer.Typer(
    help="The programme's rules: the monthly 五个一 checklist and the annual evaluation.",
    no_args_is_help=True,
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


@programme_app.command("evaluation")
@clean_errors
def evaluation_cmd(
    year: int | None = typer.Option(None, help="YYYY (default: this year, zone time)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write the workbook here."),
    lang: str = typer.Option("zh", help="Language of the workbook's headings (zh or en)."),
) -> None:
    """Every officer's figures for the year, the composite and the rank."""
    from parkgis.db import make_engine, session_scope
    from parkgis.errors import InvalidInput
    from parkgis.programme import evaluation
    from parkgis.programme.evaluation_sheet import evaluation_xlsx, flat_row

    if lang not in ("zh", "en"):
        raise InvalidInput("lang must be zh or en", field="lang")
    settings = load_settings()
    engine = make_engine(settings.db)
    try:
        with session_scope(engine) as session:
            ev = evaluation(session, CLI, settings, year)
    finally:
        engine.dispose()
    if xlsx is not None:
        xlsx.write_bytes(evaluation_xlsx(ev, lang=lang))
    if as_json:
        typer.echo(json.dumps(ev, ensure_ascii=False, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{ev['year']} · as of {ev['as_of']} · {len(ev['months_judged'])} months")
    cols = ("rank", "name", "composite", "months_all_done", "contact_rate_pct",
            "requests_resolved", "stages_gained", "units_leased", "mean_score_pct",
            "investment_calls")  # fmt: skip
    for col in cols:
        table.add_column(col)
    for o in ev["officers"]:
        row = flat_row(o)
        table.add_row(*("—" if row[c] is None else str(row[c]) for c in cols))
    Console().print(table)
