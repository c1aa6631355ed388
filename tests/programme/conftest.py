"""Fixtures of the programme tests: the hand-made fixture month, and the committed zone of
the API tests (the workbench's zone: officer A with four firms, officer B with two)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import Connection, Engine

from tests.programme.fixture import FixtureMonth, build
from tests.programme.zone import made_zone
from tests.workbench.zone import PHONE, SHOTS, WBZone


@pytest.fixture
def month_rows(conn: Connection) -> FixtureMonth:
    """October 2026 as the module ``tests.programme.fixture`` describes it (rolled back)."""
    return build(conn)


@pytest.fixture(scope="package")
def zone(engine: Engine) -> Iterator[WBZone]:
    """:func:`made_zone`, shared by the package's API tests (their writes add up)."""
    with made_zone(engine) as z:
        yield z


@pytest.fixture
def phone(browser: Any, zone: WBZone) -> Iterator[tuple[Any, Any, list[str]]]:
    """A phone-sized Chromium context near officer A's first firm, limited to 127.0.0.1."""
    lon, lat = zone.firm_points[zone.firms_a[0]]
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
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
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
