"""Working days in mainland China: weekends, public holidays and make-up working days (调休).

The standard library knows nothing of Chinese public holidays, so they are data:
``parkgis/data/holidays_cn.csv`` (or the file named by ``PARKGIS_COVERAGE_HOLIDAYS_FILE``)
lists each holiday (``kind=holiday``) and each weekend day worked in exchange
(``kind=workday``). Days not listed follow the Monday-Friday week.
"""

from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from parkgis.errors import ConfigError, InvalidInput

DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parents[1] / "data" / "holidays_cn.csv"


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days.

    Parameters
    ----------
    holidays : frozenset of date
        Days off although they are Monday-Friday (or listed anyway).
    workdays : frozenset of date
        Saturdays/Sundays that are working days (调休).
    names : dict
        Name of each listed day, for display.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    names: dict[date, str] = field(default_factory=dict, compare=False, hash=False)

    def is_working_day(self, day: date) -> bool:
        """True on a working day: a listed make-up day, or Monday-Friday not a holiday."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted).

        A request opened on a Friday with 1 working day is due on the next working day,
        e.g. Monday, or later when Monday is a holiday.
        """
        if days < 0:
            raise InvalidInput("working days must not be negative", field="days")
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``: 0 when ``end <= start``."""
        if end <= start:
            return 0
        return sum(
            1
            for i in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=i))
        )

    def listed_years(self) -> list[int]:
        """Years the data file covers (outside them only weekends are days off)."""
        return sorted({d.year for d in self.holidays | self.workdays})


def load_calendar(path: Path | str | None = None) -> WorkCalendar:
    """Read a holiday CSV (``date,kind,name[,source]``; lines starting with ``#`` ignored).

    Parameters
    ----------
    path : path, optional
        Defaults to the bundled ``parkgis/data/holidays_cn.csv``.

    Raises
    ------
    ConfigError
        The file is missing, or a row has a bad date or kind (the message names the line).
    """
    return _load_cached(str(Path(path) if path else DEFAULT_HOLIDAYS_FILE))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> WorkCalendar:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"holiday calendar {p} cannot be read: {exc.strerror}") from exc
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    for n, row in enumerate(csv.DictReader(lines), start=2):
        try:
            day = date.fromisoformat((row.get("date") or "").strip())
        except ValueError as exc:
            raise ConfigError(f"{p}: data row {n - 1}: bad date {row.get('date')!r}") from exc
        kind = (row.get("kind") or "").strip()
        if kind == "holiday":
            holidays.add(day)
        elif kind == "workday":
            workdays.add(day)
        else:
            raise ConfigError(f"{p}: data row {n - 1}: kind must be holiday or workday")
        names[day] = (row.get("name") or "").strip()
    both = holidays & workdays
    if both:
        raise ConfigError(f"{p}: {min(both)} is listed both as holiday and as workday")
    return WorkCalendar(frozenset(holidays), frozenset(workdays), names)


class DeadlineTable:
    """Fast ``opened_on + N working days`` for many requests at once.

    Builds the sorted list of working days once for a window of dates, so each deadline
    is a binary search instead of a day-by-day walk.
    """

    def __init__(self, calendar: WorkCalendar, first: date, last: date, max_days: int) -> None:
        self.calendar = calendar
        self.first = first
        # Enough days past ``last`` for ``max_days`` working days even over long holidays.
        span = (last - first).days + max_days * 2 + 30
        self.days = [
            first + timedelta(days=i)
            for i in range(span + 1)
            if calendar.is_working_day(first + timedelta(days=i))
        ]

    def deadline(self, opened_on: date, days: int) -> date:
        """Same result as ``calendar.add_working_days(opened_on, days)``."""
        if opened_on < self.first:
            return self.calendar.add_working_days(opened_on, days)
        i = bisect.bisect_right(self.days, opened_on) + days - 1
        if days == 0:
            return opened_on
        if i < len(self.days):
            return self.days[i]
        return self.calendar.add_working_days(opened_on, days)

    def working_days_between(self, start: date, end: date) -> int:
        """Same result as ``calendar.working_days_between(start, end)``."""
        if end <= start:
            return 0
        if start < self.first or end > self.days[-1]:
            return self.calendar.working_days_between(start, end)
        return bisect.bisect_right(self.days, end) - bisect.bisect_right(self.days, start)
