"""``GET /assets/{path}``: the npm front-end files on the allow-list, for offline maps.

Only the files listed in :data:`parkgis.maps.assets.ALLOWED` are served, never the rest of
``node_modules``; anything else is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import SettingsDep
from parkgis.maps.assets import assets_root, read_asset

router = APIRouter(tags=["assets"], include_in_schema=False)


@router.get("/assets/{path:path}")
def asset(path: str, settings: SettingsDep) -> Response:
    """One allow-listed asset file (CSS without references to other hosts)."""
    data, media = read_asset(assets_root(settings.maps.assets_dir), path)
    return Response(
        data,
        media_type=media,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
