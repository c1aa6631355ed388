"""POST, PUT, PATCH and DELETE under ``/api/v1`` for every writable entity.

The same four handlers serve every entity, registered once per entity by
:func:`add_write_routes` with that entity's body models, so the OpenAPI document names
the exact body of each operation. Each handler parses, calls one ``parkgis.writes``
function (which checks the role, validates, writes and audits), commits once and
serialises. Spatial entities are GeoJSON Features.
"""

# No ``from __future__ import annotations``: the handlers' annotations must be the real
# per-entity classes when FastAPI reads them.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from starlette.responses import Response

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.params import GeometryParams, NoParams, from_query, openapi_for
from api.responses import GeoJSONResponse, JSONResponse
from parkgis import writes
from parkgis.schemas.common import INT32_MAX
from parkgis.writes import ENTITIES, EntitySpec, etag

router = APIRouter(prefix="/api/v1", tags=["writes"])

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description='The ETag you read, e.g. "3" (or * to overwrite whatever is there). '
        "PUT/PATCH may send a version field instead; DELETE needs this header.",
    ),
]
Fid = Annotated[int, Path(ge=1, le=INT32_MAX, description="The row's id.")]


GeoParams = Annotated[GeometryParams, Depends(from_query(GeometryParams))]
_GEO_DOC = openapi_for(GeometryParams)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad bearer token"},
    403: {"description": "Your role may not write this (officers: not your firm)"},
    409: {"description": "A unique value already exists, or the row is still referenced"},
    422: {"description": "Bad input; the body names the field and the reason"},
}
_VERSIONED: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such row"},
    412: {"description": "Stale If-Match/version; the body has current_version"},
    428: {"description": "Neither If-Match nor version was sent"},
}
_ETAG = {"ETag": {"description": 'The new version, e.g. "4"', "schema": {"type": "string"}}}


def _location(request: Request, spec: EntitySpec, fid: int) -> str:
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}/api/v1/{spec.name}/{fid}"


def add_write_routes(spec: EntitySpec) -> None:
    """Register POST /{name}, PUT/PATCH/DELETE /{name}/{fid} for one entity."""
    create_body = spec.feature or spec.create
    patch_body = spec.feature_patch or spec.update
    media = GeoJSONResponse if spec.spatial else JSONResponse
    what = "GeoJSON Feature" if spec.spatial else "object"
    slug = spec.name[:-1]

    def create(
        body: create_body,  # type: ignore[valid-type]
        session: SessionDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        request: Request,
        geo: GeoParams,
    ) -> Response:
        written = writes.create(
            session,
            spec.name,
            principal,
            body,
            crs=geo.crs,
            repair=geo.repair,
            zone_tz=settings.zone.timezone,
        )
        session.commit()
        headers = {"Location": _location(request, spec, written.id), "ETag": etag(written.version)}
        return media(written.body, status_code=201, headers=headers)

    def updater(body_type: Any, partial: bool) -> Callable[..., Response]:
        """PUT (``partial=False``, whole body) or PATCH (``partial=True``) of one row."""

        def update(
            fid: Fid,
            body: body_type,
            session: SessionDep,
            principal: PrincipalDep,
            settings: SettingsDep,
            geo: GeoParams,
            if_match: IfMatch = None,
        ) -> Response:
            written = writes.update(
                session,
                spec.name,
                principal,
                fid,
                body,
                partial=partial,
                if_match=if_match,
                crs=geo.crs,
                repair=geo.repair,
                zone_tz=settings.zone.timezone,
            )
            session.commit()
            return media(written.body, headers={"ETag": etag(written.version)})

        return update

    replace = updater(create_body, partial=False)
    patch = updater(patch_body, partial=True)

    def remove(
        fid: Fid, session: SessionDep, principal: PrincipalDep, if_match: IfMatch = None
    ) -> Response:
        writes.delete(session, spec.name, principal, fid, if_match=if_match)
        session.commit()
        return Response(status_code=204)

    created: dict[int | str, dict[str, Any]] = {
        201: {"description": f"Created; the {what} as stored", "headers": _ETAG}
    }
    ok: dict[int | str, dict[str, Any]] = {
        200: {"description": f"The {what} as stored", "headers": _ETAG}
    }
    router.add_api_route(
        f"/{spec.name}",
        create,
        methods=["POST"],
        status_code=201,
        operation_id=f"create_{slug}",
        summary=f"Create a {spec.label} (a {what})",
        response_class=media,
        responses={**created, **_ERRORS},
        openapi_extra=_GEO_DOC,
    )
    router.add_api_route(
        f"/{spec.name}/{{fid:int}}",
        replace,
        methods=["PUT"],
        operation_id=f"replace_{slug}",
        summary=f"Replace a {spec.label} (If-Match or version required)",
        response_class=media,
        responses={**ok, **_ERRORS, **_VERSIONED},
        openapi_extra=_GEO_DOC,
    )
    router.add_api_route(
        f"/{spec.name}/{{fid:int}}",
        patch,
        methods=["PATCH"],
        operation_id=f"update_{slug}",
        summary=f"Change some fields of a {spec.label} (If-Match or version required)",
        response_class=media,
        responses={**ok, **_ERRORS, **_VERSIONED},
        openapi_extra=_GEO_DOC,
    )
    router.add_api_route(
        f"/{spec.name}/{{fid:int}}",
        remove,
        methods=["DELETE"],
        status_code=204,
        operation_id=f"delete_{slug}",
        dependencies=[Depends(from_query(NoParams))],
        summary=f"Delete a {spec.label} (If-Match required)",
        response_class=Response,
        responses={204: {"description": "Deleted"}, **_ERRORS, **_VERSIONED},
    )


for _spec in ENTITIES.values():
    add_write_routes(_spec)
