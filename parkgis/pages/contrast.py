"""WCAG 2 contrast: the text colour that stays readable on a coloured chip or badge."""

from __future__ import annotations

DARK = "#000000"
LIGHT = "#ffffff"
AA = 4.5
"""WCAG AA for normal text."""


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """Relative luminance of ``#rrggbb`` (or ``#rgb``), 0 (black) to 1 (white)."""
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text(background: str) -> str:
    """White or near-black, whichever contrasts more with ``background``."""
    return LIGHT if contrast(LIGHT, background) >= contrast(DARK, background) else DARK
