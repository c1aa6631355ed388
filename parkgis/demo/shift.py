"""Moving the demo's dates so its history ends on the day it is loaded.

Every date and timestamp moves by the same whole number of days (load day − generation
day, both in zone time). Visits are the exception: they are re-based month by month, so a
visit made in the generation month lands in the load month (spread over its days so far),
one made a month earlier lands a month before the load month, and so on. That keeps
"visited this month" true whatever day the demo is loaded.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DAY = date(1970, 1, 1)
HOUR_MS = 3_600_000
DAY_MS = 86_400_000


def shift_dates(arr: pa.ChunkedArray | pa.Array, days: int) -> pa.Array:
    """Add ``days`` to a ``date32`` array (nulls stay null)."""
    as_int = pc.cast(arr, pa.int32())
    return pc.cast(pc.add(as_int, pa.scalar(days, pa.int32())), pa.date32())


def shift_timestamps(arr: pa.ChunkedArray | pa.Array, days: int) -> Any:
    """Add ``days`` whole days to a timestamp array (nulls stay null)."""
    unit = arr.type.unit
    return pc.add(arr, pa.scalar(timedelta(days=days), pa.duration(unit)))


def shift_milestones(text: str | None, days: int) -> str | None:
    """Move every ``planned``/``actual`` date of a milestones JSON text by ``days``."""
    if text is None:
        return None
    data = json.loads(text)
    for entry in data.values():
        for key in ("planned", "actual"):
            if entry.get(key):
                entry[key] = (date.fromisoformat(entry[key]) + timedelta(days=days)).isoformat()
    return json.dumps(data, ensure_ascii=False)


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def rebase_visit_day(day: date, generated_on: date, today: date) -> date:
    """Where a visit made on ``day`` (generation calendar) lands in the load calendar.

    The visit keeps its month distance from the generation month. Inside the current
    month its day is scaled from ``1..generated_on.day`` onto ``1..today.day`` (first
    day to first day, generation day to load day); in earlier
    months it keeps its day of the month (clamped to the month's length).
    """
    back = _month_index(generated_on) - _month_index(day)
    m = _month_index(today) - back
    year, month = divmod(m, 12)
    month += 1
    if back <= 0:
        span = generated_on.day - 1
        new_day = 1 if span == 0 else 1 + ((day.day - 1) * (today.day - 1) + span // 2) // span
    else:
        new_day = min(day.day, calendar.monthrange(year, month)[1])
    return date(year, month, new_day)


def timestamps_iso(arr: pa.ChunkedArray | pa.Array) -> list[str | None]:
    """ISO 8601 UTC texts (``…Z``) of a timestamp array, for COPY; nulls stay None.

    Much faster than ``to_pylist()``, which builds a time-zone object per value.
    """
    ms = pc.cast(pc.cast(arr, pa.timestamp("ms", tz="UTC")), pa.int64())
    values = ms.to_numpy(zero_copy_only=False)
    mask = pc.is_null(ms).to_numpy(zero_copy_only=False)
    texts = np.datetime_as_string(values.astype("datetime64[ms]"), unit="ms")
    return [None if m else t + "Z" for t, m in zip(texts.tolist(), mask.tolist(), strict=True)]


def rebase_visits(
    arr: pa.ChunkedArray | pa.Array, generated_on: date, today: date, tz: ZoneInfo
) -> list[str | None]:
    """Re-base visit timestamps (see :func:`rebase_visit_day`), keeping each zone-time hour.

    Works on whole arrays: the zone's UTC offset is looked up once per hour of data and
    the calendar once per day. Returns ISO 8601 UTC texts for COPY.
    """
    ms_arr = pc.cast(pc.cast(arr, pa.timestamp("ms", tz="UTC")), pa.int64())
    mask = pc.is_null(ms_arr).to_numpy(zero_copy_only=False)
    ms = ms_arr.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    hours, hour_idx = np.unique(ms // HOUR_MS, return_inverse=True)
    offsets = np.array([_offset_ms(int(h) * HOUR_MS, tz) for h in hours.tolist()], dtype=np.int64)[
        hour_idx
    ]
    local = ms + offsets
    days, day_idx = np.unique(local // DAY_MS, return_inverse=True)
    new_days = np.array(
        [
            (
                rebase_visit_day(EPOCH_DAY + timedelta(days=int(d)), generated_on, today)
                - EPOCH_DAY
            ).days
            for d in days.tolist()
        ],
        dtype=np.int64,
    )[day_idx]
    new_utc = new_days * DAY_MS + local % DAY_MS - offsets
    texts = np.datetime_as_string(new_utc.astype("datetime64[ms]"), unit="ms").tolist()
    return [None if m else t + "Z" for t, m in zip(texts, mask.tolist(), strict=True)]


def _offset_ms(utc_ms: int, tz: ZoneInfo) -> int:
    offset = (EPOCH + timedelta(milliseconds=utc_ms)).astimezone(tz).utcoffset()
    return int(offset.total_seconds() * 1000) if offset is not None else 0
