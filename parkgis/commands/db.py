"""``parkgis db up | down | status | backup | restore``: the database's life and its backups."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from parkgis.commands.common import clean_errors, load_settings

db_app = typer.Typer(
    help="Start, stop, inspect, back up and restore the database.", no_args_is_help=True
)


@db_app.command("up")
@clean_errors
def db_up_cmd() -> None:
    """Create/start the database (embedded unless PARKGIS_DATABASE_URL) and migrate to head."""
    from parkgis.db import db_status, db_up

    settings = load_settings()
    engine = db_up(settings.db)
    engine.dispose()
    st = db_status(settings.db)
    typer.echo(f"database up ({st.mode}): {st.location}, PostGIS {st.postgis}, rev {st.revision}")


@db_app.command("down")
@clean_errors
def db_down_cmd() -> None:
    """Stop the embedded database (data is kept)."""
    from parkgis.db import db_down

    settings = load_settings()
    if settings.db.database_url:
        typer.echo("external database (PARKGIS_DATABASE_URL): nothing to stop")
    elif db_down(settings.db):
        typer.echo("embedded database stopped")
    else:
        typer.echo("embedded database was not running")


@db_app.command("status")
@clean_errors
def db_status_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Say where the database is and whether it is up (exit 3 when it is down)."""
    from parkgis.db import db_status

    st = db_status(load_settings().db)
    if as_json:
        typer.echo(json.dumps(st.as_dict(), indent=2))
    else:
        state = "up" if st.up else "down"
        typer.echo(f"{st.mode} database: {state}")
        typer.echo(f"  location: {st.location}")
        if st.port:
            typer.echo(f"  port:     {st.port} (127.0.0.1 and unix socket)")
        if st.url:
            typer.echo(f"  url:      {st.url}")
        if st.postgis:
            typer.echo(f"  postgis:  {st.postgis}")
        if st.up:
            typer.echo(f"  schema:   {st.revision or 'not migrated; run `parkgis db up`'}")
        if st.error:
            typer.echo(f"  note:     {st.error}")
    if not st.up:
        raise typer.Exit(3)


@db_app.command("backup")
@clean_errors
def db_backup_cmd(
    file: Path | None = typer.Argument(
        None, help="Dump file to write (default: PARKGIS_HOME/backups/<db>-<UTC time>.dump)."
    ),
) -> None:
    """Back up the database: pg_dump -Fc plus FILE.manifest.json (revision, counts, SHA-256).

    On the embedded cluster a base backup is taken too, so `db restore FILE --to TIME` can
    roll forward from it through the archived WAL.
    """
    from parkgis.db import db_up
    from parkgis.db.backup import backup, default_backup_file, manifest_path

    settings = load_settings()
    if settings.db.embedded:
        db_up(settings.db).dispose()
    target = file or default_backup_file(settings.db)
    m = backup(settings.db, target, say=typer.echo)
    typer.echo(
        f"backed up {m.database} (rev {m.revision}, {m.rows:,} rows in {len(m.counts)} tables, "
        f"{m.bytes / 1e6:.1f} MB) to {target}\n  manifest: {manifest_path(target)}\n"
        f"  sha256:   {m.sha256}"
    )


@db_app.command("restore")
@clean_errors
def db_restore_cmd(
    file: Path = typer.Argument(..., help="A dump written by `parkgis db backup`."),
    to: str | None = typer.Option(
        None,
        "--to",
        help="Roll forward to this moment, e.g. '2026-12-01 10:00' (zone time unless it "
        "carries an offset). Embedded cluster only.",
    ),
) -> None:
    """Restore a backup into a fresh database, check its row counts, then swap it in.

    The current database is only replaced once the copy matches; it is kept as
    <name>_before_restore until the next restore.
    """
    from parkgis.db import db_up
    from parkgis.db.backup import restore

    settings = load_settings()
    when = parse_time(to, settings.zone.timezone) if to else None
    if settings.db.embedded:
        db_up(settings.db).dispose()
    counts = restore(settings.db, file, to=when, say=typer.echo)
    point = f" as of {when.isoformat()}" if when else ""
    typer.echo(
        f"restored {settings.db.db_name}{point}: {sum(counts.values()):,} rows in "
        f"{len(counts)} tables; the previous data is kept as "
        f"{settings.db.db_name}_before_restore. Run `parkgis db up` to migrate it to this "
        "version's schema if needed."
    )


def parse_time(value: str, tz: str) -> datetime:
    """A moment from ISO text; without an offset it is taken in the zone's time zone.

    Raises
    ------
    InvalidInput
        Not a date and time.
    """
    from parkgis.errors import InvalidInput

    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(
            f"{value!r} is not a time like '2026-12-01 10:00' or '2026-12-01T10:00+08:00'",
            field="to",
        ) from exc
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(tz))
