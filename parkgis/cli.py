"""The ``parkgis`` command (Typer). Errors are one clear line on stderr, exit code 1."""

from __future__ import annotations

import typer

from parkgis.commands.common import clean_errors, load_settings
from parkgis.commands.coverage import draw_cmd
from parkgis.commands.db import db_app
from parkgis.commands.demo import demo_app
from parkgis.commands.io import export_cmd, import_cmd
from parkgis.commands.landuse import landuse_app
from parkgis.commands.maps import map_app
from parkgis.commands.match import match_cmd
from parkgis.commands.programme import programme_app
from parkgis.commands.projects import install_map_command, projects_app
from parkgis.commands.serve import serve_cmd

app = typer.Typer(
    help="parkgis: parcels, plant space, firms and projects of an industrial zone, in PostGIS.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_app, name="db")
app.command("serve")(serve_cmd)

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
app.add_typer(landuse_app, name="landuse")
app.add_typer(programme_app, name="programme")
app.command("match")(match_cmd)
app.command("draw")(draw_cmd)
app.command("import")(import_cmd)
app.command("export")(export_cmd)


def main() -> None:
    """Entry point for ``python -m parkgis``."""
    app()


if __name__ == "__main__":
    main()
