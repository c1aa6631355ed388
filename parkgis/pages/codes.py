"""Names of codes in zh and en, from the reference tables in ``parkgis/data``.

- ``codes.csv``: statuses, stages, request categories and statuses, visit kinds,
  departments, officers' units and titles, and GB/T 4754 industry classes
  (``vocabulary,code,name_zh,name_en``);
- ``land_use.csv`` (vocabulary ``land_use``) and ``industry_chains.csv`` (``chain``);
- ``place_names.csv``: the zone's place and road names, for English addresses.

English pages never show a raw code: :func:`code_label` gives the name, and the code
itself only when no name is known.
"""

from __future__ import annotations

import re
from functools import lru_cache

from parkgis.maps.i18n import Lang

VOCABULARIES = (
    "parcel_status",
    "space_status",
    "project_stage",
    "request_status",
    "request_category",
    "visit_kind",
    "department",
    "officer_unit",
    "officer_title",
    "industry_code",
    "land_use",
    "chain",
)


@lru_cache(maxsize=1)
def code_table() -> dict[str, dict[str, tuple[str, str]]]:
    """``{vocabulary: {code: (zh, en)}}`` for every vocabulary in :data:`VOCABULARIES`."""
    from parkgis.db.seed import read_csv

    out: dict[str, dict[str, tuple[str, str]]] = {v: {} for v in VOCABULARIES}
    for r in read_csv("codes.csv"):
        out.setdefault(str(r["vocabulary"]), {})[str(r["code"])] = (
            str(r["name_zh"]),
            str(r["name_en"]),
        )
    for r in read_csv("land_use.csv"):
        out["land_use"][str(r["code"])] = (str(r["name_zh"]), str(r["name_en"]))
    for r in read_csv("industry_chains.csv"):
        out["chain"][str(r["code"])] = (str(r["name_zh"]), str(r["name_en"]))
    return out


def code_label(vocabulary: str, code: object, lang: Lang) -> str:
    """The name of ``code`` in ``lang`` (``""`` for None; the code when it has no name)."""
    if code is None or code == "":
        return ""
    pair = code_table().get(vocabulary, {}).get(str(code))
    if pair is None:
        return str(code)
    return pair[0] if lang == "zh" else pair[1]


def code_choices(vocabulary: str, lang: Lang) -> list[tuple[str, str]]:
    """``[(code, name), ...]`` of a vocabulary in table order (for filter controls)."""
    return [(c, p[0] if lang == "zh" else p[1]) for c, p in code_table()[vocabulary].items()]


@lru_cache(maxsize=1)
def _places() -> list[tuple[str, str]]:
    from parkgis.db.seed import read_csv

    rows = [(str(r["name_zh"]), str(r["name_en"])) for r in read_csv("place_names.csv")]
    return sorted(rows, key=lambda r: -len(r[0]))


_NUMBER = re.compile(r"(\d+)号")
_UNIT = re.compile(r"(厂房|仓库|栋|楼)(\d+)")
_HAN = re.compile(r"[\u3400-\u9fff]")


def address_en(address: str | None) -> str | None:
    """An English form of a zone address (``肇庆高新区迎宾大道84号`` →
    ``84 Yingbin Avenue, Zhaoqing Hi-tech Zone``), or None when a part has no English name.
    """
    if not address:
        return None
    rest = address
    parts: list[str] = []
    zone = None
    for zh, en in _places():
        if rest.startswith(zh) and zh.endswith("区"):
            zone, rest = en, rest[len(zh) :]
            break
    road = None
    for zh, en in _places():
        if rest.startswith(zh):
            road, rest = en, rest[len(zh) :]
            break
    if road is None:
        return None
    m = _NUMBER.match(rest)
    if m:
        road, rest = f"{m.group(1)} {road}", rest[m.end() :]
    u = _UNIT.match(rest)
    if u:
        kind = {"厂房": "Plant", "仓库": "Warehouse", "栋": "Building", "楼": "Building"}
        parts.append(f"{kind[u.group(1)]} {u.group(2)}")
        rest = rest[u.end() :]
        rest = rest.removeprefix("号")
    if _HAN.search(rest):
        return None
    parts.append(road + rest)
    if zone:
        parts.append(zone)
    return ", ".join(parts)
