"""Rendering for the workbench pages: language, CSRF token, notices and redirects.

Form posts follow post/redirect/get: success is a 303 back to the page with ``?done=<key>``
(a key into the page's own words, never text from the query string); a refused write
re-renders the page with a notice that says in plain words what happened (409: not now,
and what is possible; 412: someone changed it meanwhile), with the library's own message
below it, and the HTTP status of the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse

from api.csrf import csrf_token
from api.errors import status_for
from api.pages import page_response
from parkgis.errors import InvalidInput, ParkGISError
from parkgis.maps.i18n import Lang
from parkgis.pages import Frame
from parkgis.workbench.labels import labels

STATIC = Path(__file__).resolve().parent / "static" / "workbench"


@dataclass(frozen=True)
class Notice:
    """A refused write, for the page: a plain headline, the reason, what is possible."""

    level: str
    status: int
    headline: str
    detail: str
    field: str | None
    allowed: list[str]
    reload: bool


def notice_for(exc: ParkGISError, lang: Lang) -> Notice:
    """A refused write as words for people: headline by status, then the reason."""
    status = status_for(exc)
    words = labels(lang)
    allowed = exc.detail.get("allowed")
    return Notice(
        level="warning" if status in (409, 412) else "danger",
        status=status,
        headline=words.get(f"err.{status}", words["err.422"]),
        detail=exc.message,
        field=exc.field,
        allowed=[str(a) for a in allowed] if isinstance(allowed, list) else [],
        reload=status == 412,
    )


def render(
    frame: Frame,
    request: Request,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A workbench page in the shared frame, with its words (``L``) and the CSRF token."""
    return page_response(
        frame,
        template,
        title=title,
        status_code=status_code,
        L=labels(frame.lang),
        lang=frame.lang,
        csrf_token=csrf_token(request),
        **context,
    )


def done(path: str, key: str, **params: int | str) -> RedirectResponse:
    """The 303 after a successful form post (``?done=key`` plus whole-number details)."""
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return RedirectResponse(f"{path}?done={key}{extra}", status_code=303)


def wants_json(request: Request) -> bool:
    """A script (the offline queue) asked for JSON rather than a page."""
    return "application/json" in request.headers.get("accept", "")


def form_int(value: str | None, field: str, *, required: bool = True) -> int | None:
    """A whole number from a form field (None when empty and not required).

    Raises
    ------
    InvalidInput
        Missing, or not a whole number from 1 to 2^31-1.
    """
    if value is None or value.strip() == "":
        if required:
            raise InvalidInput(f"{field} is required", field=field)
        return None
    try:
        n = int(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number", field=field) from None
    if not 1 <= n <= 2**31 - 1:
        raise InvalidInput(f"{field} must be from 1 to 2147483647", field=field)
    return n


def form_float(value: str | None, field: str, lo: float, hi: float) -> float | None:
    """A number from a form field within ``[lo, hi]`` (None when empty)."""
    if value is None or value.strip() == "":
        return None
    try:
        x = float(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a number", field=field) from None
    if not lo <= x <= hi:
        raise InvalidInput(f"{field} must be between {lo} and {hi}", field=field)
    return x


def form_count(value: str | None, field: str) -> int | None:
    """A count (0 or more) from a form field, None when empty.

    Raises
    ------
    InvalidInput
        Not a whole number from 0 to 2^31-1.
    """
    if value is None or value.strip() == "":
        return None
    try:
        n = int(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number", field=field) from None
    if not 0 <= n <= 2**31 - 1:
        raise InvalidInput(f"{field} must be 0 or more", field=field)
    return n


def form_ids(values: list[str] | None, field: str) -> list[int]:
    """Ids from a multi-valued form field; each value may also be a comma list (the queue's)."""
    parts = [p for v in values or [] for p in v.split(",") if p.strip()]
    return [n for p in parts if (n := form_int(p, field)) is not None]
