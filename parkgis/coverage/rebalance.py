"""Rebalancing suggestions: move firms between officers to even out the workload.

**Workload** of an officer is the number of their current firms, each firm above
designated size counting ``1 + coverage.above_scale_weight``. A suggestion is a list of
moves, each handing one firm from one officer to another, chosen greedily:

- the donor is the officer with the highest workload that still has a valid move;
- a move is valid only when the receiver's workload after it stays strictly below the
  donor's before it, so **the largest workload never grows** and the spread of
  workloads (sum of squares) strictly shrinks with every move;
- the receiver must have another firm within ``coverage.rebalance_max_distance_m`` of the
  moved firm, and the nearest such receiver wins, so territories stay compact.

Firms served by two officers at once are never moved. Nothing is written by
:func:`suggest`; :func:`apply_moves` changes assignments only when called explicitly.
Distances are straight lines in the zone's projected CRS, in metres.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.audit import record
from parkgis.coverage.territories import no_jit, projected_srid
from parkgis.errors import Conflict, InvalidInput
from parkgis.settings import Settings
from parkgis.zonetime import zone_today

_FIRMS_SQL = """
SELECT a.officer_id, e.id, e.name, e.above_scale,
       ST_X(ST_Transform(e.geom, :srid)) AS x, ST_Y(ST_Transform(e.geom, :srid)) AS y,
       count(*) OVER (PARTITION BY e.id) AS officers
FROM assignments a
JOIN officers o ON o.id = a.officer_id AND o.active
JOIN enterprises e ON e.id = a.enterprise_id
WHERE a.until IS NULL
  AND (CAST(:ids AS int[]) IS NULL OR o.id = ANY(CAST(:ids AS int[])))
ORDER BY a.officer_id, e.id
"""


@dataclass(frozen=True)
class Move:
    """Hand ``enterprise_id`` from one officer to another."""

    enterprise_id: int
    from_officer_id: int
    to_officer_id: int
    enterprise_name: str = ""
    distance_m: float = 0.0
    """From the firm to the receiver's nearest other firm."""


@dataclass
class _Firm:
    id: int
    name: str
    weight: float
    x: float
    y: float
    movable: bool


def _load_state(
    session: Session, settings: Settings, officer_ids: list[int] | None
) -> tuple[dict[int, list[_Firm]], dict[int, float]]:
    srid = projected_srid(settings.zone.projected_crs)
    no_jit(session)
    extra = settings.coverage.above_scale_weight
    ids = {"ids": officer_ids}
    active = session.scalars(
        text(
            "SELECT id FROM officers WHERE active "
            "AND (CAST(:ids AS int[]) IS NULL OR id = ANY(CAST(:ids AS int[])))"
        ),
        ids,
    )
    firms: dict[int, list[_Firm]] = {oid: [] for oid in active}
    for r in session.execute(text(_FIRMS_SQL), {"srid": srid, **ids}):
        w = 1.0 + (extra if r.above_scale else 0.0)
        firms[r.officer_id].append(_Firm(r.id, r.name, w, r.x, r.y, r.officers == 1))
    loads = {oid: sum(f.weight for f in fs) for oid, fs in firms.items()}
    return firms, loads


def metrics(firms: dict[int, list[_Firm]], loads: dict[int, float]) -> dict[str, Any]:
    """Workload spread and territory compactness of one assignment state.

    ``max_spread_km``/``mean_spread_km``: the farthest pair of one officer's firms;
    ``mean_distance_to_centre_m``: how far firms lie from their officer's firms' centroid.
    """
    values = list(loads.values()) or [0.0]
    spreads, to_centre = [], []
    for fs in firms.values():
        if not fs:
            continue
        xy = np.array([(f.x, f.y) for f in fs])
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
        spreads.append(float(d.max()) / 1000.0)
        to_centre.extend(np.sqrt(((xy - xy.mean(axis=0)) ** 2).sum(axis=1)).tolist())
    return {
        "officers": len(loads),
        "max_workload": max(values),
        "min_workload": min(values),
        "mean_workload": round(statistics.fmean(values), 3),
        "stdev_workload": round(statistics.pstdev(values), 3),
        "max_spread_km": round(max(spreads, default=0.0), 3),
        "mean_spread_km": round(statistics.fmean(spreads), 3) if spreads else 0.0,
        "mean_distance_to_centre_m": round(statistics.fmean(to_centre), 1) if to_centre else 0.0,
    }


