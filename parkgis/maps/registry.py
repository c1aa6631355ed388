"""The map kinds of ``parkgis map KIND`` (and the builders behind the ``/maps`` pages).

Each kind names its builder as ``"module:function"`` (imported only when used). Every
builder has the signature of :func:`parkgis.maps.parcels.zone_map`::

    builder(session, principal, settings, *, bbox=None, filters=None, basemap=None,
            lang=None) -> folium.Map

``filters`` holds the API filters of the map's main collection as strings, plus any
parameter the kind needs (e.g. ``request_id`` for ``match``); a builder pops what it
uses and lets :func:`parkgis.features.feature_collection` refuse the rest.

Adding a map: one line in :data:`MAP_KINDS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parkgis.errors import InvalidInput

if TYPE_CHECKING:  # the CLI reads MAP_KINDS at start-up: folium waits for a map
    import folium
    from sqlalchemy.orm import Session

    from parkgis.access import Principal
    from parkgis.settings import Settings


@dataclass(frozen=True)
class MapKind:
    """A map: its builder (``"module:function"``), one line of help, main collection."""

    builder: str
    help: str
    collection: str | None = None


MAP_KINDS: dict[str, MapKind] = {
    "parcels": MapKind(
        "parkgis.maps.parcels:zone_map", "Zone map: parcels by status, buildings, firms", "parcels"
    ),
    "coverage": MapKind(
        "parkgis.maps.coverage:coverage_map", "Officer territories, visit gaps, routes", None
    ),
    "projects": MapKind("parkgis.maps.projects:projects_map", "Battle map of projects", None),
    "landuse": MapKind("parkgis.maps.landuse:landuse_map", "Land use review themes", None),
    "prospect": MapKind("parkgis.maps.prospect:prospect_map", "Investment map (public-safe)", None),
    "match": MapKind(
        "parkgis.maps.match:match_map", "A saved match (request_id=N): candidates by rank", None
    ),
}
"""Kind → builder. Other map helpers add ``projects``, ``coverage``, ``prospect``,
``landuse`` and ``match`` here, one line each."""

MapBuilder = Callable[..., "folium.Map"]


def builder(kind: str) -> MapBuilder:
    """The builder function of map ``kind``.

    Raises
    ------
    InvalidInput
        Unknown kind (the message lists the known ones).
    """
    spec = MAP_KINDS.get(kind)
    if spec is None:
        raise InvalidInput(f"unknown map {kind!r}; maps are: {', '.join(MAP_KINDS)}", field="kind")
    module, _, func = spec.builder.partition(":")
    fn: MapBuilder = getattr(importlib.import_module(module), func)
    return fn


def build_map(
    kind: str,
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    bbox: tuple[float, float, float, float] | str | None = None,
    filters: Mapping[str, Any] | None = None,
    basemap: str | None = None,
    lang: str | None = None,
) -> folium.Map:
    """Build map ``kind`` (bbox in EPSG:4326 degrees) for ``principal``."""
    return builder(kind)(
        session,
        principal,
        settings,
        bbox=bbox,
        filters=dict(filters or {}),
        basemap=basemap,
        lang=lang,
    )
