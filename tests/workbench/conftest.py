"""Fixtures of the workbench tests: the committed zone, the live app and a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import Engine

from parkgis.auth import create_token
from parkgis.db import session_scope
from tests.workbench.zone import PHONE, SHOTS, WBZone, drop_wb_zone, make_wb_zone


@pytest.fixture(scope="package")  # gone before another package loads the demo
def wb_zone(engine: Engine) -> Iterator[WBZone]:
    """The committed workbench zone with tokens ``a``, ``b``, ``planner``, ``admin``."""
    with engine.begin() as conn:
        z = make_wb_zone(conn)
    with session_scope(engine) as s:
        for key, role, officer in (
            ("a", "officer", z.officer_a),
            ("b", "officer", z.officer_b),
            ("planner", "planner", None),
            ("admin", "admin", None),
        ):
            name = f"wb-{key}-{z.tag}"
            z.users.append(name)
            z.tokens[key] = create_token(s, role=role, name=name, officer_id=officer)
    try:
        yield z
    finally:
        drop_wb_zone(engine, z)


@pytest.fixture(scope="package")
def wb_server(live_server: str, wb_zone: WBZone) -> str:
    """The live app (tests/browser_utils.py) once the workbench zone is committed."""
    return live_server


@pytest.fixture
def phone(browser: Any, wb_zone: WBZone) -> Iterator[tuple[Any, Any, list[str]]]:
    """A phone-sized context near officer A's first firm, limited to 127.0.0.1."""
    lon, lat = wb_zone.firm_points[wb_zone.firms_a[0]]
    ctx = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": lon + 0.0003, "latitude": lat, "accuracy": 12},
        permissions=["geolocation"],
        locale="en-US",
    )
    errors: list[str] = []

    def route(r: Any) -> None:
        host = urlparse(r.request.url).hostname
        if host == "127.0.0.1":
            r.continue_()
        else:  # blocked, never reached: map tiles of a page's basemap end here
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield ctx, page, errors
    finally:
        ctx.close()
