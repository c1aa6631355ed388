"""``GET /api/v1/audit``: the audit log, newest first, for admins."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.deps import PrincipalDep, SessionDep
from parkgis.access import require_read
from parkgis.audit import list_entries
from parkgis.errors import InvalidQuery

router = APIRouter(prefix="/api/v1", tags=["audit"])

BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class AuditQuery:
    """Filters and page of the audit log (unknown query parameters get a 400)."""

    entity: str | None
    entity_id: int | None
    user_id: int | None
    user: str | None
    action: str | None
    limit: int
    offset: int


def audit_query(
    request: Request,
    entity: Annotated[
        str | None, Query(max_length=40, description="Collection, e.g. parcels")
    ] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    user_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    user: Annotated[str | None, Query(max_length=200, description="The actor's name")] = None,
    action: Annotated[str | None, Query(max_length=24, description="create, update, ...")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> AuditQuery:
    """Parse the audit query; refuse parameters this endpoint does not know."""
    unknown = sorted(set(request.query_params) - set(AuditQuery.__dataclass_fields__))
    if unknown:
        raise InvalidQuery(
            f"unknown query parameter {unknown[0]!r}; use: "
            + ", ".join(AuditQuery.__dataclass_fields__),
            field=unknown[0],
        )
    return AuditQuery(entity, entity_id, user_id, user, action, limit, offset)


@router.get("/audit", summary="The audit log (admin only)")
def audit_log(
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    q: Annotated[AuditQuery, Depends(audit_query)],
) -> dict[str, Any]:
    """Who changed what and when, with before/after values, newest first; paged."""
    require_read(principal, "audit_log")
    args = asdict(q)
    page = list_entries(session, actor=args.pop("user"), **args)
    if q.offset + page["numberReturned"] < page["numberMatched"]:
        nxt = request.url.include_query_params(offset=q.offset + q.limit)
        page["links"] = [{"rel": "next", "href": str(nxt)}]
    return page
