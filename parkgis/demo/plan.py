"""The demo generator's plan of a tile: the shapes every step fills in.

:mod:`.layout` draws the streets, blocks and parcel outlines; :mod:`.tenure` decides who
holds each parcel and its schedule; :mod:`.plant` places the buildings and their units;
:mod:`.firms` and :mod:`.activity` add the firms and their history. They all read and
write these dataclasses, which import none of them, so no step imports another in a
circle. Coordinates are local metres (see :mod:`parkgis.demo.frame`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parkgis.demo.pipeline import Schedule

Rect = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in local metres."""


@dataclass
class Block:
    """A city block between four streets."""

    col: int
    row: int
    rect: Rect
    district: str
    ind_class: int
    newness: float
    grid: int


@dataclass
class ParcelPlan:
    """A parcel outline and its land use, before tenure and buildings are decided."""

    rect: Rect
    land_use: str
    block: Block | None
    address: str
    road: bool = False
    newness: float = 0.0
    status: str = ""
    role: str = ""
    holder: int | None = None
    id: int = 0
    schedule: Schedule | None = None
    buildings: list[Built] = field(default_factory=list)
    new_firm: bool = False

    @property
    def area(self) -> float:
        """Planar area in m² (local metres; the database computes the true one)."""
        x0, y0, x1, y1 = self.rect
        return (x1 - x0) * (y1 - y0)


@dataclass
class Plan:
    """A tile's ground plan."""

    blocks: list[Block]
    parcels: list[ParcelPlan]
    grid_rects: list[tuple[Rect, str]]
    bounds: Rect


@dataclass
class Unit:
    """A leasable space: its id, floor, column (position along the building) and rect."""

    id: int
    floor: int
    column: int
    rect: Rect
    status: str


@dataclass
class Built:
    """A building the generator placed, with its units (if it is leasable)."""

    id: int
    parcel: ParcelPlan
    rect: Rect
    kind: str
    units: list[Unit] = field(default_factory=list)
