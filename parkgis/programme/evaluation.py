"""The annual evaluation of the officers (优秀首席服务官评选): figures, a composite and a rank.

``evaluation(session, principal, settings, year)`` gives, for every active officer:

``checklist``
    Months with all five "五个一" items done, read from :func:`parkgis.programme.checklist`
    (never recomputed), among the **months judged**: the year's months that are over on
    the zone's calendar (all twelve for a past year; for the current year, January to last
    month: a running month is not judged yet).
``contact``
    Firm contact in the judged months, from the same checklist's item 1 (the coverage
    figure): firm-months contacted of firm-months assigned, each month's count, and how
    many of the officer's firms were contacted in **every** judged month. As in coverage,
    a month's firms are the officer's current firms.
``requests``
    Requests resolved in the year to date that the officer answers for, and the median
    working days they took (:mod:`parkgis.coverage.workdays`).
``projects``
    Projects in the officer's care (``projects.officer_id``) that moved forward a stage in
    the year to date, and the stages gained.
``leases``
    Units leased (spaces) or granted (parcels) through holds of the officer's users.
``draws``
    The officer's draws in the year's months, and the scores given at the meetings.
``calls``
    Investment calls (登门招商) in the year to date.

Every figure carries a ``link`` to its evidence: the checklist and coverage of each month,
the officer's draws, or ``GET /api/v1/programme/evaluation/evidence`` listing the rows.

**The composite** (0-100). Each part is brought to 0-1: checklist = months all done /
months judged; contact = firm-months contacted / assigned; requests, projects (stages
gained), leases and calls = the officer's count / the highest count among the officers;
draws = the mean of score / scale. A part with no basis is left out for that officer
(never drawn or never scored; no firms; no month judged; nobody in the zone with any of
it) and the composite is ``100 × Σ weight × part / Σ weight`` over the parts that apply,
with the weights ``PARKGIS_PROGRAMME_WEIGHT_*`` (:class:`parkgis.settings.ProgrammeSettings`).

**The rank** orders the composite, highest first, as shown (two decimals). Officers with
the same composite share a rank and the next rank skips (1, 2, 2, 4); within a tie they
are listed by name, then id. An officer with no part at all has no composite and no rank,
and is listed last.

Only admins read the evaluation (:data:`EVALUATION_ROLES`): the project has no leadership
role apart from admin, and the evaluation holds every officer's draw scores.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.coverage.calls import calls_between
from parkgis.coverage.requests import calendar_for
from parkgis.errors import InvalidInput, NotFound
from parkgis.programme.checklist import OfficerChecklist, checklist
from parkgis.programme.figures import (
    draw_scores_of,
    leases_through_holds,
    resolved_requests,
    stage_advances,
)
from parkgis.settings import Settings
from parkgis.zonetime import Month, day_start, zone_today

EVALUATION_ROLES = ("admin",)
"""Who reads the evaluation and its evidence."""
PARTS = ("checklist", "contact", "requests", "projects", "leases", "draws", "calls")
"""The composite's parts, in order; each has a weight ``PARKGIS_PROGRAMME_WEIGHT_<PART>``."""
FIGURES = PARTS
"""The figures ``evidence`` lists (one per part)."""
API = "/api/v1"


