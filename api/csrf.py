"""CSRF protection for browser writes made with the sign-in cookie.

A browser signed in at ``/login`` holds its API token in an ``HttpOnly``, ``SameSite=Strict``
cookie. Reads (GET/HEAD) use that cookie as they always did. A write (POST, PUT, PATCH,
DELETE) made with the cookie, rather than with ``Authorization: Bearer``, must also:

1. come from this site: the ``Origin`` header (or, when a browser sends none, the
   ``Referer``) names this app's own scheme, host and port, and ``Sec-Fetch-Site`` (when
   sent) is not ``cross-site``; a request with neither ``Origin`` nor ``Referer`` is refused;
2. carry the session's CSRF token, as the form field ``csrf_token`` or the header
   ``X-CSRF-Token``.

The token is a synchronizer token bound to the session without server state: the HMAC-SHA256
of a fixed label keyed by the cookie's own token (256 random bits that page scripts and other
sites cannot read). Another session's CSRF token never matches, and the token reveals nothing
about the cookie. Failing either check is a 403 before the handler runs, so nothing changes.
Bearer-token API clients are untouched: a cross-site page cannot set that header.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request

from parkgis.errors import Forbidden

COOKIE_NAME = "parkgis_token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LABEL = b"parkgis-csrf-v1"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def token_for(cookie_token: str) -> str:
    """The CSRF token of the session whose cookie holds ``cookie_token`` (hex, 64 chars)."""
    return hmac.new(cookie_token.encode(), _LABEL, hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token a page puts into its forms (empty when the browser is not signed in).

    Templates render it as ``<input type="hidden" name="csrf_token" value="...">`` and as
    ``<meta name="csrf-token" content="...">`` for ``fetch()`` (header ``X-CSRF-Token``).
    """
    cookie = request.cookies.get(COOKIE_NAME)
    return token_for(cookie) if cookie else ""


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool:
    """Whether the request says it comes from this app's own origin (Origin, else Referer)."""
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return False
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == own  # "null" (sandboxed frames, file:) never matches
    referer = request.headers.get("referer")
    return referer is not None and _origin_of(referer) == own


async def submitted_token(request: Request) -> str | None:
    """The CSRF token a write sent: header ``X-CSRF-Token``, else form field ``csrf_token``.

    The form is read only for cookie writes of form content types; Starlette caches the
    parsed form, so handlers taking ``Form(...)`` fields read the same one.
    """
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if "authorization" in request.headers:
        return None
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def check_cookie_write(request: Request, cookie_token: str, submitted: str | None) -> None:
    """Refuse a cookie-authenticated write that is cross-site or lacks this session's token.

    Raises
    ------
    Forbidden
        Cross-site (``Origin``/``Referer``), no CSRF token, or another session's token (403).
    """
    if not same_origin(request):
        raise Forbidden(
            "cross-site request refused: a signed-in browser may only write from this site's "
            "own pages (Origin/Referer check)",
            field="Origin",
        )
    if not submitted:
        raise Forbidden(
            f"missing CSRF token: send the page's token as form field {CSRF_FIELD!r} or "
            f"header {CSRF_HEADER!r}, or use Authorization: Bearer",
            field=CSRF_FIELD,
        )
    if not hmac.compare_digest(submitted.encode(), token_for(cookie_token).encode()):
        raise Forbidden(
            "the CSRF token does not belong to this session; reload the page", field=CSRF_FIELD
        )
