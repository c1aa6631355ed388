"""The frame of every page and map: title, home, the role's pages, language, sign-in state.

A :class:`Frame` is built once per request (the web layer does it from the request's path,
query string, language cookie and caller) and handed to the page template as ``frame``
and to a map as its top bar. Nothing here knows about HTTP frameworks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urlencode

from parkgis.access import Principal
from parkgis.maps.i18n import Lang, register, resolve_lang, t
from parkgis.pages.nav import GROUPS, NavItem, nav_for, role_of

LANG_COOKIE = "parkgis_lang"
"""Cookie that remembers the reader's language (``zh``/``en``) for a year."""
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600

register(
    {
        "frame.home": ("首页", "Home"),
        "frame.menu": ("页面", "Pages"),
        "frame.signin": ("登录", "Sign in"),
        "frame.signout": ("退出", "Sign out"),
        "frame.download": ("下载", "Download"),
        "frame.download_safe": ("下载（公开版）", "Download (public)"),
        "frame.download_full": ("下载（完整版）", "Download (full)"),
        "frame.print": ("打印", "Print"),
        "frame.other_lang": ("English", "中文"),
        "frame.anonymous": ("未登录", "Not signed in"),
        "signin.as": ("已登录：", "Signed in as "),
        "role.admin": ("管理员", "admin"),
        "role.planner": ("规划", "planner"),
        "role.officer": ("服务官", "officer"),
        "role.investment": ("招商", "investment"),
        "role.anonymous": ("访客", "visitor"),
    }
)


def pick_lang(query: str | None, cookie: str | None, default: str = "zh") -> Lang:
    """The page language: ``lang`` in the query, else the cookie, else ``default``.

    Raises
    ------
    InvalidQuery
        ``query`` is given and is not ``zh``/``en`` (a bad cookie is ignored).
    """
    if query is not None and query != "":
        return resolve_lang(query)
    if cookie in ("zh", "en"):
        return resolve_lang(cookie)
    return resolve_lang(None, default)


@dataclass(frozen=True)
class NavLink:
    """A nav entry ready for a template: href (with the language), label, icon, active."""

    key: str
    href: str
    label: str
    icon: str
    group: str
    active: bool


@dataclass(frozen=True)
class Frame:
    """What the frame shows for one request.

    Parameters
    ----------
    lang : {"zh", "en"}
        The page language (see :func:`pick_lang`).
    principal : Principal
        The caller; decides the nav links and the sign-in state.
    path : str
        The request path, e.g. ``/maps/parcels``.
    query : sequence of (name, value)
        The request's query parameters except ``lang`` (kept for the language toggle,
        the sign-in return address and the download link).
    title : str
        The page title (set by the page with :meth:`titled`).
    download : bool
        The page offers a download (``download=1`` on the same address).
    printable : bool
        The page offers a print button.
    offline : bool
        A downloaded file: the bar shows the title and the language only, no links.
    lang_chosen : bool
        The language came from the query string (the web layer then remembers it).
    extra_downloads : sequence of (label, href)
        More download buttons (e.g. a full and a prospect-safe file).
    """

    lang: Lang
    principal: Principal
    path: str = "/"
    query: tuple[tuple[str, str], ...] = ()
    title: str = "parkgis"
    download: bool = False
    printable: bool = False
    offline: bool = False
    lang_chosen: bool = False
    extra_downloads: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def titled(self, title: str, *, download: bool = False, printable: bool = False) -> Frame:
        """A copy with the page's title and its download/print buttons."""
        return replace(self, title=title, download=download, printable=printable)

    def t(self, key: str) -> str:
        """Label ``key`` in the frame's language."""
        return t(key, self.lang)

    @property
    def html_lang(self) -> str:
        """``zh-CN`` or ``en`` for ``<html lang>``."""
        return "zh-CN" if self.lang == "zh" else "en"

    @property
    def other_lang(self) -> Lang:
        """The language the toggle switches to."""
        return "en" if self.lang == "zh" else "zh"

    def url(self, **changes: str | None) -> str:
        """This page's address with some parameters changed (None drops one)."""
        params = dict(self.query)
        for k, v in changes.items():
            if v is None:
                params.pop(k, None)
            else:
                params[k] = v
        qs = urlencode(list(params.items()))
        return self.path + (f"?{qs}" if qs else "")

    @property
    def lang_href(self) -> str:
        """The same page in the other language (the choice is then kept in a cookie)."""
        return self.url(lang=self.other_lang, download=None)

    @property
    def download_href(self) -> str | None:
        """This page with ``download=1``, when the page offers a download."""
        return self.url(download="1", lang=self.lang) if self.download else None

    @property
    def signin_href(self) -> str:
        """The sign-in form, returning here in this language afterwards."""
        back = self.url(lang=self.lang, download=None)
        return f"/login?lang={self.lang}&next={quote(back, safe='')}"

    @property
    def home_href(self) -> str:
        """Home in this language."""
        return f"/?lang={self.lang}"

    @property
    def user(self) -> str | None:
        """``name (role)`` of a signed-in caller, None for anonymous callers."""
        if self.principal.anonymous:
            return None
        return f"{self.principal.name} ({t('role.' + role_of(self.principal), self.lang)})"

    @property
    def nav(self) -> list[NavLink]:
        """The links this caller may open, each in this language."""
        return [self._link(item) for item in nav_for(self.principal)]

    def nav_groups(self) -> list[tuple[str, list[NavLink]]]:
        """The links grouped as ``[(group label, links), ...]`` in registry order."""
        out: dict[str, list[NavLink]] = {g: [] for g in GROUPS}
        for link in self.nav:
            out.setdefault(link.group, []).append(link)
        i = 0 if self.lang == "zh" else 1
        return [(GROUPS.get(g, (g, g))[i], ls) for g, ls in out.items() if ls]

    def _link(self, item: NavItem) -> NavLink:
        sep = "&" if "?" in item.path else "?"
        base = item.path.split("?", 1)[0]
        return NavLink(
            key=item.key,
            href=f"{item.path}{sep}lang={self.lang}" if item.lang else item.path,
            label=item.label[0] if self.lang == "zh" else item.label[1],
            icon=item.icon,
            group=item.group,
            active=base == self.path,
        )


def make_frame(
    principal: Principal,
    lang: Lang,
    *,
    path: str = "/",
    query: Sequence[tuple[str, str]] = (),
    offline: bool = False,
) -> Frame:
    """A frame for ``principal`` on ``path`` (see :class:`Frame`; ``lang`` in ``query`` is
    dropped from the kept parameters and marks the language as chosen)."""
    kept = tuple((k, v) for k, v in query if k != "lang")
    chosen = any(k == "lang" and v for k, v in query)
    return Frame(
        lang=lang, principal=principal, path=path, query=kept, offline=offline, lang_chosen=chosen
    )
