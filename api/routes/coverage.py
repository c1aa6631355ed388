"""Officer coverage under ``/api/v1``.

- ``GET /coverage?officer_id=&month=YYYY-MM``: one GeoJSON feature per officer (territory,
  workload, ``not_visited_this_month``), plus ``unassigned_enterprises`` and ``overlaps``.
  Officers get their own territory; admin and planner everyone's.
- ``GET /coverage/rebalance?max_moves=``: suggested reassignments with before/after
  metrics (admin, planner). Nothing changes until
  ``POST /coverage/rebalance/apply`` (admin) with the moves to make.
- ``GET /officers/{id}/route?month=&max_stops=&return=0|1``: a day's visiting order for
  the officer's firms not yet visited this month.

Unknown or repeated query parameters are a 400 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.responses import GeoJSONResponse
from parkgis.coverage import coverage_for
from parkgis.errors import InvalidInput, InvalidQuery
from parkgis.rebalance import Move, apply_moves, suggest
from parkgis.visit_route import visit_route
from parkgis.zonetime import Month, parse_month

router = APIRouter(prefix="/api/v1", tags=["coverage"])


class Params(dict[str, str]):
    """The query string of one request, checked against the names a route takes."""

    def int(self, name: str, lo: int = 1, hi: int = 2**31 - 1) -> int | None:
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
        officer_id=q.int("officer_id"),
        month=q.month(settings.zone.timezone),
    )
    return GeoJSONResponse(cov.feature_collection())


@router.get("/coverage/rebalance")
def rebalance(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[Params, Depends(query("max_moves"))],
) -> dict[str, Any]:
    """Suggested reassignments (never applied here), with before and after metrics."""
    return suggest(session, principal, settings, max_moves=q.int("max_moves", lo=0, hi=500))


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
        max_stops=q.int("max_stops", lo=1, hi=100),
        return_to_office=q.flag("return", True),
    )
