"""ASGI middleware: security headers on every response, 404 for control bytes in a path, and
413 for oversized bodies before they are read whole."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body


class BodySizeLimit:
    """Answer 413 when ``Content-Length`` or the streamed body exceeds the path's limit.

    ``max_bytes`` (``PARKGIS_MAX_BODY_BYTES``) holds everywhere except the paths named in
    ``paths``, which carry their own limit and setting (file uploads:
    ``/api/v1/imports`` → ``PARKGIS_IMPORT_MAX_BYTES``).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        paths: dict[str, tuple[int, str]] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths or {}

    def _limit(self, scope: Scope) -> tuple[int, str]:
        return self.paths.get(scope.get("path", ""), (self.max_bytes, "PARKGIS_MAX_BODY_BYTES"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 once the body passes the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes, setting = self._limit(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send, max_bytes, setting)
                    return
        seen = 0
        started = False  # the app began its own response
        refused = False  # the body passed the limit
        answered = False  # our 413 is out

        async def limited_receive() -> Message:
            nonlocal seen, refused, answered
            if refused:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > max_bytes:
                    refused = True
                    if not started:
                        answered = True
                        await self._refuse(send, max_bytes, setting)
                    raise _TooLarge
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if answered:
                return  # the app's own answer to the cut-off body (FastAPI: a 400) is dropped
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        # FastAPI turns any error while reading the body into its own 400, so the 413 is
        # sent from ``limited_receive`` itself, the moment the limit is passed.
        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refused:
                raise
            if not answered and not started:
                await self._refuse(send, max_bytes, setting)

    async def _refuse(self, send: Send, max_bytes: int, setting: str) -> None:
        import orjson

        body = orjson.dumps(
            error_body(
                "PayloadTooLarge",
                f"request body is larger than {max_bytes} bytes ({setting}); split the upload",
                "body",
            )
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


REFERRER_POLICY = b"strict-origin-when-cross-origin"
FALLBACK_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
"""The CSP of an HTML page that sets none of its own (Swagger UI, OGC HTML, ...)."""


def _has_control_byte(path: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path)


class SecurityHeaders:
    """Harden every HTTP response.

    - ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` on every response;
    - every HTML response carries a CSP with ``frame-ancestors``: a page's own CSP gets
      ``frame-ancestors 'self'`` appended when it has none, a page without a CSP gets
      :data:`FALLBACK_CSP`;
    - a path holding a NUL or another control byte (``%00``, ``%0a``, ...) is a 404 before
      any route sees it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 404 for control bytes in the path, else pass on and add the headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _has_control_byte(scope.get("path", "")):
            await _not_found(send)
            return

        started = False

        async def send_hardened(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                msg["headers"] = harden_headers(list(msg.get("headers", [])))
            await send(msg)

        try:
            await self.app(scope, receive, send_hardened)
        except Exception:
            # Starlette's own 500 page is written outside every user middleware, so it would
            # go out bare. Answer here, hardened, then re-raise so the server logs the error.
            if not started:
                await _server_error(send)
            raise


def harden_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with nosniff, Referrer-Policy and (for HTML) a framing-safe CSP."""
    names = {k.lower() for k, _ in headers}
    out = list(headers)
    if b"x-content-type-options" not in names:
        out.append((b"x-content-type-options", b"nosniff"))
    if b"referrer-policy" not in names:
        out.append((b"referrer-policy", REFERRER_POLICY))
    ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if b"text/html" in ctype.lower():
        csp = [i for i, (k, _) in enumerate(out) if k.lower() == b"content-security-policy"]
        if not csp:
            out.append((b"content-security-policy", FALLBACK_CSP.encode()))
        for i in csp:
            value = out[i][1]
            if b"frame-ancestors" not in value:
                out[i] = (out[i][0], value.rstrip(b"; ") + b"; frame-ancestors 'self'")
    return out


async def _server_error(send: Send) -> None:
    message = "the server failed to answer this request; the error is in the server's log"
    await _answer(send, 500, error_body("InternalServerError", message))


async def _not_found(send: Send) -> None:
    await _answer(
        send, 404, error_body("NotFound", "no such path: it holds a control character", "path")
    )


async def _answer(send: Send, status: int, error: dict[str, object]) -> None:
    """Send ``error`` as a hardened JSON response with ``status``."""
    import orjson

    body = orjson.dumps(error)
    headers = harden_headers(
        [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    )
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HeadAsGet:
    """Answer ``HEAD`` on every ``GET`` route: run it as ``GET`` and send no body.

    Monitors and link checkers use ``HEAD`` (``curl -I``). The status and headers,
    ``Content-Length`` included, are those a ``GET`` gets (RFC 9110, 9.3.2); a path with
    no ``GET`` answers 405 as it would to a ``GET``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite a ``HEAD`` request to ``GET`` and drop the body of the answer."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(msg: Message) -> None:
            if msg["type"] != "http.response.body":
                await send(msg)
            elif not msg.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
