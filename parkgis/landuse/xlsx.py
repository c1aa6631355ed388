"""XLSX workbooks of the land-use review (openpyxl, imported when used).

Every workbook is built only from the dicts the JSON API returns, so it can hold nothing
the caller could not read there.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

UNIT_NOTE = "Areas are geodesic; 1 亩 (mu) = 10000/15 m² ≈ 666.67 m²; 1 ha = 10,000 m²."


def _sheet(wb: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title[:31])
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    return ws


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple | dict):
        return ", ".join(str(x) for x in v) if not isinstance(v, dict) else str(v)
    return v


def new_book() -> Any:
    """An empty openpyxl workbook (no default sheet)."""
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    return wb


def to_bytes(wb: Any) -> bytes:
    """The workbook as XLSX bytes."""
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def summary_sheets(wb: Any, summary: dict[str, Any]) -> None:
    """Add the summary's sheets: classes, groups, rates and intensity, references."""
    zone = summary["zone"]
    _sheet(
        wb,
        "Classes",
        ["code", "name_zh", "name_en", "parcels", "area_m2", "area_ha", "area_mu", "share"],
        [
            [c["code"], c["name_zh"], c["name_en"], c["parcels"], c["area_m2"], c["area_ha"]]
            + [c["area_mu"], c["share"]]
            for c in zone["classes"]
        ]
        + [
            ["total", None, None, zone["parcels"], zone["area_m2"], zone["area_ha"]]
            + [zone["area_mu"], 1.0]
        ],
    )
    keys = list(zone["intensity"])
    rates = list(zone["rates"])
    _sheet(
        wb,
        f"By {summary['by']}",
        ["group", "parcels", "area_m2", "area_ha", "area_mu", *rates, *keys],
        [
            [g["key"], g["parcels"], g["area_m2"], g["area_ha"], g["area_mu"]]
            + [g["rates"][k] for k in rates]
            + [g["intensity"].get(k) for k in keys]
            for g in [zone, *summary["groups"]]
        ],
    )
    ws = _sheet(
        wb,
        "Reference",
        ["key", "name_zh", "name_en", "reference", "zone", "unit", "scope", "year", "source"],
        [
            [r["key"], r["name_zh"], r["name_en"], r["value"], r.get("zone_value"), r["unit"]]
            + [r["scope"], r["year"], r["source"]]
            for r in _with_zone(summary)
        ],
    )
    ws.append([])
    ws.append([UNIT_NOTE])


def _with_zone(summary: dict[str, Any]) -> list[dict[str, Any]]:
    zone_vals = {c["key"]: c["zone_value"] for c in summary["comparison"]}
    return [{**r, "zone_value": zone_vals.get(r["key"])} for r in summary["reference"]]


def summary_xlsx(summary: dict[str, Any]) -> bytes:
    """The land-use summary (:func:`parkgis.landuse.landuse_summary`) as XLSX."""
    wb = new_book()
    summary_sheets(wb, summary)
    return to_bytes(wb)


FIRM_COLUMNS = (
    "id",
    "name",
    "industry_code",
    "land_m2",
    "land_mu",
    "parcels_held",
    "tenancies",
    "employees",
    "output_cny",
    "tax_cny",
    "energy_tce",
    "rnd_cny",
)


def firm_rows_sheet(wb: Any, title: str, firms: Sequence[dict[str, Any]]) -> None:
    """Add a sheet of firm rows (figures, indicators, score, grade)."""
    inds = list(firms[0]["indicators"]) if firms else []
    _sheet(
        wb,
        title,
        [*FIRM_COLUMNS, *inds, "score", "grade", "reason"],
        [
            [f.get(c) for c in FIRM_COLUMNS]
            + [f["indicators"].get(k) for k in inds]
            + [f["score"], f["grade"], f["reason"]]
            for f in firms
        ],
    )


def firm_sheets(wb: Any, evaluation: dict[str, Any]) -> None:
    """Add the 亩均 sheets: one row per firm, and the averages and settings."""
    firm_rows_sheet(wb, "Firms", evaluation["firms"])
    st = evaluation["settings"]
    rows: list[list[Any]] = [["zone average: " + k, v] for k, v in evaluation["averages"].items()]
    rows += [["weight: " + k, v] for k, v in st["weights"].items()]
    rows += [["min_mu", st["min_mu"]], ["score_cap", st["score_cap"]]]
    rows += [["grade cut-offs", ", ".join(str(c) for c in st["grade_cutoffs"])]]
    rows += [["graded: " + k, v] for k, v in evaluation["counts"].items()]
    _sheet(wb, "Averages", ["item", "value"], rows)


def firms_xlsx(evaluation: dict[str, Any]) -> bytes:
    """The 亩均 evaluation (:func:`parkgis.landuse.evaluate_firms`) as XLSX."""
    wb = new_book()
    firm_sheets(wb, evaluation)
    return to_bytes(wb)


def inefficient_sheet(wb: Any, ineff: dict[str, Any]) -> None:
    """Add the inefficient-land sheet: one row per parcel with its type and clock."""
    _sheet(
        wb,
        "Inefficient land",
        [
            "id",
            "code",
            "land_use",
            "status",
            "area_m2",
            "area_mu",
            "type",
            "type_zh",
            "plot_ratio",
            "min_plot_ratio",
            "building_coefficient",
            "agreed_start_on",
            "days_since_agreed_start",
            "idle",
            "fee_cny",
            "may_take_back",
        ],
        [
            [r["id"], r["code"], r["land_use"], r["status"], r["area_m2"], r["area_mu"]]
            + [r["type"], r["type_zh"], r["plot_ratio"], r["min_plot_ratio"]]
            + [r["building_coefficient"]]
            + [
                (r["clock"] or {}).get(k)
                for k in ("agreed_start_on", "days_since_agreed_start", "idle", "fee_cny")
            ]
            + [(r["clock"] or {}).get("may_take_back")]
            for r in ineff["parcels"]
        ],
    )


def indicator_sheet(wb: Any, title: str, rows: Sequence[dict[str, Any]]) -> None:
    """Add a sheet of control-indicator rows (one per parcel)."""
    cols = (
        "id",
        "code",
        "land_use",
        "status",
        "area_m2",
        "area_mu",
        "industry_code",
        "plot_ratio",
        "min_plot_ratio",
        "building_coefficient",
        "coefficient_floor",
        "check",
        "reasons",
    )
    _sheet(wb, title, cols, [[r.get(c) for c in cols] for r in rows])