@dataclass(frozen=True)
class Period:
    """The evaluated year: judged months and the year to date (zone calendar).

    ``start``/``end`` are the instants ``[1 January 00:00, as_of + 1 day 00:00)`` on the
    zone's clock, for the figures counted to date.
    """

    year: int
    today: date
    tz: str

    @property
    def as_of(self) -> date:
        """The last day counted: today, or 31 December of a past year."""
        return min(self.today, date(self.year, 12, 31))

    @property
    def first(self) -> date:
        """1 January of the year."""
        return date(self.year, 1, 1)

    @property
    def months_judged(self) -> list[Month]:
        """The year's months that are over on ``today``."""
        return [
            Month(self.year, m) for m in range(1, 13) if Month(self.year, m).last_day < self.today
        ]

    @property
    def start(self) -> datetime:
        """The first instant of the year (zone clock, aware)."""
        return day_start(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """The instant after ``as_of`` ends (zone clock, aware)."""
        return day_start(self.as_of + timedelta(days=1), self.tz)


def period_of(settings: Settings, year: int | None, today: date | None = None) -> Period:
    """The evaluated period of ``year`` (default: this year) on the zone's calendar.

    Raises
    ------
    InvalidInput
        ``year`` before 1900 or after the current year (naming ``year``).
    """
    tz = settings.zone.timezone
    today = today or zone_today(tz)
    year = today.year if year is None else year
    if not 1900 <= year <= today.year:
        raise InvalidInput(
            f"year {year} cannot be evaluated: give 1900 to {today.year}", field="year"
        )
    return Period(year, today, tz)


def _link(path: str, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
    return f"{API}{path}?{query}" if query else f"{API}{path}"


def evidence_link(year: int, officer_id: int, figure: str) -> str:
    """The URL of one figure's evidence for one officer and year."""
    return _link("/programme/evaluation/evidence", year=year, officer_id=officer_id, figure=figure)


def _officers(session: Session, only: int | None = None) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT id, name, unit FROM officers WHERE active "
            "AND (CAST(:o AS int) IS NULL OR id = :o) ORDER BY id"
        ),
        {"o": only},
    ).mappings()
    return [dict(r) for r in rows]


def _monthly(
    session: Session, principal: Principal, settings: Settings, p: Period, only: int | None
) -> dict[Month, dict[int, OfficerChecklist]]:
    """Each judged month's checklists, by officer (the checklist's own function)."""
    out: dict[Month, dict[int, OfficerChecklist]] = {}
    for m in p.months_judged:
        rows = checklist(session, principal, settings, m, officer_id=only, today=p.today)
        out[m] = {c.officer_id: c for c in rows}
    return out


def _checklist_figure(
    oid: int, year: int, monthly: dict[Month, dict[int, OfficerChecklist]]
) -> dict[str, Any]:
    months = []
    for m, by in monthly.items():
        c = by.get(oid)
        if c is None:
            continue
        months.append(
            {
                "month": str(m),
                "all_done": c.all_done,
                "missing": c.missing,
                "link": _link("/programme/checklist", month=m, officer_id=oid),
            }
        )
    done = sum(1 for m in months if m["all_done"])
    return {
        "months_all_done": done,
        "months_judged": len(months),
        "months": months,
        "link": evidence_link(year, oid, "checklist"),
    }


def _contact_figure(
    oid: int, year: int, monthly: dict[Month, dict[int, OfficerChecklist]]
) -> dict[str, Any]:
    months: list[dict[str, Any]] = []
    missed: set[int] = set()
    firms = 0
    for m, by in monthly.items():
        c = by.get(oid)
        if c is None:
            continue
        item = c.item("contact_firms")
        firms = item.required
        missed.update(item.evidence.get("not_contacted_ids", []))
        months.append(
            {
                "month": str(m),
                "contacted": item.count,
                "assigned": item.required,
                "link": item.evidence.get("link") or _link("/coverage", officer_id=oid, month=m),
            }
        )
    contacted = sum(int(m["contacted"]) for m in months)
    assigned = sum(int(m["assigned"]) for m in months)
    return {
        "firms": firms,
        "firm_months_contacted": contacted,
        "firm_months_assigned": assigned,
        "rate": round(contacted / assigned, 4) if assigned else None,
        "firms_contacted_every_month": max(firms - len(missed), 0) if months else None,
        "firms_missed_some_month": sorted(missed),
        "months": months,
        "link": evidence_link(year, oid, "contact"),
    }


