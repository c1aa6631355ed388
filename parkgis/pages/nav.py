"""The pages a role may open: one registry, read by every page's and map's frame.

A page registers with ONE line in :data:`NAV` (``NavItem(key, path, (zh, en), roles,
icon)``). ``roles`` lists who may open it (``"anonymous"`` for callers without a token);
the frame shows a link only to those roles, so a link never leads to a 401/403.
"""

from __future__ import annotations

from dataclasses import dataclass

from parkgis.access import Principal

ANONYMOUS = "anonymous"
SIGNED_IN: tuple[str, ...] = ("investment", "officer", "planner", "admin")
EVERYONE: tuple[str, ...] = (ANONYMOUS, *SIGNED_IN)
STAFF: tuple[str, ...] = ("officer", "planner", "admin")
"""Roles that read coverage, visits and service requests (``COVERAGE_READERS``)."""


@dataclass(frozen=True)
class NavItem:
    """One frame link: a key, a path, a (zh, en) label, the roles that may open it, an icon.

    ``group`` is ``"maps"``, ``"pages"`` or ``"api"`` (the order within a group is the order
    in :data:`NAV`). ``icon`` is a Font Awesome 6 solid name without ``fa-``. ``lang``:
    the link carries ``lang=`` (False for pages that refuse unknown parameters; they read
    the language cookie).
    """

    key: str
    path: str
    label: tuple[str, str]
    roles: tuple[str, ...] = EVERYONE
    icon: str = "circle"
    group: str = "pages"
    lang: bool = True


# fmt: off
NAV: list[NavItem] = [
    NavItem("home", "/", ("首页", "Home"), EVERYONE, "house"),
    NavItem("me", "/me", ("我的工作台", "My workbench"), STAFF, "briefcase"),
    NavItem("parcels", "/maps/parcels", ("园区地块图", "Zone map"), EVERYONE, "map", "maps"),
    NavItem("projects", "/maps/projects", ("项目作战图", "Project map"), SIGNED_IN, "flag", "maps"),
    NavItem("coverage", "/maps/coverage", ("服务覆盖图", "Coverage map"), STAFF, "users", "maps"),
    NavItem("landuse", "/maps/landuse", ("土地利用评价图", "Land-use map"), SIGNED_IN,
            "chart-area", "maps"),
    NavItem("visit_report", "/api/v1/reports/visits?format=html", ("月度走访报告", "Visit report"),
            STAFF, "clipboard-list"),
    NavItem("imports", "/imports", ("数据导入", "Import data"), ("planner", "admin"),
            "file-import"),
    NavItem("landuse_report", "/reports/landuse", ("土地利用评价报告", "Land-use report"),
            ("planner", "admin"), "file-lines"),
    NavItem("reports", "/reports", ("领导看板", "Leadership reports"), ("planner", "admin"),
            "chart-line"),
    NavItem("evaluation", "/api/v1/programme/evaluation?format=html",
            ("年度考评", "Annual evaluation"), ("admin",), "award"),
    NavItem("ogc", "/ogc?f=html", ("OGC 数据服务", "OGC API"), EVERYONE, "layer-group", "api"),
    NavItem("docs", "/docs", ("接口文档", "API docs"), EVERYONE, "book", "api", lang=False),
]
# fmt: on
"""Every page in the frame's navigation. Add yours here with one line."""

GROUPS: dict[str, tuple[str, str]] = {
    "maps": ("地图", "Maps"),
    "pages": ("页面", "Pages"),
    "api": ("接口", "APIs"),
}


def role_of(principal: Principal) -> str:
    """The principal's role name, ``"anonymous"`` without a token."""
    return principal.role or ANONYMOUS


def may_open(principal: Principal, item: NavItem) -> bool:
    """Whether ``principal`` may open the page of ``item``."""
    return role_of(principal) in item.roles


def nav_for(principal: Principal) -> list[NavItem]:
    """The items ``principal`` may open, in registry order (no link leads to a 401/403)."""
    return [item for item in NAV if may_open(principal, item)]


def nav_item(key: str) -> NavItem:
    """The registered item ``key`` (KeyError if none)."""
    for item in NAV:
        if item.key == key:
            return item
    raise KeyError(key)
