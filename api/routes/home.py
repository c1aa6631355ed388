"""``GET /``: the home page (what parkgis is, its maps and APIs), in zh or en.

Jinja2 with autoescape; styles and icons come from the app's ``/assets`` only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from api.deps import PrincipalDep, SettingsDep
from parkgis import __version__
from parkgis.maps.i18n import resolve_lang, t
from parkgis.maps.registry import MAP_KINDS

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

MAPS = (
    ("parcels", "fa-map"),
    ("projects", "fa-flag-checkered"),
    ("coverage", "fa-people-group"),
    ("prospect", "fa-handshake"),
    ("landuse", "fa-chart-pie"),
)
APIS = (("/docs", "docs", "fa-book"), ("/ogc", "ogc", "fa-layer-group"))


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, settings: SettingsDep, principal: PrincipalDep, lang: str | None = None
) -> HTMLResponse:
    """The home page; ``lang=zh|en`` (default ``PARKGIS_LANGUAGE``)."""
    lg = resolve_lang(lang, settings.zone.language)
    keys = ("title", "lead", "maps", "api", "download", "other_lang")
    context = {
        "L": {k: t(f"home.{k}", lg) for k in keys}
        | {k: t(f"signin.{k}", lg) for k in ("as", "out", "link")},
        "user": None if principal.anonymous else f"{principal.name} ({principal.role})",
        "html_lang": "zh-CN" if lg == "zh" else "en",
        "other_lang": "en" if lg == "zh" else "zh",
        "maps": [
            {
                "path": f"/maps/{kind}",
                "href": f"/maps/{kind}?lang={lg}",
                "label": t(f"home.map.{kind}", lg),
                "icon": icon,
            }
            for kind, icon in MAPS
            if kind in MAP_KINDS  # maps not built yet are not linked
        ],
        "apis": [
            {"path": path, "href": path, "label": t(f"home.api.{key}", lg), "icon": icon}
            for path, key, icon in APIS
        ],
        "version": __version__,
    }
    return templates.TemplateResponse(
        request,
        "home.html",
        context,
        headers={
            "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; base-uri 'none'; form-action 'self'",
            "X-Content-Type-Options": "nosniff",
        },
    )
