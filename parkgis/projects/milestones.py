"""Project stages and milestone dates: pure rules, no database.

A project's ``milestones`` JSON is ``{stage: {"planned": "YYYY-MM-DD", "actual":
"YYYY-MM-DD" | null}}`` for the stages of :data:`PROJECT_STAGES`. Every date here is a
calendar date in the zone's time zone (``PARKGIS_TIMEZONE``, Asia/Shanghai by default):
callers turn "now" into the zone's "today" with :func:`parkgis.zonetime.zone_today` and pass it in.

Rules
-----
- A stage is *reached* when it is the current stage or comes before it. For a stalled or
  cancelled project the current stage is the one it was in when it was put on hold
  (``held_from``; without it, the last stage with an actual date). A reached stage counts
  as done even when its actual date was never recorded.
- A milestone is *overdue* on ``today`` when its stage is not reached, it has no actual
  date, and its planned date is before ``today``. It is ``(today - planned).days`` late.
  A cancelled project is never overdue; a stalled one is (its dates keep slipping).
- The *next milestone* is the first stage after the reached ones that has no actual date.
- *Idle land*: the land was granted with an agreed construction start date and
  construction has not started within one year of it. The year is a calendar year
  (:func:`add_years`; 29 February + 1 year = 28 February). The anniversary itself is still
  within the year: with agreed start 2022-06-01 the land is idle from 2023-06-02, i.e. on
  day 366, not on days 364 or 365.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from parkgis.errors import InvalidInput
from parkgis.models.base import ALL_PROJECT_STAGES, PROJECT_HOLD_STAGES, PROJECT_STAGES

__all__ = [
    "ALL_PROJECT_STAGES",
    "PROJECT_HOLD_STAGES",
    "PROJECT_STAGES",
    "STAGE_COLORS",
    "STAGE_LABELS",
    "Milestone",
    "add_years",
    "idle_deadline",
    "is_idle",
    "month_ends",
    "next_milestone",
    "overdue_milestones",
    "parse_milestones",
    "reached_index",
    "stage_codes",
    "stage_label",
    "stage_on",
]

STAGE_LABELS: dict[str, dict[str, str]] = {
    "negotiating": {"zh": "洽谈", "en": "Negotiating"},
    "signed": {"zh": "签约", "en": "Signed"},
    "land_granted": {"zh": "供地", "en": "Land granted"},
    "construction_started": {"zh": "开工", "en": "Construction started"},
    "topped_out": {"zh": "封顶", "en": "Topped out"},
    "completed": {"zh": "竣工", "en": "Completed"},
    "in_production": {"zh": "投产", "en": "In production"},
    "stalled": {"zh": "停滞", "en": "Stalled"},
    "cancelled": {"zh": "终止", "en": "Cancelled"},
}
"""Display names of every stage, in Chinese and English."""

STAGE_COLORS: dict[str, str] = {
    "negotiating": "#9e9ac8",
    "signed": "#6a51a3",
    "land_granted": "#a6761d",
    "construction_started": "#fd8d3c",
    "topped_out": "#3182bd",
    "completed": "#41ab5d",
    "in_production": "#006d2c",
    "stalled": "#969696",
    "cancelled": "#252525",
}
"""The one stage palette: maps, legends, timeline pages and spreadsheets all use it.
Red is kept out of it: red means overdue (:data:`OVERDUE_COLOR`)."""

OVERDUE_COLOR = "#e31a1c"
STAGE_CODES: dict[str, str] = {s: str(i) for i, s in enumerate(PROJECT_STAGES)} | {
    "stalled": "s",
    "cancelled": "x",
}
"""One character per stage, for compact month-by-month stage strings (``-`` = not yet)."""


def stage_label(stage: str, lang: str = "zh") -> str:
    """The display name of ``stage`` in ``lang`` (``zh`` or ``en``)."""
    return STAGE_LABELS.get(stage, {}).get(lang, stage)


def add_years(d: date, years: int) -> date:
    """``d`` moved by whole calendar years; 29 February becomes 28 February when needed."""
    y = d.year + years
    day = min(d.day, calendar.monthrange(y, d.month)[1])
    return d.replace(year=y, day=day)


def month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months ending with ``today``'s, oldest first.

    The current month's entry is ``today`` itself (the month is not over yet).
    """
    out: list[date] = []
    y, m = today.year, today.month
    for _ in range(months):
        last = calendar.monthrange(y, m)[1]
        out.append(today if (y, m) == (today.year, today.month) else date(y, m, last))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _as_date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if type(value) is str:  # the common case: "YYYY-MM-DD" from JSONB
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=where) from exc
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=where) from exc


@dataclass(frozen=True)
class Milestone:
    """One stage's planned and actual dates (zone calendar dates)."""

    stage: str
    planned: date | None
    actual: date | None


def parse_milestones(raw: Mapping[str, Any] | None) -> dict[str, Milestone]:
    """The milestones JSON as :class:`Milestone` objects for every stage, in stage order.

    Stages missing from ``raw`` get empty dates. Unknown stages are ignored.

    Raises
    ------
    InvalidInput
        A date is not ``YYYY-MM-DD``.
    """
    raw = raw or {}
    out: dict[str, Milestone] = {}
    for s in PROJECT_STAGES:
        m = raw.get(s)
        if not isinstance(m, dict):  # dict, not the (slow) Mapping ABC: 5,000 rows × 7
            m = {}
        out[s] = Milestone(
            s,
            _as_date(m.get("planned"), f"milestones.{s}.planned"),
            _as_date(m.get("actual"), f"milestones.{s}.actual"),
        )
    return out