def _figures(
    session: Session,
    settings: Settings,
    p: Period,
    officers: list[dict[str, Any]],
    monthly: dict[Month, dict[int, OfficerChecklist]],
) -> list[dict[str, Any]]:
    """Every figure of every officer in ``officers`` (rows behind them under ``_rows``);
    ``monthly`` holds the judged months' checklists (:func:`_monthly`)."""
    ids = [o["id"] for o in officers]
    cal = calendar_for(settings)
    reqs = resolved_requests(session, ids, p.first, p.as_of, cal)
    moves = stage_advances(session, ids, p.start, p.end)
    leases = leases_through_holds(session, ids, p.start, p.end)
    first_m, last_m = f"{p.year:04d}-01", f"{p.year:04d}-12"
    scores = draw_scores_of(session, ids, first_m, last_m)
    drawn: dict[int, list[str]] = {}
    for d in session.execute(
        text("SELECT month, officer_ids FROM draws WHERE month >= :a AND month <= :b"),
        {"a": first_m, "b": last_m},
    ):
        for oid in d.officer_ids:
            drawn.setdefault(oid, []).append(d.month)
    calls: dict[int, list[dict[str, Any]]] = {}
    for c in calls_between(session, p.start, p.end, tz=p.tz, officer_ids=ids):
        calls.setdefault(c.officer_id, []).append(c.as_dict())
    out = []
    for o in officers:
        oid, y = o["id"], p.year
        r, mv, ls, sc = (x.get(oid, []) for x in (reqs, moves, leases, scores))
        days = [x["working_days"] for x in r]
        out.append(
            {
                "officer_id": oid,
                "name": o["name"],
                "unit": o["unit"],
                "checklist": _checklist_figure(oid, y, monthly),
                "contact": _contact_figure(oid, y, monthly),
                "requests": {
                    "resolved": len(r),
                    "median_working_days": float(statistics.median(days)) if days else None,
                    "link": evidence_link(y, oid, "requests"),
                },
                "projects": {
                    "advanced": len({x["project_id"] for x in mv}),
                    "stages_gained": sum(x["stages_gained"] for x in mv),
                    "link": evidence_link(y, oid, "projects"),
                },
                "leases": {
                    "units": len(ls),
                    "area_m2": round(sum(x["area_m2"] or 0.0 for x in ls), 1),
                    "link": evidence_link(y, oid, "leases"),
                },
                "draws": {
                    "drawn": len(drawn.get(oid, [])),
                    "scored": len(sc),
                    "mean_score_pct": (
                        round(100 * statistics.mean(x["share"] for x in sc), 2) if sc else None
                    ),
                    "scores": [
                        {"month": x["month"], "score": x["score"], "scale": x["scale"]} for x in sc
                    ],
                    "link": _link(f"/officers/{oid}/draws", year=y),
                },
                "calls": {
                    "count": len(calls.get(oid, [])),
                    "link": evidence_link(y, oid, "calls"),
                },
                "_rows": {
                    "requests": r,
                    "projects": mv,
                    "leases": ls,
                    "draws": sc,
                    "calls": calls.get(oid, []),
                },
            }
        )
    return out


def _parts(rows: list[dict[str, Any]]) -> None:
    """Each officer's parts (0-1, or None when the part has no basis for them)."""
    counts = {
        "requests": lambda r: r["requests"]["resolved"],
        "projects": lambda r: r["projects"]["stages_gained"],
        "leases": lambda r: r["leases"]["units"],
        "calls": lambda r: r["calls"]["count"],
    }
    top = {k: max((f(r) for r in rows), default=0) for k, f in counts.items()}
    for r in rows:
        ck, ct, dr = r["checklist"], r["contact"], r["draws"]
        parts: dict[str, float | None] = {
            "checklist": (
                ck["months_all_done"] / ck["months_judged"] if ck["months_judged"] else None
            ),
            "contact": ct["rate"],
            "draws": None if dr["mean_score_pct"] is None else dr["mean_score_pct"] / 100,
        }
        for k, f in counts.items():
            parts[k] = f(r) / top[k] if top[k] else None
        r["parts"] = {k: None if parts[k] is None else round(parts[k] or 0.0, 4) for k in PARTS}


def weights_of(settings: Settings) -> dict[str, float]:
    """The composite's weights, by part (``PARKGIS_PROGRAMME_WEIGHT_*``)."""
    pg = settings.programme
    return {k: float(getattr(pg, f"weight_{k}")) for k in PARTS}


