"""``POST /api/v1/match``, ``GET /api/v1/match/{id}`` and the map ``/maps/match/{id}``.

The body is a :class:`~parkgis.schemas.matching.MatchRequest` (DESIGN.md, "The match
request"). The answer is a GeoJSON FeatureCollection, best first, saved as an
``ExpansionRequest`` whose id is ``request_id`` (201, with ``Location``). Roles: officer,
investment, admin (any signed-in role may read a saved match). A request naming no
criterion is a 400; ``min > max`` a 422.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.responses import HTMLResponse

from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.responses import GeoJSONResponse
from api.routes.maps import MapQuery, map_openapi, map_query, map_response
from parkgis.access import Principal
from parkgis.maps.match import match_map
from parkgis.matching.service import MATCH_ROLES, get_match, match
from parkgis.schemas.matching import MatchRequest

router = APIRouter(prefix="/api/v1/match", tags=["match"])

Matcher = Annotated[Principal, Depends(require(*MATCH_ROLES))]


@router.post("", status_code=201, response_class=GeoJSONResponse)
def post_match(
    body: MatchRequest, session: SessionDep, settings: SettingsDep, principal: Matcher
) -> GeoJSONResponse:
    """Rank open space and land for the request, save it, and return the shortlist."""
    result = match(session, body, principal, settings)
    session.commit()
    location = f"/api/v1/match/{result['request_id']}"
    return GeoJSONResponse(result, status_code=201, headers={"Location": location})


@router.get("/{request_id}", response_class=GeoJSONResponse)
def read_match(
    request_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    principal: PrincipalDep,
) -> GeoJSONResponse:
    """The saved answer of a match request."""
    return GeoJSONResponse(get_match(session, request_id, principal))


maps_router = APIRouter(prefix="/maps", tags=["maps"])


@maps_router.get(
    "/match/{request_id}",
    response_class=HTMLResponse,
    openapi_extra=map_openapi(None),
    summary="Match map: candidates by rank, near-misses, the firm's site, same-chain firms",
)
def match_map_page(
    request_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    q: Annotated[MapQuery, Depends(map_query(None))],
) -> HTMLResponse:
    """A saved match on the map: candidates numbered by rank with their checks in popups,
    near-misses in grey, the firm's current site and same-chain firms nearby."""
    m = match_map(
        session,
        principal,
        settings,
        bbox=q.bbox,
        filters={"request_id": request_id},
        basemap=q.basemap,
        lang=q.lang,
    )
    return map_response(m, q, f"parkgis-match-{request_id}.html")
