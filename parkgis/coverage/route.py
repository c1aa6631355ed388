"""A day's visiting order for one officer's firms not yet visited this month.

Start at the officer's office (or, when none is recorded, at the centroid of the firms),
build a tour by nearest neighbour, then improve it with 2-opt. Distances are straight
lines in the zone's projected CRS, in metres. The tour returns to the start unless asked
not to. 2-opt only ever applies a change that makes the tour shorter, so the result is
never longer than the nearest-neighbour tour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.coverage.territories import COVERAGE_READERS, projected_srid, territories
from parkgis.errors import Forbidden, NotFound
from parkgis.geo import to_crs
from parkgis.settings import Settings
from parkgis.zonetime import Month

Point = tuple[float, float]


def _d(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def tour_length(start: Point, points: Sequence[Point], order: Sequence[int], closed: bool) -> float:
    """Length of start → points[order[0]] → … (→ start when ``closed``), in CRS units."""
    path = [start, *(points[i] for i in order)] + ([start] if closed and order else [])
    return sum(_d(path[i], path[i + 1]) for i in range(len(path) - 1))


def nearest_neighbour(start: Point, points: Sequence[Point], limit: int | None = None) -> list[int]:
    """Indices of ``points`` in nearest-neighbour order from ``start`` (at most ``limit``)."""
    left = set(range(len(points)))
    here: Point = start
    order: list[int] = []
    while left and (limit is None or len(order) < limit):
        nxt = min(left, key=lambda i: (_d(here, points[i]), i))
        order.append(nxt)
        left.remove(nxt)
        here = points[nxt]
    return order


def two_opt(
    start: Point, points: Sequence[Point], order: Sequence[int], closed: bool = True
) -> list[int]:
    """Improve a tour with 2-opt: reverse a stretch whenever that shortens the tour.

    The start stays first. Each applied reversal strictly shortens the tour, so the
    result is never longer than ``order``.
    """
    route = list(order)
    n = len(route)
    if n < 2:
        return route

    def at(k: int) -> Point:
        # Position k in the path start, route[0], ..., route[n-1] (start again at n + 1).
        return start if k == 0 or k == n + 1 else points[route[k - 1]]

    improved = True
    while improved:
        improved = False
        for i in range(1, n):
            for k in range(i + 1, n + 1):
                a, b, c = at(i - 1), at(i), at(k)
                after = k + 1 <= n or closed
                old = _d(a, b) + (_d(c, at(k + 1)) if after else 0.0)
                new = _d(a, c) + (_d(b, at(k + 1)) if after else 0.0)
                if new < old - 1e-9:
                    route[i - 1 : k] = reversed(route[i - 1 : k])
                    improved = True
    return route


def visit_route(
    session: Session,
    principal: Principal,
    settings: Settings,
    officer_id: int,
    *,
    month: Month | None = None,
    today: date | None = None,
    max_stops: int | None = None,
    return_to_office: bool = True,
) -> dict[str, Any]:
    """The suggested order to visit ``officer_id``'s firms not yet visited in ``month``.

    Parameters
    ----------
    max_stops : int, optional
        Most firms in the day's route (default ``coverage.route_max_stops``); the others
        are listed under ``left_for_later``.

    Returns
    -------
    dict
        ``{"officer_id", "month", "start": {"kind": "office"|"centroid"|None, "lon",
        "lat"}, "stops": [{"order", "enterprise_id", "name", "lon", "lat", "leg_m"}],
        "length_m", "nearest_neighbour_length_m", "left_for_later", "geometry"}``;
        lon/lat in EPSG:4326, ``geometry`` a GeoJSON LineString (None for no stops).
        An officer whose firms were all visited gets empty ``stops``.

    Raises
    ------
    Forbidden, NotFound
        An officer asking for someone else's route; no such active officer.
    """
    require_role(principal, COVERAGE_READERS, "see visit routes")
    if principal.role == "officer" and principal.officer_id != officer_id:
        raise Forbidden("officers see only their own route", field="officer_id")
    cov = territories(session, settings, officer_ids=[officer_id], month=month, today=today)
    if not cov.officers:
        raise NotFound(f"no active officer {officer_id}", field="officer_id")
    crs = settings.zone.projected_crs
    srid = projected_srid(crs)
    todo = cov.officers[0].not_visited_ids
    firms = session.execute(
        text(
            "SELECT id, name, ST_X(geom) AS lon, ST_Y(geom) AS lat, "
            "ST_X(ST_Transform(geom, :srid)) AS x, ST_Y(ST_Transform(geom, :srid)) AS y "
            "FROM enterprises WHERE id = ANY(:ids) ORDER BY id"
        ),
        {"ids": todo, "srid": srid},
    ).all()
    office = session.execute(
        text(
            "SELECT ST_X(ST_Transform(office_geom, :srid)) AS x, "
            "ST_Y(ST_Transform(office_geom, :srid)) AS y FROM officers "
            "WHERE id = :o AND office_geom IS NOT NULL"
        ),
        {"o": officer_id, "srid": srid},
    ).first()
    result: dict[str, Any] = {
        "officer_id": officer_id,
        "month": str(cov.month),
        "start": {"kind": None, "lon": None, "lat": None},
        "stops": [],
        "length_m": 0.0,
        "nearest_neighbour_length_m": 0.0,
        "left_for_later": [],
        "geometry": None,
    }
    if not firms:
        return result
    pts = [(f.x, f.y) for f in firms]
    if office is not None:
        start, kind = (office.x, office.y), "office"
    else:
        start = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        kind = "centroid"
    limit = max_stops or settings.coverage.route_max_stops
    nn = nearest_neighbour(start, pts, limit)
    best = two_opt(start, pts, nn, closed=return_to_office)
    lon0, lat0 = to_crs_point(start, crs)
    stops, prev = [], start
    for n, i in enumerate(best, start=1):
        f = firms[i]
        stops.append(
            {
                "order": n,
                "enterprise_id": f.id,
                "name": f.name,
                "lon": f.lon,
                "lat": f.lat,
                "leg_m": round(_d(prev, pts[i]), 1),
            }
        )
        prev = pts[i]
    line = [[lon0, lat0]] + [[s["lon"], s["lat"]] for s in stops]
    if return_to_office:
        line.append([lon0, lat0])
    result.update(
        start={"kind": kind, "lon": lon0, "lat": lat0},
        stops=stops,
        length_m=round(tour_length(start, pts, best, return_to_office), 1),
        nearest_neighbour_length_m=round(tour_length(start, pts, nn, return_to_office), 1),
        left_for_later=sorted(firms[i].id for i in set(range(len(firms))) - set(best)),
        geometry={"type": "LineString", "coordinates": line},
    )
    return result


def to_crs_point(xy: Point, crs: str) -> tuple[float, float]:
    """A point of the projected CRS ``crs`` as EPSG:4326 lon/lat."""
    import shapely

    p = to_crs(shapely.Point(xy), crs, "EPSG:4326")
    return (round(p.x, 7), round(p.y, 7))
