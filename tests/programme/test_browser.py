"""Logging programme activities from ``/me`` on a phone (Debian Chromium at 390×844).

Officer A opens ``/me``: the month's checklist is there with its five items. A briefing for
two of A's firms is logged online, then a ledger review is logged offline: it waits in the
browser's queue and is sent once when the connection returns. Screenshots go to
``$PARKGIS_SCREENSHOTS`` (default ``<tmp>/parkgis-workbench-shots``), ``prg-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.programme.zone import made_zone
from tests.workbench.zone import PHONE, WBZone, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def zone(engine: Engine) -> Iterator[WBZone]:
    """A zone of this module's own: the API tests' writes do not reach its checklist."""
    with made_zone(engine) as z:
        yield z


def activities(engine: Engine, officer_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT a.id, a.kind, a.attendance, a.member_count, a.summary, a.client_key, "
                    "a.geom IS NOT NULL AS placed, array_agg(f.enterprise_id ORDER BY "
                    "f.enterprise_id) FILTER (WHERE f.enterprise_id IS NOT NULL) AS firms "
                    "FROM activities a LEFT JOIN activity_firms f ON f.activity_id = a.id "
                    "WHERE a.officer_id = :o GROUP BY a.id ORDER BY a.id"
                ),
                {"o": officer_id},
            )
        )


def test_phone_logs_a_briefing_online_and_a_ledger_review_offline(
    live_server: str, phone: tuple[Any, Any, list[str]], zone: WBZone, engine: Engine
) -> None:
    ctx, page, errors = phone
    z = zone
    before = {r.id for r in activities(engine, z.officer_a)}
    sign_in(page, live_server, z.tokens["a"])
    card = page.locator("#checklist")
    assert card.locator(".cl-item").count() == 5
    assert card.locator(".cl-item[data-item='briefing']").get_attribute("data-done") == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.wait_for_selector("#geo-status[data-ready='1']")
    shot(page, "prg-01-checklist")

    briefing = card.locator(".cl-item[data-item='briefing']")
    briefing.locator("details.activity summary").click()
    form = briefing.locator("form.activity-form")
    form.locator("input[name=attendance]").fill("26")
    form.locator(f"input[name=enterprise_ids][value='{z.firms_a[0]}']").check()
    form.locator(f"input[name=enterprise_ids][value='{z.firms_a[2]}']").check()
    form.locator("textarea[name=summary]").fill("Briefing on the hiring subsidy")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "prg-02-briefing-form")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/me?done=activity")
    assert "Activity logged." in page.locator("#message").inner_text()
    item = page.locator("#checklist .cl-item[data-item='briefing']")
    assert item.get_attribute("data-done") == "1" and "1 logged" in item.inner_text()
    new = [r for r in activities(engine, z.officer_a) if r.id not in before]
    assert len(new) == 1
    b = new[0]
    assert (b.kind, b.attendance, b.summary) == ("briefing", 26, "Briefing on the hiring subsidy")
    assert b.firms == sorted([z.firms_a[0], z.firms_a[2]]) and b.placed and b.client_key
    shot(page, "prg-03-briefing-logged")

    ctx.set_offline(True)
    ledger = page.locator("#checklist .cl-item[data-item='ledger']")
    ledger.locator("details.activity summary").click()
    ledger.locator("input[name=member_count]").fill("17")
    assert ledger.locator("textarea, input[name=summary]").count() == 0  # nowhere for names
    ledger.locator("button[type=submit]").click()
    page.wait_for_selector("#queue-status[data-count='1']:not([hidden])")
    assert "waiting to be sent" in page.locator("#queue-status").inner_text()
    assert len(activities(engine, z.officer_a)) == len(before) + 1
    shot(page, "prg-04-ledger-queued-offline")

    with page.expect_navigation(url="**/me?done=activity", timeout=30000):
        ctx.set_offline(False)  # the "online" event sends the queue
    now = [r for r in activities(engine, z.officer_a) if r.id not in before]
    assert [r.kind for r in now] == ["briefing", "ledger_review"]
    assert now[1].member_count == 17 and now[1].summary is None
    assert page.evaluate("localStorage.getItem('parkgis.visitQueue.v1')") == "[]"
    item = page.locator("#checklist .cl-item[data-item='ledger']")
    assert item.get_attribute("data-done") == "1" and "17 members" in item.inner_text()
    shot(page, "prg-05-ledger-sent")

    # The queued ledger review arriving again (a lost answer, a second tab) is not a new row.
    again = page.evaluate(
        """async (key) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const body = new URLSearchParams({kind: 'ledger_review', member_count: '17',
                                              client_key: key});
            const r = await fetch('/me/activities', {method: 'POST', body: body,
                headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf}});
            return [r.status, await r.json()];
        }""",
        now[1].client_key,
    )
    assert again[0] == 200 and again[1]["duplicate"] is True and again[1]["id"] == now[1].id
    assert len(activities(engine, z.officer_a)) == len(before) + 2
    # Without the CSRF token the same browser write is refused and changes nothing.
    refused = page.evaluate(
        """async () => {
            const body = new URLSearchParams({kind: 'volunteer', attendance: '3'});
            const r = await fetch('/me/activities', {method: 'POST', body: body,
                headers: {'Accept': 'application/json'}});
            return [r.status, await r.json()];
        }"""
    )
    assert refused[0] == 403 and refused[1]["field"] == "csrf_token"
    assert len(activities(engine, z.officer_a)) == len(before) + 2
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/me?lang=en")
    assert page.locator("#checklist-count").inner_text() == "2 of 5 done"
    shot(page, "prg-06-me-desktop")

    # The officer's own monthly report: their checklist row only, with the two items done.
    page.goto(f"{live_server}/api/v1/reports/visits?format=html&lang=en")
    rows = page.locator("table.checklist tbody tr")
    assert rows.count() == 1 and rows.get_attribute("data-officer-id") == str(z.officer_a)
    done = rows.locator("td[data-done='1']")
    assert [done.nth(i).get_attribute("data-item") for i in range(done.count())] == [
        "ledger",
        "briefing",
    ]
    page.locator("#checklist").scroll_into_view_if_needed()
    shot(page, "prg-07-report-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "prg-08-report-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "prg-08-report-phone")
    assert not errors, errors
