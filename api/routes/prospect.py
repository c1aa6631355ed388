"""The investment team's pages: ``/find``, site sheets, ``/compare`` and ``/maps/prospect``.

- ``GET /find``: the site finder (form, ranked results beside a map, holds for staff);
  ``?enterprise_id=N`` alone prefills from the firm's site and chain.
- ``GET /sites/{space|parcel}/{id}``: a site sheet; ``?f=pdf`` for the PDF.
- ``GET /compare?sites=space:12,parcel:40``: 2–4 sites side by side.
- ``GET /maps/prospect``: the public-safe zone map (``?download=1``: one offline file).

Anonymous callers see the public stock with public fields only (:mod:`parkgis.prospect`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from starlette.responses import HTMLResponse, Response

from api.csrf import csrf_token
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.pages import FrameDep
from api.routes.maps import MapQuery, map_openapi, map_query, map_response
from parkgis.maps.basemaps import resolve_basemap, tile_sources
from parkgis.maps.i18n import Lang
from parkgis.maps.prospect import prospect_map
from parkgis.prospect import compare, compare_html, find_page, parse_sites, sheet, sheet_html
from parkgis.prospect.sheets import sheet_pdf

router = APIRouter(tags=["prospect"], include_in_schema=True)

FIND_JS = Path(__file__).resolve().parents[2] / "parkgis" / "prospect" / "static" / "find.js"
SiteId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def page_csp(tile_url: str | None = None) -> str:
    """CSP of the prospect pages: own scripts only, inline styles, images from tiles."""
    img = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url)
        host = ".".join("*" if "{" in label else label for label in parts.netloc.split("."))
        img.append(f"{parts.scheme}://{host}")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src {' '.join(img)}; connect-src 'self'; font-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def html_page(html: str, status: int = 200, csp: str | None = None) -> HTMLResponse:
    """An HTML page with the prospect CSP, ``nosniff`` and no caching."""
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": csp or page_csp(),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF shown inline, with a file name for saving."""
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def other_lang_href(request: Request, lang: Lang) -> str:
    """This page's address in the other language."""
    other = "en" if lang == "zh" else "zh"
    return str(request.url.include_query_params(lang=other).replace(scheme="", netloc=""))


def page_lang(lang: Annotated[str | None, Query(max_length=5)] = None) -> str | None:
    """``?lang=zh|en`` (checked by :func:`resolve_lang`)."""
    return lang


@router.get("/find", response_class=HTMLResponse, summary="Site finder")
def find_route(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    frame: FrameDep,
) -> HTMLResponse:
    """The site finder: criteria form, ranked results with checks and near-misses, a map."""
    params = {k: v for k, v in request.query_params.items()}
    params.pop("lang", None)
    lang = frame.lang
    basemap = params.pop("basemap", None)
    page = find_page(
        session,
        params,
        principal,
        settings,
        lang=lang,
        csrf=csrf_token(request),
        basemap=basemap,
        other_lang_href=other_lang_href(request, lang),
        frame=frame,
    )
    bm = resolve_basemap(basemap, settings.maps)
    tiles = next(iter(tile_sources(bm, settings.maps, lang)), None)
    return html_page(page.html, page.status, page_csp(tiles.url if tiles else None))


@router.get("/find/find.js", include_in_schema=False)
def find_js() -> Response:
    """The finder's script (map, map click, compare, hold, shortlist)."""
    return Response(
        FIND_JS.read_bytes(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/sites/{kind}/{site_id}", response_class=HTMLResponse, summary="Site sheet")
def site_sheet(
    kind: Literal["space", "parcel"],
    site_id: SiteId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    frame: FrameDep,
    lang: Annotated[str | None, Depends(page_lang)] = None,
    f: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
) -> Response:
    """One printable site sheet in zh or en; ``?f=pdf`` renders it as a PDF."""
    lg: Lang = frame.lang
    s = sheet(session, kind, site_id, principal, settings, lang=lg, base_url=str(request.base_url))
    if f == "pdf":
        return pdf_response(sheet_pdf(s, lg), f"parkgis-{kind}-{site_id}-{lg}.pdf")
    return html_page(sheet_html(s, lg, other_lang_href=other_lang_href(request, lg), frame=frame))


@router.get("/compare", response_class=HTMLResponse, summary="Compare 2–4 sites")
def compare_route(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    sites: Annotated[str, Query(max_length=200, description="space:12,parcel:40,…")],
    frame: FrameDep,
    lang: Annotated[str | None, Depends(page_lang)] = None,
) -> HTMLResponse:
    """2–4 sites side by side; rows whose values differ are highlighted."""
    lg: Lang = frame.lang
    pairs = parse_sites(sites)
    sheets, rows = compare(
        session, pairs, principal, settings, lang=lg, base_url=str(request.base_url)
    )
    href = other_lang_href(request, lg)
    return html_page(compare_html(sheets, rows, lg, other_lang_href=href, frame=frame))


maps_router = APIRouter(prefix="/maps", tags=["maps"])


@maps_router.get(
    "/prospect",
    response_class=HTMLResponse,
    openapi_extra=map_openapi(None),
    summary="Investment map: land and plant on offer, context, chain clusters (public-safe)",
)
def prospect_map_page(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    q: Annotated[MapQuery, Depends(map_query(None))],
) -> HTMLResponse:
    """Available land and vacant plant by size class in mu, roads and landmarks, industry
    clusters as aggregates (≥ ``PARKGIS_PROSPECT_CLUSTER_MIN_FIRMS`` firms)."""
    m = prospect_map(session, principal, settings, bbox=q.bbox, basemap=q.basemap, lang=q.lang)
    return map_response(m, q, "parkgis-prospect.html")
