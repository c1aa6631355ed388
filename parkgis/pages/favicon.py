"""The parkgis icon: SVG for pages and maps, and a 32×32 ``favicon.ico`` drawn here."""

from __future__ import annotations

import base64
import struct
import zlib
from functools import lru_cache

from parkgis.pages.env import STATIC

_BG = (0x1F, 0x4E, 0x66, 255)
_FG = (255, 255, 255, 255)
_CLEAR = (0, 0, 0, 0)
# (x0, y0, x1, y1, colour) on a 32×32 grid, as in favicon.svg
_RECTS = (
    (6, 24, 26, 26, _FG),
    (8, 14, 14, 23, _FG),
    (16, 9, 24, 23, _FG),
    (18, 12, 22, 14, _BG),
    (18, 16, 22, 18, _BG),
    (10, 17, 12, 19, _BG),
)


def svg() -> bytes:
    """The icon as SVG."""
    return (STATIC / "favicon.svg").read_bytes()


def svg_data_uri() -> str:
    """The SVG as a ``data:`` URI (for offline map files)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg()).decode("ascii")


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    colour = _BG
    corner = min(x, 31 - x) + min(y, 31 - y)
    if min(x, 31 - x) < 2 and min(y, 31 - y) < 2 and corner < 2:
        colour = _CLEAR  # rounded corners
    for x0, y0, x1, y1, c in _RECTS:
        if x0 <= x < x1 and y0 <= y < y1:
            colour = c
    return colour


def _png(size: int = 32) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


@lru_cache(maxsize=1)
def ico() -> bytes:
    """``favicon.ico``: one 32×32 PNG image in an ICO container."""
    png = _png(32)
    return (
        struct.pack("<HHH", 0, 1, 1)
        + struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(png), 22)
        + png
    )
