"""The workbench on a phone: Debian Chromium at 390×844 with geolocation granted, as an officer.

Sign in, see the unvisited firms, log a visit with a check-in, go offline, log another
(queued in the browser), come back online: it is sent exactly once (one row). Then log and
resolve a request and advance a project. Screenshots of each step go to
``$PARKGIS_SCREENSHOTS`` (default: ``<tmp>/parkgis-workbench-shots``).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.workbench.zone import PHONE, WBZone, shot, sign_in

pytestmark = pytest.mark.browser


def rows(engine: Engine, firm: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT id, client_key, geom IS NOT NULL AS checked_in FROM visits "
                    "WHERE enterprise_id = :f ORDER BY id"
                ),
                {"f": firm},
            )
        )


def test_phone_visits_online_then_offline_are_stored_once(
    wb_server: str, phone: tuple[Any, Any, list[str]], wb_zone: WBZone, engine: Engine
) -> None:
    ctx, page, errors = phone
    z = wb_zone
    sign_in(page, wb_server, z.tokens["a"])
    assert page.viewport_size == PHONE
    firms = page.locator("#firms .firm")
    assert firms.count() == 4
    assert firms.nth(0).get_attribute("class").split()[-1] == "unvisited"
    assert page.locator("#firms .firm.unvisited").count() == 3
    assert firms.nth(3).get_attribute("data-firm-id") == str(z.firms_a[3])  # visited: last
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.wait_for_selector("#geo-status[data-ready='1']")
    shot(page, "01-me-unvisited")

    first = page.locator(f"#firms .firm[data-firm-id='{z.firms_a[0]}']")
    first.locator("details.visit summary").click()
    first.locator("textarea[name=summary]").fill("Checked the new line")
    shot(page, "02-visit-form")
    first.locator("form.visit-form button[type=submit]").click()
    page.wait_for_url("**/me?done=visit*")
    message = page.locator("#message").inner_text()
    assert "Visit logged." in message and "checked in" in message and " m from the firm" in message
    got = rows(engine, z.firms_a[0])
    assert len(got) == 1 and got[0].checked_in and got[0].client_key
    shot(page, "03-visit-logged")

    ctx.set_offline(True)
    second = page.locator(f"#firms .firm[data-firm-id='{z.firms_a[1]}']")
    second.locator("details.visit summary").click()
    second.locator("textarea[name=summary]").fill("No signal in the workshop")
    second.locator("form.visit-form button[type=submit]").click()
    page.wait_for_selector("#queue-status[data-count='1']:not([hidden])")
    assert "waiting to be sent" in page.locator("#queue-status").inner_text()
    assert rows(engine, z.firms_a[1]) == []
    shot(page, "04-offline-queued")

    with page.expect_navigation(url="**/me?done=visit*", timeout=30000):
        ctx.set_offline(False)  # the "online" event sends the queue, then shows the page
    sent = rows(engine, z.firms_a[1])
    assert len(sent) == 1 and sent[0].checked_in
    assert page.evaluate("localStorage.getItem('parkgis.visitQueue.v1')") == "[]"
    shot(page, "05-back-online-sent")

    # The same queued visit arriving again (a lost answer, a second tab) is not a new row.
    again = page.evaluate(
        """async (key) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const body = new URLSearchParams({enterprise_id: arguments[0], client_key: key});
            const r = await fetch('/me/visits', {method: 'POST', body: body,
                headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf}});
            return [r.status, await r.json()];
        }""".replace("arguments[0]", str(z.firms_a[1])),
        sent[0].client_key,
    )
    assert again[0] == 200 and again[1]["duplicate"] is True and again[1]["id"] == sent[0].id
    assert len(rows(engine, z.firms_a[1])) == 1
    assert not errors, errors


def test_phone_request_and_project(
    wb_server: str, phone: tuple[Any, Any, list[str]], wb_zone: WBZone, engine: Engine
) -> None:
    _, page, errors = phone
    z = wb_zone
    sign_in(page, wb_server, z.tokens["a"])
    firm = page.locator(f"#firms .firm[data-firm-id='{z.firms_a[2]}']")
    firm.locator("details.request summary").click()
    title = f"Needs 40 welders {z.tag}"
    firm.locator("select[name=category]").select_option("labour")
    firm.locator("input[name=title]").fill(title)
    shot(page, "06-request-form")
    firm.locator("form.request-form button[type=submit]").click()
    page.wait_for_url("**/me?done=request*")
    card = page.locator("#requests .request", has_text=title)
    assert "Deadline" in card.inner_text()
    card.locator("select[name=to]").select_option("in_progress")
    card.locator("input[name=department]").fill("Labour bureau")
    card.locator("form.move-form button[type=submit]").click()
    page.wait_for_url("**/me?done=moved*")
    card = page.locator("#requests .request", has_text=title)
    card.locator("select[name=to]").select_option("resolved")
    card.locator("form.move-form button[type=submit]").click()
    page.wait_for_url("**/me?done=moved*")
    assert page.locator("#requests .request", has_text=title).get_attribute("data-status") == (
        "resolved"
    )
    shot(page, "07-request-resolved")
    with engine.connect() as conn:
        status = conn.scalar(
            text("SELECT status FROM service_requests WHERE title = :t"), {"t": title}
        )
    assert status == "resolved"

    page.locator(f"#projects .project[data-project-id='{z.project_a2}'] a").click()
    page.wait_for_url(f"**/projects/{z.project_a2}/timeline*")
    shot(page, "08-project-timeline")
    stage = page.locator("#advance-form select[name=to]").input_value()
    page.click("#advance-form button[type=submit]")
    page.wait_for_url("**/timeline?done=project*")
    shot(page, "09-project-advanced")
    with engine.connect() as conn:
        now = conn.scalar(text("SELECT stage FROM projects WHERE id = :i"), {"i": z.project_a2})
    assert now == stage
    assert not errors, errors
