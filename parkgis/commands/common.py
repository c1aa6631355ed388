"""What every command shares: settings from the environment and one-line errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from parkgis.access import Principal
from parkgis.errors import ParkGISError
from parkgis.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

CLI = Principal(name="parkgis-cli", role="admin")
"""Who the command line acts as: whoever can run it can read the database anyway."""


def fail(message: str) -> None:
    """Print one line to stderr and exit 1."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def clean_errors(fn: F) -> F:
    """Turn domain and settings errors into one line on stderr instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ParkGISError as exc:
            fail(str(exc))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            fail(f"setting PARKGIS_{loc.upper()}: {first['msg']}")
        except KeyboardInterrupt:
            fail("interrupted")

    return wrapper  # type: ignore[return-value]


def load_settings() -> Settings:
    """Settings from the environment (errors become one line under :func:`clean_errors`)."""
    return Settings()
