"""``parkgis map KIND --out FILE.html [KEY=VALUE ...]``: a map as one offline HTML file.

One subcommand per entry of :data:`parkgis.maps.registry.MAP_KINDS`. The file is
self-contained (scripts, styles, fonts and images inlined), like ``?download=1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from parkgis.commands.common import clean_errors, load_settings
from parkgis.maps.registry import MAP_KINDS

map_app = typer.Typer(
    help="Write a map as one self-contained HTML file (works offline).", no_args_is_help=True
)

ROLES = ("admin", "planner", "officer", "investment", "anonymous")


def _parse_filters(pairs: list[str] | None) -> dict[str, str]:
    from parkgis.errors import InvalidInput

    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"filter {pair!r} must look like KEY=VALUE", field="filters")
        if key in out:
            raise InvalidInput(f"filter {key!r} is given twice", field=key)
        out[key] = value
    return out


def write_map(
    kind: str,
    out: Path,
    *,
    filters: dict[str, str],
    bbox: str | None,
    basemap: str | None,
    lang: str | None,
    role: str,
    officer: int | None,
) -> int:
    """Build map ``kind`` as ``role`` and write it, inlined, to ``out``; return its size."""
    from parkgis.access import Principal, own_enterprise_ids
    from parkgis.db import make_engine, session_scope
    from parkgis.errors import InvalidInput
    from parkgis.maps import render
    from parkgis.maps.registry import build_map

    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    if role == "officer" and officer is None:
        raise InvalidInput("--role officer needs --officer ID", field="officer")
    settings = load_settings()
    engine = make_engine(settings.db)
    try:
        with session_scope(engine) as session:
            principal = Principal(
                name="parkgis-cli",
                role=None if role == "anonymous" else role,  # type: ignore[arg-type]
                officer_id=officer,
                own_enterprise_ids=own_enterprise_ids(session, officer),
            )
            m = build_map(
                kind,
                session,
                principal,
                settings,
                bbox=bbox,
                filters=filters,
                basemap=basemap,
                lang=lang,
            )
            html = render(m, download=True)
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    data = html.encode("utf-8")
    out.write_bytes(data)
    return len(data)


def _command(kind: str) -> Any:
    @clean_errors
    def cmd(
        out: Path = typer.Option(..., "--out", "-o", help="HTML file to write."),
        filters: list[str] | None = typer.Argument(
            None, help="API filters as KEY=VALUE, e.g. status=available land_use=100101."
        ),
        bbox: str | None = typer.Option(None, help="minLon,minLat,maxLon,maxLat (EPSG:4326)."),
        basemap: str | None = typer.Option(None, help="osm, amap, tianditu or none."),
        lang: str | None = typer.Option(None, help="zh or en (default PARKGIS_LANGUAGE)."),
        role: str = typer.Option("planner", help="See the data as: " + ", ".join(ROLES) + "."),
        officer: int | None = typer.Option(None, help="Officer id, with --role officer."),
    ) -> None:
        size = write_map(
            kind,
            out,
            filters=_parse_filters(filters),
            bbox=bbox,
            basemap=basemap,
            lang=lang,
            role=role,
            officer=officer,
        )
        typer.echo(f"wrote {out} ({size / 1024:,.0f} KiB, self-contained)")

    cmd.__doc__ = MAP_KINDS[kind].help + " (one offline HTML file)."
    return cmd


for _kind in MAP_KINDS:
    map_app.command(_kind)(_command(_kind))
