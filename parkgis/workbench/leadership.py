"""What leaders read: overdue milestones, idle land and the monthly draws with names (and
the scores the reader may see).

Each function checks the role first (:data:`LEADERS`, or as the API allows for draws) and
reads through the projects and coverage packages, as the API does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.coverage.draws import list_draws
from parkgis.coverage.scores import visible_scores
from parkgis.projects.idle_land import IdleLand, idle_land
from parkgis.projects.supervision import reminders
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

LEADERS = ("admin", "planner")
"""Roles that open the leadership pages (``/reports`` and the lists linked from it)."""
DRAW_READERS = ("admin", "planner", "officer")
"""Roles that may see the monthly draws (as ``GET /api/v1/draws``)."""


def overdue_milestone_list(
    session: Session, principal: Principal, settings: Settings, *, today: date | None = None
) -> dict[str, Any]:
    """Milestones overdue now (most late first) and those due within the reminder horizon.

    Returns
    -------
    dict
        :func:`parkgis.projects.supervision.reminders` for the whole zone, with
        ``within_days`` = ``settings.projects.reminder_days``.
    """
    require_role(principal, LEADERS, "see the overdue milestone list")
    today = today or zone_today(settings.zone.timezone)
    return reminders(session, principal, today=today, within_days=settings.projects.reminder_days)


def idle_land_list(
    session: Session, principal: Principal, settings: Settings, *, today: date | None = None
) -> list[IdleLand]:
    """Granted land whose construction has not started a year after the agreed start."""
    require_role(principal, LEADERS, "see the idle-land list")
    return idle_land(session, principal, today=today or zone_today(settings.zone.timezone))


def draws_with_names(
    session: Session,
    principal: Principal,
    *,
    year: int | None = None,
    officer_id: int | None = None,
) -> list[dict[str, Any]]:
    """Every stored draw (of ``year``; with ``officer_id``, only those that officer was
    drawn in), newest first, verified, with ``names`` of the drawn officers and ``scores``:
    those the caller may read, in draw order (admin: all; an officer: their own; others:
    none; see :mod:`parkgis.coverage.scores`)."""
    require_role(principal, DRAW_READERS, "see the monthly draws")
    draws = list_draws(session, year=year)
    if officer_id is not None:
        draws = [d for d in draws if officer_id in d["officer_ids"]]
    scores = visible_scores(session, principal, [d["id"] for d in draws])
    ids = sorted({i for d in draws for i in d["officer_ids"]})
    rows = session.execute(text("SELECT id, name FROM officers WHERE id = ANY(:ids)"), {"ids": ids})
    names: dict[int, str] = {int(r.id): str(r.name) for r in rows}
    for d in draws:
        d["names"] = [names.get(i, f"#{i}") for i in d["officer_ids"]]
        mine = scores.get(d["id"], {})
        d["scores"] = [mine[i] for i in d["officer_ids"] if i in mine]
    return draws


def active_officer_count(session: Session) -> int:
    """How many officers a draw could pick from now."""
    return int(session.scalar(text("SELECT count(*) FROM officers WHERE active")) or 0)
