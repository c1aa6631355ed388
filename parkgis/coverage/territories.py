"""Officer coverage: territories, workload, visit gaps, overlaps and firms with no officer.

A firm's **current officer** is an :class:`parkgis.models.Assignment` with ``until`` NULL
whose officer is ``active``. An officer's **territory** is the union of the grid areas
assigned to them when they have any (``source="grid"``); otherwise the concave hull of
their current firms, buffered (``source="hull"``). The hull is computed in the zone's
projected CRS (:attr:`parkgis.settings.ZoneSettings.projected_crs`, metres) with
``ST_ConcaveHull`` and ``ST_Buffer``, so one firm, two firms or firms in a line give a
disc or a stadium rather than an error. Everything is returned in EPSG:4326.

A firm counts as **visited this month** when its current officer logged a visit or a
reception there between the first and the last instant of the month on the zone's clock.
Investment calls on prospects outside the zone (``kind = 'investment_call'``) are never
counted here (:mod:`parkgis.coverage.calls`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache
from itertools import combinations
from typing import Any, Literal

import orjson
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, require_role
from parkgis.coverage.requests import open_requests
from parkgis.errors import ConfigError, Forbidden, NotFound
from parkgis.models.base import FIRM_CONTACT_SQL
from parkgis.settings import Settings
from parkgis.zonetime import Month, month_bounds, zone_today

COVERAGE_READERS = ("admin", "planner", "officer")
MIN_OVERLAP_M2 = 1.0
"""Territories sharing less than this (e.g. grid areas that only touch) do not overlap."""

_TERRITORY_SQL = f"""
WITH off AS (
    SELECT o.id, o.name, o.unit FROM officers o
    WHERE o.active AND (CAST(:ids AS int[]) IS NULL OR o.id = ANY(CAST(:ids AS int[])))
),
cur AS (
    SELECT a.officer_id, e.id AS enterprise_id, e.above_scale, e.output_cny,
           ST_Transform(e.geom, :srid) AS pgeom
    FROM assignments a
    JOIN off ON off.id = a.officer_id
    JOIN enterprises e ON e.id = a.enterprise_id
    WHERE a.until IS NULL
),
firms AS (
    SELECT officer_id, count(*) AS firms, count(*) FILTER (WHERE above_scale) AS above,
           coalesce(sum(output_cny), 0) AS output_cny,
           array_agg(enterprise_id ORDER BY enterprise_id) AS ids,
           ST_Collect(pgeom) AS pts
    FROM cur GROUP BY officer_id
),
grid AS (
    SELECT g.officer_id, ST_Union(ST_Transform(g.geom, :srid)) AS pgeom
    FROM grid_areas g JOIN off ON off.id = g.officer_id
    GROUP BY g.officer_id
),
contact AS (
    SELECT v.officer_id, v.enterprise_id,
           count(*) FILTER (WHERE v.kind = 'visit') AS visits,
           count(*) FILTER (WHERE v.kind = 'reception') AS receptions
    FROM visits v JOIN off ON off.id = v.officer_id
    WHERE v.visited_at >= :start AND v.visited_at < :end
      AND {FIRM_CONTACT_SQL}  -- firm contacts only: never investment calls
    GROUP BY v.officer_id, v.enterprise_id
),
seen AS (
    SELECT officer_id, sum(visits) AS visits, sum(receptions) AS receptions
    FROM contact GROUP BY officer_id
),
missed AS (
    SELECT c.officer_id, array_agg(c.enterprise_id ORDER BY c.enterprise_id) AS ids
    FROM cur c
    LEFT JOIN contact k ON k.officer_id = c.officer_id AND k.enterprise_id = c.enterprise_id
    WHERE k.officer_id IS NULL
    GROUP BY c.officer_id
),
proj AS (
    SELECT p.officer_id, count(*) AS n
    FROM projects p JOIN off ON off.id = p.officer_id
    WHERE p.stage NOT IN ('in_production', 'cancelled')
    GROUP BY p.officer_id
),
terr AS (
    SELECT off.id AS officer_id,
           CASE WHEN grid.pgeom IS NOT NULL THEN 'grid'
                WHEN firms.pts IS NOT NULL THEN 'hull' ELSE 'none' END AS source,
           coalesce(grid.pgeom,
                    ST_Buffer(ST_ConcaveHull(firms.pts, :ratio), :buffer_m)) AS pgeom
    FROM off
    LEFT JOIN grid ON grid.officer_id = off.id
    LEFT JOIN firms ON firms.officer_id = off.id
)
SELECT off.id, off.name, off.unit, terr.source,
       ST_AsGeoJSON(ST_Transform(terr.pgeom, 4326), 7) AS geojson,
       ST_AsBinary(terr.pgeom) AS pwkb,
       coalesce(firms.firms, 0) AS firms, coalesce(firms.above, 0) AS above,
       coalesce(firms.output_cny, 0) AS output_cny,
       coalesce(firms.ids, '{{}}') AS enterprise_ids,
       coalesce(ST_MaxDistance(firms.pts, firms.pts), 0) / 1000.0 AS spread_km,
       coalesce(seen.visits, 0) AS visits, coalesce(seen.receptions, 0) AS receptions,
       coalesce(missed.ids, '{{}}') AS missed_ids,
       coalesce(proj.n, 0) AS projects
