"""Expansion request → ranked idle plant space and vacant land, with reasons and near-misses.

:func:`match` runs a :class:`~parkgis.schemas.match.MatchRequest` against the zone and
saves it, with its answer, as an :class:`~parkgis.models.ExpansionRequest`;
:func:`get_match` returns a saved answer. The rules (criteria, near-misses, score) are in
:mod:`parkgis.match_rules`, their SQL in :mod:`parkgis.match_sql`, combined units in
:mod:`parkgis.match_groups`.

The answer is a GeoJSON FeatureCollection (EPSG:4326), best first. Each feature's
properties carry ``rank``, ``score`` (0–1), ``kind`` (``space``, ``parcel`` or
``space_group``), ``id``, ``distance_m`` (metres, when a place was given), ``checks``
(``{criterion, required, actual, ok}`` per asked criterion) and ``score_parts``. The top
level adds ``near_misses`` (features failing exactly one criterion by at most the
tolerance, the failed check marked ``near_miss``), ``considered`` (open units of the
kinds asked), ``matched`` (feasible candidates, combined units included) and
``request_id``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from parkgis.access import WRITERS, Principal, require_read, require_role
from parkgis.errors import InvalidInput, NotFound
from parkgis.match_context import Candidate, Context, resolve, row_candidate
from parkgis.match_groups import group_candidates
from parkgis.match_rules import Kind
from parkgis.match_sql import considered_sql
from parkgis.milestones import zone_today
from parkgis.models import ExpansionRequest
from parkgis.schemas.match import MatchRequest
from parkgis.settings import Settings

MATCH_ROLES = WRITERS["expansion_requests"]
"""Roles that may run and read matches (officer, investment, admin)."""


def parse_request(data: MatchRequest | dict[str, Any]) -> MatchRequest:
    """Validate a match request; errors become :class:`InvalidInput` naming the field."""
    if isinstance(data, MatchRequest):
        return data
    try:
        return MatchRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or None
        msg = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            msg = "unknown field (see DESIGN.md, 'The match request')"
        raise InvalidInput(msg, field=loc) from exc


def _top(
    session: Session, ctx: Context, kind: Kind, k: int, *, near: bool
) -> tuple[list[Candidate], int]:
    """The best ``k`` candidates of ``kind`` and how many there are in all.

    Rows are ranked in SQL by their base score; the affinity component (counted only for
    the rows fetched) can add at most ``Scorer.affinity_bound``, so more rows are fetched
    until no row left behind could reach the ``k``-th final score.
    """
    scorer = ctx.scorer(kind)
    bound = scorer.affinity_bound
    m = k if bound == 0 else max(2 * k, k + 20)
    while True:
        qb = ctx.builder(kind)
        sql = qb.ranked(near=near, limit=m + 1, chain=ctx.chain, firm=ctx.firm)
        rows = [dict(r) for r in session.execute(sql, qb.params).mappings()]
        total = int(rows[0]["n_total"]) if rows else 0
        cands = [c for r in rows[:m] if (c := row_candidate(ctx, kind, r, scorer, near=near))]
        cands.sort(key=lambda c: c.key)
        if len(rows) <= m or bound == 0:
            return cands[:k], total
        if len(cands) >= k:
            best_left = float(rows[m]["base_num"]) / scorer.total_weight + bound
            if best_left < cands[k - 1].score:
                return cands[:k], total
        m *= 4


def match(
    session: Session,
    request: MatchRequest | dict[str, Any],
    principal: Principal,
    settings: Settings,
    *,
    today: date | None = None,
    save: bool = True,
    limit: int | None = None,
) -> dict[str, Any]:
    """Rank the zone's open space and land for an expansion request, and save it.

    Parameters
    ----------
    session : Session
        Flushed, not committed: the caller commits.
    request : MatchRequest or dict
        The criteria (DESIGN.md, "The match request"); places are EPSG:4326 degrees,
        distances metres, areas m² (geodesic).
    principal : Principal
        Must have role officer, investment or admin.
    settings : Settings
        ``settings.match`` holds the weights and tolerance; ``settings.zone`` the time zone
        and projected CRS.
    today : date, optional
        The zone's date (default: today in ``PARKGIS_TIMEZONE``).
    save : bool
        Save the request and its answer as an ``ExpansionRequest`` (``request_id``).
    limit : int, optional
        Return up to this many features and near-misses instead of the request's
        ``limit`` (tests and benchmarks use it to see every candidate).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection (see the module docstring).

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous callers or planners.
    BadRequest
        The request names no criterion (400).
    InvalidInput
        A field is out of range, ``min > max``, or names an unknown firm or chain (422).
    """
    require_role(principal, MATCH_ROLES, "match expansion requests")
    req = parse_request(request)
    today = today or zone_today(settings.zone.timezone)
    ctx = resolve(session, req, settings, today)
    k = limit or req.limit
    feasible: list[Candidate] = []
    near: list[Candidate] = []
    matched = 0
    for kind in ctx.kinds:
        top, total = _top(session, ctx, kind, k, near=False)
        feasible += top
        matched += total
        nm, _ = _top(session, ctx, kind, k, near=True)
        near += nm
    groups = group_candidates(session, ctx)
    feasible += groups
    matched += len(groups)
    feasible.sort(key=lambda c: c.key)
    near.sort(key=lambda c: c.key)
    considered = int(session.execute(considered_sql(ctx.kinds)).scalar_one())
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "request_id": None,
        "kind": ctx.kind,
        "criteria": req.criteria_json(),
        "origin": _origin(ctx),
        "industry_chain": ctx.chain,
        "today": today.isoformat(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "considered": considered,
        "matched": matched,
        "features": [c.feature(i) for i, c in enumerate(feasible[:k], 1)],
        "near_misses": [c.feature(i) for i, c in enumerate(near[:k], 1)],
    }
    if save:
        body["request_id"] = _save(session, ctx, principal, body)
    return body


def _origin(ctx: Context) -> dict[str, Any] | None:
    if ctx.place is None:
        return None
    return {"lon": ctx.place.lon, "lat": ctx.place.lat, "enterprise_id": ctx.firm}


def _save(session: Session, ctx: Context, principal: Principal, body: dict[str, Any]) -> int:
    geom = None
    if ctx.place is not None:
        geom = f"SRID=4326;POINT({ctx.place.lon!r} {ctx.place.lat!r})"
    row = ExpansionRequest(
        enterprise_id=ctx.firm,
        user_id=principal.user_id,
        criteria=ctx.req.criteria_json(),
        geom=geom,
    )
    session.add(row)
    session.flush()
    body["request_id"] = row.id
    row.result = body
    session.flush()
    return row.id


def get_match(session: Session, request_id: int, principal: Principal) -> dict[str, Any]:
    """The saved answer of match request ``request_id`` (any signed-in role may read it).

    Raises
    ------
    NotFound
        No such request, or one saved without an answer.
    """
    require_read(principal, "expansion_requests")
    row = session.get(ExpansionRequest, request_id)
    if row is None or row.result is None:
        raise NotFound(f"match request {request_id} does not exist", field="request_id")
    return dict(row.result)