def _best_move(
    donor: int, firms: dict[int, list[_Firm]], loads: dict[int, float], max_m: float
) -> tuple[_Firm, int, float] | None:
    others = [(oid, f) for oid, fs in firms.items() if oid != donor for f in fs]
    if not others:
        return None
    owner = np.array([oid for oid, _ in others])
    xy = np.array([(f.x, f.y) for _, f in others])
    best: tuple[float, float, int, _Firm, int] | None = None
    for f in firms[donor]:
        if not f.movable:
            continue
        dist = np.sqrt(((xy - (f.x, f.y)) ** 2).sum(axis=1))
        near = dist <= max_m
        for oid in sorted(set(owner[near].tolist())):
            if loads[oid] + f.weight >= loads[donor]:
                continue
            d = float(dist[near & (owner == oid)].min())
            key = (d, loads[oid], oid, f, oid)
            if best is None or key[:3] < best[:3]:
                best = key
    if best is None:
        return None
    return best[3], best[4], best[0]


def suggest(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    max_moves: int | None = None,
    officer_ids: list[int] | None = None,
) -> dict[str, Any]:
    """Propose reassignments that even out the workload; nothing is written.

    Parameters
    ----------
    max_moves : int, optional
        At most this many moves (default ``coverage.rebalance_max_moves``).
    officer_ids : list of int, optional
        Rebalance among these officers only (e.g. one unit); all active officers when None.

    Returns
    -------
    dict
        ``{"moves": [...], "before": metrics, "after": metrics, "workload_before",
        "workload_after"}`` where the workload maps are ``{officer_id: workload}`` of the
        officers a move touches. ``after["max_workload"] <= before["max_workload"]``
        always holds.
    """
    require_role(principal, ("admin", "planner"), "see rebalancing suggestions")
    limit = settings.coverage.rebalance_max_moves if max_moves is None else max_moves
    if limit < 0:
        raise InvalidInput("max_moves must not be negative", field="max_moves")
    firms, loads = _load_state(session, settings, officer_ids)
    before = metrics(firms, loads)
    start = dict(loads)
    moves: list[Move] = []
    while len(moves) < limit:
        found = None
        for donor in sorted(loads, key=lambda o: (-loads[o], o)):
            found = _best_move(donor, firms, loads, settings.coverage.rebalance_max_distance_m)
            if found:
                break
        if found is None:
            break
        firm, receiver, dist = found
        firms[donor].remove(firm)
        firms[receiver].append(firm)
        loads[donor] -= firm.weight
        loads[receiver] += firm.weight
        moves.append(Move(firm.id, donor, receiver, firm.name, round(dist, 1)))
    after = metrics(firms, loads)
    touched = sorted({m.from_officer_id for m in moves} | {m.to_officer_id for m in moves})
    return {
        "moves": [asdict(m) for m in moves],
        "before": before,
        "after": after,
        "workload_before": {o: start[o] for o in touched},
        "workload_after": {o: loads[o] for o in touched},
    }


def apply_moves(
    session: Session,
    principal: Principal,
    settings: Settings,
    moves: list[Move],
    *,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Reassign firms as listed: end each current assignment today and start the new one.

    Only admin may do this. Every move is checked against the current state first; the
    caller commits once, so either all moves happen or none does.

    Raises
    ------
    Conflict
        A firm is no longer served by ``from_officer_id`` alone, or the receiver is not an
        active officer (the message names the move).
    """
    require_role(principal, ("admin",), "reassign firms")
    if not moves:
        raise InvalidInput("no moves given", field="moves")
    day = today or zone_today(settings.zone.timezone)
    done: list[dict[str, Any]] = []
    for i, m in enumerate(moves):
        rows = session.execute(
            text(
                "SELECT id, officer_id FROM assignments "
                "WHERE enterprise_id = :e AND until IS NULL FOR UPDATE"
            ),
            {"e": m.enterprise_id},
        ).all()
        active = session.scalar(
            text("SELECT active FROM officers WHERE id = :o"), {"o": m.to_officer_id}
        )
        if [r.officer_id for r in rows] != [m.from_officer_id] or not active:
            raise Conflict(
                f"move {i}: firm {m.enterprise_id} is not served by officer "
                f"{m.from_officer_id} alone, or officer {m.to_officer_id} is not active; "
                "ask for fresh suggestions",
                field=f"moves.{i}",
            )
        session.execute(
            text("UPDATE assignments SET until = :d, version = version + 1 WHERE id = :id"),
            {"d": day, "id": rows[0].id},
        )
        new_id = session.scalar(
            text(
                "INSERT INTO assignments (officer_id, enterprise_id, since, note) "
                "VALUES (:o, :e, :d, 'rebalancing') RETURNING id"
            ),
            {"o": m.to_officer_id, "e": m.enterprise_id, "d": day},
        )
        change = {"enterprise_id": m.enterprise_id, "officer_id": m.to_officer_id}
        record(
            session,
            principal,
            "apply",
            "assignments",
            new_id,
            before={"enterprise_id": m.enterprise_id, "officer_id": m.from_officer_id},
            after=change,
        )
        done.append({**asdict(m), "assignment_id": new_id, "since": day})
    return done
