"""Scores of the monthly draw: each drawn officer reviewed and scored on the spot (点评打分).

After a draw (:mod:`parkgis.coverage.draws`), an admin records each drawn officer's score,
from 0 to ``PARKGIS_PROGRAMME_DRAW_SCORE_MAX`` (default 100, at most one decimal), and a
comment. Only officers drawn in that draw can be scored, and only once the draw's month
has begun (the meeting is in that month).

**Scoring again replaces the score.** A score mistyped at the meeting is corrected by
posting it again: the row keeps its id, its ``version`` goes up, and the audit log keeps
the earlier value (action ``update`` on ``draw_scores``). Posting the same score and
comment again changes nothing.

**Who sees scores.** Scores are personnel data: an admin reads every score; an officer
reads only their own; planners, investment staff and anonymous callers read none. Every
reader of scores goes through :func:`visible_scores` or :func:`officer_draws`, which apply
this rule, so the draws page, the API and the evaluation cannot show more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.audit import changes, record, snapshot
from parkgis.errors import Conflict, Forbidden, InvalidInput, NotFound
from parkgis.models import Draw
from parkgis.models.coverage import DrawScore
from parkgis.settings import Settings
from parkgis.zonetime import Month, parse_month, zone_today

SCORERS = ("admin",)
"""Roles that record scores."""
COMMENT_MAX_CHARS = 2000


@dataclass(frozen=True)
class ScoreIn:
    """One officer's score as given: ``score`` on 0..scale, ``comment`` optional."""

    officer_id: int
    score: float | int | Decimal | str
    comment: str | None = None


def may_see_score(p: Principal, officer_id: int) -> bool:
    """Whether ``p`` may read ``officer_id``'s draw scores: admin, or the officer."""
    if p.role == "admin":
        return True
    return p.role == "officer" and p.officer_id is not None and p.officer_id == officer_id


def score_dict(row: DrawScore) -> dict[str, Any]:
    """One score as JSON-ready values (``score`` as a float on ``0..scale``)."""
    return {
        "draw_id": row.draw_id,
        "officer_id": row.officer_id,
        "score": float(row.score),
        "scale": row.scale,
        "comment": row.comment,
        "scored_by": row.scored_by,
        "scored_at": row.updated_at.isoformat(),
        "version": row.version,
    }


def _score_value(raw: Any, scale: int, field: str) -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise InvalidInput(f"score must be a number from 0 to {scale}", field=field)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidInput(f"score must be a number from 0 to {scale}", field=field) from None
    if not value.is_finite() or (isinstance(raw, float) and not math.isfinite(raw)):
        raise InvalidInput(f"score must be a number from 0 to {scale}", field=field)
    if not 0 <= value <= scale:
        raise InvalidInput(f"score {raw} is out of range: give 0 to {scale}", field=field)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1:
        raise InvalidInput(f"score {raw}: at most one decimal (e.g. 87.5)", field=field)
    return value.quantize(Decimal("0.1"))


def _comment(raw: str | None, field: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or "\x00" in raw:
        raise InvalidInput("comment must be text", field=field)
    raw = raw.strip()
    if len(raw) > COMMENT_MAX_CHARS:
        raise InvalidInput(f"comment is longer than {COMMENT_MAX_CHARS} characters", field=field)
    return raw or None


def _snap(row: DrawScore) -> dict[str, Any]:
    """:func:`parkgis.audit.snapshot` with the score as a JSON number."""
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in snapshot(row).items()}


def _draw(session: Session, draw_id: int, *, lock: bool = False) -> Draw:
    draw = session.get(Draw, draw_id, with_for_update=lock)
    if draw is None:
        raise NotFound(f"there is no draw {draw_id}", field="draw_id")
    return draw


