"""Reference tables of the land-use review, each read from a CSV under ``parkgis/data``.

- ``landuse_reference.csv``: published figures shown beside the zone's own (Guangdong's
  2019 development-zone averages, the 2008 national control indicators), each row with
  its ``source``.
- ``landuse_plot_ratio_minimums.csv``: the minimum plot ratio of industrial land by
  GB/T 4754-2017 division, from the 2008 工业项目建设用地控制指标 (re-keyed from the 2002
  divisions it was written for; the ``source`` column says how). Update the file when the
  2023 tables are confirmed.
- ``land_use.csv``: the land-use classes (code, zh/en names, colour).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from parkgis.db.seed import read_csv


@lru_cache(maxsize=1)
def reference_rows() -> tuple[dict[str, Any], ...]:
    """The reference figures (key, zh/en name, value, unit, scope, year, source)."""
    out = []
    for row in read_csv("landuse_reference.csv"):
        out.append({**row, "value": float(row["value"]), "year": int(row["year"])})
    return tuple(out)


@lru_cache(maxsize=1)
def plot_ratio_minimums() -> dict[str, dict[str, Any]]:
    """Minimum plot ratio by two-digit GB/T 4754-2017 division (``"27"`` → 0.7, ...)."""
    return {
        r["division"]: {**r, "min_plot_ratio": float(r["min_plot_ratio"])}
        for r in read_csv("landuse_plot_ratio_minimums.csv")
    }


def division_of(industry_code: str | None) -> str | None:
    """The two-digit division of a GB/T 4754 code (``"C2710"`` → ``"27"``), else None."""
    if not industry_code or len(industry_code) < 3 or not industry_code[1:3].isdigit():
        return None
    return industry_code[1:3]


def minimum_for(industry_code: str | None) -> float | None:
    """The minimum plot ratio for a firm's industry code, or None when the table has none."""
    div = division_of(industry_code)
    row = plot_ratio_minimums().get(div) if div else None
    return row["min_plot_ratio"] if row else None


@lru_cache(maxsize=1)
def land_use_classes() -> dict[str, dict[str, Any]]:
    """Land-use classes by code: ``name_zh``, ``name_en``, ``group``, ``color``."""
    return {r["code"]: r for r in read_csv("land_use.csv")}
