"""Throw-away directories."""

from __future__ import annotations

import tempfile
from pathlib import Path


def short_home(prefix: str = "pgh-") -> Path:
    """A world-traversable temp dir with a short path under /tmp (unix sockets, cluster user)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path
