"""Domain errors. ``api/errors.py`` maps each class to one HTTP status code."""

from __future__ import annotations

from typing import Any


class ParkGISError(Exception):
    """Base class of every error parkgis raises on purpose.

    Parameters
    ----------
    message : str
        One line saying what is wrong and, where possible, what to do.
    field : str, optional
        The input field at fault.
    detail : dict, optional
        Extra machine-readable context (who holds a unit, allowed transitions, ...).
    """

    def __init__(self, message: str, *, field: str | None = None, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ConfigError(ParkGISError):
    """The installation or configuration is wrong (missing package, bad URL, ...)."""


class DatabaseUnavailable(ParkGISError):
    """The database cannot be reached or started."""


class InvalidInput(ParkGISError):
    """The caller sent something that can never be accepted (400/422)."""


class InvalidQuery(InvalidInput):
    """A query-string parameter is unknown or malformed (400, as OGC API Features asks)."""


class BadRequest(InvalidInput):
    """A well-formed request that asks for nothing usable (400), e.g. a match with no criterion."""


class InvalidGeometry(InvalidInput):
    """A geometry is malformed, invalid, or in the wrong CRS."""


class NotFound(ParkGISError):
    """The addressed row does not exist."""


class Conflict(ParkGISError):
    """The request clashes with the current state (held unit, illegal transition)."""


class PreconditionFailed(ParkGISError):
    """An ``If-Match`` version no longer matches (lost-update guard)."""


class PreconditionRequired(ParkGISError):
    """A change that could overwrite someone else's came without ``If-Match``/``version``."""


class Unauthorized(ParkGISError):
    """No credentials, or credentials that are not valid."""


class Forbidden(ParkGISError):
    """Valid credentials without the right to do this."""


class PayloadTooLarge(ParkGISError):
    """The body is larger than the service accepts."""
