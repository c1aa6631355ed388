"""One table maps parkgis domain errors to HTTP status codes (the tipg pattern)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import JSONResponse
from parkgis import errors as e

STATUS_CODES: dict[type[e.ParkGISError], int] = {
    e.InvalidGeometry: 422,
    e.InvalidQuery: 400,
    e.InvalidInput: 422,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.PreconditionFailed: 412,
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


def _integrity_message(exc: IntegrityError | DataError) -> tuple[str, str | None]:
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    column = getattr(diag, "column_name", None)
    primary = getattr(diag, "message_primary", None) or str(exc.orig).splitlines()[0]
    detail = getattr(diag, "message_detail", None)
    msg = primary + (f" ({detail})" if detail else "")
    if constraint:
        msg = f"refused by database rule {constraint}: {msg}"
    return msg, column


def add_exception_handlers(app: FastAPI) -> None:
    """Install handlers so bad input is always a 4xx with a message naming the field."""

    @app.exception_handler(e.ParkGISError)
    async def _domain(request: Request, exc: e.ParkGISError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        body = error_body(type(exc).__name__, exc.message, exc.field, **exc.detail)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first: dict[str, Any] = dict(errs[0]) if errs else {"loc": (), "msg": "invalid"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        fieldname = ".".join(loc) or None
        msg = str(first.get("msg", "invalid"))
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
        msg, column = _integrity_message(exc)
        return JSONResponse(error_body("Conflict", msg, column), status_code=409)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        msg, column = _integrity_message(exc)
        return JSONResponse(error_body("InvalidInput", msg, column), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body("HTTPError", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
