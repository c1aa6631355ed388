"""Query-string dependencies of the read routes (REST ``/api/v1`` and OGC ``/ogc``).

The query string is read whole, so a parameter the endpoint does not know is a 400
naming it (OGC API Features asks for that); values are validated by
:mod:`parkgis.features.params` before the handler runs. Parameters are documented in
OpenAPI through each route's ``openapi_extra`` (see :func:`openapi_parameters`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import Request
from sqlalchemy.orm import Session

from api.deps import SettingsDep
from parkgis.access import Principal
from parkgis.errors import InvalidQuery
from parkgis.features import Collection, Page, fetch_page
from parkgis.features.crs import OutputCRS, parse_crs
from parkgis.features.ogc_openapi import common_parameters, filter_parameters
from parkgis.features.params import ItemsQuery, parse_items_query
from parkgis.settings import Settings

Format = Literal["json", "html"]
FORMATS = {"json": "json", "geojson": "json", "html": "html"}


def negotiate(request: Request, f: str | None) -> Format:
    """``f`` if given (json, geojson or html), else HTML only when Accept asks for it."""
    if f is not None:
        fmt = FORMATS.get(f.lower())
        if fmt is None:
            raise InvalidQuery(f"unknown format {f!r}; use json, geojson or html", field="f")
        return fmt  # type: ignore[return-value]
    accept = request.headers.get("accept", "")
    return "html" if "text/html" in accept and "json" not in accept else "json"


def items_query(coll: Collection, *, ogc: bool) -> Callable[..., ItemsQuery]:
    """Dependency: the validated list query of ``coll`` (``f``/``datetime`` too on OGC)."""
    extra = ("f", "datetime") if ogc else ()

    def dep(request: Request, settings: SettingsDep) -> ItemsQuery:
        return parse_items_query(
            coll,
            request.query_params.multi_items(),
            default_limit=settings.api.default_limit,
            max_limit=settings.api.max_limit,
            zone_crs=settings.zone.projected_crs,
            extra=extra,
        )

    return dep


def fetch_items(
    session: Session, coll: Collection, principal: Principal, settings: Settings, q: ItemsQuery
) -> Page:
    """The page of ``coll`` that ``q`` asks for, as ``principal`` may see it."""
    return fetch_page(
        session,
        coll.name,
        principal,
        bbox=q.bbox,
        bbox_crs=q.bbox_crs,
        crs=q.crs,
        limit=q.limit,
        offset=q.offset,
        filters=q.filters,
        tz=settings.zone.timezone,
        max_limit=settings.api.max_limit,
    )


def plain_query(allowed: tuple[str, ...]) -> Callable[..., dict[str, str]]:
    """Dependency: the query string as a dict, refusing names not in ``allowed``."""

    def dep(request: Request) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in request.query_params.multi_items():
            if name not in allowed:
                known = ", ".join(allowed) or "none"
                raise InvalidQuery(
                    f"unknown query parameter {name!r}; this endpoint takes: {known}", field=name
                )
            if name in out:
                raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
            out[name] = value
        return out

    return dep


def output_crs(params: dict[str, str], zone_crs: str) -> OutputCRS:
    """The ``crs`` parameter of a single-item request."""
    return parse_crs(params.get("crs"), zone_crs=zone_crs)


def openapi_parameters(coll: Collection | None, names: tuple[str, ...]) -> dict[str, Any]:
    """``openapi_extra`` listing the common parameters ``names`` and ``coll``'s filters."""
    common = common_parameters(None, None, None)
    params = [common[n] for n in names]
    if coll is not None:
        params += filter_parameters(coll.columns)
    return {"parameters": params}