def composite(parts: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """``100 × Σ w·part / Σ w`` over the parts that apply (not None) with a weight > 0,
    to two decimals; None when none applies."""
    used = [(weights[k], v) for k, v in parts.items() if v is not None and weights[k] > 0]
    total = sum(w for w, _ in used)
    if not total:
        return None
    return round(100 * sum(w * v for w, v in used) / total, 2)


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order by composite (highest first; ties by name, then id) and number the ranks:
    equal composites share a rank and the next one skips (1, 2, 2, 4); None last, unranked."""
    rows = sorted(
        rows,
        key=lambda r: (r["composite"] is None, -(r["composite"] or 0), r["name"], r["officer_id"]),
    )
    prev: float | None = None
    place = 0
    for i, r in enumerate(rows, start=1):
        if r["composite"] is None:
            r["rank"] = None
            continue
        if r["composite"] != prev:
            place, prev = i, r["composite"]
        r["rank"] = place
    return rows


def evaluation(
    session: Session,
    principal: Principal,
    settings: Settings,
    year: int | None = None,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """The year's evaluation of every active officer, ranked (see the module's rules).

    Parameters
    ----------
    year : int, optional
        Default: the current year on the zone's calendar.
    today : date, optional
        The zone's date (default: today): which months are over, what "to date" means.

    Returns
    -------
    dict
        ``{"year", "as_of", "months_judged", "weights", "officers": [...]}``; each officer
        has ``rank``, ``composite``, ``parts`` and the figures named in the module's
        docstring, each with its ``link``.

    Raises
    ------
    Unauthorized, Forbidden
        Not an admin.
    InvalidInput
        A year that cannot be evaluated (naming ``year``).
    """
    require_role(principal, EVALUATION_ROLES, "read the officers' evaluation")
    p = period_of(settings, year, today)
    monthly = _monthly(session, principal, settings, p, None)
    rows = _figures(session, settings, p, _officers(session), monthly)
    for r in rows:
        r.pop("_rows")
    _parts(rows)
    weights = weights_of(settings)
    for r in rows:
        r["composite"] = composite(r["parts"], weights)
    return {
        "year": p.year,
        "as_of": p.as_of,
        "months_judged": [str(m) for m in p.months_judged],
        "weights": weights,
        "officers": rank(rows),
    }


def evidence(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    year: int | None,
    officer_id: int | None,
    figure: str | None,
    today: date | None = None,
) -> dict[str, Any]:
    """The rows behind one officer's figure of the year (the evaluation's own queries).

    ``figure`` is one of :data:`FIGURES`: ``checklist`` and ``contact`` give the judged
    months' checklists (item 1 with its firms for ``contact``); the others the requests,
    stage moves, leased holds, draw scores (with comments) or investment calls counted.

    Raises
    ------
    Unauthorized, Forbidden
        Not an admin.
    InvalidInput
        No officer or an unknown figure, or a year that cannot be evaluated.
    NotFound
        ``officer_id`` is not an active officer.
    """
    require_role(principal, EVALUATION_ROLES, "read the officers' evaluation")
    if officer_id is None:
        raise InvalidInput("officer_id is required", field="officer_id")
    if figure not in FIGURES:
        raise InvalidInput(
            f"unknown figure {figure!r}; use {', '.join(FIGURES)}", field="figure", allowed=FIGURES
        )
    p = period_of(settings, year, today)
    officers = _officers(session, officer_id)
    if not officers:
        raise NotFound(f"no active officer {officer_id}", field="officer_id")
    if figure in ("checklist", "contact"):
        monthly = _monthly(session, principal, settings, p, officer_id)
        items: list[dict[str, Any]] = [
            by[officer_id].as_dict() for by in monthly.values() if officer_id in by
        ]
        if figure == "contact":
            items = [
                {"month": c["month"], **next(i for i in c["items"] if i["key"] == "contact_firms")}
                for c in items
            ]
    else:
        (row,) = _figures(session, settings, p, officers, {})
        items = row["_rows"][figure]
    return {
        "year": p.year,
        "as_of": p.as_of,
        "officer_id": officer_id,
        "name": officers[0]["name"],
        "figure": figure,
        "numberReturned": len(items),
        "items": items,
    }
