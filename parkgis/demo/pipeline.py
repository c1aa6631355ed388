"""Investment-project schedules: planned and actual milestone dates for each stage.

A project at stage *k* has actual dates for stages 0..k (in order, none after today) and
planned dates for all seven; the next milestone is overdue when its planned date has
passed. Stalled projects stopped after ``signed`` or ``land_granted``; cancelled ones
after ``negotiating`` or ``signed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from parkgis.models.base import PROJECT_STAGES

STAGE_QUOTA = {
    "negotiating": 45,
    "signed": 40,
    "land_granted": 40,
    "construction_started": 45,
    "topped_out": 35,
    "completed": 35,
    "in_production": 60,
    "stalled": 18,
    "cancelled": 12,
}
"""Projects per stage in one full tile (330 in all)."""

DURATION_DAYS = {
    "signed": (45, 150),
    "land_granted": (60, 180),
    "construction_started": (60, 150),
    "topped_out": (200, 420),
    "completed": (90, 200),
    "in_production": (45, 150),
}
"""Planned days from the previous milestone to this one (uniform range)."""


@dataclass
class Schedule:
    """A project's stage, its milestones and when it stalled or was cancelled."""

    stage: str
    reached: int
    planned: list[date]
    actual: list[date | None]
    held_on: date | None = None

    def milestones(self) -> dict[str, dict[str, str | None]]:
        """``{stage: {"planned": "YYYY-MM-DD", "actual": "YYYY-MM-DD" | None}}``."""
        out: dict[str, dict[str, str | None]] = {}
        for name, p, a in zip(PROJECT_STAGES, self.planned, self.actual, strict=True):
            out[name] = {"planned": p.isoformat(), "actual": a.isoformat() if a else None}
        return out

    def day(self, stage: str) -> date | None:
        """Actual date of ``stage``, or None when not reached."""
        return self.actual[PROJECT_STAGES.index(stage)]

    def plan(self, stage: str) -> date:
        """Planned date of ``stage``."""
        return self.planned[PROJECT_STAGES.index(stage)]


def _relative(rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """Planned and actual day offsets of all 7 stages from the first contact (day 0)."""
    planned, actual = [0], [0]
    for name in PROJECT_STAGES[1:]:
        lo, hi = DURATION_DAYS[name]
        planned.append(planned[-1] + int(rng.integers(lo, hi + 1)))
        late = rng.integers(45, 150) if rng.random() < 0.15 else rng.integers(-15, 40)
        actual.append(max(actual[-1] + 7, planned[-1] + int(late)))
    return planned, actual


def schedule(rng: np.random.Generator, stage: str, today: date) -> Schedule:
    """A believable schedule for a project now at ``stage``, as of ``today``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random stream.
    stage : str
        One of the seven stages, ``stalled`` or ``cancelled``.
    today : date
        The generation day (zone time); no actual date lies after it.
    """
    planned, actual = _relative(rng)
    if stage in PROJECT_STAGES:
        k = PROJECT_STAGES.index(stage)
        if k < 6:
            elapsed = int(rng.integers(0, max(1, actual[k + 1] - actual[k])))
        else:
            elapsed = int(rng.integers(20, 900))
        held = None
    else:
        k = int(rng.choice([1, 2], p=[0.25, 0.75])) if stage == "stalled" else int(rng.integers(2))
        elapsed = int(rng.integers(560, 1100)) if stage == "stalled" else int(rng.integers(40, 500))
        held = int(rng.integers(15, max(16, elapsed - 10)))
    start = today - timedelta(days=actual[k] + elapsed)
    p = [start + timedelta(days=d) for d in planned]
    a: list[date | None] = [
        start + timedelta(days=d) if i <= k else None for i, d in enumerate(actual)
    ]
    held_on = None if held is None else (start + timedelta(days=actual[k] + held))
    return Schedule(stage, k, p, a, held_on)
