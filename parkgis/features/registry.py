"""The collections the read side serves: table, geometry, property columns, filters, order.

Every collection is read as ``t`` (its table alias) by :mod:`parkgis.features.query`. A
column's SQL is ``t.<name>`` unless :attr:`Column.sql` gives an expression over ``t``
(computed fields such as ``footprint_mu``). Geometries are stored in EPSG:4326.

Filters are query-string parameters named after the column:

- ``<name>=value`` is an equality filter (``Column.filter``); ``Column.multi`` columns
  also take a comma-separated list (``status=vacant,reserved``);
- ``min_<name>=x`` / ``max_<name>=y`` are inclusive range filters (``Column.range``) on
  numbers, ISO dates (``2026-03-01``) and timestamps (ISO date or date-time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from parkgis.geo import M2_PER_MU

ColumnKind = Literal["int", "float", "text", "bool", "date", "timestamp", "json"]


@dataclass(frozen=True)
class Column:
    """One property of a collection's features."""

    name: str
    kind: ColumnKind
    description: str = ""
    filter: bool = False
    range: bool = False
    multi: bool = False
    sql: str | None = None

    @property
    def expr(self) -> str:
        """SQL expression of the column over table alias ``t``."""
        return self.sql or f"t.{self.name}"


@dataclass(frozen=True)
class Collection:
    """A table served as features (``spatial``) or as plain items.

    ``own_sql`` is the per-row condition, over alias ``t`` and the bind parameters
    ``own_ids`` (int[]) and ``officer_id``, under which an officer with the "own"
    sensitive scope (:func:`parkgis.access.sensitive_scope`) reads the row's sensitive
    fields.
    """

    name: str
    table: str
    title: str
    description: str
    columns: tuple[Column, ...]
    geometry: str | None = None
    geometry_type: str | None = None
    spatial: bool = True
    ogc: bool = False
    id_column: str = "id"
    own_sql: str | None = None
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    def filter_names(self) -> list[str]:
        """Every filter parameter this collection accepts, in column order."""
        out: list[str] = []
        for c in self.columns:
            if c.filter:
                out.append(c.name)
            if c.range:
                out += [f"min_{c.name}", f"max_{c.name}"]
        return out


def _c(name: str, kind: ColumnKind, description: str = "", **kw: object) -> Column:
    return Column(name, kind, description, **kw)  # type: ignore[arg-type]


_ID = _c("id", "int", "Identifier", filter=True)
_MU = f"{M2_PER_MU!r}"
_AREA_MU = _c("area_mu", "float", "Area in mu (亩)", range=True, sql=f"t.area_m2 / {_MU}")
"""亩 from the stored m² (not stored itself since migration 0012)."""
_ACTIVE_HOLD = "r.released_at IS NULL AND r.expires_at > now()"


def _hold_columns(unit: str) -> tuple[Column, Column]:
    """``on_hold`` and ``held_until`` of a space or parcel (from active reservations)."""
    where = f"FROM reservations r WHERE r.{unit}_id = t.id AND {_ACTIVE_HOLD}"
    return (
        _c(
            "on_hold",
            "bool",
            "Held for a firm right now (an active reservation): not free to promise",
            filter=True,
            sql=f"EXISTS (SELECT 1 {where})",
        ),
        _c(
            "held_until",
            "timestamp",
            "End of the active hold",
            sql=f"(SELECT max(r.expires_at) {where})",
        ),
    )


PARCELS = Collection(
    name="parcels",
    table="parcels",
    title="Parcels",
    description="Land parcels (地块) with land use, status, area in m² and mu, and price.",
    geometry="geom",
    geometry_type="MultiPolygon",
    ogc=True,
    columns=(
        _ID,
        _c("code", "text", "Parcel code", filter=True),
        _c("land_use", "text", "Land-use class code (e.g. 100101)", filter=True, multi=True),
        _c("status", "text", "planned/available/granted/…", filter=True, multi=True),
        _c("holder_enterprise_id", "int", "Firm holding the land", filter=True),
        _c("granted_on", "date", "Date the land was granted", filter=True, range=True),
        _c("agreed_start_on", "date", "Agreed construction start", range=True),
        _c("max_far", "float", "Planned maximum floor-area ratio", range=True),
        _c("min_far", "float", "Minimum floor-area ratio (标准地 control indicator)", range=True),
        _c(
            "investment_wan_cny_mu",
            "float",
            "Committed fixed investment, 10,000 CNY per mu (标准地 投资强度, 万元/亩)",
            range=True,
        ),
        _c(
            "tax_wan_cny_mu",
            "float",
            "Committed annual tax, 10,000 CNY per mu (标准地 亩均税收, 万元/亩)",
            range=True,
        ),
        _c("price_cny_m2", "float", "Land price, CNY per m²", range=True),
        _c("address", "text", "Address"),
        _c("idle_flagged_on", "date", "Date flagged as idle land", range=True),
        _c("structures_yard_m2", "float", "Structures and open yards, m²", range=True),
        _c("area_m2", "float", "Geodesic area, m²", range=True),
        _AREA_MU,
        *_hold_columns("parcel"),
    ),
)

