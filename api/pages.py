"""Pages in the shared frame: ``FrameDep`` for handlers and :func:`page_response`.

A page handler::

    @router.get("/me", response_class=HTMLResponse)
    def me(frame: FrameDep, ...) -> HTMLResponse:
        return page_response(frame, "me.html", title=frame.t("me.title"), rows=rows)

and ``me.html`` starts with ``{% extends "base.html" %}`` and fills ``{% block content %}``.
The language comes from ``?lang=``, else the ``parkgis_lang`` cookie, else
``PARKGIS_LANGUAGE``; a ``?lang=`` choice is remembered in the cookie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import HTMLResponse, Response

from api.deps import PrincipalDep, SettingsDep
from parkgis.maps.i18n import Lang
from parkgis.pages import LANG_COOKIE, PAGE_CSP, Frame, add_template_dir, make_frame, pick_lang
from parkgis.pages.env import render_template
from parkgis.pages.frame import LANG_COOKIE_MAX_AGE_S

TEMPLATES = Path(__file__).resolve().parent / "templates"
add_template_dir(TEMPLATES)


def request_lang(request: Request, settings: SettingsDep) -> Lang:
    """The language of this request: ``?lang=``, the cookie, or the zone's default (400 if
    ``lang`` is not zh/en)."""
    return pick_lang(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        settings.zone.language,
    )


def get_frame(request: Request, settings: SettingsDep, principal: PrincipalDep) -> Frame:
    """The frame of this request (caller, language, address)."""
    lang = request_lang(request, settings)
    return make_frame(
        principal, lang, path=request.url.path, query=request.query_params.multi_items()
    )


FrameDep = Annotated[Frame, Depends(get_frame)]


def remember_lang(response: Response, frame: Frame, *, secure: bool = False) -> None:
    """Keep a language chosen with ``?lang=`` in the cookie for later pages."""
    if frame.lang_chosen:
        response.set_cookie(
            LANG_COOKIE,
            frame.lang,
            max_age=LANG_COOKIE_MAX_AGE_S,
            samesite="lax",
            secure=secure,
            path="/",
        )


def page_response(
    frame: Frame,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    download: bool = False,
    printable: bool = False,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` (which extends ``base.html``) in the frame, with the page CSP.

    ``download``/``printable`` show the frame's download (same address + ``download=1``)
    and print buttons. ``context`` goes to the template as it is.
    """
    page = frame.titled(title, download=download, printable=printable)
    html = render_template(template, frame=page, **context)
    resp = HTMLResponse(
        html,
        status_code=status_code,
        headers={
            "Content-Security-Policy": PAGE_CSP,
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )
    remember_lang(resp, frame)
    return resp
