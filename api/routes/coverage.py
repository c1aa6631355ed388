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

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import HTMLResponse

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.responses import GeoJSONResponse
from api.routes.maps import MapQuery, map_openapi, map_query, map_response
from parkgis.coverage.rebalance import Move, apply_moves, suggest
from parkgis.coverage.route import visit_route
from parkgis.coverage.territories import coverage_for
from parkgis.errors import InvalidInput, InvalidQuery
from parkgis.maps.coverage import MAP_FILTERS, coverage_map
from parkgis.zonetime import Month, parse_month

router = APIRouter(prefix="/api/v1", tags=["coverage"])
maps_router = APIRouter(prefix="/maps", tags=["maps"])


class Params(dict[str, str]):
    """The query string of one request, checked against the names a route takes."""

    def integer(self, name: str, lo: int = 1, hi: int = 2**31 - 1) -> int | None:
        """The parameter as a whole number in ``lo..hi`` (None when absent)."""
        raw = self.get(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError as exc:
            raise InvalidQuery(f"{raw!r} is not a whole number", field=name) from exc
        if not lo <= value <= hi:
            raise InvalidQuery(f"{value} is outside {lo}..{hi}", field=name)
        return value

    def ints(self, name: str) -> list[int] | None:
        """A comma list of whole numbers (None when absent)."""
        raw = self.get(name)
        if raw is None:
            return None
        try:
            return [int(v) for v in raw.split(",") if v.strip()]
        except ValueError as exc:
            raise InvalidQuery(f"{raw!r} is not a comma list of ids", field=name) from exc

    def month(self, tz: str, name: str = "month") -> Month | None:
        """``YYYY-MM`` as a :class:`Month` (None when absent)."""
        raw = self.get(name)
        if raw is None:
            return None
        try:
            return parse_month(raw, tz, field=name)
        except InvalidInput as exc:
            raise InvalidQuery(exc.message, field=name) from exc

    def flag(self, name: str, default: bool) -> bool:
        """``1/0``, ``true/false`` (default when absent)."""
        raw = self.get(name)
        if raw is None:
            return default
        low = raw.strip().lower()
        if low in ("1", "true", "yes"):
            return True
        if low in ("0", "false", "no"):
            return False
        raise InvalidQuery(f"{raw!r} is not 1/0 or true/false", field=name)

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        """One of ``options`` (default when absent)."""
        raw = self.get(name, default)
        if raw not in options:
            raise InvalidQuery(f"{raw!r} is not one of {', '.join(options)}", field=name)
        return raw


def query(*names: str) -> Callable[[Request], Params]:
    """Dependency: the query string, refusing unknown or repeated parameters (400)."""

    def dep(request: Request) -> Params:
        out = Params()
        for name, value in request.query_params.multi_items():
            if name not in names:
                takes = ", ".join(names) or "no parameters"
                raise InvalidQuery(
                    f"unknown query parameter {name!r}; this endpoint takes: {takes}", field=name
                )
            if name in out:
                raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
            out[name] = value
        return out

    return dep


@router.get("/coverage", response_class=GeoJSONResponse)
def coverage(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[Params, Depends(query("officer_id", "month"))],
) -> GeoJSONResponse:
    """Officer territories and workload as a GeoJSON FeatureCollection (EPSG:4326)."""
    cov = coverage_for(
        session,
        principal,
        settings,
        officer_id=q.integer("officer_id"),
        month=q.month(settings.zone.timezone),
    )
    return GeoJSONResponse(cov.feature_collection())


@router.get("/coverage/rebalance")
def rebalance(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[Params, Depends(query("max_moves", "officer_ids"))],
) -> dict[str, Any]:
    """Suggested reassignments (never applied here), with before and after metrics;
    `officer_ids=1,2,3` rebalances among those officers only."""
    return suggest(
        session,
        principal,
        settings,
        max_moves=q.integer("max_moves", lo=0, hi=500),
        officer_ids=q.ints("officer_ids"),
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
    q: Annotated[Params, Depends(query())],
) -> dict[str, Any]:
    """Reassign the listed firms (admin only), all in one transaction or none."""
    moves = [Move(**m.model_dump()) for m in body.moves]
    done = apply_moves(session, principal, settings, moves)
    session.commit()
    return {"applied": done}


@router.get("/officers/{officer_id}/route")
def officer_route(
    officer_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[Params, Depends(query("month", "max_stops", "return"))],
) -> dict[str, Any]:
    """A day's visiting order for the firms the officer has not visited this month."""
    return visit_route(
        session,
        principal,
        settings,
        officer_id,
        month=q.month(settings.zone.timezone),
        max_stops=q.integer("max_stops", lo=1, hi=100),
        return_to_office=q.flag("return", True),
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