BUILDINGS = Collection(
    name="buildings",
    table="buildings",
    title="Buildings",
    description="Building footprints with floors, gross floor area and owner.",
    geometry="geom",
    geometry_type="Polygon",
    ogc=True,
    columns=(
        _ID,
        _c("parcel_id", "int", "Parcel the building stands on", filter=True),
        _c("name", "text", "Name"),
        _c("floors", "int", "Number of floors", filter=True, range=True),
        _c("gross_floor_area_m2", "float", "Gross floor area, m²", range=True),
        _c("height_m", "float", "Height, m", range=True),
        _c("owner", "text", "Owner", filter=True),
        _c("standard_factory", "bool", "Standard factory building", filter=True),
        _c("storey_heights_m", "json", "Storey heights, m, ground floor first"),
        _c("footprint_m2", "float", "Geodesic footprint area, m²", range=True),
        _c("footprint_mu", "float", "Footprint in mu (亩)", sql=f"t.footprint_m2 / {_MU}"),
    ),
)

SPACES = Collection(
    name="spaces",
    table="spaces",
    title="Leasable spaces",
    description="Leasable plant units (厂房单元): floor, clear height, floor load, power, rent.",
    geometry="geom",
    geometry_type="Polygon",
    ogc=True,
    columns=(
        _ID,
        _c("building_id", "int", "Building", filter=True),
        _c("code", "text", "Unit code", filter=True),
        _c("floor", "int", "Floor (negative = basement)", filter=True, range=True),
        _c("area_m2", "float", "Geodesic area, m²", range=True),
        _AREA_MU,
        _c("clear_height_m", "float", "Clear height, m", range=True),
        _c("floor_load_t_m2", "float", "Floor load, t/m²", range=True),
        _c("power_kva", "float", "Power supply, kVA", range=True),
        _c("crane_t", "float", "Crane capacity, t", range=True),
        _c("status", "text", "vacant/reserved/occupied", filter=True, multi=True),
        _c("rent_cny_m2_month", "float", "Rent, CNY per m² per month", range=True),
        _c("available_from", "date", "Available from", range=True),
        _c("occupant_enterprise_id", "int", "Occupying firm", filter=True),
        *_hold_columns("space"),
    ),
)

ENTERPRISES = Collection(
    name="enterprises",
    table="enterprises",
    title="Enterprises",
    description="Firms in the zone. Output, tax and contacts are visible to planners, admins "
    "and the firm's own service officer only.",
    geometry="geom",
    geometry_type="Point",
    ogc=True,
    own_sql="t.id = ANY(%(own_ids)s::int[])",
    columns=(
        _ID,
        _c("name", "text", "Name"),
        _c("name_en", "text", "English name"),
        _c("uscc", "text", "Unified social credit code", filter=True),
        _c("industry_chain", "text", "Industry chain code", filter=True, multi=True),
        _c("industry_code", "text", "GB/T 4754 industry code", filter=True, multi=True),
        _c("above_scale", "bool", "Above designated size (规上)", filter=True),
        _c("employees", "int", "Employees", range=True),
        _c("output_cny", "float", "Annual output, CNY (sensitive)", range=True),
        _c("tax_cny", "float", "Annual tax, CNY (sensitive)", range=True),
        _c("energy_tce", "float", "Annual energy use, t standard coal (sensitive)", range=True),
        _c("rnd_cny", "float", "Annual R&D spending, CNY (sensitive)", range=True),
        _c("contact_name", "text", "Contact person (sensitive)"),
        _c("contact_phone", "text", "Contact phone (sensitive)"),
        _c("contact_email", "text", "Contact e-mail (sensitive)"),
        _c("address", "text", "Address"),
        _c("parcel_id", "int", "Parcel", filter=True),
        _c("building_id", "int", "Building", filter=True),
    ),
)

