"""``parkgis draw --month YYYY-MM --count N [--seed S]``: draw the officers who report at
the month's meeting, store the result, and print it with the seed to verify it by."""

from __future__ import annotations

import typer

from parkgis.commands.common import clean_errors, load_settings


@clean_errors
def draw_cmd(
    month: str = typer.Option(..., help="The meeting's month, YYYY-MM."),
    count: int = typer.Option(2, min=1, help="How many officers report."),
    seed: str | None = typer.Option(
        None, help="A seed fixed in advance (e.g. announced at the meeting); random if omitted."
    ),
    show: bool = typer.Option(
        False, "--show", help="Only print the stored draw of --month (and verify it)."
    ),
) -> None:
    """Draw the officers who report at a month's meeting (stored; never drawn twice)."""
    from sqlalchemy import text

    from parkgis.coverage.draws import as_dict, get_draw, run_draw
    from parkgis.db import make_engine, session_scope
    from parkgis.errors import NotFound
    from parkgis.zonetime import parse_month

    settings = load_settings()
    m = parse_month(month, settings.zone.timezone)
    engine = make_engine(settings.db)
    try:
        with session_scope(engine) as session:
            if show:
                stored = get_draw(session, m)
                if stored is None:
                    raise NotFound(f"{m} has not been drawn", field="month")
                result = as_dict(stored)
            else:
                tz = settings.zone.timezone
                draw = run_draw(session, m, count, seed=seed, created_by="parkgis-cli", tz=tz)
                result = as_dict(draw)
            rows = session.execute(
                text("SELECT id, name FROM officers WHERE id = ANY(:ids)"),
                {"ids": result["officer_ids"]},
            )
            names: dict[int, str] = {r.id: r.name for r in rows}
    finally:
        engine.dispose()
    typer.echo(f"draw {result['month']}: {result['count']} of {len(result['eligible_ids'])}")
    for oid in result["officer_ids"]:
        typer.echo(f"  officer {oid}  {names.get(oid, '')}")
    if result["previous_ids"]:
        typer.echo(f"not drawn again from last month: {result['previous_ids']}")
    typer.echo(f"seed: {result['seed']}")
    typer.echo(f"verified: {'yes' if result['verified'] else 'NO - the stored result differs'}")