def reached_index(
    stage: str, milestones: Mapping[str, Milestone], held_from: str | None = None
) -> int:
    """Index in :data:`PROJECT_STAGES` of the furthest stage reached (-1 for none).

    For ``stalled``/``cancelled`` this is ``held_from`` when known, else the last stage
    with an actual date.
    """
    if stage in PROJECT_STAGES:
        return PROJECT_STAGES.index(stage)
    if held_from in PROJECT_STAGES:
        return PROJECT_STAGES.index(held_from)
    done = [i for i, s in enumerate(PROJECT_STAGES) if milestones[s].actual is not None]
    return max(done, default=-1)


def _open_stages(
    stage: str, milestones: Mapping[str, Milestone], held_from: str | None
) -> Iterable[Milestone]:
    r = reached_index(stage, milestones, held_from)
    for s in PROJECT_STAGES[r + 1 :]:
        if milestones[s].actual is None:
            yield milestones[s]


def overdue_milestones(
    stage: str,
    milestones: Mapping[str, Milestone],
    today: date,
    held_from: str | None = None,
) -> list[tuple[Milestone, int]]:
    """The overdue milestones of a project on ``today`` with their days late, in stage order.

    Parameters
    ----------
    stage : str
        The project's current stage.
    milestones : mapping
        From :func:`parse_milestones`.
    today : date
        The zone's calendar date (:func:`parkgis.zonetime.zone_today`).
    held_from : str, optional
        For a stalled/cancelled project, the stage it was in when put on hold.

    Returns
    -------
    list of (Milestone, int)
        Each overdue milestone and its days late (>= 1). Empty for cancelled projects.
    """
    if stage == "cancelled":
        return []
    return [
        (m, (today - m.planned).days)
        for m in _open_stages(stage, milestones, held_from)
        if m.planned is not None and m.planned < today
    ]


def next_milestone(
    stage: str, milestones: Mapping[str, Milestone], held_from: str | None = None
) -> Milestone | None:
    """The first open milestone after the reached stages (None when nothing is left).

    A cancelled project has no next milestone.
    """
    if stage == "cancelled":
        return None
    return next(iter(_open_stages(stage, milestones, held_from)), None)


def idle_deadline(agreed_start_on: date) -> date:
    """The last day on which construction may start before the land counts as idle."""
    return add_years(agreed_start_on, 1)


def is_idle(
    *,
    granted_on: date | None,
    agreed_start_on: date | None,
    construction_started: bool,
    today: date,
) -> bool:
    """Whether granted land is idle on ``today``: not started within a year of the agreed start.

    Parameters
    ----------
    granted_on, agreed_start_on : date or None
        The parcel's grant date and agreed construction start (zone dates). Without either
        the rule does not apply.
    construction_started : bool
        Whether the project on it has reached ``construction_started``.
    today : date
        The zone's calendar date.
    """
    if granted_on is None or agreed_start_on is None or construction_started:
        return False
    return today > idle_deadline(agreed_start_on)


def stage_on(
    day: date,
    *,
    stage: str,
    milestones: Mapping[str, Milestone],
    holds: Iterable[tuple[date, str | None, str | None]] = (),
    created: tuple[date, str | None] | None = None,
) -> str | None:
    """The stage a project was in at the end of ``day`` (None: not in the pipeline yet).

    Forward stages come from the actual dates; holds from the transition events
    ``(zone date, from_stage, to_stage)`` into or out of ``stalled``/``cancelled``.
    ``created`` is the zone date and stage of the project's ``created`` event, when known.
    A project without any actual date and without ``created`` is taken to have been in
    its current stage all along.
    """
    done = [
        i
        for i, s in enumerate(PROJECT_STAGES)
        if milestones[s].actual is not None and milestones[s].actual <= day  # type: ignore[operator]
    ]
    held: str | None = None
    for on, frm, to in sorted(holds, key=lambda h: h[0]):
        if on > day:
            break
        if to in PROJECT_HOLD_STAGES:
            held = to
        elif frm in PROJECT_HOLD_STAGES:
            held = None
    if held is not None:
        return held
    if done:
        return PROJECT_STAGES[max(done)]
    if created is not None:
        on, first = created
        if on > day:
            return None
        return first if first in PROJECT_STAGES else "negotiating"
    if any(m.actual is not None for m in milestones.values()):
        return None
    return stage


def stage_codes(
    ends: Sequence[date],
    *,
    stage: str,
    milestones: Mapping[str, Milestone],
    holds: Sequence[tuple[date, str | None, str | None]] = (),
    created: tuple[date, str | None] | None = None,
) -> str:
    """:func:`stage_on` for every day of ``ends`` (ascending), as :data:`STAGE_CODES` chars.

    One pass over the sorted changes instead of one scan per day; ``-`` where the project
    was not in the pipeline yet.
    """
    done = sorted(
        (m.actual, i) for i, s in enumerate(PROJECT_STAGES) if (m := milestones[s]).actual
    )
    hold_list = sorted(holds, key=lambda h: h[0])
    any_actual = bool(done)
    out: list[str] = []
    di = hi = 0
    best = -1
    held: str | None = None
    for day in ends:
        while di < len(done) and done[di][0] <= day:
            best = max(best, done[di][1])
            di += 1
        while hi < len(hold_list) and hold_list[hi][0] <= day:
            _, frm, to = hold_list[hi]
            if to in PROJECT_HOLD_STAGES:
                held = to
            elif frm in PROJECT_HOLD_STAGES:
                held = None
            hi += 1
        if held is not None:
            s: str | None = held
        elif best >= 0:
            s = PROJECT_STAGES[best]
        elif created is not None:
            s = (
                None
                if created[0] > day
                else (created[1] if created[1] in PROJECT_STAGES else "negotiating")
            )
        else:
            s = None if any_actual else stage
        out.append("-" if s is None else STAGE_CODES[s])
    return "".join(out)
