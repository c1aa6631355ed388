"""The demo zone's ground plan: street grid, blocks, grid areas and parcel outlines.

Everything here is in local metres (see :mod:`parkgis.demo.frame`); a *tile* is one
zone-sized town of ``cols`` × ``rows`` blocks between streets. Larger scales place
more tiles side by side.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from parkgis.demo.plan import Block, ParcelPlan, Plan, Rect

FULL_COLS, FULL_ROWS = 16, 13
COL_WIDTHS = (360.0, 400.0, 440.0, 480.0)
ROW_HEIGHTS = (280.0, 320.0, 360.0)
ARTERIAL_M, LOCAL_M = 40.0, 24.0
TILE_PITCH_X, TILE_PITCH_Y = 8600.0, 5600.0
ROAD_NAMES_X = [
    "迎宾大道",
    "亚铝大街",
    "龙湖路",
    "工业大道",
    "北江大道",
    "永安路",
    "创业路",
    "兴业路",
    "科技路",
    "振兴路",
    "东成路",
    "福园路",
    "华源路",
    "金湖路",
    "凤凰路",
    "江湾路",
    "长岗路",
]
ROAD_NAMES_Y = [
    "大旺大道",
    "二环路",
    "园区大街",
    "新城大街",
    "宏达大街",
    "高新大街",
    "沙湖大街",
    "立信大街",
    "明珠大街",
    "横江大街",
    "富民大街",
    "银湖大街",
    "龙腾大街",
    "南岸大街",
    "建设大街",
    "翠湖大街",
    "泰安大街",
]


def tile_shape(scale: float) -> tuple[int, int]:
    """Blocks per row and column of one tile: full size from scale 1, fewer below."""
    if scale >= 1:
        return FULL_COLS, FULL_ROWS
    f = math.sqrt(scale)
    return max(3, round(FULL_COLS * f)), max(3, round(FULL_ROWS * f))


def tile_offset(index: int, tiles: int) -> tuple[float, float]:
    """Local-metre offset of tile ``index`` among ``tiles`` (tile 0 is the original zone)."""
    per_row = max(1, math.ceil(math.sqrt(tiles)))
    return (index % per_row) * TILE_PITCH_X, (index // per_row) * TILE_PITCH_Y


def _lines(rng: np.random.Generator, sizes: tuple[float, ...], n: int) -> list[tuple[float, float]]:
    """Road edges (left/bottom, right/top) of ``n + 1`` roads around ``n`` blocks, centred."""
    spans = [float(sizes[int(rng.integers(len(sizes)))]) for _ in range(n)]
    widths = [ARTERIAL_M if (i % 4 == 0 or i == n) else LOCAL_M for i in range(n + 1)]
    total = sum(spans) + sum(widths)
    pos = -total / 2
    roads = []
    for i in range(n + 1):
        roads.append((pos, pos + widths[i]))
        pos += widths[i] + (spans[i] if i < n else 0.0)
    return roads


def _district(rng: np.random.Generator, col: int, row: int, cols: int, rows: int) -> str:
    cx, cy = (col + 0.5) / cols, (row + 0.5) / rows
    core_c, core_r = cols // 2, rows // 2
    if col in (core_c - 1, core_c) and row in (core_r - 1, core_r):
        return {
            (core_c - 1, core_r - 1): "admin",
            (core_c, core_r - 1): "commercial",
            (core_c - 1, core_r): "commercial",
            (core_c, core_r): "park",
        }[(col, row)]
    if cx < 0.28 and cy < 0.36:
        return "residential"
    if max(abs(col - core_c + 0.5), abs(row - core_r + 0.5)) < 2 and rng.random() < 0.5:
        return "commercial"
    if cx > 0.87:
        return "logistics"
    if rng.random() < 0.02:
        return "park"
    return "industrial"


def _ind_class(rng: np.random.Generator, col: int, row: int, cols: int, rows: int) -> int:
    d = math.hypot((col + 0.5) / cols, (row + 0.5) / rows) / math.sqrt(2)
    base = 1 if d < 0.5 else (3 if d > 0.72 else 2)
    if rng.random() < 0.15:
        base = int(rng.integers(1, 4))
    return base


def _split(
    rng: np.random.Generator, rect: Rect, median_m2: float, sigma: float, min_w: float
) -> list[Rect]:
    """Cut a strip (long side along x) into frontage parcels of lognormal area."""
    x0, y0, x1, y1 = rect
    depth = y1 - y0
    out: list[Rect] = []
    x = x0
    while x1 - x > 0:
        w = float(np.clip(rng.lognormal(math.log(median_m2), sigma) / depth, min_w, 4 * min_w))
        w = round(w)
        if x1 - (x + w) < min_w:
            w = x1 - x
        out.append((x, y0, x + w, y1))
        x += w
    return out


def _parcels_of(rng: np.random.Generator, b: Block, addr: str) -> list[ParcelPlan]:
    x0, y0, x1, y1 = b.rect
    ym = round((y0 + y1) / 2)
    d = b.district
    if d in ("park", "admin"):
        if d == "admin":
            xm = round(x0 + (x1 - x0) * 0.55)
            return [
                ParcelPlan((x0, y0, xm, y1), "0801", b, addr),
                ParcelPlan((xm, y0, x1, y1), "1401", b, addr),
            ]
        return [ParcelPlan(b.rect, "1401", b, addr)]
    if d == "residential":
        rects = _split(rng, b.rect, 30000.0, 0.35, 100.0)
        lus = ["0901" if rng.random() < 0.2 else "0701" for _ in rects]
        return [ParcelPlan(r, lu, b, addr) for r, lu in zip(rects, lus, strict=True)]
    if d == "commercial":
        rects = _split(rng, (x0, y0, x1, ym), 12000.0, 0.4, 60.0)
        rects += _split(rng, (x0, ym, x1, y1), 12000.0, 0.4, 60.0)
        return [ParcelPlan(r, "0901" if rng.random() < 0.6 else "0902", b, addr) for r in rects]
    median = 20000.0 if d == "logistics" else 11500.0
    if rng.random() < 0.22:
        rects = _split(rng, b.rect, median * 2.2, 0.45, 80.0)
    else:
        rects = _split(rng, (x0, y0, x1, ym), median, 0.5, 50.0)
        rects += _split(rng, (x0, ym, x1, y1), median, 0.5, 50.0)
    use = "1101" if d == "logistics" else f"10010{b.ind_class}"
    out = []
    for r in rects:
        lu = use
        if rng.random() < 0.055:
            lu = "1402"
        elif d == "industrial" and rng.random() < 0.04:
            lu = "1101"
        out.append(ParcelPlan(r, lu, b, addr))
    return out


def make_plan(rng: np.random.Generator, scale: float, prefix: str) -> Plan:
    """Lay out one tile: streets (as road parcels), blocks, parcels and grid areas.

    Parameters
    ----------
    rng : numpy.random.Generator
        The tile's random stream.
    scale : float
        Below 1 the tile has fewer blocks (for fast tests); from 1 up it is full size.
    prefix : str
        Prefix of this tile's grid-area codes (``""`` for the original zone).

    Returns
    -------
    Plan
        Blocks, parcels (road parcels first) and grid-area rectangles in local metres,
        centred on (0, 0).
    """
    cols, rows = tile_shape(scale)
    vx = _lines(rng, COL_WIDTHS, cols)
    hy = _lines(rng, ROW_HEIGHTS, rows)
    left, right, bottom, top = vx[0][0], vx[-1][1], hy[0][0], hy[-1][1]
    newness_noise = rng.normal(0.0, 0.12, (cols, rows))
    gcols = max(1, min(cols, round(6 * math.sqrt(min(scale, 1.0)))))
    grows = max(1, min(rows, round(4 * math.sqrt(min(scale, 1.0)))))
    col_group = np.array_split(np.arange(cols), gcols)
    row_group = np.array_split(np.arange(rows), grows)
    gc_of = {int(c): i for i, g in enumerate(col_group) for c in g}
    gr_of = {int(r): i for i, g in enumerate(row_group) for r in g}
    blocks: list[Block] = []
    for r in range(rows):
        for c in range(cols):
            rect = (vx[c][1], hy[r][1], vx[c + 1][0], hy[r + 1][0])
            district = _district(rng, c, r, cols, rows)
            newness = 0.45 * (c + 0.5) / cols + 0.55 * (r + 0.5) / rows
            blocks.append(
                Block(
                    c,
                    r,
                    rect,
                    district,
                    _ind_class(rng, c, r, cols, rows),
                    float(newness + newness_noise[c, r]),
                    gr_of[r] * gcols + gc_of[c],
                )
            )
    parcels: list[ParcelPlan] = []
    for i, (y0, y1) in enumerate(hy):
        parcels.append(ParcelPlan((left, y0, right, y1), "1207", None, _road(i, True), road=True))
    for i, (x0, x1) in enumerate(vx):
        for j in range(rows):
            seg = (x0, hy[j][1], x1, hy[j + 1][0])
            parcels.append(ParcelPlan(seg, "1207", None, _road(i, False), road=True))
    for b in blocks:
        number = 1
        for p in _parcels_of(rng, b, ""):
            p.address = f"{_road(b.row, True)}{number * 2 + b.col * 20}号"
            p.newness = b.newness
            parcels.append(p)
            number += 1
    grid_rects = []
    for gi, rg in enumerate(row_group):
        for gj, cg in enumerate(col_group):
            c0, c1, r0, r1 = int(cg[0]), int(cg[-1]), int(rg[0]), int(rg[-1])
            gx0 = left if c0 == 0 else (vx[c0][0] + vx[c0][1]) / 2
            gx1 = right if c1 == cols - 1 else (vx[c1 + 1][0] + vx[c1 + 1][1]) / 2
            gy0 = bottom if r0 == 0 else (hy[r0][0] + hy[r0][1]) / 2
            gy1 = top if r1 == rows - 1 else (hy[r1 + 1][0] + hy[r1 + 1][1]) / 2
            n = gi * gcols + gj + 1
            grid_rects.append(((gx0, gy0, gx1, gy1), f"{prefix}W{n:02d}"))
    return Plan(blocks, parcels, grid_rects, (left, bottom, right, top))


def noded_polygons(rects: list[Rect]) -> list[shapely.Polygon]:
    """Polygons of axis-aligned rectangles that carry every neighbour's corner on their edges.

    Rectangles that touch (a parcel along a road, a road segment at a junction) then share
    their boundary vertex for vertex, so they still share it exactly after the curved
    projection to lon/lat and rounding: no slivers, no overlaps.
    """
    xs_at_y: dict[float, set[float]] = {}
    ys_at_x: dict[float, set[float]] = {}
    for x0, y0, x1, y1 in rects:
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            xs_at_y.setdefault(y, set()).add(x)
            ys_at_x.setdefault(x, set()).add(y)
    out = []
    for x0, y0, x1, y1 in rects:
        bottom = sorted(x for x in xs_at_y[y0] if x0 < x < x1)
        right = sorted(y for y in ys_at_x[x1] if y0 < y < y1)
        top = sorted((x for x in xs_at_y[y1] if x0 < x < x1), reverse=True)
        left = sorted((y for y in ys_at_x[x0] if y0 < y < y1), reverse=True)
        ring = [(x0, y0)] + [(x, y0) for x in bottom] + [(x1, y0)] + [(x1, y) for y in right]
        ring += [(x1, y1)] + [(x, y1) for x in top] + [(x0, y1)] + [(x0, y) for y in left]
        out.append(shapely.Polygon(ring))
    return out


def _road(i: int, horizontal: bool) -> str:
    names = ROAD_NAMES_X if horizontal else ROAD_NAMES_Y
    return names[i % len(names)] + ("" if i < len(names) else str(i // len(names) + 1))
