"""The printable land-use report (``/reports/landuse?f=html|pdf|xlsx``).

One dict (:func:`landuse_report`) feeds all three formats: the summary (by grid area), the
worst 20 by each indicator, and the inefficient land with its idle clocks. HTML comes from
a Jinja template with autoescaping (``templates/landuse_report.html``); the PDF is that
HTML printed by WeasyPrint (imported when used); the XLSX has one sheet per table.

Planner and admin only: the report holds grades, tax and output.

Worst 20 (ascending, so the weakest first):

- ``plot_ratio``: built industrial parcels with a known minimum, by plot ratio ÷ minimum;
- ``building_coefficient``: built industrial parcels, by building coefficient;
- ``tax_cny_per_mu``, ``output_cny_per_mu``: graded firms, by that indicator;
- ``score``: graded firms, by 亩均 score.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.landuse.firms import evaluate_rows, firm_land_rows
from parkgis.landuse.indicators import parcel_indicators_rows
from parkgis.landuse.inefficient import TYPES, inefficient_rows, type_counts
from parkgis.landuse.scope import Scope
from parkgis.landuse.summary import landuse_summary
from parkgis.maps.i18n import Lang, status_label
from parkgis.models.base import PARCEL_STATUSES
from parkgis.settings import Settings

WORST_N = 20
TEMPLATES = Path(__file__).resolve().parent / "templates"

LABELS: dict[str, tuple[str, str]] = {
    "title": ("土地利用评价报告", "Land-use review report"),
    "as_of": ("截至", "As of"),
    "summary": ("一、用地概况", "1. Land use"),
    "classes": ("按用地分类", "By land-use class"),
    "grids": ("按网格", "By grid area"),
    "rates": ("主要比率", "Rates"),
    "intensity": ("集约程度", "Intensity"),
    "reference": ("对标", "Reference figures"),
    "worst": ("二、末位20名", "2. The worst 20 by each indicator"),
    "inefficient": ("三、低效用地及闲置时钟", "3. Inefficient land and idle clocks"),
    "code": ("编码", "Code"),
    "name": ("名称", "Name"),
    "parcels": ("地块数", "Parcels"),
    "area_m2": ("面积（m²）", "Area (m²)"),
    "area_ha": ("面积（公顷）", "Area (ha)"),
    "area_mu": ("面积（亩）", "Area (mu)"),
    "share": ("占比", "Share"),
    "group": ("分组", "Group"),
    "value": ("数值", "Value"),
    "zone": ("本区", "This zone"),
    "ref": ("对标值", "Reference"),
    "source": ("来源", "Source"),
    "status": ("状态", "Status"),
    "type": ("类型", "Type"),
    "plot_ratio": ("容积率", "Plot ratio"),
    "min_plot_ratio": ("容积率下限", "Minimum plot ratio"),
    "building_coefficient": ("建筑系数", "Building coefficient"),
    "tax_cny_per_mu": ("亩均税收（元/亩）", "Tax per mu (CNY)"),
    "output_cny_per_mu": ("亩均产值（元/亩）", "Output per mu (CNY)"),
    "score": ("亩均综合得分", "Per-mu score"),
    "grade": ("等级", "Grade"),
    "firm": ("企业", "Firm"),
    "days": ("距约定开工（天）", "Days since agreed start"),
    "fee": ("闲置费（元）", "Idle fee (CNY)"),
    "take_back": ("可收回", "May be taken back"),
    "industrial_share": ("工业用地占比", "Industrial share"),
    "supplied_share": ("已供地占比", "Supplied share"),
    "built_share": ("已建成占比", "Built share"),
    "idle_share": ("闲置地占比", "Idle share"),
    "industrial_plot_ratio": ("工业用地综合容积率", "Industrial plot ratio"),
    "industrial_building_coefficient": ("工业用地建筑系数", "Industrial building coefficient"),
    "industrial_with_buildings_mu": ("有建筑的工业用地（亩）", "Industrial land built on (mu)"),
    "investment_cny_per_mu": ("亩均投资（元/亩）", "Investment per mu (CNY)"),
    "units": (
        "面积为椭球面积；1亩 = 10000/15 m²",
        "Areas are geodesic; 1 mu = 10000/15 m²",
    ),
    "none": ("无", "None"),
}


def _worst(rows: list[dict[str, Any]], key: Any, n: int = WORST_N) -> list[dict[str, Any]]:
    vals = [(key(r), r) for r in rows]
    vals = [(v, r) for v, r in vals if v is not None]
    vals.sort(key=lambda vr: (vr[0], vr[1]["id"]))
    return [r for _, r in vals[:n]]


def landuse_report(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    today: date,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Everything the report shows (planner and admin only).

    Parameters
    ----------
    today : date
        Zone date of the report and of the idle clocks.
    scope : Scope, optional
        bbox/polygon in EPSG:4326 (parcels whose point on surface is inside).

    Returns
    -------
    dict
        ``as_of``, ``summary`` (by grid area), ``worst`` (lists of 20 per indicator),
        ``inefficient`` (``counts`` and ``parcels``). Areas geodesic, in m² and 亩.
    """
    require_role(principal, ("admin", "planner"), "read the land-use report")
    scope = scope or Scope()
    lu = settings.landuse
    summary = landuse_summary(session, principal, by="grid", scope=scope, today=today)
    all_indicators = parcel_indicators_rows(session, lu, scope)
    indicators = [r for r in all_indicators if r["status"] == "built"]
    evaluation = evaluate_rows(firm_land_rows(session), lu)
    graded = [f for f in evaluation["firms"] if f["graded"]]
    grades = {f["id"]: f["grade"] for f in graded}
    taxes = {
        f["id"]: f["indicators"]["tax_cny_per_mu"]
        for f in evaluation["firms"]
        if f["indicators"]["tax_cny_per_mu"] is not None
    }
    ineff = inefficient_rows(
        session,
        lu,
        today=today,
        scope=scope,
        grades=grades,
        tax_per_mu=taxes,
        indicators=all_indicators,
    )
    order = {k: i for i, k in enumerate(TYPES)}
    ineff.sort(
        key=lambda r: (
            order[r["type"]],
            -((r["clock"] or {}).get("days_since_agreed_start") or 0),
            r["id"],
        )
    )
    worst = {
        "plot_ratio": _worst(
            indicators,
            lambda r: (
                r["plot_ratio"] / r["min_plot_ratio"]
                if r["plot_ratio"] is not None and r["min_plot_ratio"]
                else None
            ),
        ),
        "building_coefficient": _worst(indicators, lambda r: r["building_coefficient"]),
        "tax_cny_per_mu": _worst(graded, lambda f: f["indicators"]["tax_cny_per_mu"]),
        "output_cny_per_mu": _worst(graded, lambda f: f["indicators"]["output_cny_per_mu"]),
        "score": _worst(graded, lambda f: f["score"]),
    }
    return {
        "as_of": today.isoformat(),
        "summary": summary,
        "worst": worst,
        "inefficient": {"counts": type_counts(ineff), "parcels": ineff},
        "grade_counts": evaluation["counts"],
    }


