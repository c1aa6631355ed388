"""``POST /api/v1/match`` and ``GET /api/v1/match/{id}``: expansion request → shortlist.

The body is a :class:`~parkgis.schemas.match.MatchRequest` (DESIGN.md, "The match
request"). The answer is a GeoJSON FeatureCollection, best first, saved as an
``ExpansionRequest`` whose id is ``request_id`` (201, with ``Location``). Roles: officer,
investment, admin. A request naming no criterion is a 400; ``min > max`` a 422.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import SessionDep, SettingsDep, require
from api.responses import GeoJSONResponse
from parkgis.access import Principal
from parkgis.matching import MATCH_ROLES, get_match, match
from parkgis.schemas.match import MatchRequest

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
    request_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep, principal: Matcher
) -> GeoJSONResponse:
    """The saved answer of a match request."""
    return GeoJSONResponse(get_match(session, request_id, principal))
