"""Headless Chromium for page tests: a live app server, the browser, and a watched page.

Registered for every test module by ``pytest_plugins`` in ``tests/conftest.py``:

- ``live_server`` (session): the app (``create_app(settings)`` on the test database) served
  by uvicorn on a free 127.0.0.1 port; the value is its base URL, e.g.
  ``http://127.0.0.1:45123``.
- ``browser`` (session): Debian's Chromium (``/usr/bin/chromium``) driven by Playwright's
  Python package; never ``playwright install``.
- ``watched`` (function): a :class:`Watched` browser where every request that is not for
  127.0.0.1 (or a ``file:``/``data:`` URL) is aborted and recorded; dialogs (``alert``),
  console errors and page errors are recorded too. ``watched.new_page(token=...)`` opens
  a page sending ``Authorization: Bearer``; set ``watched.allow_loopback = False`` to
  block 127.0.0.1 as well (for downloaded files opened from ``file://``). Responses with
  status >= 400 are recorded in ``bad_responses``.

Helpers: :func:`leaflet_maps_ready` waits for a Folium map; :func:`open_every_popup` opens
every popup and tooltip bound on every layer of every Leaflet map of the page.
Mark browser tests with ``@pytest.mark.browser``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import pytest
import uvicorn

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = ("127.0.0.1",)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(settings: Any, engine: Any) -> Iterator[str]:
    """The app on the test database, served on a free loopback port; yields its base URL."""
    from api.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live app server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (session-wide)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watched:
    """A browser context that only reaches 127.0.0.1 and records what a page did."""

    browser: Any
    allow_loopback: bool = True
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about", "file") or (
            self.allow_loopback and parsed.hostname in LOCAL_HOSTS
        ):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def new_page(self, token: str | None = None) -> Any:
        """A page in a new context (with ``Authorization: Bearer token`` if given)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        ctx = self.browser.new_context(extra_http_headers=headers)
        self.contexts.append(ctx)
        ctx.route("**/*", self._route)
        page = ctx.new_page()

        def on_dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on(
            "response",
            lambda r: self.bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        return page

    def offsite(self) -> list[str]:
        """Requested URLs that were not for 127.0.0.1, ``file:`` or ``data:``."""
        return [
            u
            for u in self.requests
            if urlparse(u).scheme not in ("file", "data", "blob", "about")
            and urlparse(u).hostname not in LOCAL_HOSTS
        ]

    def close(self) -> None:
        """Close every context opened by :meth:`new_page`."""
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A :class:`Watched` browser context (network limited to 127.0.0.1)."""
    w = Watched(browser)
    try:
        yield w
    finally:
        w.close()


def leaflet_maps_ready(page: Any, timeout_ms: int = 15000) -> int:
    """Wait until the page has a Leaflet map; return how many ``L.Map`` objects it has."""
    page.wait_for_function(
        "() => window.L && Object.values(window).some(v => v instanceof L.Map)",
        timeout=timeout_ms,
    )
    return int(page.evaluate("() => Object.values(window).filter(v => v instanceof L.Map).length"))


OPEN_ALL_JS = """
() => {
  const maps = Object.values(window).filter(v => v instanceof L.Map);
  const texts = [];
  let popups = 0, tooltips = 0;
  for (const map of maps) {
    const layers = [];
    map.eachLayer(l => layers.push(l));
    for (const l of layers) {
      if (l.getTooltip && l.getTooltip()) {
        l.openTooltip();
        tooltips++;
        const el = l.getTooltip().getElement();
        if (el) texts.push(el.textContent);
      }
      if (l.getPopup && l.getPopup()) {
        l.openPopup();
        popups++;
        const el = l.getPopup().getElement();
        if (el) texts.push(el.textContent);
      }
    }
  }
  return {popups, tooltips, texts};
}
"""


def open_every_popup(page: Any) -> dict[str, Any]:
    """Open every tooltip and popup of every layer; return counts and their texts."""
    result: dict[str, Any] = page.evaluate(OPEN_ALL_JS)
    return result
