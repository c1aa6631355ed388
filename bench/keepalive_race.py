"""The keep-alive race behind the probe's connection resets, in isolation.

    .venv/bin/python bench/keepalive_race.py

A trivial ASGI app under uvicorn; 10 httpx clients (keep-alive) each send 40 requests,
sleeping about as long as the server keeps an idle connection between them. When the
server's keep-alive timeout is no longer than the clients' idle expiry, a client sometimes
sends its next request on a connection the server is closing at that moment: a transport
error (reset or early close) that the server never logs. When the server keeps idle
connections longer than the clients do (``parkgis serve``: 75 s), the clients drop them
first and nothing fails. Prints the errors for both settings. Not part of the test run.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx
import uvicorn
from _common import free_port


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


def errors(server_keepalive_s: int, client_expiry_s: float, pause_s: float, n: int = 40) -> int:
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        timeout_keep_alive=server_keepalive_s,
        log_level="error",
        lifespan="off",
    )
    threading.Thread(target=uvicorn.Server(config).run, daemon=True).start()
    time.sleep(1.5)
    failed = 0
    lock = threading.Lock()

    def client(k: int) -> None:
        nonlocal failed
        rng = random.Random(k)
        limits = httpx.Limits(keepalive_expiry=client_expiry_s)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", limits=limits) as c:
            for _ in range(n):
                try:
                    c.get("/")
                except httpx.TransportError:
                    with lock:
                        failed += 1
                time.sleep(pause_s + rng.uniform(-0.02, 0.02))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failed


def main() -> None:
    racy = errors(server_keepalive_s=1, client_expiry_s=5.0, pause_s=1.0)
    print(f"server keeps idle connections 1 s, clients 5 s: {racy} of 400 requests failed")
    safe = errors(server_keepalive_s=3, client_expiry_s=1.0, pause_s=1.0)
    print(f"server keeps idle connections 3 s, clients 1 s: {safe} of 400 requests failed")


if __name__ == "__main__":
    main()
