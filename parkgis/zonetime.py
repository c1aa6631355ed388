"""Calendar months and ISO weeks in the zone's time zone.

Timestamps are stored as ``timestamptz`` (an instant). Whether a visit made at
23:30 on 31 January belongs to January depends on the clock it is read on: parkgis reads
every instant in the zone's time zone (:attr:`parkgis.settings.ZoneSettings.timezone`,
default Asia/Shanghai). The bounds below are instants, so SQL compares
``visited_at >= start AND visited_at < end`` and can use an index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from parkgis.errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month, e.g. ``Month(2026, 12)``; ``str()`` gives ``"2026-12"``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9998:
            raise InvalidInput(f"no such month {self.year}-{self.month:02d}", field="month")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        """The 1st of the month."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The last day of the month (28th-31st)."""
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Month:
        """The following month (December → January of the next year)."""
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def prev(self) -> Month:
        """The month before (January → December of the year before)."""
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def days(self) -> list[date]:
        """Every day of the month, in order."""
        first = self.first_day
        return [first + timedelta(days=i) for i in range((self.last_day - first).days + 1)]

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in this month."""
        return (day.year, day.month) == (self.year, self.month)

    @classmethod
    def of(cls, day: date) -> Month:
        """The month ``day`` is in."""
        return cls(day.year, day.month)


def parse_month(value: str | Month | None, tz: str, *, field: str = "month") -> Month:
    """Parse ``"YYYY-MM"``; None means the current month in the zone.

    Raises
    ------
    InvalidInput
        Not of the form ``YYYY-MM`` or not a real month.
    """
    if value is None:
        return Month.of(zone_today(tz))
    if isinstance(value, Month):
        return value
    m = _MONTH.match(value.strip())
    if not m:
        raise InvalidInput(f"expected YYYY-MM, got {value!r}", field=field)
    try:
        return Month(int(m.group(1)), int(m.group(2)))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=field) from exc


def zone_now(tz: str) -> datetime:
    """The current instant as an aware datetime in the zone's time zone."""
    return datetime.now(UTC).astimezone(ZoneInfo(tz))


def zone_today(tz: str, now: datetime | None = None) -> date:
    """The zone-clock date at instant ``now`` (default: the current time).

    It may differ from UTC's date: 2026-12-01 20:00 UTC is already 2 December in
    Asia/Shanghai.

    Parameters
    ----------
    tz : str
        IANA time zone of the zone, e.g. ``Asia/Shanghai``.
    now : datetime, optional
        An aware instant; a naive one is taken as UTC.
    """
    return zone_date(now or datetime.now(UTC), tz)


def zone_date(instant: datetime, tz: str) -> date:
    """The zone-clock date of an aware instant (naive datetimes are taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(tz)).date()


def zone_minute(instant: datetime | str, tz: str) -> str:
    """An instant (aware datetime or ISO text) as ``YYYY-MM-DD HH:MM`` on the zone's clock."""
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def day_start(day: date, tz: str) -> datetime:
    """The instant (aware, UTC) when ``day`` begins on the zone's clock."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def month_bounds(month: Month, tz: str) -> tuple[datetime, datetime]:
    """The instants ``[start, end)`` of ``month`` on the zone's clock, as aware UTC datetimes.

    Examples
    --------
    >>> month_bounds(Month(2026, 1), "Asia/Shanghai")[0].isoformat()
    '2025-12-31T16:00:00+00:00'
    """
    return day_start(month.first_day, tz), day_start(month.next().first_day, tz)


@dataclass(frozen=True)
class IsoWeek:
    """An ISO-8601 week (Monday to Sunday); its year may differ from its dates' years."""

    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        """The week's first day."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        """The week's last day."""
        return date.fromisocalendar(self.year, self.week, 7)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        """The ISO week holding ``day`` (31 Dec 2024 is in 2025-W01)."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)


def weeks_of_month(month: Month) -> list[IsoWeek]:
    """The ISO weeks that have at least one day in ``month``, in order."""
    out: list[IsoWeek] = []
    for day in month.days():
        w = IsoWeek.of(day)
        if not out or out[-1] != w:
            out.append(w)
    return out
