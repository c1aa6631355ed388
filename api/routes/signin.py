"""Browser sign-in: paste a token once, and maps and pages work without an Authorization header.

The token goes into an ``HttpOnly``, ``SameSite=Strict`` cookie. The cookie is honoured for
GET and HEAD (maps, pages, reads), and for writes only with the session's CSRF token from
one of our own pages (same Origin/Referer): see :mod:`api.csrf`. A forged cross-site form
can never change anything.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlparse

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.deps import COOKIE_NAME, SessionDep, SettingsDep
from api.pages import FrameDep, page_response, remember_lang
from parkgis.access import ANONYMOUS
from parkgis.auth import authenticate
from parkgis.errors import Forbidden, Unauthorized
from parkgis.maps.i18n import register, t
from parkgis.pages import LANG_COOKIE, Frame, make_frame, pick_lang

COOKIE = COOKIE_NAME
COOKIE_MAX_AGE_S = 12 * 3600

router = APIRouter(include_in_schema=False)

register(
    {
        "signin.title": ("登录 parkgis", "Sign in to parkgis"),
        "signin.help": (
            "粘贴管理员用 `parkgis token create` 为您生成的令牌。令牌仅保存在本浏览器的"
            "会话 Cookie 中（12 小时），用于查看地图与页面，并在本站页面中修改数据。",
            "Paste the token an administrator made for you with `parkgis token create`. It is "
            "kept in this browser's cookie for 12 hours to view maps and pages and to make "
            "changes from this site's own pages.",
        ),
        "signin.token": ("令牌", "Token"),
        "signin.submit": ("登录", "Sign in"),
        "signin.bad": ("令牌无效或已撤销。", "That token is not valid or has been revoked."),
        "signin.out": ("退出登录", "Sign out"),
        "signin.as": ("已登录：", "Signed in as "),
        "signin.link": ("登录", "Sign in"),
    }
)


def safe_next(target: str | None) -> str:
    """Only same-site paths may be redirected to after signing in (no open redirect)."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def check_origin(request: Request) -> None:
    """Refuse a browser form posted from another site (login CSRF).

    Browsers send ``Origin`` with every POST; it must be this site's own scheme, host and
    port. ``Origin: null`` (sandboxed frames, privacy redirects) is refused too. A client
    that sends no ``Origin`` at all is not a browser and is let through.

    Raises
    ------
    Forbidden
        ``Origin`` names another site.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    if origin.rstrip("/").lower() != own:
        raise Forbidden(
            f"sign-in form posted from another site ({origin}); open /login on this site",
            field="Origin",
        )


def with_lang(target: str, lang: str | None) -> str:
    """``target`` with ``lang`` added when it names none (the choice survives the redirect)."""
    if not lang:
        return target
    path, _, query = target.partition("?")
    params = parse_qsl(query, keep_blank_values=True)
    if any(k == "lang" for k, _ in params):
        return target
    return f"{path}?{urlencode([*params, ('lang', lang)])}"


def _page(frame: Frame, next_: str, error: str | None, status: int) -> Response:
    return page_response(
        frame,
        "signin.html",
        title=frame.t("signin.title"),
        status_code=status,
        L={k: frame.t(f"signin.{k}") for k in ("title", "help", "token", "submit")},
        next=next_,
        error=error,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(frame: FrameDep, next: str | None = None) -> Response:
    """The sign-in form (``next``: the page to return to; ``lang`` as on every page)."""
    return _page(frame, safe_next(next), None, 200)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    lang: Annotated[str | None, Form(max_length=2)] = None,
) -> Response:
    """Check the token; on success keep it (and the language) in cookies and go to ``next``."""
    check_origin(request)
    lg = pick_lang(lang, request.cookies.get(LANG_COOKIE), settings.zone.language)
    frame = make_frame(ANONYMOUS, lg, path="/login", query=[("next", next), ("lang", lang or "")])
    try:
        authenticate(session, token.strip())
    except Unauthorized:
        return _page(frame, safe_next(next), t("signin.bad", lg), 401)
    session.commit()
    resp = RedirectResponse(with_lang(safe_next(next), lang), status_code=303)
    resp.set_cookie(
        COOKIE,
        token.strip(),
        max_age=COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    remember_lang(resp, frame, secure=request.url.scheme == "https")
    return resp


@router.post("/logout")
def logout(request: Request) -> Response:
    """Forget the browser's token."""
    check_origin(request)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp
