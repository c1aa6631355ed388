"""From a firm's row on ``/me`` to the site finder, hold a unit, and see it under my holds.

The finder is prospect's ``/find`` (prefilled with ``?enterprise_id=N``); its hold button
posts with the sign-in cookie and the CSRF token, through ``POST /api/v1/reservations``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.workbench.zone import WBZone, shot, sign_in

pytestmark = pytest.mark.browser


def test_hold_a_unit_from_the_finder(
    wb_server: str, phone: tuple[Any, Any, list[str]], wb_zone: WBZone, engine: Engine
) -> None:
    _, page, errors = phone
    z = wb_zone
    sign_in(page, wb_server, z.tokens["a"])
    firm = page.locator(f"#firms .firm[data-firm-id='{z.firms_a[0]}']")
    firm.locator("a.find-link").click()
    page.wait_for_url(f"**/find?enterprise_id={z.firms_a[0]}*")
    shot(page, "10-finder")
    button = page.locator("button.hold").first
    kind, uid = button.get_attribute("data-kind"), int(button.get_attribute("data-id") or 0)
    button.click()
    out = page.locator("span.hold-out").first
    out.wait_for(state="visible")
    page.wait_for_function("(el) => el.textContent.length > 0", arg=out.element_handle())
    shot(page, "11-finder-held")
    with engine.connect() as conn:
        held = conn.execute(
            text(
                f"SELECT r.id, r.expires_at FROM reservations r JOIN users u ON u.id = r.user_id "
                f"WHERE u.name = :u AND r.{kind}_id = :i AND r.released_at IS NULL"
            ),
            {"u": f"wb-a-{z.tag}", "i": uid},
        ).one()
    assert held.expires_at.date().isoformat() in out.inner_text()
    page.goto(f"{wb_server}/me?lang=en")
    card = page.locator(f"#holds .hold[data-hold-id='{held.id}']")
    assert "held until" in card.inner_text()
    shot(page, "12-me-holds")
    card.locator(f"form[action='/me/holds/{held.id}/release'] button").click()
    page.wait_for_url("**/me?done=released*")
    assert page.locator(f"#holds .hold[data-hold-id='{held.id}']").count() == 0
    assert not errors, errors
