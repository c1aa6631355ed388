"""Officer coverage under ``/api/v1``.

- ``GET /coverage?officer_id=&month=YYYY-MM``: one GeoJSON feature per officer (territory,
  workload, ``not_visited_this_month``), plus ``unassigned_enterprises`` and ``overlaps``.
  Officers get their own territory; admin and planner everyone's.
- ``GET /coverage/rebalance?max_moves=&officer_ids=1,2``: suggested reassignments with
  before/after metrics (admin, planner). Nothing changes until
  ``POST /coverage/rebalance/apply`` (admin) with the moves to make.
- ``GET /officers/{id}/route?month=&max_stops=&return=0|1``: a day's visiting order for
  the officer's firms not yet visited this month.
- ``GET /maps/coverage?officer_id=&month=&route=1&bbox=&basemap=&lang=&download=1``: the
  same data as a map (territories, firms by visit status, filter by officer, route).

Unknown or repeated query parameters are a 400 naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import HTMLResponse

from api import params as qp
from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.params import NoParams, from_query, param
from api.responses import GeoJSONResponse
from api.routes.maps import MapQuery, map_openapi, map_query, map_response
from parkgis.coverage.rebalance import Move, apply_moves, suggest
from parkgis.coverage.route import visit_route
from parkgis.coverage.territories import coverage_for
from parkgis.maps.coverage import MAP_FILTERS, coverage_map
from parkgis.zonetime import Month

router = APIRouter(prefix="/api/v1", tags=["coverage"])
maps_router = APIRouter(prefix="/maps", tags=["maps"])


@dataclass(frozen=True)
class CoverageParams:
    """Which officer (default: all the caller may see) and month (default: this one)."""

    officer_id: int | None = param(qp.int_in(), description="One officer", schema=qp.ID_DOC)
    month: Month | None = param(
        qp.month, description="YYYY-MM (default: this month)", schema=qp.MONTH_DOC
    )


@dataclass(frozen=True)
class RebalanceParams:
    """How many moves to suggest, among which officers."""

    max_moves: int | None = param(
        qp.int_in(0, 500),
        description="At most this many moves",
        schema={"type": "integer", "minimum": 0, "maximum": 500},
    )
    officer_ids: tuple[int, ...] | None = param(qp.ids, description="Comma list of officer ids")


@dataclass(frozen=True)
class RouteParams:
    """The month, how many stops, and whether the route returns to the office."""

    month: Month | None = param(
        qp.month, description="YYYY-MM (default: this month)", schema=qp.MONTH_DOC
    )
    max_stops: int | None = param(
        qp.int_in(1, 100),
        description="At most this many firms",
        schema={"type": "integer", "minimum": 1, "maximum": 100},
    )
    return_to_office: bool = param(
        qp.flag, default=True, alias="return", description="1 (default): end the day at the office"
    )


@router.get(
    "/coverage", response_class=GeoJSONResponse, openapi_extra=qp.openapi_for(CoverageParams)
)
def coverage(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[CoverageParams, Depends(from_query(CoverageParams))],
) -> GeoJSONResponse:
    """Officer territories and workload as a GeoJSON FeatureCollection (EPSG:4326)."""
    cov = coverage_for(session, principal, settings, officer_id=q.officer_id, month=q.month)
    return GeoJSONResponse(cov.feature_collection())


@router.get("/coverage/rebalance", openapi_extra=qp.openapi_for(RebalanceParams))
def rebalance(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[RebalanceParams, Depends(from_query(RebalanceParams))],
) -> dict[str, Any]:
    """Suggested reassignments (never applied here), with before and after metrics;
    `officer_ids=1,2,3` rebalances among those officers only."""
    return suggest(
        session,
        principal,
        settings,
        max_moves=q.max_moves,
        officer_ids=list(q.officer_ids) if q.officer_ids is not None else None,
    )


class MoveIn(BaseModel):
    """One reassignment: the firm, its current officer, its new officer."""

    model_config = ConfigDict(extra="forbid")

    enterprise_id: int
    from_officer_id: int
    to_officer_id: int


class ApplyIn(BaseModel):
    """The moves to make, usually copied from ``GET /coverage/rebalance``."""

    model_config = ConfigDict(extra="forbid")

    moves: list[MoveIn] = Field(min_length=1, max_length=500)


@router.post("/coverage/rebalance/apply")
def rebalance_apply(
    body: ApplyIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[NoParams, Depends(from_query(NoParams))],
) -> dict[str, Any]:
    """Reassign the listed firms (admin only), all in one transaction or none."""
    moves = [Move(**m.model_dump()) for m in body.moves]
    done = apply_moves(session, principal, settings, moves)
    session.commit()
    return {"applied": done}


@router.get("/officers/{officer_id}/route", openapi_extra=qp.openapi_for(RouteParams))
def officer_route(
    officer_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[RouteParams, Depends(from_query(RouteParams))],
) -> dict[str, Any]:
    """A day's visiting order for the firms the officer has not visited this month."""
    return visit_route(
        session,
        principal,
        settings,
        officer_id,
        month=q.month,
        max_stops=q.max_stops,
        return_to_office=q.return_to_office,
    )


@maps_router.get(
    "/coverage",
    response_class=HTMLResponse,
    openapi_extra=map_openapi(None),
    summary="Coverage map: territories, firms by visit status, gaps, routes",
)
def coverage_map_page(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[MapQuery, Depends(map_query(None, extra=MAP_FILTERS))],
) -> HTMLResponse:
    """Officer territories (one colour each), firms coloured by this month's visit status,
    firms with no officer highlighted, and a filter by officer. Takes `officer_id`,
    `month=YYYY-MM` and `route=1` (with `officer_id`: the suggested visit route)."""
    m = coverage_map(
        session,
        principal,
        settings,
        bbox=q.bbox,
        filters=q.filters,
        basemap=q.basemap,
        lang=q.lang,
    )
    return map_response(m, q, "parkgis-coverage.html")
