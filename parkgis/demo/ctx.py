"""Shared state of one generated tile: random streams, id counters and the output rows."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, SupportsInt
from zoneinfo import ZoneInfo

import numpy as np

from parkgis.demo.schema import BY_NAME, empty_columns

ZONE_TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Firm:
    """An enterprise as the generator knows it (local-metre point, chain, role)."""

    id: int
    chain: str
    role: str
    x: float
    y: float
    short: str = ""
    officer: int | None = None
    since: date | None = None
    grid: int = 0
    order: float = 0.0


class Ids:
    """Next free id per table, shared by every tile so ids are unique across the zone."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self.usccs: set[str] = set()
        self.names: set[str] = set()

    def take(self, table: str) -> int:
        """Reserve and return the next id of ``table`` (ids start at 1)."""
        n = self._next.get(table, 1)
        self._next[table] = n + 1
        return n


@dataclass
class Tile:
    """One tile being generated: its seed, day, id counters and column lists."""

    index: int
    scale: float
    seed: int
    today: date
    ids: Ids
    prefix: str
    tables: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    firms: list[Firm] = field(default_factory=list)
    officers: list[int] = field(default_factory=list)
    officer_names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tables = {name: empty_columns(layer) for name, layer in BY_NAME.items()}

    def rng(self, purpose: str) -> np.random.Generator:
        """A random stream for one purpose of this tile (independent of the others)."""
        key = zlib.crc32(purpose.encode("utf-8"))
        return np.random.default_rng(np.random.SeedSequence([self.seed, self.index, key]))

    def add(self, table: str, geom: Any = None, **values: Any) -> int:
        """Append one row (id assigned here); missing columns are NULL. Returns the id."""
        cols = self.tables[table]
        row_id = self.ids.take(table)
        values["id"] = row_id
        for name, col in cols.items():
            if name == "geom":
                col.append(geom)
            else:
                col.append(values.get(name))
        return row_id

    def set(self, table: str, row_id: int, **values: Any) -> None:
        """Change columns of a row added earlier in this tile."""
        cols = self.tables[table]
        pos = row_id - cols["id"][0]
        for name, value in values.items():
            cols[name][pos] = value

    def get(self, table: str, row_id: int, column: str) -> Any:
        """One column of a row added earlier in this tile."""
        cols = self.tables[table]
        return cols[column][row_id - cols["id"][0]]

    def days(self, n: SupportsInt) -> date:
        """The day ``n`` days after today (negative = before)."""
        return self.today + timedelta(days=int(n))

    @staticmethod
    def at(day: date, hour: int, minute: int = 0) -> datetime:
        """A zone-time (Asia/Shanghai) moment on ``day``, as an aware datetime."""
        return datetime.combine(day, time(hour, minute), tzinfo=ZONE_TZ)
