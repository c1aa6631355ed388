"""What handlers receive, as ``Annotated`` aliases (the full-stack-fastapi-template pattern).

- ``SettingsDep``: the app's :class:`parkgis.settings.Settings`.
- ``SessionDep``: a SQLAlchemy session for this request (closed afterwards; handlers that
  write call ``session.commit()`` once, after the library call).
- ``PrincipalDep``: the caller (anonymous without a token; 401 for a bad token). A signed-in
  browser's cookie counts for reads, and for writes that pass the CSRF check of
  :mod:`api.csrf` (same origin + the session's token; else 403).
- ``require(*roles)``: a dependency that answers 401/403 for other callers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.csrf import COOKIE_NAME as COOKIE_NAME  # re-exported: signin and pages use it
from api.csrf import SAFE_METHODS, check_cookie_write, submitted_token
from parkgis.access import Principal, require_role
from parkgis.auth import authenticate
from parkgis.errors import PreconditionFailed, Unauthorized
from parkgis.settings import Settings
from parkgis.writes.versions import parse_if_match

_bearer = HTTPBearer(auto_error=False, description="Token from `parkgis token create`")


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; rolled back unless the handler committed."""
    with request.app.state.sessionmaker() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    session: SessionDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    csrf: Annotated[str | None, Depends(submitted_token)],
    request: Request,
) -> Principal:
    """The caller behind ``Authorization: Bearer`` or the sign-in cookie; else anonymous.

    Raises
    ------
    Unauthorized
        A malformed header, or a token that is unknown or revoked (401).
    Forbidden
        A write with the cookie that fails the CSRF check (403, before anything runs).
    """
    header = request.headers.get("authorization")
    if header is not None and creds is None:
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    token = creds.credentials if creds else None
    if token is None:
        # Browsers signed in at /login. Writes must prove they come from our own pages.
        token = request.cookies.get(COOKIE_NAME) or None
        if token is not None and request.method not in SAFE_METHODS:
            check_cookie_write(request, token, csrf)
    principal = authenticate(session, token)
    if session.dirty:
        session.commit()  # last_used_at
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(*roles: str) -> Callable[[Principal], Principal]:
    """Dependency factory: the caller, if their role is one of ``roles`` (else 401/403)."""

    def dep(principal: PrincipalDep) -> Principal:
        require_role(principal, roles)
        return principal

    return dep


def if_match_version(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description='The ETag you read, e.g. "3" (optional here)'),
    ] = None,
) -> int | None:
    """The version in an optional ``If-Match`` (None when absent or ``*``).

    Raises
    ------
    PreconditionFailed
        A tag that is not one version number can never match (412).
    """
    expected = parse_if_match(if_match)
    if expected is None or expected.versions is None:
        return None
    if len(expected.versions) != 1:
        raise PreconditionFailed(
            f'If-Match must be one "<version>" as sent in the ETag, not {if_match!r}',
            field="If-Match",
        )
    return next(iter(expected.versions))


IfMatchVersion = Annotated[int | None, Depends(if_match_version)]
"""For endpoints where the precondition is optional (transitions, re-plans)."""
