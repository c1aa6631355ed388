"""The monthly draw: which officers report at the month's meeting.

The draw is random but anyone can check it afterwards. Each draw stores its ``seed``, the
ids of the officers who could be drawn (``eligible_ids``: every active officer at the time)
and those drawn the month before (``previous_ids``). The pick is then a pure function
(:func:`pick`) of those values:

1. Rank each eligible officer by the SHA-256 hex digest of ``"<seed>:<officer id>"``
   (lowest first). Any language can recompute this.
2. Take the first ``count`` officers who were not drawn the month before.
3. Only when too few remain, fill up with last month's officers, in the same ranking.

Drawing a month a second time is refused (409 Conflict, with the stored draw in the
error), so nobody can redraw until they like the result.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parkgis.errors import Conflict, InvalidInput
from parkgis.models import Draw
from parkgis.zonetime import Month, zone_date


def rank_key(seed: str, officer_id: int) -> str:
    """The SHA-256 hex digest of ``"<seed>:<officer_id>"``, the officer's place in the draw."""
    return hashlib.sha256(f"{seed}:{officer_id}".encode()).hexdigest()


def pick(seed: str, eligible_ids: list[int], previous_ids: list[int], count: int) -> list[int]:
    """The officers drawn, in draw order; deterministic in its arguments.

    Parameters
    ----------
    seed : str
        The stored seed.
    eligible_ids : list of int
        Officers who may be drawn (order and duplicates do not matter).
    previous_ids : list of int
        Officers drawn the month before; they are drawn again only when unavoidable.
    count : int
        How many to draw, 1 to ``len(set(eligible_ids))``.

    Raises
    ------
    InvalidInput
        ``count`` out of range.
    """
    pool = sorted(set(eligible_ids), key=lambda oid: (rank_key(seed, oid), oid))
    if not 1 <= count <= len(pool):
        raise InvalidInput(
            f"count must be between 1 and the {len(pool)} eligible officers", field="count"
        )
    before = set(previous_ids)
    fresh = [oid for oid in pool if oid not in before]
    again = [oid for oid in pool if oid in before]
    return (fresh + again)[:count]


def as_dict(draw: Draw) -> dict[str, Any]:
    """A draw as JSON, with ``verified``: whether :func:`pick` gives the stored result."""
    return {
        "id": draw.id,
        "month": draw.month,
        "count": draw.count,
        "seed": draw.seed,
        "officer_ids": list(draw.officer_ids),
        "eligible_ids": list(draw.eligible_ids),
        "previous_ids": list(draw.previous_ids),
        "created_at": draw.created_at,
        "created_by": draw.created_by,
        "verified": verify(draw),
    }


def verify(draw: Draw) -> bool:
    """Recompute the pick from the stored seed and lists; True when it matches."""
    try:
        again = pick(draw.seed, list(draw.eligible_ids), list(draw.previous_ids), draw.count)
    except InvalidInput:
        return False
    return again == list(draw.officer_ids)


def get_draw(session: Session, month: Month) -> Draw | None:
    """The stored draw of ``month``, if any."""
    return session.scalar(select(Draw).where(Draw.month == str(month)))


def run_draw(
    session: Session,
    month: Month,
    count: int,
    *,
    seed: str | None = None,
    created_by: str | None = None,
    tz: str = "Asia/Shanghai",
) -> Draw:
    """Draw ``count`` officers for ``month`` and store the result (the caller commits).

    Parameters
    ----------
    seed : str, optional
        A seed fixed in advance (e.g. announced at the meeting); a random 128-bit hex
        string when None.
    tz : str
        The zone's time zone: a refusal names the day of the earlier draw in zone time.

    Raises
    ------
    Conflict
        ``month`` was drawn already (the stored draw is in the error's ``draw``).
    InvalidInput
        ``count`` out of range, or a blank seed.
    """
    existing = get_draw(session, month)
    if existing is not None:
        raise Conflict(
            f"{month} was drawn already on {zone_date(existing.created_at, tz):%Y-%m-%d}; a "
            "draw is never "
            "repeated",
            field="month",
            draw=as_dict(existing),
        )
    if seed is not None and not seed.strip():
        raise InvalidInput("the seed must not be blank", field="seed")
    seed = seed.strip() if seed else secrets.token_hex(16)
    eligible = list(session.scalars(text("SELECT id FROM officers WHERE active ORDER BY id")))
    prev = get_draw(session, month.prev())
    previous = list(prev.officer_ids) if prev else []
    chosen = pick(seed, eligible, previous, count)
    draw = Draw(
        month=str(month),
        count=count,
        seed=seed,
        officer_ids=chosen,
        eligible_ids=eligible,
        previous_ids=previous,
        created_by=created_by,
    )
    try:
        with session.begin_nested():
            session.add(draw)
    except IntegrityError as exc:  # drawn by someone else a moment ago
        raise Conflict(f"{month} was drawn already", field="month") from exc
    session.refresh(draw)
    return draw


def list_draws(session: Session, *, year: int | None = None) -> list[dict[str, Any]]:
    """Every stored draw, newest month first, each checked with :func:`verify`."""
    q = select(Draw).order_by(Draw.month.desc())
    if year is not None:
        q = q.where(Draw.month.like(f"{year:04d}-%"))
    return [as_dict(d) for d in session.scalars(q)]