FROM off
JOIN terr ON terr.officer_id = off.id
LEFT JOIN firms ON firms.officer_id = off.id
LEFT JOIN seen ON seen.officer_id = off.id
LEFT JOIN missed ON missed.officer_id = off.id
LEFT JOIN proj ON proj.officer_id = off.id
ORDER BY off.id
"""

_UNASSIGNED_SQL = """
SELECT e.id FROM enterprises e
WHERE NOT EXISTS (
    SELECT 1 FROM assignments a JOIN officers o ON o.id = a.officer_id
    WHERE a.enterprise_id = e.id AND a.until IS NULL AND o.active
)
ORDER BY e.id
"""


def no_jit(session: Session) -> None:
    """Turn PostgreSQL's JIT off for the rest of this transaction.

    The geometry functions carry high planner costs, so PostgreSQL would JIT-compile the
    territory query: that took 2 of the 3 seconds at 1,320 officers, to run 1 second.
    """
    session.execute(text("SET LOCAL jit = off"))


@lru_cache(maxsize=16)
def projected_srid(crs: str) -> int:
    """The EPSG code of the zone's projected CRS (``"EPSG:4547"`` → 4547)."""
    from pyproj import CRS

    code = CRS.from_user_input(crs).to_epsg()
    if code is None:
        raise ConfigError(f"PARKGIS_PROJECTED_CRS {crs} has no EPSG code PostGIS would know")
    return int(code)


@dataclass
class OfficerCoverage:
    """One officer's territory and workload for a month (areas in m², distances in km)."""

    officer_id: int
    name: str
    unit: str | None
    source: Literal["grid", "hull", "none"]
    geometry: dict[str, Any] | None
    area_m2: float
    firms: int
    firms_above_scale: int
    output_cny: float
    projects_in_flight: int
    open_requests: int
    overdue_requests: int
    spread_km: float
    visits_this_month: int
    receptions_this_month: int
    enterprise_ids: list[int]
    not_visited_ids: list[int]
    projected_geometry: Any = field(default=None, repr=False)

    @property
    def not_visited_this_month(self) -> int:
        """How many of the officer's current firms had no visit or reception this month."""
        return len(self.not_visited_ids)

    def properties(self) -> dict[str, Any]:
        """The GeoJSON properties of this officer's feature."""
        skip = ("geometry", "projected_geometry")
        props = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        props["not_visited_this_month"] = self.not_visited_this_month
        return props


@dataclass
class Overlap:
    """Two officers whose territories overlap, and the firms both currently serve."""

    officer_ids: tuple[int, int]
    area_m2: float
    shared_enterprise_ids: list[int]


@dataclass
class Coverage:
    """The answer of :func:`territories`."""

    month: Month
    today: date
    officers: list[OfficerCoverage]
    unassigned_enterprises: list[int]
    overlaps: list[Overlap]

    def by_officer(self) -> dict[int, OfficerCoverage]:
        """Officer id → their coverage."""
        return {o.officer_id: o for o in self.officers}

    def feature_collection(self) -> dict[str, Any]:
        """A GeoJSON FeatureCollection, one feature per officer (EPSG:4326)."""
        return {
            "type": "FeatureCollection",
            "month": str(self.month),
            "today": self.today.isoformat(),
            "numberReturned": len(self.officers),
            "features": [
                {
                    "type": "Feature",
                    "id": o.officer_id,
                    "geometry": o.geometry,
                    "properties": o.properties(),
                }
                for o in self.officers
            ],
            "unassigned_enterprises": self.unassigned_enterprises,
            "overlaps": [
                {
                    "officer_ids": list(ov.officer_ids),
                    "area_m2": ov.area_m2,
                    "shared_enterprise_ids": ov.shared_enterprise_ids,
                }
                for ov in self.overlaps
            ],
        }


