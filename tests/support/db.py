"""Where the test database is, for fixtures and for command-line subprocesses alike."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from parkgis.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]


def default_home() -> Path:
    """A short, world-traversable home in /tmp for this checkout's test cluster.

    The cluster runs as a dedicated user when we are root, and a checkout may sit under a
    private directory (such as /root) that user cannot enter; /tmp is always reachable.
    """
    digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"parkgis-test-{digest}"


def db_settings_for_tests() -> DatabaseSettings:
    """The test database: ``PARKGIS_TEST_DATABASE_URL``, else the embedded cluster under
    ``PARKGIS_HOME`` (default :func:`default_home`), database ``parkgis_test``."""
    url = os.environ.get("PARKGIS_TEST_DATABASE_URL")
    home = Path(os.environ.get("PARKGIS_HOME") or default_home())
    return DatabaseSettings(database_url=url, home=home, db_name="parkgis_test")


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a ``parkgis`` subprocess that must reach the test database."""
    db = db_settings_for_tests()
    env = dict(os.environ, PARKGIS_HOME=str(db.home), PARKGIS_DB_NAME=db.db_name)
    if db.database_url:
        env["PARKGIS_DATABASE_URL"] = db.database_url
    env.update(extra)
    return env
