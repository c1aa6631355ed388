"""Chinese and English labels for maps and pages.

Every map and page takes ``lang`` (``zh`` or ``en``); the default is
``PARKGIS_LANGUAGE`` (``settings.zone.language``). Other map modules add their labels with
:func:`register` at import time, e.g. ``register({"stage.signed": ("已签约", "Signed")})``.
"""

from __future__ import annotations

from typing import Literal

from parkgis.errors import InvalidQuery

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # maps
    "map.parcels.title": ("园区地块图", "Zone map"),
    "layer.parcels": ("地块", "Parcels"),
    "layer.buildings": ("建筑", "Buildings"),
    "layer.enterprises": ("企业", "Firms"),
    "legend.parcel_status": ("地块状态", "Parcel status"),
    "legend.buildings": ("建筑", "Buildings"),
    "legend.enterprises": ("企业", "Firms"),
    "no_data": ("当前范围内没有数据", "No data in this area"),
    # parcel status
    "status.planned": ("规划中", "Planned"),
    "status.available": ("可供地", "Available"),
    "status.granted": ("已出让", "Granted"),
    "status.under_construction": ("在建", "Under construction"),
    "status.built": ("已建成", "Built"),
    "status.idle": ("闲置", "Idle"),
    # fields
    "field.code": ("编号", "Code"),
    "field.status": ("状态", "Status"),
    "field.land_use": ("用地性质", "Land use"),
    "field.area": ("面积", "Area"),
    "field.max_far": ("容积率上限", "Max. plot ratio"),
    "field.price_cny_m2": ("地价（元/m²）", "Price (CNY/m²)"),
    "field.address": ("地址", "Address"),
    "field.holder": ("用地单位", "Land holder"),
    "field.granted_on": ("出让日期", "Granted on"),
    "field.name": ("名称", "Name"),
    "field.floors": ("层数", "Floors"),
    "field.gross_floor_area_m2": ("建筑面积（m²）", "Gross floor area (m²)"),
    "field.owner": ("产权人", "Owner"),
    "field.industry_chain": ("产业链", "Industry chain"),
    "field.employees": ("员工人数", "Employees"),
    "field.above_scale": ("规上企业", "Above designated size"),
    "unit.m2": ("m²", "m²"),
    "unit.mu": ("亩", "mu"),
    # home page
    "home.title": ("parkgis 园区地理信息服务", "parkgis — zone GIS service"),
    "home.lead": (
        "园区地块、厂房、企业与项目的空间数据库：为首席服务官匹配闲置厂房和土地，"
        "展示项目进度、服务覆盖和用地效率，地图可离线使用。",
        "A spatial database of the zone's parcels, plant space, firms and investment "
        "projects: it matches expansion requests to idle space and land, and maps project "
        "progress, officer coverage and land-use efficiency. Maps work offline.",
    ),
    "home.maps": ("地图", "Maps"),
    "home.api": ("接口文档", "APIs"),
    "home.map.parcels": (
        "园区地块图：地块状态、建筑与企业",
        "Zone map: parcels by status, buildings, firms",
    ),
    "home.map.projects": (
        "项目作战图：项目阶段与逾期节点",
        "Project map: stages and overdue milestones",
    ),
    "home.map.coverage": (
        "服务覆盖图：服务官片区与走访缺口",
        "Coverage map: officer areas and visit gaps",
    ),
    "home.map.prospect": ("招商地图：可供厂房与土地", "Prospect map: available space and land"),
    "home.map.landuse": ("用地图：用地分类与效率", "Land-use map: classes and efficiency"),
    "home.api.docs": ("REST 接口（OpenAPI）", "REST API (OpenAPI)"),
    "home.api.ogc": ("OGC API Features（QGIS/GDAL 可直接读取）", "OGC API Features (QGIS, GDAL)"),
    "home.download": (
        "加 ?download=1 可下载离线单文件地图",
        "Add ?download=1 for a one-file offline map",
    ),
    "home.other_lang": ("English", "中文"),
}


def register(labels: dict[str, tuple[str, str]]) -> None:
    """Add ``{key: (zh, en)}`` labels (later map modules call this at import time)."""
    _LABELS.update(labels)


def resolve_lang(lang: str | None, default: str = "zh") -> Lang:
    """``lang`` if given, else ``default``; raises InvalidQuery (400) for anything but zh/en."""
    value = (lang or default).strip().lower()
    if value == "zh":
        return "zh"
    if value == "en":
        return "en"
    raise InvalidQuery(f"unknown language {lang!r}; use zh or en", field="lang")


def t(key: str, lang: Lang) -> str:
    """The label ``key`` in ``lang`` (the key itself when no label is known)."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def status_label(status: str, lang: Lang) -> str:
    """Label of a parcel status code."""
    return t(f"status.{status}", lang) if f"status.{status}" in _LABELS else status
