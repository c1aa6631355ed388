"""The system's PostgreSQL as the embedded cluster sees it: binaries, extensions, processes,
ports and log files. No state; :mod:`parkgis.db.cluster` builds on these."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from parkgis.errors import ConfigError
from parkgis.settings import DatabaseSettings

_PG_MAJOR_PREFERRED = "15"


def find_bindir(settings: DatabaseSettings) -> Path:
    """Directory of the system PostgreSQL's ``initdb`` and ``pg_ctl``.

    Raises
    ------
    ConfigError
        When no PostgreSQL server binaries are installed, naming the package.
    """
    if settings.pg_bindir is not None:
        if not (settings.pg_bindir / "initdb").exists():
            raise ConfigError(
                f"PARKGIS_PG_BINDIR={settings.pg_bindir} has no initdb; point it at a "
                "PostgreSQL bin directory such as /usr/lib/postgresql/15/bin, or "
                "apt-get install postgresql-15 postgresql-15-postgis-3"
            )
        return settings.pg_bindir
    root = Path("/usr/lib/postgresql")
    found = sorted(
        (p.parent for p in root.glob("*/bin/initdb")),
        key=lambda p: (p.parent.name != _PG_MAJOR_PREFERRED, -_major(p.parent.name)),
    )
    if not found:
        on_path = shutil.which("initdb")
        if on_path:
            return Path(on_path).parent
        raise ConfigError(
            "PostgreSQL server is not installed (no initdb found): "
            "apt-get install postgresql-15 postgresql-15-postgis-3"
        )
    return found[0]


def _major(name: str) -> int:
    try:
        return int(name)
    except ValueError:
        return 0


def extension_dir(bindir: Path) -> Path:
    """Where the server looks for extensions (Debian layout first, then ``bindir/../share``)."""
    debian = Path(f"/usr/share/postgresql/{bindir.parent.name}/extension")
    return debian if debian.is_dir() else bindir.parent / "share" / "extension"


def check_postgis_installed(bindir: Path) -> None:
    """Raise a :class:`ConfigError` naming the package when PostGIS is missing."""
    if not (extension_dir(bindir) / "postgis.control").exists():
        major = bindir.parent.name if bindir.parent.name.isdigit() else "15"
        raise ConfigError(
            f"PostGIS is not installed for the PostgreSQL in {bindir}: "
            f"apt-get install postgresql-{major}-postgis-3"
        )


def is_postmaster(pid: int, pgdata: Path) -> bool:
    """True when ``pid`` is a live postgres process serving ``pgdata``."""
    if pid <= 0:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if not cmdline or not cmdline[0]:
        return False
    exe = os.path.basename(cmdline[0].decode(errors="replace"))
    if exe not in ("postgres", "postmaster"):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":  # zombie: killed, not reaped
            return False
    except OSError:
        return False
    args = [a.decode(errors="replace") for a in cmdline]
    return any(os.path.realpath(a) == os.path.realpath(pgdata) for a in args) or "-D" not in args


def blocked_parent(path: Path) -> Path | None:
    """The first existing directory on ``path`` that others may not traverse, if any."""
    for parent in [path, *path.parents]:
        try:
            mode = parent.stat().st_mode
        except FileNotFoundError:
            continue
        if not mode & 0o001:
            return parent
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    """True when a server could listen on ``127.0.0.1:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # Connections of a server that just died linger in TIME_WAIT; the server itself
        # binds with SO_REUSEADDR, so they do not make the port busy for it (or for us).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def tail(path: Path) -> str:
    """The last non-empty line of a log file ("" when there is none)."""
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""
