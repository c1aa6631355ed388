"""Project summaries for the leadership: by stage, overdue, by chain and officer, this
year's starts/completions/productions against the targets, and the yearly summary (JSON
and XLSX).

All figures are computed from :func:`parkgis.projects.supervision.project_statuses`, the same rows
the board API and the battle map show, so every total equals the sum of its rows.
Investment is given in yuan (``investment_cny``) and in 亿元 (``investment_yi`` = 1e8 CNY).
Years and months are the zone's calendar (Asia/Shanghai by default).

A milestone counts for a year when its actual date falls in that year, also for projects
cancelled later: the start or completion did happen.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.projects.milestones import (
    ALL_PROJECT_STAGES,
    PROJECT_STAGES,
    STAGE_COLORS,
    stage_label,
)
from parkgis.projects.supervision import CNY_PER_YI, ProjectFilter, ProjectStatus, project_statuses
from parkgis.settings import ProjectSettings

TARGETS = {
    "starts": "construction_started",
    "completions": "completed",
    "productions": "in_production",
}
"""The three yearly targets and the milestone each one counts."""


def _money(total: float) -> dict[str, float]:
    return {"investment_cny": total, "investment_yi": round(total / CNY_PER_YI, 4)}


def _group(
    rows: Iterable[ProjectStatus], key: Callable[[ProjectStatus], Any]
) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for r in rows:
        g = out.setdefault(key(r), {"count": 0, "investment": 0.0, "overdue": 0})
        g["count"] += 1
        g["investment"] += r.investment_cny or 0.0
        g["overdue"] += int(r.is_overdue)
    return out


def _achieved(rows: Iterable[ProjectStatus], stage: str, year: int) -> list[ProjectStatus]:
    return [r for r in rows if (a := r.milestones[stage].actual) is not None and a.year == year]


def _targets(rows: list[ProjectStatus], year: int, cfg: ProjectSettings) -> dict[str, Any]:
    out: dict[str, Any] = {"year": year}
    for name, stage in TARGETS.items():
        target = int(getattr(cfg, f"target_{name}"))
        actual = len(_achieved(rows, stage, year))
        out[name] = {
            "milestone": stage,
            "actual": actual,
            "target": target,
            "ratio": round(actual / target, 4) if target else None,
        }
    return out


def summarize(
    rows: list[ProjectStatus], *, today: date, cfg: ProjectSettings, lang: str = "zh"
) -> dict[str, Any]:
    """The project summary of ``rows`` (from :func:`project_statuses`) on ``today``.

    Returns
    -------
    dict
        ``total``, ``by_stage`` (every stage in order, zero rows included), ``overdue``
        (projects with an overdue milestone, and how many milestones), ``by_chain``,
        ``by_officer`` and ``this_year`` (starts/completions/productions vs targets).
    """
    stages = _group(rows, lambda r: r.stage)
    chains = _group(rows, lambda r: (r.industry_chain, r.chain_name_zh, r.chain_name_en))
    officers = _group(rows, lambda r: (r.officer_id, r.officer_name))
    overdue = [r for r in rows if r.is_overdue]
    return {
        "as_of": today.isoformat(),
        "total": {"count": len(rows), **_money(sum(r.investment_cny or 0.0 for r in rows))},
        "by_stage": [
            {
                "stage": s,
                "label": stage_label(s, lang),
                "color": STAGE_COLORS[s],
                "count": stages.get(s, {}).get("count", 0),
                "overdue": stages.get(s, {}).get("overdue", 0),
                **_money(stages.get(s, {}).get("investment", 0.0)),
            }
            for s in ALL_PROJECT_STAGES
        ],
        "overdue": {
            "projects": len(overdue),
            "milestones": sum(len(r.overdue) for r in overdue),
            **_money(sum(r.investment_cny or 0.0 for r in overdue)),
        },
        "by_chain": [
            {
                "chain": k[0],
                "name_zh": k[1],
                "name_en": k[2],
                "count": g["count"],
                "overdue": g["overdue"],
                **_money(g["investment"]),
            }
            for k, g in sorted(chains.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or ""))
        ],
        "by_officer": [
            {
                "officer_id": k[0],
                "officer_name": k[1],
                "count": g["count"],
                "overdue": g["overdue"],
                **_money(g["investment"]),
            }
            for k, g in sorted(officers.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or 0))
        ],
        "this_year": _targets(rows, today.year, cfg),
    }


def project_summary(
    session: Session,
    principal: Principal,
    *,
    today: date,
    cfg: ProjectSettings,
    filters: ProjectFilter | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """The summary behind ``GET /api/v1/projects/summary`` (see :func:`summarize`).

    Parameters
    ----------
    today : date
        The zone's calendar date; "this year" is its year.
    cfg : ProjectSettings
        Holds the yearly targets.
    """
    rows = project_statuses(session, principal, today=today, filters=filters)
    return summarize(rows, today=today, cfg=cfg, lang=lang)


def yearly_summary(
    session: Session,
    principal: Principal,
    *,
    year: int,
    today: date,
    cfg: ProjectSettings,
    filters: ProjectFilter | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """What happened to the projects in calendar ``year`` (zone time).

    Returns
    -------
    dict
        ``months``: for each month 1–12, how many milestones of each stage were reached;
        ``totals``: the same per stage for the year; ``targets``: starts, completions and
        productions against the settings' targets; ``projects``: every project with a
        milestone planned or reached in the year, with those milestones' planned and
        actual dates and slips in days (actual − planned, or today − planned when still
        open and late).
    """
    rows = project_statuses(session, principal, today=today, filters=filters)
    months = [{"month": m, **{s: 0 for s in PROJECT_STAGES}} for m in range(1, 13)]
    for r in rows:
        for s in PROJECT_STAGES:
            a = r.milestones[s].actual
            if a is not None and a.year == year:
                months[a.month - 1][s] += 1
    totals = {s: sum(m[s] for m in months) for s in PROJECT_STAGES}
    projects = []
    for r in rows:
        ms = []
        for s in PROJECT_STAGES:
            m = r.milestones[s]
            in_year = (m.planned and m.planned.year == year) or (m.actual and m.actual.year == year)
            if not in_year:
                continue
            slip = None
            if m.actual and m.planned:
                slip = (m.actual - m.planned).days
            elif m.planned and m.planned < today and any(o.stage == s for o, _ in r.overdue):
                slip = (today - m.planned).days
            ms.append(
                {
                    "stage": s,
                    "planned": m.planned.isoformat() if m.planned else None,
                    "actual": m.actual.isoformat() if m.actual else None,
                    "slip_days": slip,
                }
            )
        if ms:
            projects.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "enterprise_name": r.enterprise_name,
                    "industry_chain": r.industry_chain,
                    "officer_name": r.officer_name,
                    "stage": r.stage,
                    "investment_yi": r.investment_yi,
                    "milestones": ms,
                }
            )
    return {
        "year": year,
        "as_of": today.isoformat(),
        "months": months,
        "totals": totals,
        "targets": _targets(rows, year, cfg),
        "projects": projects,
        "labels": {s: stage_label(s, lang) for s in ALL_PROJECT_STAGES},
    }


def yearly_summary_xlsx(summary: dict[str, Any]) -> bytes:
    """The yearly summary (:func:`yearly_summary`) as an XLSX workbook.

    Sheets: ``Targets``, ``Months`` (month × stage counts, with a total row) and
    ``Projects`` (one row per project milestone in the year). Stage headers carry the
    stage palette.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    labels = summary["labels"]
    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Targets"
    ws.append([f"{summary['year']}", "milestone", "actual", "target", "ratio"])
    for name in TARGETS:
        t = summary["targets"][name]
        ws.append([name, labels[t["milestone"]], t["actual"], t["target"], t["ratio"]])
    ws.append([])
    ws.append(["as of", summary["as_of"]])

    wm = wb.create_sheet("Months")
    wm.append(["month", *(labels[s] for s in PROJECT_STAGES)])
    for col, s in enumerate(PROJECT_STAGES, start=2):
        cell = wm.cell(row=1, column=col)
        cell.fill = PatternFill("solid", fgColor=STAGE_COLORS[s].lstrip("#"))
        cell.font = Font(bold=True, color="FFFFFF")
    for m in summary["months"]:
        wm.append([m["month"], *(m[s] for s in PROJECT_STAGES)])
    wm.append(["total", *(summary["totals"][s] for s in PROJECT_STAGES)])
    for cell in wm[wm.max_row]:
        cell.font = bold

    wp = wb.create_sheet("Projects")
    wp.append(
        [
            "id",
            "project",
            "enterprise",
            "chain",
            "officer",
            "stage",
            "investment (亿元)",
            "milestone",
            "planned",
            "actual",
            "slip (days)",
        ]
    )
    for p in summary["projects"]:
        for m in p["milestones"]:
            wp.append(
                [
                    p["id"],
                    p["name"],
                    p["enterprise_name"],
                    p["industry_chain"],
                    p["officer_name"],
                    labels[p["stage"]],
                    p["investment_yi"],
                    labels[m["stage"]],
                    m["planned"],
                    m["actual"],
                    m["slip_days"],
                ]
            )
    for sheet in (ws, wp):
        for cell in sheet[1]:
            cell.font = bold
    for sheet in (ws, wm, wp):  # user text such as "=cmd|..." stays text, never a formula
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
