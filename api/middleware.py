"""ASGI middleware: refuse oversized bodies with 413 before reading them whole."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body


class BodySizeLimit:
    """Answer 413 when ``Content-Length`` or the streamed body exceeds ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 once the body passes the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send)
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
                if seen > self.max_bytes:
                    refused = True
                    if not started:
                        answered = True
                        await self._refuse(send)
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
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        import orjson

        body = orjson.dumps(
            error_body(
                "PayloadTooLarge",
                f"request body is larger than {self.max_bytes} bytes "
                "(PARKGIS_MAX_BODY_BYTES); split the upload",
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