def _num(v: Any, digits: int = 2) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "✓" if v else ""
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _pct(v: Any) -> str:
    return "" if v is None else f"{v * 100:.1f}%"


@lru_cache(maxsize=1)
def _templates() -> None:
    """Add this package's templates and filters to the shared environment (once)."""
    from parkgis.pages.env import add_template_dir, environment

    add_template_dir(TEMPLATES)
    env = environment()
    env.filters.setdefault("lu_num", _num)
    env.filters.setdefault("lu_pct", _pct)


def report_context(
    data: dict[str, Any], *, lang: str = "zh", principal: Principal | None = None
) -> dict[str, Any]:
    """What the report templates need: the data, labels and type names in ``lang``."""
    _templates()
    lg: Lang = "en" if lang == "en" else "zh"
    return {
        "d": data,
        "L": {k: v[0] if lg == "zh" else v[1] for k, v in LABELS.items()},
        "lang": lg,
        "types": {k: (zh if lg == "zh" else en) for k, (zh, en) in TYPES.items()},
        "statuses": {k: status_label(k, lg) for k in PARCEL_STATUSES},
        "user": principal.name if principal else "",
    }


def report_title(lang: str) -> str:
    """The report's title in ``lang``."""
    return LABELS["title"][1 if lang == "en" else 0]


def report_html(
    data: dict[str, Any], *, lang: str = "zh", principal: Principal | None = None
) -> str:
    """The printable report as one HTML file without the frame (every value escaped)."""
    from parkgis.pages.env import render_template

    return render_template(
        "landuse_report.html", **report_context(data, lang=lang, principal=principal)
    )


def report_pdf(html: str) -> bytes:
    """The report's HTML printed to PDF by WeasyPrint (A4, CJK fonts from the system)."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def report_xlsx(data: dict[str, Any]) -> bytes:
    """The report as XLSX: the summary sheets, the worst-20 sheets and inefficient land."""
    from parkgis.landuse import xlsx

    wb = xlsx.new_book()
    xlsx.summary_sheets(wb, data["summary"])
    worst = data["worst"]
    xlsx.indicator_sheet(wb, "Worst plot ratio", worst["plot_ratio"])
    xlsx.indicator_sheet(wb, "Worst coefficient", worst["building_coefficient"])
    for key in ("tax_cny_per_mu", "output_cny_per_mu", "score"):
        xlsx.firm_rows_sheet(wb, f"Worst {key}", worst[key])
    xlsx.inefficient_sheet(wb, data["inefficient"])
    return xlsx.to_bytes(wb)