def record_scores(
    session: Session,
    principal: Principal,
    settings: Settings,
    draw_id: int,
    entries: list[ScoreIn],
    *,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Record (or replace) the scores of officers drawn in draw ``draw_id``; caller commits.

    All entries are checked before anything is written: one bad entry and nothing changes.

    Parameters
    ----------
    entries : list of ScoreIn
        One per officer (1 to the number drawn); each officer at most once.
    today : date, optional
        The zone's date (default: today on the zone's clock).

    Returns
    -------
    list of dict
        :func:`score_dict` of each entry, in the order given, plus ``replaced`` (True
        when the officer had a score already).

    Raises
    ------
    Unauthorized, Forbidden
        Not an admin.
    NotFound
        No such draw.
    Conflict
        The draw's month has not begun (the meeting has not been held).
    InvalidInput
        Naming ``scores[i].<field>``: an officer not drawn in this draw or named twice, a
        score out of ``0..PARKGIS_PROGRAMME_DRAW_SCORE_MAX`` or with two decimals, a
        comment too long; or no entries at all.
    """
    require_role(principal, SCORERS, "score the officers of a draw")
    draw = _draw(session, draw_id, lock=True)
    today = today or zone_today(settings.zone.timezone)
    month = parse_month(draw.month, settings.zone.timezone)
    if month > Month.of(today):
        raise Conflict(
            f"draw {draw_id} is for {draw.month}: its officers are scored at that month's "
            "meeting, which has not come yet",
            field="draw_id",
        )
    if not entries:
        raise InvalidInput("give at least one score", field="scores")
    scale = settings.programme.draw_score_max
    drawn = list(draw.officer_ids)
    seen: set[int] = set()
    checked: list[tuple[int, Decimal, str | None]] = []
    for i, e in enumerate(entries):
        at = f"scores[{i}]"
        if e.officer_id not in drawn:
            raise InvalidInput(
                f"officer {e.officer_id} was not drawn in draw {draw_id} ({draw.month}); "
                f"drawn: {', '.join(map(str, drawn))}",
                field=f"{at}.officer_id",
                allowed=drawn,
            )
        if e.officer_id in seen:
            raise InvalidInput(f"officer {e.officer_id} is scored twice", field=f"{at}.officer_id")
        seen.add(e.officer_id)
        checked.append(
            (
                e.officer_id,
                _score_value(e.score, scale, f"{at}.score"),
                _comment(e.comment, f"{at}.comment"),
            )
        )
    existing = {
        s.officer_id: s
        for s in session.scalars(
            select(DrawScore).where(DrawScore.draw_id == draw_id).with_for_update()
        )
    }
    out: list[dict[str, Any]] = []
    for officer_id, score, comment in checked:
        row = existing.get(officer_id)
        if row is None:
            row = DrawScore(
                draw_id=draw_id,
                officer_id=officer_id,
                score=score,
                scale=scale,
                comment=comment,
                scored_by=principal.name,
            )
            session.add(row)
            session.flush()
            session.refresh(row)
            record(session, principal, "create", "draw_scores", row.id, after=_snap(row))
            out.append(score_dict(row) | {"replaced": False})
            continue
        before = _snap(row)
        if (row.score, row.scale, row.comment) != (score, scale, comment):
            row.score, row.scale, row.comment = score, scale, comment
            row.scored_by = principal.name
            session.flush()
            session.refresh(row)
            old, new = changes(before, _snap(row))
            record(session, principal, "update", "draw_scores", row.id, before=old, after=new)
        out.append(score_dict(row) | {"replaced": True})
    session.flush()
    return out


def visible_scores(
    session: Session, principal: Principal, draw_ids: list[int]
) -> dict[int, dict[int, dict[str, Any]]]:
    """The scores of ``draw_ids`` that ``principal`` may read: ``{draw_id: {officer_id: score}}``.

    Admin: every score; an officer: their own; anyone else: none (an empty dict).
    """
    if principal.role == "admin":
        only = None
    elif principal.role == "officer" and principal.officer_id is not None:
        only = principal.officer_id
    else:
        return {}
    q = select(DrawScore).where(DrawScore.draw_id.in_(draw_ids))
    if only is not None:
        q = q.where(DrawScore.officer_id == only)
    out: dict[int, dict[int, dict[str, Any]]] = {}
    for row in session.scalars(q):
        out.setdefault(row.draw_id, {})[row.officer_id] = score_dict(row)
    return out


def draw_scores(session: Session, principal: Principal, draw_id: int) -> list[dict[str, Any]]:
    """The scores of one draw the caller may read, in draw order (admin, or own score).

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous callers, planners and investment staff (scores are personnel data).
    NotFound
        No such draw.
    """
    require_role(principal, ("admin", "officer"), "read draw scores")
    draw = _draw(session, draw_id)
    scores = visible_scores(session, principal, [draw_id]).get(draw_id, {})
    return [scores[o] for o in draw.officer_ids if o in scores]


def officer_draws(
    session: Session, principal: Principal, officer_id: int, *, year: int | None = None
) -> dict[str, Any]:
    """Every draw ``officer_id`` was drawn in (newest first), each with their score.

    Parameters
    ----------
    year : int, optional
        Only draws of this year's months.

    Returns
    -------
    dict
        ``{"officer_id", "name", "draws": [{"draw_id", "month", "score" (dict or None)}]}``.

    Raises
    ------
    Unauthorized, Forbidden
        Not an admin and not that officer.
    NotFound
        No such officer.
    """
    require_role(principal, ("admin", "officer"), "read draw scores")
    if not may_see_score(principal, officer_id):
        raise Forbidden("officers read only their own draw scores", field="officer_id")
    name = session.scalar(text("SELECT name FROM officers WHERE id = :i"), {"i": officer_id})
    if name is None:
        raise NotFound(f"there is no officer {officer_id}", field="officer_id")
    q = select(Draw).where(Draw.officer_ids.contains([officer_id])).order_by(Draw.month.desc())
    if year is not None:
        q = q.where(Draw.month.like(f"{year:04d}-%"))
    draws = list(session.scalars(q))
    scores = visible_scores(session, principal, [d.id for d in draws])
    return {
        "officer_id": officer_id,
        "name": name,
        "draws": [
            {
                "draw_id": d.id,
                "month": d.month,
                "officer_ids": list(d.officer_ids),
                "score": scores.get(d.id, {}).get(officer_id),
            }
            for d in draws
        ],
    }
