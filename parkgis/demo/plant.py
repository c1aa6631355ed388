"""Buildings and leasable spaces: owner plants, standard-factory parks, single-storey
plants for rent, warehouses, and the non-industrial buildings that make the map believable.

Footprints keep a setback of at least 8 m from their parcel's edges, so they lie strictly
inside it. A building split into units carries every split point in its outline, so its
units share vertices with it exactly and tile it without gaps or overlaps.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from parkgis.demo.ctx import Tile
from parkgis.demo.plan import Built, ParcelPlan, Plan, Rect, Unit

PLATFORM = "肇庆高新区投资发展集团有限公司"


def _inner(rect: Rect, setback: float) -> Rect:
    x0, y0, x1, y1 = rect
    return (x0 + setback, y0 + setback, x1 - setback, y1 - setback)


def split_outline(rect: Rect, parts: int) -> tuple[shapely.Polygon, list[Rect]]:
    """A rectangle cut into ``parts`` equal units along its longer side.

    Returns the outline (with every split point as a vertex) and the unit rectangles.
    """
    x0, y0, x1, y1 = rect
    along_x = (x1 - x0) >= (y1 - y0)
    a0, a1 = (x0, x1) if along_x else (y0, y1)
    cuts = [a0 + (a1 - a0) * i / parts for i in range(parts + 1)]
    cuts[-1] = a1
    if along_x:
        ring = [(c, y0) for c in cuts] + [(c, y1) for c in reversed(cuts)]
        units = [(cuts[i], y0, cuts[i + 1], y1) for i in range(parts)]
    else:
        ring = [(x1, c) for c in cuts] + [(x0, c) for c in reversed(cuts)]
        units = [(x0, cuts[i], x1, cuts[i + 1]) for i in range(parts)]
    return shapely.Polygon(ring), units


def _add_building(
    tile: Tile,
    p: ParcelPlan,
    rect: Rect,
    kind: str,
    name: str,
    floors: int,
    height: float,
    parts: int = 1,
    owner: str | None = None,
) -> tuple[Built, list[Rect]]:
    outline, units = split_outline(rect, parts)
    area = (rect[2] - rect[0]) * (rect[3] - rect[1])
    bid = tile.add(
        "buildings",
        outline,
        parcel_id=p.id,
        name=name,
        floors=floors,
        gross_floor_area_m2=round(area * floors, 1),
        height_m=round(height, 1),
        owner=owner,
        standard_factory=(kind == "std"),
    )
    return Built(bid, p, rect, kind), units


def _rows_of(inner: Rect, length: float, depth: float, gap_l: float, gap_d: float) -> list[Rect]:
    """Pack ``length`` × ``depth`` footprints (long side along x) in rows inside ``inner``."""
    x0, y0, x1, y1 = inner
    nx = int((x1 - x0 + gap_l) // (length + gap_l))
    ny = int((y1 - y0 + gap_d) // (depth + gap_d))
    return [
        (x0 + i * (length + gap_l), y0 + j * (depth + gap_d))
        + (x0 + i * (length + gap_l) + length, y0 + j * (depth + gap_d) + depth)
        for j in range(ny)
        for i in range(nx)
    ]


def _floor_spec(rng: np.random.Generator, floor: int) -> dict[str, float]:
    if floor == 1:
        return {
            "clear_height_m": float(rng.choice([8.0, 8.5, 9.0, 9.5, 10.0])),
            "floor_load_t_m2": float(rng.choice([3.0, 3.5, 4.0, 5.0])),
            "rent": float(rng.uniform(22, 35)),
        }
    if floor == 2:
        return {
            "clear_height_m": float(rng.choice([5.0, 5.5, 6.0])),
            "floor_load_t_m2": float(rng.choice([1.5, 1.8, 2.0])),
            "rent": float(rng.uniform(16, 24)),
        }
    return {
        "clear_height_m": 4.5,
        "floor_load_t_m2": float(rng.choice([0.8, 0.9, 1.0])),
        "rent": float(rng.uniform(12, 19)),
    }


def _space_status(rng: np.random.Generator, occupancy: float, floor: int) -> str:
    r = rng.random()
    if r < 0.04:
        return "reserved"
    return "vacant" if r > occupancy - 0.03 * (floor - 1) else "occupied"


def _add_space(
    tile: Tile,
    rng: np.random.Generator,
    b: Built,
    floor: int,
    col: int,
    rect: Rect,
    *,
    occupancy: float,
    rent: float,
    **spec: float | None,
) -> None:
    status = _space_status(rng, occupancy, floor)
    avail = None
    if status == "vacant":
        avail = tile.days(-rng.integers(10, 400) if rng.random() < 0.75 else rng.integers(10, 200))
    elif status == "reserved":
        avail = tile.days(rng.integers(15, 120))
    elif rng.random() < 0.25:
        avail = tile.days(rng.integers(30, 400))
    x0, y0, x1, y1 = rect
    sid = tile.add(
        "spaces",
        shapely.box(x0, y0, x1, y1, ccw=True),
        building_id=b.id,
        code=f"{b.id}-{floor}{col + 1:02d}",
        floor=floor,
        status=status,
        available_from=avail,
        rent_cny_m2_month=round(min(35.0, max(12.0, rent)), 1),
        **spec,
    )
    b.units.append(Unit(sid, floor, col, rect, status))


def _std_park(tile: Tile, rng: np.random.Generator, p: ParcelPlan, seq: list[int]) -> list[Built]:
    inner = _inner(p.rect, 10.0)
    length = float(rng.choice([60.0, 72.0, 84.0, 96.0]))
    depth = float(rng.choice([24.0, 30.0, 36.0]))
    rects = _rows_of(inner, length, depth, 20.0, 22.0)[:8]
    occupancy = float(rng.uniform(0.72, 0.98)) - max(0.0, p.newness - 0.6) * 0.4
    out = []
    seq[0] += 1
    park = f"高新区智能制造产业园{seq[0]}期"
    for i, rect in enumerate(rects):
        floors = int(rng.choice([3, 4, 5, 6], p=[0.2, 0.35, 0.3, 0.15]))
        parts = int(rng.integers(2, 5))
        height = 9.0 + 6.0 + 4.5 * (floors - 2)
        b, units = _add_building(
            tile, p, rect, "std", f"{park}{i + 1}栋", floors, height, parts, PLATFORM
        )
        for floor in range(1, floors + 1):
            spec = _floor_spec(rng, floor)
            for col, r in enumerate(units):
                unit_area = (r[2] - r[0]) * (r[3] - r[1])
                power = unit_area * (0.35 if floor == 1 else 0.18) * float(rng.uniform(0.8, 1.3))
                _add_space(
                    tile,
                    rng,
                    b,
                    floor,
                    col,
                    r,
                    clear_height_m=spec["clear_height_m"],
                    floor_load_t_m2=spec["floor_load_t_m2"],
                    power_kva=float(round(power / 50) * 50 or 100),
                    rent=spec["rent"] * float(rng.uniform(0.95, 1.05)),
                    occupancy=occupancy,
                )
        out.append(b)
    return out


def _halls(inner: Rect, rng: np.random.Generator) -> list[Rect]:
    """One or two large halls filling most of ``inner`` (long side along its long axis)."""
    x0, y0, x1, y1 = inner
    w, h = x1 - x0, y1 - y0
    cover = float(rng.uniform(0.7, 0.92))
    if w >= h:
        y1 = y0 + h * cover
        if w > 200:
            xm = x0 + (w - 18) / 2
            return [(x0, y0, xm, y1), (xm + 18, y0, x1, y1)]
        return [(x0, y0, x1, y1)]
    x1 = x0 + w * cover
    if h > 200:
        ym = y0 + (h - 18) / 2
        return [(x0, y0, x1, ym), (x0, ym + 18, x1, y1)]
    return [(x0, y0, x1, y1)]


def _leasable(tile: Tile, rng: np.random.Generator, p: ParcelPlan) -> list[Built]:
    warehouse = p.land_use == "1101"
    crane = None if warehouse or rng.random() < 0.4 else float(rng.choice([5, 10, 16, 20, 32]))
    occupancy = float(rng.uniform(0.72, 0.98))
    out = []
    for i, rect in enumerate(_halls(_inner(p.rect, 10.0), rng)):
        area = (rect[2] - rect[0]) * (rect[3] - rect[1])
        parts = max(1, math.ceil(area / float(rng.uniform(2500, 5500))))
        kind = "warehouse" if warehouse else "hall"
        name = f"{p.address}{'仓库' if warehouse else '厂房'}{i + 1}号"
        height = float(rng.uniform(11, 15))
        b, units = _add_building(tile, p, rect, kind, name, 1, height, parts, PLATFORM)
        for col, r in enumerate(units):
            unit_area = (r[2] - r[0]) * (r[3] - r[1])
            power = unit_area * (0.12 if warehouse else 0.3) * float(rng.uniform(0.8, 1.4))
            _add_space(
                tile,
                rng,
                b,
                1,
                col,
                r,
                clear_height_m=float(
                    rng.choice([9.0, 10.0, 12.0] if warehouse else [9.0, 10.0, 12.0, 14.0])
                ),
                floor_load_t_m2=float(
                    rng.choice([3.0, 4.0, 5.0] if warehouse else [3.0, 4.0, 5.0, 6.0])
                ),
                power_kva=float(max(200, round(power / 50) * 50)),
                crane_t=crane,
                rent=float(rng.uniform(15, 28) if warehouse else rng.uniform(18, 32)),
                occupancy=occupancy,
            )
        out.append(b)
    return out


def _owner(tile: Tile, rng: np.random.Generator, p: ParcelPlan) -> list[Built]:
    x0, y0, x1, y1 = _inner(p.rect, float(rng.uniform(8, 12)))
    out = []
    long_x = (x1 - x0) >= (y1 - y0)
    span = (x1 - x0) if long_x else (y1 - y0)
    if span > 110:
        office_d = float(rng.uniform(16, 22))
        office_w = min(float(rng.uniform(40, 60)), ((y1 - y0) if long_x else (x1 - x0)) * 0.6)
        if long_x:
            office = (x0, y0, x0 + office_d, y0 + office_w)
            x0 += office_d + 15
        else:
            office = (x0, y0, x0 + office_w, y0 + office_d)
            y0 += office_d + 15
        floors = int(rng.integers(3, 9))
        b, _ = _add_building(tile, p, office, "office", "综合楼", floors, floors * 4.0)
        out.append(b)
    for i, hall in enumerate(_halls((x0, y0, x1, y1), rng)):
        floors = int(rng.choice([1, 2, 3], p=[0.7, 0.2, 0.1]))
        height = {1: rng.uniform(9, 14), 2: rng.uniform(15, 18), 3: rng.uniform(20, 24)}[floors]
        b, _ = _add_building(tile, p, hall, "plant", f"{i + 1}号厂房", floors, float(height))
        out.insert(0, b)
    return out


def _urban(tile: Tile, rng: np.random.Generator, p: ParcelPlan) -> list[Built]:
    inner = _inner(p.rect, 15.0)
    out = []
    if p.land_use == "0701":
        rects = _rows_of(inner, 60.0, 14.0, 25.0, 40.0)[:12]
        name, floors = "住宅楼", int(rng.integers(11, 33))
    elif p.land_use == "0801":
        rects = _rows_of(inner, 70.0, 24.0, 40.0, 60.0)[:3]
        name, floors = "", int(rng.integers(8, 13))
    else:
        rects = _rows_of(inner, 40.0, 40.0, 30.0, 30.0)[:2]
        name, floors = "商务楼", int(rng.integers(6, 26))
    for i, rect in enumerate(rects):
        label = name or ("管委会办公大楼", "政务服务中心", "企业服务中心")[i]
        b, _ = _add_building(
            tile, p, rect, p.land_use, f"{label}{i + 1}栋" if name else label, floors, floors * 3.3
        )
        out.append(b)
    return out


def build(tile: Tile, plan: Plan) -> list[Built]:
    """Place buildings (and their spaces) on every built parcel; returns them in order.

    The first building of an owner's parcel is its main plant.
    """
    rng = tile.rng("plant")
    out: list[Built] = []
    seq = [0]
    for p in plan.parcels:
        if p.status != "built" or p.role in ("road", "green"):
            continue
        if p.role == "std_park":
            made = _std_park(tile, rng, p, seq)
            if not made:
                p.role = "owner"
                made = _owner(tile, rng, p)
        elif p.role == "leasable":
            made = _leasable(tile, rng, p)
        elif p.role in ("owner", "project"):
            made = _owner(tile, rng, p)
        elif p.role in ("urban", "public"):
            made = _urban(tile, rng, p) if rng.random() < 0.85 or p.role == "public" else []
        else:
            made = []
        p.buildings = made
        out.extend(made)
    return out
