"""``parkgis match --floor-area 3000:6000 --power 1250 ... [--map out.html]``.

Runs a match as an admin-level local user, saves it (its ``request_id`` is printed), and
prints the shortlist and the near-misses as tables. ``--map`` also writes the match map
as one offline HTML file; ``--json`` prints the answer as JSON instead of tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from parkgis.commands.common import CLI, clean_errors, load_settings


def parse_range(text: str, field: str) -> dict[str, float]:
    """``"3000:6000"``, ``"3000:"``, ``":6000"`` or ``"3000"`` (= at least) → min/max m²."""
    from parkgis.errors import InvalidInput

    lo, sep, hi = text.partition(":")
    out: dict[str, float] = {}
    try:
        if lo.strip():
            out["min"] = float(lo)
        if sep and hi.strip():
            out["max"] = float(hi)
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not MIN:MAX in m² (e.g. 3000:6000)", field=field) from exc
    if not out:
        raise InvalidInput(f"{text!r} gives neither a minimum nor a maximum", field=field)
    return out


def parse_point(text: str) -> tuple[float, float]:
    """``"LON,LAT"`` in EPSG:4326 degrees."""
    from parkgis.errors import InvalidInput

    try:
        lon, lat = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not LON,LAT (degrees)", field="near") from exc
    return lon, lat


def build_request(**o: Any) -> dict[str, Any]:
    """The JSON match request of the command-line options (None = not asked)."""
    req: dict[str, Any] = {}
    if o["kind"]:
        req["kind"] = o["kind"]
    if o["floor_area"]:
        req["floor_area_m2"] = parse_range(o["floor_area"], "floor_area_m2")
    if o["land_area"]:
        req["land_area_m2"] = parse_range(o["land_area"], "land_area_m2")
    for opt, key in (
        ("height", "clear_height_m"),
        ("load", "floor_load_t_m2"),
        ("power", "power_kva"),
        ("crane", "crane_t"),
        ("max_rent", "max_rent_cny_m2_month"),
        ("max_price", "max_price_cny_m2"),
    ):
        if o[opt] is not None:
            req[key] = float(o[opt])
    if o["ground_floor"]:
        req["ground_floor"] = True
    if o["pollution"] is not None:
        req["pollution_class"] = o["pollution"]
    if o["available_by"]:
        req["available_by"] = o["available_by"]
    if o["chain"]:
        req["industry_chain"] = o["chain"]
    near: dict[str, Any] = {}
    if o["near"]:
        near["lon"], near["lat"] = parse_point(o["near"])
    if o["max_distance"] is not None:
        near["max_distance_m"] = float(o["max_distance"])
    if near:
        req["near"] = near
    if o["enterprise"] is not None:
        req["enterprise_id"] = o["enterprise"]
    req["limit"] = o["limit"]
    return req


def _num(v: Any, digits: int = 0) -> str:
    return "" if v is None else f"{v:,.{digits}f}"


def print_tables(result: dict[str, Any]) -> None:
    """The shortlist and near-misses as rich tables."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    head = (
        f"match #{result['request_id']}: {result['matched']} matched of "
        f"{result['considered']} open units ({result['kind']})"
    )
    console.print(head)
    for title, feats in (("shortlist", result["features"]), ("near-misses", result["near_misses"])):
        table = Table(title=title, show_lines=False)
        for col in ("#", "kind", "id", "code", "score", "area m²", "distance m", "notes"):
            table.add_column(col, justify="right" if col in ("#", "score") else "left")
        for f in feats:
            p = f["properties"]
            failed = [c for c in p["checks"] if not c["ok"]]
            note = ", ".join(f"{c['criterion']} {c['actual']} vs {c['required']}" for c in failed)
            if p["kind"] == "space_group":
                note = "units " + ", ".join(str(u["code"] or u["id"]) for u in p["units"])
            cells = (
                str(p["rank"]),
                p["kind"],
                str(p["id"]),
                str(p.get("code") or ""),
                f"{p['score']:.3f}",
                _num(p.get("area_m2")),
                _num(p.get("distance_m")),
                note,
            )
            table.add_row(*(Text(c) for c in cells))  # codes are user data: no markup
        console.print(table)


@clean_errors
def match_cmd(
    floor_area: str | None = typer.Option(None, help="Floor area MIN:MAX in m², e.g. 3000:6000."),
    land_area: str | None = typer.Option(None, help="Land area MIN:MAX in m²."),
    height: float | None = typer.Option(None, help="Clear height at least, m."),
    load: float | None = typer.Option(None, help="Floor load at least, t/m²."),
    power: float | None = typer.Option(None, help="Power at least, kVA."),
    crane: float | None = typer.Option(None, help="Crane at least, t."),
    ground_floor: bool = typer.Option(False, "--ground-floor", help="Only floor 1."),
    pollution: int | None = typer.Option(None, help="Pollution class 1-3 (land of that class+)."),
    max_rent: float | None = typer.Option(None, help="Rent at most, CNY/m²/month."),
    max_price: float | None = typer.Option(None, help="Land price at most, CNY/m²."),
    available_by: str | None = typer.Option(None, help="Available by YYYY-MM-DD."),
    chain: str | None = typer.Option(None, help="Industry chain code (for affinity)."),
    near: str | None = typer.Option(None, help="LON,LAT (EPSG:4326) to measure distance from."),
    max_distance: float | None = typer.Option(None, help="Within this many metres of --near."),
    enterprise: int | None = typer.Option(None, help="The firm (its site is --near by default)."),
    kind: str | None = typer.Option(None, help="space, parcel or any (default: inferred)."),
    limit: int = typer.Option(10, help="Candidates to show (1-100)."),
    map_out: Path | None = typer.Option(None, "--map", help="Also write the match map here."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
) -> None:
    """Match an expansion request to open plant space and land, save it, print a table."""
    from parkgis.db import make_engine, session_scope
    from parkgis.matching.service import match

    req = build_request(**locals())
    settings = load_settings()
    principal = CLI
    engine = make_engine(settings.db)
    try:
        with session_scope(engine) as session:
            result = match(session, req, principal, settings)
        if map_out is not None:
            from parkgis.maps import render
            from parkgis.maps.match import match_map

            with session_scope(engine) as session:
                m = match_map(
                    session, principal, settings, filters={"request_id": result["request_id"]}
                )
                html = render(m, download=True)
            map_out.write_text(html, encoding="utf-8")
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_tables(result)
    if map_out is not None:
        typer.echo(f"map written to {map_out} ({len(html):,} bytes)", err=True)
