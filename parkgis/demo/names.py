"""Believable names, codes and contacts for the demo zone (Chinese, with English/pinyin).

Every function takes a ``numpy.random.Generator`` so the demo stays deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from parkgis.uscc import check_char

PLACES = (
    ("肇庆", "Zhaoqing", "441200"),
    ("四会", "Sihui", "441284"),
    ("大旺", "Dawang", "441284"),
    ("鼎湖", "Dinghu", "441203"),
    ("高要", "Gaoyao", "441204"),
    ("端州", "Duanzhou", "441202"),
    ("江门", "Jiangmen", "440700"),
    ("佛山", "Foshan", "440600"),
    ("广东", "Guangdong", "440000"),
)
"""(Chinese, pinyin, administrative region code used in the USCC)."""

STEMS = tuple(
    pair.split("/")
    for pair in [
        "鸿达/Hongda",
        "锦华/Jinhua",
        "华美/Huamei",
        "宏远/Hongyuan",
        "恒信/Hengxin",
        "顺发/Shunfa",
        "永安/Yong'an",
        "金泰/Jintai",
        "德胜/Desheng",
        "信达/Xinda",
        "中利/Zhongli",
        "伟业/Weiye",
        "盛丰/Shengfeng",
        "嘉诚/Jiacheng",
        "新亚/Xinya",
        "凯盛/Kaisheng",
        "天润/Tianrun",
        "宝丰/Baofeng",
        "荣华/Ronghua",
        "瑞丰/Ruifeng",
        "福临/Fulin",
        "兴业/Xingye",
        "万通/Wantong",
        "利华/Lihua",
        "百川/Baichuan",
        "东升/Dongsheng",
        "博远/Boyuan",
        "科达/Keda",
        "海纳/Haina",
        "晶科/Jingke",
        "合力/Heli",
        "广宏/Guanghong",
        "雅居/Yaju",
        "立信/Lixin",
        "昌盛/Changsheng",
        "精工/Jinggong",
        "星河/Xinghe",
        "锐进/Ruijin",
        "泰昌/Taichang",
        "亿丰/Yifeng",
        "华锋/Huafeng",
        "明阳/Mingyang",
        "金利/Jinli",
        "长盈/Changying",
        "国光/Guoguang",
        "致远/Zhiyuan",
        "正邦/Zhengbang",
        "绿源/Lvyuan",
        "南粤/Nanyue",
        "西江/Xijiang",
        "汇源/Huiyuan",
        "鼎盛/Dingsheng",
        "众诚/Zhongcheng",
        "华南/Huanan",
        "远航/Yuanhang",
        "宏图/Hongtu",
        "佳利/Jiali",
        "新宝/Xinbao",
        "骏马/Junma",
        "银河/Yinhe",
        "高澳/Gao'ao",
        "力拓/Lituo",
        "安捷/Anjie",
        "旭升/Xusheng",
    ]
)
"""Two-character brand stems with their pinyin."""

CHAIN_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "new_energy_vehicles": (
        ("新能源", "New Energy"),
        ("汽车部件", "Auto Parts"),
        ("电驱", "E-Drive"),
        ("汽车电子", "Automotive Electronics"),
    ),
    "batteries": (("储能", "Energy Storage"), ("电池", "Battery"), ("锂电", "Lithium")),
    "biomedicine": (("生物", "Biotech"), ("医药", "Pharmaceutical"), ("医疗器械", "Medical")),
    "metal_processing": (
        ("金属", "Metal"),
        ("铝业", "Aluminium"),
        ("五金", "Hardware"),
        ("精密", "Precision"),
    ),
    "furniture": (("家居", "Home Furnishing"), ("家具", "Furniture"), ("木业", "Wood")),
    "food_beverage": (("食品", "Food"), ("饮料", "Beverage"), ("调味品", "Condiments")),
    "electronics": (
        ("电子", "Electronics"),
        ("光电", "Optoelectronics"),
        ("智能", "Intelligent"),
        ("半导体", "Semiconductor"),
    ),
    "": (("物流", "Logistics"), ("供应链", "Supply Chain"), ("仓储", "Warehousing")),
}
"""Industry word by chain (``""`` = logistics firms, which belong to no chain)."""

SUFFIXES = (
    ("科技有限公司", "Technology Co., Ltd."),
    ("实业有限公司", "Industrial Co., Ltd."),
    ("精密制造有限公司", "Precision Manufacturing Co., Ltd."),
    ("制造有限公司", "Manufacturing Co., Ltd."),
    ("股份有限公司", "Co., Ltd."),
    ("有限公司", "Co., Ltd."),
)

INDUSTRY_CODES: dict[str, tuple[str, ...]] = {
    "new_energy_vehicles": ("C3612", "C3670", "C3660", "C3811"),
    "batteries": ("C3841", "C3849", "C3985", "C2613"),
    "biomedicine": ("C2710", "C2720", "C2761", "C3581", "C2770"),
    "metal_processing": ("C3311", "C3360", "C3252", "C3130", "C3399", "C3340"),
    "furniture": ("C2110", "C2130", "C2190", "C2140"),
    "food_beverage": ("C1495", "C1523", "C1411", "C1469", "C1522", "C1462"),
    "electronics": ("C3981", "C3982", "C3974", "C3976", "C3919", "C3971"),
    "": ("G5941", "G5942", "G5991"),
}
"""GB/T 4754-2017 class codes that fit each chain."""

SURNAMES = tuple(
    p.split("/")
    for p in [
        "陈/Chen",
        "李/Li",
        "黄/Huang",
        "张/Zhang",
        "梁/Liang",
        "刘/Liu",
        "林/Lin",
        "何/He",
        "王/Wang",
        "吴/Wu",
        "罗/Luo",
        "郑/Zheng",
        "冯/Feng",
        "叶/Ye",
        "谢/Xie",
        "邓/Deng",
        "苏/Su",
        "周/Zhou",
        "麦/Mai",
        "潘/Pan",
        "杨/Yang",
        "朱/Zhu",
        "钟/Zhong",
        "莫/Mo",
        "徐/Xu",
        "蔡/Cai",
        "曾/Zeng",
        "彭/Peng",
        "卢/Lu",
        "关/Guan",
    ]
)
GIVEN = tuple(
    p.split("/")
    for p in [
        "伟/wei",
        "志/zhi",
        "明/ming",
        "华/hua",
        "建/jian",
        "国/guo",
        "强/qiang",
        "军/jun",
        "文/wen",
        "丽/li",
        "敏/min",
        "静/jing",
        "婷/ting",
        "芳/fang",
        "玲/ling",
        "海/hai",
        "俊/jun",
        "杰/jie",
        "晓/xiao",
        "燕/yan",
        "辉/hui",
        "斌/bin",
        "勇/yong",
        "涛/tao",
        "锋/feng",
        "东/dong",
        "红/hong",
        "平/ping",
        "宇/yu",
        "浩/hao",
        "欣/xin",
        "嘉/jia",
        "荣/rong",
        "彬/bin",
        "雪/xue",
        "慧/hui",
        "德/de",
        "永/yong",
        "健/jian",
        "鹏/peng",
    ]
)

T = TypeVar("T")

MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "158", "186", "188", "189", "199")


@dataclass(frozen=True)
class FirmName:
    """A firm's names: full Chinese, short Chinese (brand + industry) and English."""

    zh: str
    short: str
    en: str
    domain: str
    region: str


