"""Rules on an officer's own records that the API and the browser share.

Kept free of the write machinery so :mod:`parkgis.writes.checks` can import it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from shapely.geometry.base import BaseGeometry

from parkgis.errors import InvalidInput
from parkgis.schemas.geojson import PointGeometry, read_geometry
from parkgis.zonetime import Month, zone_date, zone_today

CLOCK_SKEW = timedelta(minutes=5)
"""A phone's clock may run a little ahead of the server's; a visit this far ahead is still now."""

CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
"""An idempotency key made by the browser (a UUID or similar): 8-64 of ``A-Z a-z 0-9 _ -``."""


def earliest_visit_day(today: date) -> date:
    """The first day a visit may be logged for: the 1st of the previous month (zone date)."""
    return Month.of(today).prev().first_day


def check_visit_time(
    visited_at: datetime, tz: str, *, now: datetime | None = None, field: str = "visited_at"
) -> None:
    """Refuse a visit in the future or before the previous month (zone calendar).

    Parameters
    ----------
    visited_at : datetime
        The visit's instant (aware; naive is taken as UTC).
    tz : str
        The zone's IANA time zone, e.g. ``Asia/Shanghai``: months are counted there.
    now : datetime, optional
        The current instant (default: the clock).

    Raises
    ------
    InvalidInput
        Naming ``field``: a time more than :data:`CLOCK_SKEW` ahead of now, or a zone date
        before the first day of the previous month (reports for it are closed).
    """
    now = now or datetime.now(UTC)
    if visited_at.tzinfo is None:
        visited_at = visited_at.replace(tzinfo=UTC)
    today = zone_today(tz, now)
    day = zone_date(visited_at, tz)
    if visited_at > now + CLOCK_SKEW:
        raise InvalidInput(
            f"a visit cannot be in the future: {day} is after today ({today} in the zone)",
            field=field,
        )
    first = earliest_visit_day(today)
    if day < first:
        raise InvalidInput(
            f"{day} is too long ago: visits may be logged from {first} (the previous month) "
            f"to {today}",
            field=field,
        )


def check_client_key(key: str | None, field: str = "client_key") -> str | None:
    """A stripped idempotency key, or None; refuses anything but 8-64 safe characters."""
    if key is None or key == "":
        return None
    if not CLIENT_KEY.match(key):
        raise InvalidInput(
            "client_key must be 8 to 64 letters, digits, '-' or '_' (e.g. a UUID)", field=field
        )
    return key


def check_point(lon: float | None, lat: float | None, *, field: str = "lon") -> BaseGeometry | None:
    """The phone's point as a checked EPSG:4326 Point, or None when neither is given.

    Parameters
    ----------
    lon, lat : float, optional
        Longitude and latitude in degrees (EPSG:4326); both or neither.

    Raises
    ------
    InvalidInput
        Only one of the two is given (naming ``field``).
    InvalidGeometry
        Not finite, or outside WGS84's area of use (the check every written geometry gets,
        :func:`parkgis.schemas.geojson.read_geometry`).
    """
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        raise InvalidInput("give both lon and lat of the point, or neither", field=field)
    return read_geometry(
        PointGeometry(type="Point", coordinates=[lon, lat]), allowed=("Point",), field=field
    )
