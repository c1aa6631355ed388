"""Numbers for people, in zh or en: money as 亿元/万元 or CNY million, areas in m² and mu."""

from __future__ import annotations

M2_PER_MU = 10000 / 15


def number(value: float | int | None, digits: int = 0) -> str:
    """``value`` with thousands separators and ``digits`` decimals (``—`` for None)."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def money(value_cny: float | int | None, lang: str = "zh") -> str:
    """An amount in yuan for people: ``2.82 亿元`` / ``282 万元`` or ``CNY 282.0 million``.

    Parameters
    ----------
    value_cny : float
        Amount in CNY (yuan).
    lang : {"zh", "en"}
    """
    if value_cny is None:
        return "—"
    v = float(value_cny)
    if lang == "zh":
        if abs(v) >= 1e8:
            return f"{v / 1e8:,.2f} 亿元"
        if abs(v) >= 1e4:
            return f"{v / 1e4:,.0f} 万元"
        return f"{v:,.0f} 元"
    if abs(v) >= 1e6:
        return f"CNY {v / 1e6:,.1f} million"
    return f"CNY {v:,.0f}"


def area(value_m2: float | int | None, lang: str = "zh") -> str:
    """An area in m² with mu: ``12,000 m² (18.0 亩)`` / ``12,000 m² (18.0 mu)``."""
    if value_m2 is None:
        return "—"
    mu = float(value_m2) / M2_PER_MU
    return f"{value_m2:,.0f} m² ({mu:,.1f} {'亩' if lang == 'zh' else 'mu'})"
