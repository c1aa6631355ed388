"""``parkgis serve``: the web app in N worker processes, with the embedded database watched."""

from __future__ import annotations

import logging
import os
import socket

import typer

from parkgis.commands.common import clean_errors, fail, load_settings

KEEP_ALIVE_S = 75
"""Idle keep-alive connections stay open this long: longer than clients and proxies keep
theirs (commonly 60 s), so the server never closes one while a request is on its way."""


WORKER_START_S = 120
"""How long a worker process may take to import the app and answer its first health check."""


def port_is_free(host: str, port: int) -> str | None:
    """None when ``host:port`` can be listened on, else the reason.

    Binds with ``SO_REUSEADDR``, as uvicorn does, so connections of a stopped server that
    linger in TIME_WAIT do not block a restart.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


@clean_errors
def serve_cmd(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="TCP port to listen on."),
    workers: int | None = typer.Option(
        None, min=1, max=64, help="Worker processes (default: the number of CPU cores)."
    ),
    access_log: bool = typer.Option(
        False, "--access-log/--no-access-log", help="Log every request (costs throughput)."
    ),
) -> None:
    """Serve the web app and APIs (runs `db up` first when the database is embedded).

    With the embedded database, PostgreSQL is watched and restarted if it dies, with
    backoff; requests meanwhile get 503 with Retry-After.
    """
    import uvicorn

    from parkgis.db import db_up
    from parkgis.db.watch import ClusterWatch

    settings = load_settings()
    busy = port_is_free(host, port)
    if busy:
        fail(f"cannot listen on {host}:{port} ({busy}); choose another --port")
    n = workers or os.cpu_count() or 1
    watch = None
    if settings.db.embedded:
        db_up(settings.db).dispose()
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        watch = ClusterWatch(settings.db).start()
    typer.echo(f"parkgis serving on http://{host}:{port} with {n} worker(s)  (Ctrl+C to stop)")
    try:
        uvicorn.run(
            "api.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=n,
            log_level="info",
            access_log=access_log,
            timeout_keep_alive=KEEP_ALIVE_S,
            # A spawned worker re-imports the command and then the app before it answers
            # the supervisor's first ping; on a busy machine that takes longer than
            # uvicorn's 5 s, and every worker was killed as "died", over and over.
            timeout_worker_healthcheck=WORKER_START_S,
            backlog=4096,
        )
    finally:
        if watch is not None:
            watch.stop()
