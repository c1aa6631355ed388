"""Query-string dependencies: every route's parameters are parsed here, never in a handler.

- :func:`read_query` is the one reader of a query string. It refuses a parameter the
  endpoint does not take, or one given twice, with a 400 naming it (OGC API Features asks
  for that, and it turns a typo such as ``repiar=true`` into an answer instead of silence).
- :func:`from_query` turns a small frozen dataclass into a dependency. Its fields are the
  endpoint's parameters, declared with :func:`param` and one of the value parsers of
  :mod:`parkgis.params`, so the handler receives typed values (as titiler's dependency
  classes do) and a flag, a month or a bbox means the same everywhere.
- The collection lists (:func:`items_query`) and the project filter (:func:`project_query`)
  take parameters that depend on the collection; they read through :func:`read_query` too.

Every dependency is tested alone on a throwaway app (``tests/api/test_params.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session

from api.deps import SettingsDep
from parkgis import params as p
from parkgis.access import Principal
from parkgis.errors import InvalidInput, InvalidQuery
from parkgis.features import Collection, Page, fetch_page
from parkgis.features.crs import OutputCRS, parse_crs
from parkgis.features.ogc_openapi import common_parameters, filter_parameters
from parkgis.features.params import ItemsQuery, parse_items_query
from parkgis.projects.filters import FILTER_PARAMS, ProjectFilter, filter_from_query
from parkgis.schemas.geojson import crs_name
from parkgis.settings import Settings

T = TypeVar("T")
Parser = Callable[[str, str, Settings], Any]
"""``(raw text, parameter name, settings) -> value``; raises InvalidQuery."""


def read_query(request: Request, allowed: Iterable[str]) -> dict[str, str]:
    """The query string as a dict; a name not in ``allowed`` or a repeated one is a 400."""
    names = tuple(allowed)
    out: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in names:
            takes = f"takes: {', '.join(names)}" if names else "takes no query parameters"
            raise InvalidQuery(
                f"unknown query parameter {name!r}; this endpoint {takes}", field=name
            )
        if name in out:
            raise InvalidQuery(f"parameter {name!r} is given more than once", field=name)
        out[name] = value
    return out


def param(
    parse: Parser,
    *,
    default: Any = None,
    alias: str | None = None,
    description: str = "",
    schema: dict[str, Any] | None = None,
) -> Any:
    """A dataclass field that is a query parameter parsed by ``parse``.

    ``alias`` is the name in the query string when it is not a Python name
    (``return``); ``description`` and ``schema`` document it in OpenAPI.
    """
    meta = {
        "parse": parse,
        "alias": alias,
        "description": description,
        "schema": schema or {"type": "string"},
    }
    return dataclasses.field(default=default, metadata=meta)


def _query_name(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("alias") or f.name)


def query_names(model: type[Any]) -> tuple[str, ...]:
    """The query-string names of ``model``'s fields."""
    return tuple(_query_name(f) for f in dataclasses.fields(model))


def parse_model(model: type[T], raw: dict[str, str], settings: Settings) -> T:
    """``model`` built from the raw values of its parameters (absent ones keep defaults)."""
    by_name = {_query_name(f): f for f in dataclasses.fields(model)}  # type: ignore[arg-type]
    values = {
        by_name[k].name: by_name[k].metadata["parse"](v, k, settings)
        for k, v in raw.items()
        if k in by_name
    }
    return model(**values)


def from_query(model: type[T]) -> Callable[[Request, Settings], T]:
    """Dependency: ``model`` (a dataclass of :func:`param` fields) from the query string."""
    names = query_names(model)

    def dep(request: Request, settings: SettingsDep) -> T:
        return parse_model(model, read_query(request, names), settings)

    return dep


