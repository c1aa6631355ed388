"""Reference data shipped with parkgis: land-use classes and industry chains."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

DATA = Path(__file__).resolve().parent.parent / "data"


def read_csv(name: str) -> list[dict[str, Any]]:
    """Rows of a CSV under ``parkgis/data``; empty strings become None."""
    with (DATA / name).open(encoding="utf-8") as fh:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]


def seed_reference_tables(conn: Connection) -> None:
    """Insert or update the land-use classes and industry chains (idempotent)."""
    lu = read_csv("land_use.csv")
    for row in lu:
        row["industrial_class"] = int(row["industrial_class"]) if row["industrial_class"] else None
    conn.execute(
        text(
            'INSERT INTO land_use_classes (code, name_zh, name_en, "group", industrial_class, '
            "color) VALUES (:code, :name_zh, :name_en, :group, :industrial_class, :color) "
            "ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, "
            'name_en = EXCLUDED.name_en, "group" = EXCLUDED."group", '
            "industrial_class = EXCLUDED.industrial_class, color = EXCLUDED.color"
        ),
        lu,
    )
    conn.execute(
        text(
            "INSERT INTO industry_chains (code, name_zh, name_en) VALUES (:code, :name_zh, "
            ":name_en) ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, "
            "name_en = EXCLUDED.name_en"
        ),
        read_csv("industry_chains.csv"),
    )