PROJECTS = Collection(
    name="projects",
    table="projects",
    title="Investment projects",
    description="Investment projects with stage, investment and milestones.",
    geometry="geom",
    geometry_type="Point",
    ogc=True,
    columns=(
        _ID,
        _c("name", "text", "Name"),
        _c("enterprise_id", "int", "Investing firm", filter=True),
        _c("parcel_id", "int", "Parcel", filter=True),
        _c("officer_id", "int", "Responsible officer", filter=True),
        _c("investment_cny", "float", "Planned investment, CNY", range=True),
        _c("industry_chain", "text", "Industry chain code", filter=True, multi=True),
        _c("stage", "text", "Project stage", filter=True, multi=True),
        _c("stage_reason", "text", "Reason for stalled/cancelled"),
        _c("milestones", "json", "{stage: {planned, actual}}"),
    ),
)

GRID_AREAS = Collection(
    name="grid_areas",
    table="grid_areas",
    title="Grid areas",
    description="Park grid areas (网格), optionally assigned to an officer.",
    geometry="geom",
    geometry_type="Polygon",
    columns=(
        _ID,
        _c("code", "text", "Grid code", filter=True),
        _c("name", "text", "Name"),
        _c("officer_id", "int", "Assigned officer", filter=True),
    ),
)

OFFICERS = Collection(
    name="officers",
    table="officers",
    title="Service officers",
    description="Chief service officers; phone numbers only for admins, planners and the "
    "officer themself.",
    geometry="office_geom",
    geometry_type="Point",
    spatial=False,
    own_sql="t.id = %(officer_id)s",
    columns=(
        _ID,
        _c("name", "text", "Name"),
        _c("title", "text", "Title"),
        _c("unit", "text", "Unit", filter=True),
        _c("assistant_name", "text", "Assistant"),
        _c("phone", "text", "Phone (sensitive)"),
        _c("active", "bool", "Active", filter=True),
    ),
)

ASSIGNMENTS = Collection(
    name="assignments",
    table="assignments",
    title="Assignments",
    description="Which officer serves which firm, since/until (until null = current).",
    spatial=False,
    columns=(
        _ID,
        _c("officer_id", "int", "Officer", filter=True),
        _c("enterprise_id", "int", "Enterprise", filter=True),
        _c("since", "date", "Start", range=True),
        _c("until", "date", "End (null = current)", range=True),
        _c("current", "bool", "until is null", filter=True, sql="(t.until IS NULL)"),
        _c("note", "text", "Note"),
    ),
)

VISITS = Collection(
    name="visits",
    table="visits",
    title="Visits",
    description="Officers' visits to and receptions of firms, and their investment calls on "
    "prospects outside the zone (kind=investment_call, no enterprise), with an optional "
    "check-in point.",
    geometry="geom",
    geometry_type="Point",
    spatial=False,
    columns=(
        _ID,
        _c("officer_id", "int", "Officer", filter=True),
        _c("enterprise_id", "int", "Enterprise (none for an investment call)", filter=True),
        _c("visited_at", "timestamp", "When", range=True),
        _c("kind", "text", "visit/reception/investment_call", filter=True, multi=True),
        _c("summary", "text", "Summary"),
        _c("prospect_name", "text", "Investment call: the prospect"),
        _c("prospect_city", "text", "Investment call: the prospect's city"),
        _c("shortlist_id", "int", "Investment call: the prospect's shortlist", filter=True),
    ),
)

SERVICE_REQUESTS = Collection(
    name="service_requests",
    table="service_requests",
    title="Service requests",
    description="Firms' requests (诉求), followed to closure.",
    spatial=False,
    columns=(
        _ID,
        _c("enterprise_id", "int", "Enterprise", filter=True),
        _c("officer_id", "int", "Officer", filter=True),
        _c("category", "text", "labour/land/utilities/…", filter=True, multi=True),
        _c("title", "text", "Title"),
        _c("detail", "text", "Detail"),
        _c("department", "text", "Department", filter=True),
        _c("status", "text", "open/in_progress/resolved/closed", filter=True, multi=True),
        _c("opened_on", "date", "Opened", range=True),
        _c("in_progress_on", "date", "Taken up", range=True),
        _c("resolved_on", "date", "Resolved", range=True),
        _c("closed_on", "date", "Closed", range=True),
    ),
)

COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        PARCELS,
        BUILDINGS,
        SPACES,
        ENTERPRISES,
        PROJECTS,
        GRID_AREAS,
        OFFICERS,
        ASSIGNMENTS,
        VISITS,
        SERVICE_REQUESTS,
    )
}
"""Every collection by name, in the order they are listed."""

OGC_COLLECTIONS: tuple[str, ...] = tuple(n for n, c in COLLECTIONS.items() if c.ogc)
"""Collections served under ``/ogc``."""
