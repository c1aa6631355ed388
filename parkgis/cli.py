"""The ``parkgis`` command (Typer). Errors are one clear line on stderr, exit code 1."""

from __future__ import annotations

import json

import typer

from parkgis.commands.common import clean_errors, fail, load_settings
from parkgis.commands.coverage import draw_cmd
from parkgis.commands.demo import demo_app
from parkgis.commands.io import import_cmd
from parkgis.commands.maps import map_app
from parkgis.commands.match import match_cmd
from parkgis.commands.projects import install_map_command, projects_app

app = typer.Typer(
    help="parkgis: parcels, plant space, firms and projects of an industrial zone, in PostGIS.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Start, stop and inspect the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


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


@app.command("serve")
@clean_errors
def serve_cmd(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="TCP port to listen on."),
) -> None:
    """Serve the web app and APIs (runs `db up` first when the database is embedded)."""
    import socket

    import uvicorn

    from api.app import create_app
    from parkgis.db import db_up

    settings = load_settings()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port")
    if settings.db.embedded:
        db_up(settings.db).dispose()
    typer.echo(f"parkgis serving on http://{host}:{port}  (Ctrl+C to stop)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
@clean_errors
def token_create_cmd(
    role: str = typer.Option(..., help="admin, planner, officer or investment."),
    name: str = typer.Option(..., help="User name (created when new)."),
    officer: int | None = typer.Option(None, help="Officer id; required for --role officer."),
) -> None:
    """Create a bearer token and print only the token (it is stored hashed)."""
    from parkgis.auth import create_token
    from parkgis.db import make_engine, session_scope

    engine = make_engine(load_settings().db)
    try:
        with session_scope(engine) as session:
            token = create_token(session, role=role, name=name, officer_id=officer)
    finally:
        engine.dispose()
    typer.echo(token)


app.add_typer(demo_app, name="demo")
app.add_typer(map_app, name="map")
install_map_command(map_app)  # `parkgis map projects` with --stage/--chain/--officer/--overdue
app.add_typer(projects_app, name="projects")
app.command("match")(match_cmd)
app.command("draw")(draw_cmd)
app.command("import")(import_cmd)


def main() -> None:
    """Entry point for ``python -m parkgis``."""
    app()


if __name__ == "__main__":
    main()