def openapi_for(model: type[Any], *more: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` naming ``model``'s query parameters (plus ``more``, already built)."""
    params = [
        {
            "name": _query_name(f),
            "in": "query",
            "required": False,
            "description": f.metadata.get("description", ""),
            "schema": f.metadata.get("schema", {"type": "string"}),
        }
        for f in dataclasses.fields(model)
    ]
    return {"parameters": [*params, *more]}


# --- parsers with the settings-aware signature -----------------------------------------


def int_in(lo: int = 1, hi: int = 2**31 - 1) -> Parser:
    """A whole number in ``lo..hi``."""
    return lambda v, name, _s: p.parse_int(v, name, lo, hi)


def ids(v: str, name: str, _s: Settings) -> tuple[int, ...]:
    """A comma list of ids."""
    return p.parse_ids(v, name)


def flag(v: str, name: str, _s: Settings) -> bool:
    """1/0, true/false, yes/no, on/off."""
    return p.parse_flag(v, name)


def month(v: str, name: str, s: Settings) -> p.Month:
    """``YYYY-MM`` on the zone's calendar."""
    return p.parse_month_param(v, s.zone.timezone, name)


def lang(v: str, name: str, _s: Settings) -> str:
    """zh or en."""
    return p.parse_lang(v, name)


def text(v: str, _name: str, _s: Settings) -> str:
    """Any text, as given."""
    return v


def one_of(*options: str) -> Parser:
    """Exactly one of ``options``."""
    return lambda v, name, _s: p.parse_choice(v.strip().lower(), name, options)


def bbox(v: str, name: str, _s: Settings) -> p.BBox:
    """``min_lon,min_lat,max_lon,max_lat`` in EPSG:4326 degrees."""
    return p.parse_bbox(v, name)


def crs(v: str, name: str, _s: Settings) -> str:
    """A declared CRS, normalised to ``EPSG:NNNN`` (422 naming ``crs`` when unknown)."""
    if len(v) > 200:
        raise InvalidInput("a CRS name is at most 200 characters", field=name)
    return crs_name(v, field=name)


ID_DOC: dict[str, Any] = {"type": "integer", "minimum": 1}
MONTH_DOC: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
LANG_DOC: dict[str, Any] = {"type": "string", "enum": ["zh", "en"]}


# --- writes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeometryParams:
    """``crs`` (normalised to ``EPSG:NNNN``, None = as the body says or WGS84), ``repair``."""

    crs: str | None = param(
        crs,
        description='CRS of the coordinates, e.g. "EPSG:3857" or "EPSG:4547"; without it '
        "they must be longitude/latitude degrees (EPSG:4326).",
    )
    repair: bool = param(
        flag,
        default=False,
        description="Repair an invalid geometry (make_valid) instead of refusing it.",
        schema={"type": "boolean"},
    )


@dataclass(frozen=True)
class NoParams:
    """A route that takes no query parameters (or none of its own)."""


# --- the collections (REST /api/v1 and OGC /ogc) ----------------------------------------

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
    extra = ("f", "datetime", "lang") if ogc else ()

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


def plain_query(allowed: tuple[str, ...]) -> Callable[[Request], dict[str, str]]:
    """Dependency: the query string as a dict, refusing names not in ``allowed``."""

    def dep(request: Request) -> dict[str, str]:
        return read_query(request, allowed)

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


# --- the project filter (board, summaries, reminders, battle map) -----------------------


@dataclass(frozen=True)
class ProjectQuery(Generic[T]):
    """A project route's own parameters (``own``, typed by its model) and the filter."""

    own: T
    filters: ProjectFilter


def project_query(model: type[T]) -> Callable[[Request, Settings], ProjectQuery[T]]:
    """Dependency: ``model``'s parameters and the project filter from one query string."""
    own = query_names(model)

    def dep(request: Request, settings: SettingsDep) -> ProjectQuery[T]:
        raw = read_query(request, (*own, *FILTER_PARAMS))
        rest = {k: v for k, v in raw.items() if k not in own}
        return ProjectQuery(parse_model(model, raw, settings), filter_from_query(rest))

    return dep


_PROJECT_FILTER_DOCS: tuple[tuple[str, str], ...] = (
    ("stage", "Current stage(s), comma list"),
    ("industry_chain", "Industry chain code(s), comma list (alias: chain)"),
    ("officer_id", "Officer id(s), comma list (alias: officer)"),
    ("overdue", "1: only projects with an overdue milestone"),
    ("bbox", "minLon,minLat,maxLon,maxLat (EPSG:4326 degrees)"),
)


def project_openapi(model: type[Any]) -> dict[str, Any]:
    """``openapi_extra`` naming ``model``'s parameters and the project filters."""
    filters = [
        {
            "name": n,
            "in": "query",
            "required": False,
            "description": d,
            "schema": {"type": "string"},
        }
        for n, d in _PROJECT_FILTER_DOCS
    ]
    return openapi_for(model, *filters)