def territories(
    session: Session,
    settings: Settings,
    *,
    officer_ids: list[int] | None = None,
    month: Month | None = None,
    today: date | None = None,
) -> Coverage:
    """Territories and workload of every active officer, in a few set-based queries.

    Parameters
    ----------
    session : Session
        Any session; nothing is written.
    settings : Settings
        ``zone.projected_crs`` (metric work), ``zone.timezone`` (months, today) and
        ``coverage.buffer_m`` / ``coverage.concave_ratio`` (hull shape).
    officer_ids : list of int, optional
        Only these officers (overlaps are then among them only).
    month : Month, optional
        The month for visits and gaps; defaults to the current month in the zone.
    today : date, optional
        The zone date deciding which requests are overdue; defaults to today.

    Returns
    -------
    Coverage
        Officers in id order, each with a territory in EPSG:4326 (GeoJSON dict, or None
        for an officer with neither firms nor grid areas), its ``area_m2`` (in the
        projected CRS, within 0.1% of the geodesic area inside its area of use),
        ``spread_km`` (the farthest pair of their firms, in the projected CRS) and the
        workload counts; the ids of firms with no current officer; and overlaps.
    """
    tz = settings.zone.timezone
    today = today or zone_today(tz)
    month = month or Month.of(today)
    start, end = month_bounds(month, tz)
    srid = projected_srid(settings.zone.projected_crs)
    no_jit(session)
    rows = session.execute(
        text(_TERRITORY_SQL),
        {
            "ids": officer_ids,
            "srid": srid,
            "start": start,
            "end": end,
            "ratio": settings.coverage.concave_ratio,
            "buffer_m": settings.coverage.buffer_m,
        },
    ).all()
    open_by: dict[int, int] = {}
    late_by: dict[int, int] = {}
    for req in open_requests(session, settings, today=today):
        for oid in req.officer_ids:
            open_by[oid] = open_by.get(oid, 0) + 1
            if req.overdue:
                late_by[oid] = late_by.get(oid, 0) + 1
    shapes = shapely.from_wkb([bytes(r.pwkb) if r.pwkb else None for r in rows])
    areas = shapely.area(shapes)
    officers = [
        OfficerCoverage(
            officer_id=r.id,
            name=r.name,
            unit=r.unit,
            source=r.source,
            geometry=orjson.loads(r.geojson) if r.geojson else None,
            area_m2=round(float(area), 1) if shape is not None else 0.0,
            firms=int(r.firms),
            firms_above_scale=int(r.above),
            output_cny=float(r.output_cny),
            projects_in_flight=int(r.projects),
            open_requests=open_by.get(r.id, 0),
            overdue_requests=late_by.get(r.id, 0),
            spread_km=round(float(r.spread_km), 3),
            visits_this_month=int(r.visits),
            receptions_this_month=int(r.receptions),
            enterprise_ids=list(r.enterprise_ids),
            not_visited_ids=list(r.missed_ids),
            projected_geometry=shape,
        )
        for r, shape, area in zip(rows, shapes.tolist(), areas.tolist(), strict=True)
    ]
    unassigned = list(session.scalars(text(_UNASSIGNED_SQL)))
    return Coverage(month, today, officers, unassigned, find_overlaps(officers))


def find_overlaps(officers: list[OfficerCoverage]) -> list[Overlap]:
    """Pairs of officers whose territories share at least :data:`MIN_OVERLAP_M2`.

    Uses the territories in the projected CRS (areas in m²) and an STR-tree, so only
    pairs whose bounding boxes meet are intersected.
    """
    import numpy as np

    out: dict[tuple[int, int], Overlap] = {}
    have = [o for o in officers if o.projected_geometry is not None]
    if len(have) >= 2:
        geoms = np.array([o.projected_geometry for o in have], dtype=object)
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        for i, j, area in zip(left.tolist(), right.tolist(), areas.tolist(), strict=True):
            if area >= MIN_OVERLAP_M2:
                key = (have[i].officer_id, have[j].officer_id)
                out[key] = Overlap(key, round(area, 1), [])
    # Firms served by two officers are overlaps too, whatever the territories do.
    serving: dict[int, list[int]] = {}
    for o in officers:
        for e in o.enterprise_ids:
            serving.setdefault(e, []).append(o.officer_id)
    for e, ids in sorted(serving.items()):
        for a, b in combinations(sorted(ids), 2):
            out.setdefault((a, b), Overlap((a, b), 0.0, [])).shared_enterprise_ids.append(e)
    return sorted(out.values(), key=lambda ov: ov.officer_ids)


def coverage_for(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    officer_id: int | None = None,
    month: Month | None = None,
    today: date | None = None,
) -> Coverage:
    """:func:`territories` as ``principal`` may see it.

    Officers see only their own territory (and overlaps involving them); admin and
    planner see every officer, or one when ``officer_id`` is given.

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous or investment callers; an officer asking for someone else.
    """
    require_role(principal, COVERAGE_READERS, "read officer coverage")
    if principal.role == "officer":
        if officer_id not in (None, principal.officer_id):
            raise Forbidden("officers see only their own territory", field="officer_id")
        officer_id = principal.officer_id
    cov = territories(session, settings, month=month, today=today)
    if officer_id is not None:
        cov.officers = [o for o in cov.officers if o.officer_id == officer_id]
        if not cov.officers:
            raise NotFound(f"no active officer {officer_id}", field="officer_id")
        cov.overlaps = [ov for ov in cov.overlaps if officer_id in ov.officer_ids]
    return cov
