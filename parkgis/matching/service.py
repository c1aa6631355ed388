"""Expansion request → ranked idle plant space and vacant land, with reasons and near-misses.

:func:`match` runs a :class:`~parkgis.schemas.matching.MatchRequest` against the zone and
saves it, with its answer, as an :class:`~parkgis.models.ExpansionRequest`;
:func:`get_match` returns a saved answer. The rules (criteria, near-misses, score) are in
:mod:`parkgis.matching.rules`, their SQL in :mod:`parkgis.matching.sql`, combined units in
:mod:`parkgis.matching.groups`.

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

import orjson
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import PUBLIC_FIELDS, WRITERS, Principal, require_read, require_role
from parkgis.errors import Forbidden, InvalidInput, NotFound
from parkgis.matching.context import Candidate, Context, fetch_dicts, resolve, row_candidate
from parkgis.matching.groups import group_candidates
from parkgis.matching.rules import Kind
from parkgis.matching.sql import considered_sql
from parkgis.models import ExpansionRequest
from parkgis.schemas.matching import MatchRequest
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

MATCH_ROLES = WRITERS["expansion_requests"]
"""Roles that may run a match (officer, investment, admin); any signed-in role may read one."""


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
    session: Session, ctx: Context, kind: Kind, k: int
) -> tuple[list[Candidate], int, list[Candidate]]:
    """The best ``k`` feasible candidates of ``kind``, how many there are, and the best
    ``k`` near-misses.

    Rows are ranked in SQL by their base score; the affinity component (counted only for
    the rows fetched) can add at most ``Scorer.affinity_bound``, so more rows are fetched
    until no row left behind could reach the ``k``-th final score.
    """
    scorer = ctx.scorer(kind)
    bound = scorer.affinity_bound
    m = k if bound == 0 else max(2 * k, k + 20)
    while True:
        qb = ctx.builder(kind)
        sql = qb.ranked(limit=m + 1, chain=ctx.chain, firm=ctx.firm)
        rows = fetch_dicts(session, sql, qb.params)
        total = int(rows[0]["n_feasible"]) if rows else 0
        lists = []
        complete = True
        for fails in (0, 1):
            part = [r for r in rows if r["fails"] == fails]
            near = fails == 1
            cands = [c for r in part[:m] if (c := row_candidate(ctx, kind, r, scorer, near=near))]
            cands.sort(key=lambda c: c.key)
            lists.append(cands[:k])
            if len(part) > m and bound > 0:
                best_left = float(part[m]["base_num"]) / scorer.total_weight + bound
                if len(cands) < k or best_left >= cands[k - 1].score:
                    complete = False
        if complete:
            return lists[0], total, lists[1]
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
        The request is written but not committed: the caller commits.
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
    body, ctx = _rank(session, req, settings, today, limit)
    if save:
        body["request_id"] = _save(session, ctx, principal, body)
    return body


PUBLIC_KINDS = {"space": "spaces", "space_group": "spaces", "parcel": "parcels"}
"""Which collection's public fields a candidate of each kind may show."""
RANKING_FIELDS = ("rank", "score", "kind", "id", "distance_m", "checks", "failed")
"""What every candidate shows, whoever asks: its place in the ranking and why."""


