"""One table maps parkgis domain errors to HTTP status codes (the tipg pattern)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from api.responses import JSONResponse
from parkgis import errors as e
from parkgis.writes.integrity import translate, translate_internal

STATUS_CODES: dict[type[e.ParkGISError], int] = {
    e.InvalidGeometry: 422,
    e.InvalidQuery: 400,
    e.InvalidInput: 422,
    e.BadRequest: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.PreconditionFailed: 412,
    e.PreconditionRequired: 428,
    e.PayloadTooLarge: 413,
    e.DatabaseUnavailable: 503,
    e.ConfigError: 500,
}


def status_for(exc: e.ParkGISError) -> int:
    """The HTTP status of a domain error (its nearest class in :data:`STATUS_CODES`)."""
    for cls in type(exc).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return 500


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    """The JSON shape of every error: ``{"code", "description", "field"?, ...}``."""
    body: dict[str, Any] = {"code": code, "description": message}
    if field:
        body["field"] = field
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


RETRY_AFTER_S = 5
"""What a 503 asks clients to wait: the embedded database restarts within seconds."""

BODY_PARSE_ERROR = "There was an error parsing the body"
"""FastAPI's detail for a body it could not decode (bad JSON, or nested past the limit)."""


def unavailable_response(reason: str) -> JSONResponse:
    """The 503 for any database outage: JSON, with ``Retry-After``."""
    return JSONResponse(
        error_body(
            "DatabaseUnavailable",
            f"the database is unavailable ({reason}); retry in a few seconds",
        ),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _domain_response(exc: e.ParkGISError) -> JSONResponse:
    status = status_for(exc)
    headers: dict[str, str] = {}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_S)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    current = exc.detail.get("current_version")
    if status == 412 and isinstance(current, int):
        headers["ETag"] = f'"{current}"'
    body = error_body(type(exc).__name__, exc.message, exc.field, **exc.detail)
    return JSONResponse(body, status_code=status, headers=headers or None)


def _browser_navigation(request: Request) -> bool:
    """A person opening a page (not an API client): send them to sign in instead of a 401."""
    return (
        request.method == "GET"
        and "authorization" not in request.headers
        and "text/html" in request.headers.get("accept", "")
        and not request.url.path.startswith(("/api/", "/ogc"))
    )


def add_exception_handlers(app: FastAPI) -> None:
    """Install handlers so bad input is always a 4xx with a message naming the field."""

    @app.exception_handler(e.ParkGISError)
    async def _domain(request: Request, exc: e.ParkGISError) -> Response:
        if isinstance(exc, e.Unauthorized) and _browser_navigation(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return _domain_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first: dict[str, Any] = dict(errs[0]) if errs else {"loc": (), "msg": "invalid"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        fieldname = ".".join(loc) or None
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        if first.get("type") == "json_invalid":
            msg = f"malformed JSON: {first.get('ctx', {}).get('error', msg)}"
            fieldname = "body"
        return JSONResponse(
            error_body(
                "InvalidInput",
                f"{fieldname}: {msg}" if fieldname else msg,
                fieldname,
                errors=[
                    {"field": ".".join(str(p) for p in x.get("loc", ())), "reason": x.get("msg")}
                    for x in errs[:20]
                ],
            ),
            status_code=422,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Unique → 409 naming the value; missing reference → 422 naming the field.
        return _domain_response(translate(exc))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        return _domain_response(translate(exc))

    @app.exception_handler(InternalError)
    async def _internal(request: Request, exc: InternalError) -> JSONResponse:
        # PostGIS reports coordinates outside a projection's domain as an internal error.
        err = translate_internal(exc)
        if err is None:
            raise exc
        return _domain_response(err)

    async def _outage(request: Request, exc: Exception) -> JSONResponse:
        # A dead, restarting or unreachable database: a 503 the client may retry, never a 500.
        return unavailable_response(_first_line(exc))

    for cls in (
        OperationalError,
        InterfaceError,
        PoolTimeout,
        psycopg.OperationalError,
        psycopg.InterfaceError,
    ):
        app.add_exception_handler(cls, _outage)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_PARSE_ERROR:
            return JSONResponse(
                error_body(
                    "InvalidInput",
                    "body: not valid JSON (malformed, or nested too deeply)",
                    "body",
                ),
                status_code=400,
            )
        return JSONResponse(
            error_body("HTTPError", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
