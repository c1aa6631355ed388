"""Keep the embedded PostgreSQL alive while ``parkgis serve`` runs.

A thread checks the postmaster once a second. When it has gone (killed, crashed, OOM), the
thread restarts it on the same port (so every worker's engine reconnects by itself) with
exponential backoff, logging each attempt and how long the outage lasted. Once an hour it
also trims the server's rotated logs and the WAL archive (``PARKGIS_WAL_RETENTION_DAYS``).
"""

from __future__ import annotations

import logging
import threading
import time

from parkgis.db import config as conf
from parkgis.db.cluster import EmbeddedCluster
from parkgis.settings import DatabaseSettings

log = logging.getLogger("parkgis.db.watch")


class ClusterWatch:
    """Restart the embedded cluster whenever its postmaster is gone.

    Parameters
    ----------
    settings : DatabaseSettings
        The embedded cluster to watch.
    interval_s : float
        Seconds between checks.
    first_backoff_s, max_backoff_s : float
        Wait after the first failed restart, doubled after each further failure up to the
        maximum.
    """

    def __init__(
        self,
        settings: DatabaseSettings,
        *,
        interval_s: float = 1.0,
        first_backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.cluster = EmbeddedCluster(settings)
        self.settings = settings
        self.interval_s = interval_s
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="parkgis-db-watch", daemon=True)

    def start(self) -> ClusterWatch:
        """Start watching in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (the cluster keeps running)."""
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        pruned = time.monotonic()
        told = False
        while not self._stop.wait(self.interval_s):
            if self.cluster.stopped_on_purpose:  # `parkgis db down`: the operator's call
                if not told:
                    log.warning(
                        "embedded PostgreSQL was stopped with `parkgis db down`; "
                        "not restarting it (run `parkgis db up`)"
                    )
                    told = True
                continue
            told = False
            if self.cluster.running_port() is not None:
                if time.monotonic() - pruned > 3600:
                    self.housekeeping()
                    pruned = time.monotonic()
                continue
            self.revive()

    def housekeeping(self) -> None:
        """Trim the server logs and the WAL archive to their settings (hourly)."""
        from parkgis.db.pitr import apply_retention

        try:
            conf.prune_logs(self.cluster.paths.log_dir, self.settings.pg_log_keep)
            gone = apply_retention(self.settings)
        except OSError as exc:
            log.error("housekeeping of %s failed: %s", self.cluster.paths.home, exc)
            return
        if gone:
            log.info("removed %d archived WAL files and base backups past retention", len(gone))

    def revive(self) -> bool:
        """Restart the cluster, retrying with backoff until it runs or we are stopped."""
        down_at = time.monotonic()
        log.warning("embedded PostgreSQL in %s is down; restarting it", self.cluster.paths.home)
        backoff = self.first_backoff_s
        attempt = 0
        while not self._stop.is_set():
            attempt += 1
            try:
                self.cluster.up()
            except Exception as exc:  # noqa: BLE001 - every failure is logged and retried
                log.error(
                    "restart attempt %d failed: %s; next try in %.1f s", attempt, exc, backoff
                )
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
                continue
            self.restarts += 1
            log.warning(
                "embedded PostgreSQL is back on port %s after %.1f s (%d attempt%s)",
                self.cluster.running_port(),
                time.monotonic() - down_at,
                attempt,
                "" if attempt == 1 else "s",
            )
            return True
        return False