def rank_public(
    session: Session,
    request: MatchRequest | dict[str, Any],
    settings: Settings,
    *,
    today: date | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """:func:`match` for anyone, signed in or not: the public stock, public fields, unsaved.

    The open stock (available land, vacant plant) is public, so anyone may rank it; what
    a candidate shows is its ranking (:data:`RANKING_FIELDS`) and the public fields of
    :data:`parkgis.access.PUBLIC_FIELDS`. Searching near a firm's site is refused (where a
    firm sits and what it looks for are not public), and nothing is saved.

    Raises
    ------
    Forbidden
        The request names a firm (``enterprise_id``).
    BadRequest, InvalidInput
        As :func:`match`.
    """
    req = parse_request(request)
    if req.enterprise_id is not None:
        raise Forbidden("sign in to search near a firm's site", field="enterprise_id")
    today = today or zone_today(settings.zone.timezone)
    body, _ctx = _rank(session, req, settings, today, limit)
    body["features"] = [public_candidate(f) for f in body["features"]]
    body["near_misses"] = [public_candidate(f) for f in body["near_misses"]]
    body["origin"] = None
    return body


def public_candidate(feature: dict[str, Any]) -> dict[str, Any]:
    """A result feature with only its ranking and public properties (units too)."""
    props = feature.get("properties") or {}
    coll = PUBLIC_KINDS.get(str(props.get("kind")), "")
    allowed = set(RANKING_FIELDS) | set(PUBLIC_FIELDS.get(coll, ()))
    out = {k: v for k, v in props.items() if k in allowed}
    if "units" in props:
        space_fields = set(PUBLIC_FIELDS["spaces"])
        out["units"] = [
            {k: v for k, v in u.items() if k in space_fields} for u in props["units"] or []
        ]
    return {**feature, "properties": out}


def _rank(
    session: Session, req: MatchRequest, settings: Settings, today: date, limit: int | None
) -> tuple[dict[str, Any], Context]:
    """The ranked answer to ``req`` and its resolved context (no role check, unsaved)."""
    ctx = resolve(session, req, settings, today)
    k = limit or req.limit
    feasible: list[Candidate] = []
    near: list[Candidate] = []
    matched = 0
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    for kind in ctx.kinds:
        top, total, nm = _top(session, ctx, kind, k)
        feasible += top
        matched += total
        near += nm
    groups, n_groups = group_candidates(session, ctx, k)
    feasible += groups
    matched += n_groups
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
    return body, ctx


def _origin(ctx: Context) -> dict[str, Any] | None:
    if ctx.place is None:
        return None
    return {"lon": ctx.place.lon, "lat": ctx.place.lat, "enterprise_id": ctx.firm}


_SAVE = text(
    """
WITH n AS (SELECT nextval(pg_get_serial_sequence('expansion_requests', 'id')) AS id)
INSERT INTO expansion_requests (id, enterprise_id, user_id, criteria, result, geom)
SELECT n.id, :firm, :user_id, CAST(:criteria AS jsonb),
  jsonb_set(CAST(:result AS jsonb), '{request_id}', to_jsonb(n.id)),
  CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL
       ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END
FROM n
RETURNING id
"""
)


def _save(session: Session, ctx: Context, principal: Principal, body: dict[str, Any]) -> int:
    """Insert the request and its answer (whose ``request_id`` is the new row's id)."""
    params = {
        "firm": ctx.firm,
        "user_id": principal.user_id,
        "criteria": orjson.dumps(ctx.req.criteria_json()).decode(),
        "result": orjson.dumps(body).decode(),
        "lon": ctx.place.lon if ctx.place else None,
        "lat": ctx.place.lat if ctx.place else None,
    }
    rid = int(session.execute(_SAVE, params).scalar_one())
    body["request_id"] = rid
    return rid


def may_read_match(principal: Principal, row: ExpansionRequest) -> bool:
    """Whether ``principal`` may read saved match ``row``: its author, the officer of the
    firm it is for, or an admin. A saved match says which firm plans to move."""
    if principal.anonymous:
        return False
    if principal.role == "admin":
        return True
    if row.user_id is not None and row.user_id == principal.user_id:
        return True
    return (
        principal.role == "officer"
        and row.enterprise_id is not None
        and row.enterprise_id in principal.own_enterprise_ids
    )


def get_match(session: Session, request_id: int, principal: Principal) -> dict[str, Any]:
    """The saved answer of match request ``request_id``, for its author, the firm's officer
    and admins (:func:`may_read_match`).

    Raises
    ------
    NotFound
        No such request, or one saved without an answer.
    Forbidden
        The caller is none of those (401 without a token).
    """
    require_read(principal, "expansion_requests")
    row = session.get(ExpansionRequest, request_id)
    if row is None or row.result is None:
        raise NotFound(f"match request {request_id} does not exist", field="request_id")
    if not may_read_match(principal, row):
        raise Forbidden(
            f"match request {request_id} is readable only by its author, the firm's service "
            "officer and admins",
            field="request_id",
        )
    return dict(row.result)