def pick(rng: np.random.Generator, seq: Sequence[T]) -> T:
    """One element of ``seq``, uniformly."""
    return seq[int(rng.integers(len(seq)))]


def person(rng: np.random.Generator) -> tuple[str, str]:
    """A Chinese personal name and an ASCII handle (``chen.wei``)."""
    sur = surname(rng)
    n = 1 + int(rng.random() < 0.7)
    parts = [GIVEN[int(rng.integers(len(GIVEN)))] for _ in range(n)]
    zh = sur[0] + "".join(p[0] for p in parts)
    handle = sur[1].lower() + "." + "".join(p[1] for p in parts)
    return zh, handle


def surname(rng: np.random.Generator) -> list[str]:
    """A surname pair (Chinese, pinyin), weighted towards the common ones."""
    i = min(int(rng.exponential(8.0)), len(SURNAMES) - 1)
    return SURNAMES[i]


def mobile(rng: np.random.Generator) -> str:
    """A mainland mobile number (11 digits)."""
    prefix = MOBILE_PREFIXES[int(rng.integers(len(MOBILE_PREFIXES)))]
    return prefix + "".join(str(d) for d in rng.integers(0, 10, 8))


def firm_name(rng: np.random.Generator, chain: str) -> FirmName:
    """A Chinese firm name (place + brand + industry + legal form) and its English form."""
    place = PLACES[min(int(rng.exponential(2.5)), len(PLACES) - 1)]
    stem = STEMS[int(rng.integers(len(STEMS)))]
    words = CHAIN_WORDS[chain]
    word = words[int(rng.integers(len(words)))]
    suffix = SUFFIXES[int(rng.integers(len(SUFFIXES)))]
    if chain == "" and suffix[0].endswith("制造有限公司"):
        suffix = SUFFIXES[5]
    zh = f"{place[0]}{stem[0]}{word[0]}{suffix[0]}"
    en = f"{place[1]} {stem[1]} {word[1]} {suffix[1]}"
    domain = stem[1].lower().replace("'", "") + "-" + word[1].split()[0].lower() + ".com.cn"
    return FirmName(zh, stem[0] + word[0], en, domain, place[2])


def org_code(rng: np.random.Generator) -> str:
    """A 9-character organisation code (GB 11714: 8 digits and a check character)."""
    digits = [int(d) for d in rng.integers(0, 10, 8)]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    check = "X" if c == 10 else ("0" if c == 11 else str(c))
    return "".join(map(str, digits)) + check


def uscc(rng: np.random.Generator, region: str, taken: set[str]) -> str:
    """A new, valid 18-character USCC (company, registered in ``region``) not in ``taken``."""
    while True:
        body = "91" + region + org_code(rng)
        code = body + check_char(body)
        if code not in taken:
            taken.add(code)
            return code
