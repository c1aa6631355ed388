"""The evaluation as a table: one flat row per officer, its column words, and the XLSX.

The printable page and the workbook show the same columns (:data:`COLUMNS`), read from
:func:`parkgis.programme.evaluation.evaluation`; each figure keeps the link to its
evidence (a hyperlink in the workbook when the caller gives the site's base URL).
"""

from __future__ import annotations

import io
from typing import Any

from parkgis.programme.evaluation import PARTS

COLUMNS: list[tuple[str, str, str, str | None]] = [
    ("rank", "名次", "Rank", None),
    ("officer_id", "编号", "ID", None),
    ("name", "姓名", "Name", None),
    ("unit", "单位", "Unit", None),
    ("composite", "综合得分", "Composite", None),
    ("months_all_done", "五个一全部完成月数", "Months all five done", "checklist"),
    ("months_judged", "考核月数", "Months judged", "checklist"),
    ("contact_rate_pct", "企业走访率 %", "Firm-months contacted %", "contact"),
    ("firms_contacted_every_month", "每月均走访企业", "Firms contacted every month", "contact"),
    ("firms", "包联企业", "Firms", "contact"),
    ("requests_resolved", "办结诉求", "Requests resolved", "requests"),
    ("median_working_days", "办结中位工作日", "Median working days", "requests"),
    ("projects_advanced", "推进项目", "Projects advanced", "projects"),
    ("stages_gained", "推进阶段数", "Stages gained", "projects"),
    ("units_leased", "预留促成签约", "Units leased via holds", "leases"),
    ("draws_scored", "抽签评分次数", "Draws scored", "draws"),
    ("mean_score_pct", "平均评分 %", "Mean draw score %", "draws"),
    ("investment_calls", "登门招商", "Investment calls", "calls"),
]
"""(key, zh, en, figure whose ``link`` is the cell's evidence)."""

PART_WORDS: dict[str, tuple[str, str]] = {
    "checklist": ("五个一", "Five-item checklist"),
    "contact": ("企业走访", "Firm contact"),
    "requests": ("诉求办结", "Requests resolved"),
    "projects": ("项目推进", "Project stages"),
    "leases": ("招商签约", "Units leased"),
    "draws": ("抽签评分", "Draw scores"),
    "calls": ("登门招商", "Investment calls"),
}


def flat_row(o: dict[str, Any]) -> dict[str, Any]:
    """One officer of the evaluation as :data:`COLUMNS` values, plus ``links`` by key."""
    ck, ct, rq, pj, ls, dr = (
        o[k] for k in ("checklist", "contact", "requests", "projects", "leases", "draws")
    )
    row = {
        "rank": o["rank"],
        "officer_id": o["officer_id"],
        "name": o["name"],
        "unit": o["unit"],
        "composite": o["composite"],
        "months_all_done": ck["months_all_done"],
        "months_judged": ck["months_judged"],
        "contact_rate_pct": None if ct["rate"] is None else round(100 * ct["rate"], 1),
        "firms_contacted_every_month": ct["firms_contacted_every_month"],
        "firms": ct["firms"],
        "requests_resolved": rq["resolved"],
        "median_working_days": rq["median_working_days"],
        "projects_advanced": pj["advanced"],
        "stages_gained": pj["stages_gained"],
        "units_leased": ls["units"],
        "draws_scored": dr["scored"],
        "mean_score_pct": dr["mean_score_pct"],
        "investment_calls": o["calls"]["count"],
    }
    row["links"] = {key: o[fig]["link"] for key, _zh, _en, fig in COLUMNS if fig}
    return row


def _text(cell: Any) -> None:
    # Text such as an officer called "=HYPERLINK(...)" stays text, not a formula.
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def evaluation_xlsx(ev: dict[str, Any], *, lang: str = "zh", base_url: str | None = None) -> bytes:
    """The evaluation as a workbook: the ranked table, each judged month, the weights.

    Parameters
    ----------
    ev : dict
        :func:`parkgis.programme.evaluation.evaluation`.
    lang : {"zh", "en"}
        Language of the column headings.
    base_url : str, optional
        The site's origin (``https://host``): figure cells become hyperlinks to their
        evidence; without it the links are listed in the ``links`` sheet only.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    i = 0 if lang == "zh" else 1
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "evaluation"
    ws.append([c[1 + i] for c in COLUMNS])
    links = wb.create_sheet("links")
    links.append(["officer_id", "figure", "url"])
    for o in ev["officers"]:
        row = flat_row(o)
        ws.append([row[c[0]] for c in COLUMNS])
        for j, (key, _zh, _en, fig) in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=ws.max_row, column=j)
            _text(cell)
            if fig and base_url:
                cell.hyperlink = base_url.rstrip("/") + row["links"][key]
        for fig in PARTS:
            links.append([o["officer_id"], fig, o[fig]["link"]])
    months = wb.create_sheet("months")
    months.append(
        ["officer_id", "name", "month", "all_done", "missing", "firms_contacted", "firms"]
    )
    for o in ev["officers"]:
        contact = {m["month"]: m for m in o["contact"]["months"]}
        for m in o["checklist"]["months"]:
            c = contact.get(m["month"], {})
            months.append(
                [
                    o["officer_id"],
                    o["name"],
                    m["month"],
                    m["all_done"],
                    ", ".join(m["missing"]),
                    c.get("contacted"),
                    c.get("assigned"),
                ]
            )
            _text(months.cell(row=months.max_row, column=2))
    weights = wb.create_sheet("weights")
    weights.append(["part", "weight", "name"])
    for part in PARTS:
        weights.append([part, ev["weights"][part], PART_WORDS[part][i]])
    weights.append([])
    weights.append(["year", ev["year"]])
    weights.append(["as_of", ev["as_of"]])
    weights.append(["months_judged", ", ".join(ev["months_judged"])])
    for sheet in (ws, links, months, weights):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
