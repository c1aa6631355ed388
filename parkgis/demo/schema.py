"""The demo files' layout: one layer (or CSV) per table, with typed columns.

The generator writes these layers and the loader reads them back; both use the
definitions here, so a column added to one side is added to the other. Geometries are
EPSG:4326 (lon/lat degrees). Dates are ``date32``, timestamps are UTC milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

GPKG_NAME = "zone.gpkg"
META_NAME = "meta.json"

ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "ts": pa.timestamp("ms", tz="UTC"),
    "json": pa.string(),
}
"""Column kind → Arrow type. ``json`` is JSON text, cast by PostgreSQL on load."""


@dataclass(frozen=True)
class Layer:
    """One table of the demo: its columns, geometry and file.

    Parameters
    ----------
    name : str
        Table name in the database and layer (or CSV file stem) in the demo files.
    columns : tuple of (name, kind)
        Attribute columns in file order; ``id`` first. Kinds are keys of ``ARROW_TYPES``.
    geometry : str or None
        Database column of the geometry (stored as ``geom`` in the GeoPackage).
    geometry_type : str or None
        OGC geometry type of the layer (``Point``, ``Polygon``, ``MultiPolygon``).
    versioned : bool
        The table has ``version``/``created_at``/``updated_at`` (set by the loader).
    """

    name: str
    columns: tuple[tuple[str, str], ...]
    geometry: str | None = None
    geometry_type: str | None = None
    versioned: bool = True

    @property
    def spatial(self) -> bool:
        """True for layers of the GeoPackage, False for CSV tables."""
        return self.geometry is not None

    @property
    def column_names(self) -> list[str]:
        """Attribute column names, in order."""
        return [c for c, _ in self.columns]

    def arrow_schema(self) -> pa.Schema:
        """Arrow schema of the attribute columns (and ``geom`` WKB for spatial layers)."""
        fields = [pa.field(c, ARROW_TYPES[k], nullable=(c != "id")) for c, k in self.columns]
        if self.spatial:
            fields.append(pa.field("geom", pa.binary()))
        return pa.schema(fields)

    def kinds(self, kind: str) -> list[str]:
        """Names of the columns of one kind (e.g. every ``date``)."""
        return [c for c, k in self.columns if k == kind]


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in spec.split():
        name, _, kind = part.partition(":")
        out.append((name, kind or "str"))
    return tuple(out)


GRID_AREAS = Layer("grid_areas", _cols("id:int code name officer_id:int"), "geom", "Polygon")
OFFICERS = Layer(
    "officers",
    _cols("id:int name title unit assistant_name phone active:bool"),
    "office_geom",
    "Point",
)
ENTERPRISES = Layer(
    "enterprises",
    _cols(
        "id:int name name_en uscc industry_chain industry_code above_scale:bool employees:int "
        "output_cny:float tax_cny:float contact_name contact_phone contact_email address "
        "parcel_id:int building_id:int energy_tce:float rnd_cny:float public_anchor:bool"
    ),
    "geom",
    "Point",
)
PARCELS = Layer(
    "parcels",
    _cols(
        "id:int code land_use status holder_enterprise_id:int granted_on:date "
        "agreed_start_on:date max_far:float price_cny_m2:float address idle_flagged_on:date "
        "structures_yard_m2:float investment_wan_cny_mu:float tax_wan_cny_mu:float min_far:float"
    ),
    "geom",
    "MultiPolygon",
)
BUILDINGS = Layer(
    "buildings",
    _cols(
        "id:int parcel_id:int name floors:int gross_floor_area_m2:float height_m:float owner "
        "standard_factory:bool storey_heights_m:json"
    ),
    "geom",
    "Polygon",
)
SPACES = Layer(
    "spaces",
    _cols(
        "id:int building_id:int code floor:int clear_height_m:float floor_load_t_m2:float "
        "power_kva:float crane_t:float status rent_cny_m2_month:float available_from:date "
        "occupant_enterprise_id:int"
    ),
    "geom",
    "Polygon",
)
PROJECTS = Layer(
    "projects",
    _cols(
        "id:int name enterprise_id:int parcel_id:int officer_id:int investment_cny:float "
        "industry_chain stage stage_reason milestones:json"
    ),
    "geom",
    "Point",
)
VISITS = Layer(
    "visits",
    _cols("id:int officer_id:int enterprise_id:int visited_at:ts kind summary"),
    "geom",
    "Point",
)
ASSIGNMENTS = Layer(
    "assignments", _cols("id:int officer_id:int enterprise_id:int since:date until:date note")
)
PROJECT_EVENTS = Layer(
    "project_events",
    _cols("id:int project_id:int at:ts kind from_stage to_stage actor reason data:json"),
    versioned=False,
)
SERVICE_REQUESTS = Layer(
    "service_requests",
    _cols(
        "id:int enterprise_id:int officer_id:int category title detail department status "
        "opened_on:date in_progress_on:date resolved_on:date closed_on:date"
    ),
)

LAYERS: tuple[Layer, ...] = (
    GRID_AREAS,
    OFFICERS,
    ENTERPRISES,
    PARCELS,
    BUILDINGS,
    SPACES,
    ASSIGNMENTS,
    PROJECTS,
    PROJECT_EVENTS,
    VISITS,
    SERVICE_REQUESTS,
)
"""Every demo table, in an order that satisfies the foreign keys when loading
(``enterprises.parcel_id``/``building_id`` are set after parcels and buildings)."""

BY_NAME: dict[str, Layer] = {layer.name: layer for layer in LAYERS}


def empty_columns(layer: Layer) -> dict[str, list[Any]]:
    """A dict of empty lists, one per column (plus ``geom`` for spatial layers)."""
    cols: dict[str, list[Any]] = {c: [] for c in layer.column_names}
    if layer.spatial:
        cols["geom"] = []
    return cols
