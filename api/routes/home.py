"""``GET /``: the home page (the pages this caller may open), plus the favicon and the
frame's script.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import HTMLResponse, Response

from api.pages import FrameDep, page_response
from parkgis import __version__
from parkgis.maps.i18n import register, t
from parkgis.pages import favicon
from parkgis.pages.env import STATIC

router = APIRouter(include_in_schema=False)

register(
    {
        "home.download": (
            "每张地图右上角的“下载”按钮可保存离线单文件地图",
            "The Download button on every map saves a one-file offline copy",
        )
    }
)

_CACHE = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


@router.get("/", response_class=HTMLResponse)
def home(frame: FrameDep) -> HTMLResponse:
    """The home page; ``lang=zh|en`` (else the cookie, else ``PARKGIS_LANGUAGE``)."""
    lang = frame.lang
    keys = ("lead", "download")
    return page_response(
        frame,
        "home.html",
        title=t("home.title", lang),
        L={k: t(f"home.{k}", lang) for k in keys},
        describe={key: t(f"home.map.{key}", lang) for key in ("parcels", "projects", "coverage")},
        version=__version__,
    )


@router.get("/favicon.ico")
def favicon_ico() -> Response:
    """The icon as ICO (browsers ask for it on their own)."""
    return Response(favicon.ico(), media_type="image/x-icon", headers=_CACHE)


@router.get("/favicon.svg")
def favicon_svg() -> Response:
    """The icon as SVG."""
    return Response(favicon.svg(), media_type="image/svg+xml", headers=_CACHE)


@router.get("/static/frame.js")
def frame_js() -> Response:
    """The frame's small script (print button, menu closing)."""
    return Response(
        (STATIC / "frame.js").read_bytes(), media_type="text/javascript", headers=_CACHE
    )
