"""Fast JSON responses (orjson). GeoJSON built in PostGIS is passed through as bytes."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class JSONResponse(Response):
    """``application/json`` serialised with orjson (dates, numpy and dataclasses too)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialise ``content``; ``bytes`` are sent as they are (already JSON)."""
        if isinstance(content, bytes | bytearray):
            return bytes(content)
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


class GeoJSONResponse(JSONResponse):
    """``application/geo+json``."""

    media_type = "application/geo+json"
