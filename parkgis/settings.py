"""Settings, one pydantic-settings class per concern, all with the ``PARKGIS_`` prefix.

Nothing here is built at import time: callers construct :class:`Settings` (or one of
the concern classes) when they need it, so tests can pass their own values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_COMMON = {"env_prefix": "PARKGIS_", "extra": "ignore", "env_file": None}


class DatabaseSettings(BaseSettings):
    """Where the database is.

    ``PARKGIS_DATABASE_URL``
        ``postgresql+psycopg://user:pass@host:port/db`` of an existing PostGIS. When unset,
        parkgis runs its own embedded cluster under ``PARKGIS_HOME``.
    ``PARKGIS_HOME``
        Directory for the embedded cluster's data, socket and logs (default ``./.parkgis``).
    ``PARKGIS_DB_NAME``
        Name of the database inside the embedded cluster (default ``parkgis``).
    ``PARKGIS_PG_BINDIR``
        Directory holding ``initdb``/``pg_ctl``; found automatically when unset.
    ``PARKGIS_PG_PORT``
        Loopback TCP port of the embedded cluster; a free one is picked when unset.
    ``PARKGIS_PG_USER``
        System user that owns the embedded cluster when parkgis runs as root, since
        ``initdb`` refuses to run as root (default ``parkgis``; created when missing).
    ``PARKGIS_WAL_RETENTION_DAYS``
        Days of archived WAL and base backups the embedded cluster keeps under
        ``PARKGIS_HOME`` for point-in-time restores (default 7; the newest base backup is
        always kept).
    ``PARKGIS_PG_LOG_KEEP`` / ``PARKGIS_PG_LOG_ROTATION_MB``
        The embedded server's log starts a new file daily or at this size (default 10 MB),
        and only the newest ``PG_LOG_KEEP`` files are kept (default 10).
    """

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    database_url: str | None = None
    home: Path = Path("./.parkgis")
    db_name: str = "parkgis"
    pg_bindir: Path | None = None
    pg_port: int | None = Field(default=None, ge=1024, le=65535)
    pg_user: str = "parkgis"
    pool_size: int = Field(default=10, ge=1, le=200)
    wal_retention_days: float = Field(default=7.0, gt=0, le=3650)
    pg_log_keep: int = Field(default=10, ge=1, le=1000)
    pg_log_rotation_mb: int = Field(default=10, ge=1, le=10_000)

    @field_validator("database_url")
    @classmethod
    def _url_scheme(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if v.startswith("postgres://"):
            v = "postgresql+psycopg://" + v[len("postgres://") :]
        elif v.startswith("postgresql://"):
            v = "postgresql+psycopg://" + v[len("postgresql://") :]
        if not v.startswith("postgresql+psycopg://"):
            raise ValueError(
                "PARKGIS_DATABASE_URL must look like postgresql+psycopg://user@host:port/dbname"
            )
        return v

    @property
    def embedded(self) -> bool:
        """True when parkgis runs its own cluster (no ``PARKGIS_DATABASE_URL``)."""
        return self.database_url is None


class ZoneSettings(BaseSettings):
    """The zone: metric CRS, time zone and display language.

    ``PARKGIS_PROJECTED_CRS``
        CRS for metric work (default ``EPSG:4547``, CGCS2000 / 3-degree Gauss-Kruger CM 114E).
    ``PARKGIS_TIMEZONE``
        The zone's time zone for "today", months and overdue dates (default Asia/Shanghai).
    ``PARKGIS_LANGUAGE``
        Display language of maps and pages, ``zh`` or ``en`` (default ``zh``).
    """

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    projected_crs: str = "EPSG:4547"
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"

    @field_validator("projected_crs")
    @classmethod
    def _crs_known(cls, v: str) -> str:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(v)
        except CRSError as exc:
            raise ValueError(f"unknown CRS {v!r}: {exc}") from exc
        if not crs.is_projected:
            raise ValueError(f"{v} is not a projected CRS; metric work needs metres")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz_known(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v


class MapSettings(BaseSettings):
    """Maps.

    ``PARKGIS_BASEMAP``
        ``osm`` (default), ``amap`` (Gaode, GCJ-02: the data is shifted to match), ``tianditu``,
        ``zone`` (an offline light basemap drawn from the zone's own streets, grid areas
        and context layers) or ``none``.
    ``PARKGIS_TIANDITU_KEY``
        Key for Tianditu tiles; required when the basemap is ``tianditu``.
    ``PARKGIS_ASSETS_DIR``
        Where the npm front-end assets live (default ``./node_modules``).
    """

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    basemap: Literal["osm", "amap", "tianditu", "zone", "none"] = "osm"
    tianditu_key: str | None = None
    assets_dir: Path = Path("./node_modules")


class APISettings(BaseSettings):
    """The HTTP service.

    ``PARKGIS_MAX_BODY_BYTES``
        Largest accepted request body (default 10 MiB); larger bodies get 413 unread.
    ``PARKGIS_DEFAULT_LIMIT`` / ``PARKGIS_MAX_LIMIT``
        Page size of list endpoints when none is asked, and the most one page may hold.
    """

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    default_limit: int = Field(default=100, ge=1)
    max_limit: int = Field(default=10000, ge=1)


class CoverageSettings(BaseSettings):
    """Officer coverage: territories, service-request deadlines, routes and rebalancing.

    ``PARKGIS_COVERAGE_BUFFER_M``
        Buffer around each officer's concave hull, in metres (default 150). It also gives
        one firm, two firms or firms in a line a territory with an area.
    ``PARKGIS_COVERAGE_CONCAVE_RATIO``
        ``ST_ConcaveHull`` ratio, 0 (tightest) to 1 (the convex hull); default 0.6.
    ``PARKGIS_COVERAGE_DEADLINE_DAYS``
        JSON object of working days allowed per request category before a request is
        overdue, e.g. ``{"land": 25}``; categories not named keep their defaults (labour 10,
        land 20, utilities 5, permits 15, policy 10, finance 10, logistics 7,
        environment 15, other 10).
    ``PARKGIS_COVERAGE_HOLIDAYS_FILE``
        CSV of public holidays and make-up working days (``date,kind,name,source``);
        default ``parkgis/data/holidays_cn.csv``. Update it when the State Council
        publishes next year's arrangement.
    ``PARKGIS_COVERAGE_ROUTE_MAX_STOPS``
        Most firms one day's visit route holds (default 10); the rest are left for later.
    ``PARKGIS_COVERAGE_REBALANCE_MAX_MOVES``
        Most reassignments one rebalancing suggestion proposes (default 20).
    ``PARKGIS_COVERAGE_REBALANCE_MAX_DISTANCE_M``
        A firm is only offered to an officer with another firm within this distance, in
        metres (default 2500), so territories stay compact.
    ``PARKGIS_COVERAGE_ABOVE_SCALE_WEIGHT``
        Extra workload a firm above designated size (规上企业) counts for, on top of 1
        (default 1.0).
    ``PARKGIS_COVERAGE_OVERLAP_MIN_M2``
        Two officers' territories overlap in earnest when they share at least this much
        area, in m² (default 10,000 = 1 ha); neighbours' hulls graze each other everywhere,
        which says nothing about service. Firms served twice always count.
    """

    model_config = SettingsConfigDict(
        **{**_COMMON, "env_prefix": "PARKGIS_COVERAGE_"}  # type: ignore[typeddict-item]
    )

    buffer_m: float = Field(default=150.0, gt=0, le=10_000)
    concave_ratio: float = Field(default=0.6, ge=0, le=1)
    deadline_days: dict[str, int] = Field(default_factory=dict, validate_default=True)
    holidays_file: Path | None = None
    route_max_stops: int = Field(default=10, ge=1, le=100)
    rebalance_max_moves: int = Field(default=20, ge=1, le=500)
    rebalance_max_distance_m: float = Field(default=2500.0, gt=0)
    above_scale_weight: float = Field(default=1.0, ge=0, le=10)
    overlap_min_m2: float = Field(default=10_000.0, ge=0)

    @field_validator("deadline_days")
    @classmethod
    def _deadlines(cls, v: dict[str, int]) -> dict[str, int]:
        from parkgis.models.base import REQUEST_CATEGORIES

        defaults = dict(DEFAULT_DEADLINE_DAYS)
        for category, days in v.items():
            if category not in REQUEST_CATEGORIES:
                raise ValueError(
                    f"unknown request category {category!r}; use {', '.join(REQUEST_CATEGORIES)}"
                )
            if not isinstance(days, int) or days < 1 or days > 365:
                raise ValueError(f"{category}: working days must be an integer 1-365")
            defaults[category] = days
        return defaults


DEFAULT_DEADLINE_DAYS: dict[str, int] = {
    "labour": 10,
    "land": 20,
    "utilities": 5,
    "permits": 15,
    "policy": 10,
    "finance": 10,
    "logistics": 7,
    "environment": 15,
    "other": 10,
}
"""Working days a service request of each category may stay unresolved."""


class ProjectSettings(BaseSettings):
    """Project supervision: this year's targets and the reminder horizon.

    ``PARKGIS_PROJECTS_TARGET_STARTS``
        Projects to start construction (开工) this year (default 12).
    ``PARKGIS_PROJECTS_TARGET_COMPLETIONS``
        Projects to complete (竣工) this year (default 10).
    ``PARKGIS_PROJECTS_TARGET_PRODUCTIONS``
        Projects to go into production (投产) this year (default 8).
    ``PARKGIS_PROJECTS_REMINDER_DAYS``
        "Due soon" horizon of the reminder lists, in days (default 30).
    ``PARKGIS_PROJECTS_SLIDER_MONTHS``
        Months shown by the battle map's time slider (default 24).
    """

    model_config = SettingsConfigDict(
        **{**_COMMON, "env_prefix": "PARKGIS_PROJECTS_"}  # type: ignore[typeddict-item]
    )

    target_starts: int = Field(default=12, ge=0)
    target_completions: int = Field(default=10, ge=0)
    target_productions: int = Field(default=8, ge=0)
    reminder_days: int = Field(default=30, ge=0, le=366)
    slider_months: int = Field(default=24, ge=1, le=120)


class MatchSettings(BaseSettings):
    """Matching expansion requests to space and land, and holds (env prefix ``PARKGIS_MATCH_``).

    The score of a candidate is the weighted mean of the components that apply to the
    request, each in [0, 1] and non-decreasing as the candidate gets better on that
    criterion, so a candidate that is at least as good on every criterion never scores
    lower (see :mod:`parkgis.matching.rules`). Weights must be >= 0.

    ``PARKGIS_MATCH_WEIGHT_AREA`` (default 3)
        Closeness of the floor/land area to the wanted area (oversize is penalised).
    ``PARKGIS_MATCH_WEIGHT_MARGIN`` (default 2)
        Headroom above the asked clear height, floor load, power and crane.
    ``PARKGIS_MATCH_WEIGHT_PRICE`` (default 2)
        Rent (spaces) or land price (parcels) below the budget.
    ``PARKGIS_MATCH_WEIGHT_DISTANCE`` (default 2)
        Closeness to the given point or the firm's site.
    ``PARKGIS_MATCH_WEIGHT_AFFINITY`` (default 1)
        Firms of the same industry chain near the candidate.
    ``PARKGIS_MATCH_WEIGHT_AVAILABILITY`` (default 1)
        How soon the unit is available.
    ``PARKGIS_MATCH_NEAR_MISS_TOLERANCE`` (default 0.15)
        A candidate failing exactly one numeric criterion by at most this fraction is a
        near-miss.
    ``PARKGIS_MATCH_MARGIN_FULL`` (default 0.5)
        Relative headroom (above a minimum, or below a budget) that earns a full component.
    ``PARKGIS_MATCH_DISTANCE_SCALE_M`` (default 10000)
        Distance at which the distance component reaches 0 when no maximum was asked.
    ``PARKGIS_MATCH_AFFINITY_RADIUS_M`` (default 3000)
        Radius around a candidate in which same-chain firms are counted.
    ``PARKGIS_MATCH_AFFINITY_FULL`` (default 5)
        Number of same-chain firms nearby that earns a full affinity component.
    ``PARKGIS_MATCH_AVAILABILITY_HORIZON_DAYS`` (default 365)
        Days ahead at which the availability component reaches 0 when no ``available_by``
        was asked.
    ``PARKGIS_MATCH_MAX_GROUP_UNITS`` (default 4)
        Most units combined into one ``space_group`` candidate (0 turns groups off).
    ``PARKGIS_MATCH_MAX_HOLD_DAYS`` (default 90)
        Longest hold an officer may place, in days.
    """

    model_config = SettingsConfigDict(env_prefix="PARKGIS_MATCH_", extra="ignore", env_file=None)

    weight_area: float = Field(default=3.0, ge=0)
    weight_margin: float = Field(default=2.0, ge=0)
    weight_price: float = Field(default=2.0, ge=0)
    weight_distance: float = Field(default=2.0, ge=0)
    weight_affinity: float = Field(default=1.0, ge=0)
    weight_availability: float = Field(default=1.0, ge=0)
    near_miss_tolerance: float = Field(default=0.15, ge=0, lt=1)
    margin_full: float = Field(default=0.5, gt=0)
    distance_scale_m: float = Field(default=10000.0, gt=0)
    affinity_radius_m: float = Field(default=3000.0, ge=0, le=50000)
    affinity_full: int = Field(default=5, ge=1)
    availability_horizon_days: int = Field(default=365, ge=1)
    max_group_units: int = Field(default=4, ge=0, le=8)
    max_hold_days: int = Field(default=90, ge=1, le=3650)


class ProspectSettings(BaseSettings):
    """Site finder, site sheets and shortlists (env prefix ``PARKGIS_PROSPECT_``).

    ``PARKGIS_PROSPECT_CLUSTER_MIN_FIRMS`` (default 5)
        A chain cluster is drawn on the public prospect map only when it holds at least
        this many firms (aggregates only, never one firm's figures).
    ``PARKGIS_PROSPECT_APPROVAL_NUMBER`` (default none)
        The map approval number (审图号) shown bottom-left on public maps and sheets.
    ``PARKGIS_PROSPECT_DESK_NAME`` / ``PARKGIS_PROSPECT_DESK_NAME_EN``
        The investment desk named as the contact on sheets (else the responsible officer's
        name; never a private phone).
    ``PARKGIS_PROSPECT_DESK_CONTACT``
        The desk's public contact line (an office number or e-mail), optional.
    ``PARKGIS_PROSPECT_PUBLIC_URL``
        Base URL printed in QR codes and pack links (default: the request's own origin).
    ``PARKGIS_PROSPECT_SHORTLIST_DAYS`` (default 30) / ``..._MAX_DAYS`` (default 180)
        Default and longest life of a shortlist link, in days.
    ``PARKGIS_PROSPECT_CHAIN_RADIUS_M`` (default 3000)
        Radius of the same-chain firm counts on site sheets, in metres.
    """

    model_config = SettingsConfigDict(env_prefix="PARKGIS_PROSPECT_", extra="ignore", env_file=None)

    cluster_min_firms: int = Field(default=5, ge=2, le=1000)
    approval_number: str | None = Field(default=None, max_length=60)
    desk_name: str = "高新区投资促进局"
    desk_name_en: str = "Zone Investment Promotion Bureau"
    desk_contact: str | None = Field(default=None, max_length=120)
    public_url: str | None = None
    shortlist_days: int = Field(default=30, ge=1, le=3650)
    shortlist_max_days: int = Field(default=180, ge=1, le=3650)
    chain_radius_m: float = Field(default=3000.0, gt=0, le=50_000)


class LanduseSettings(BaseSettings):
    """The planners' land-use review (env prefix ``PARKGIS_LANDUSE_``; issue 13).

    ``PARKGIS_LANDUSE_BUILDING_COEFFICIENT_FLOOR`` (default 0.30)
        Lowest building coefficient (建筑系数) of industrial land, as a fraction (30% in the
        2008 工业项目建设用地控制指标).
    ``PARKGIS_LANDUSE_MIN_MU`` (default 3)
        Firms using at least this much land, in mu (亩), are graded in the 亩均 evaluation.
    ``PARKGIS_LANDUSE_WEIGHT_TAX`` / ``_OUTPUT`` / ``_LABOUR`` / ``_ENERGY`` / ``_RND``
        Weights of tax per mu (40), output per mu (30), output per employee (15), and the
        last 15 shared by energy efficiency (7.5) and R&D share (7.5). A firm without the
        data for an indicator is scored on the others, their weights rescaled.
    ``PARKGIS_LANDUSE_SCORE_CAP`` (default 3)
        Most one indicator's ratio to the zone average may count, so one outlier figure
        does not decide a grade.
    ``PARKGIS_LANDUSE_GRADE_CUTOFFS`` (default ``[0.25, 0.70, 0.95]``)
        Cumulative shares of graded firms, best first, that end grades A, B and C; the
        rest are D. Firms with equal scores share the better grade.
    """

    model_config = SettingsConfigDict(env_prefix="PARKGIS_LANDUSE_", extra="ignore", env_file=None)

    building_coefficient_floor: float = Field(default=0.30, ge=0, le=1)
    min_mu: float = Field(default=3.0, ge=0)
    weight_tax: float = Field(default=40.0, ge=0)
    weight_output: float = Field(default=30.0, ge=0)
    weight_labour: float = Field(default=15.0, ge=0)
    weight_energy: float = Field(default=7.5, ge=0)
    weight_rnd: float = Field(default=7.5, ge=0)
    score_cap: float = Field(default=3.0, gt=0)
    grade_cutoffs: tuple[float, float, float] = (0.25, 0.70, 0.95)

    @field_validator("grade_cutoffs")
    @classmethod
    def _cutoffs_ordered(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if not (0 < v[0] <= v[1] <= v[2] <= 1):
            raise ValueError("grade cut-offs must rise within (0, 1], e.g. [0.25, 0.70, 0.95]")
        return v


class TileSettings(BaseSettings):
    """Vector tiles and tiled maps (env prefix ``PARKGIS_TILES_``; issue 15).

    ``PARKGIS_TILES_MAP_THRESHOLD`` (default 5000)
        A map layer with more features than this is drawn from vector tiles instead of
        inline GeoJSON (and inlined simplified in ``?download=1`` files).
    ``PARKGIS_TILES_SIMPLIFY_PX`` (default 0.5)
        Polygons and lines are simplified by this many pixels (of a 256-pixel tile)...
    ``PARKGIS_TILES_SIMPLIFY_UNTIL`` (default 16)
        ...at zooms below this one; from it on geometries are drawn as stored.
    ``PARKGIS_TILES_EXTENT`` (default 4096) / ``PARKGIS_TILES_BUFFER`` (default 64)
        MVT grid size of a tile and the margin around it, in tile units.
    ``PARKGIS_TILES_MAX_AGE_S`` (default 0)
        ``Cache-Control`` max-age of tiles, seconds; with 0 clients revalidate every tile
        with ``If-None-Match`` (a 304 costs one stamp lookup).
    ``PARKGIS_TILES_DOWNLOAD_SIMPLIFY_M`` (default 2)
        Tolerance, metres, of the simplified layer a large map's download file inlines.
    ``PARKGIS_TILES_CACHE_MB`` (default 64)
        Encoded tiles kept per server process, keyed by the caller's view, the tile and
        the collection's change stamp (so never stale); 0 turns the cache off.
    """

    model_config = SettingsConfigDict(env_prefix="PARKGIS_TILES_", extra="ignore", env_file=None)

    map_threshold: int = Field(default=5000, ge=0)
    simplify_px: float = Field(default=0.5, ge=0, le=8)
    simplify_until: int = Field(default=16, ge=0, le=25)
    extent: int = Field(default=4096, ge=256, le=65536)
    buffer: int = Field(default=64, ge=0, le=1024)
    max_age_s: int = Field(default=0, ge=0, le=31_536_000)
    download_simplify_m: float = Field(default=2.0, ge=0, le=1000)
    cache_mb: int = Field(default=64, ge=0, le=65536)


class ImportSettings(BaseSettings):
    """File import and export (``parkgis import``/``export``, ``/api/v1/imports``).

    ``PARKGIS_IMPORT_MAX_BYTES``
        Largest file (and unpacked archive) an import accepts (default 200 MiB).
    ``PARKGIS_IMPORT_BATCH_ROWS``
        Features read and checked per batch (memory stays flat for big files).
    """

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    import_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    import_batch_rows: int = Field(default=20_000, ge=100)


class ProgrammeSettings(BaseSettings):
    """The programme's own rules: the monthly "五个一" checklist (:mod:`parkgis.programme`).

    ``PARKGIS_PROGRAMME_REQUESTS_RESOLVED_MIN``
        Item 5 of the checklist (solve firms' urgent problems, 急难愁盼) is done in a month
        when the officer's requests resolved in that month number at least this many
        (default 1).
    ``PARKGIS_PROGRAMME_DRAW_SCORE_MAX``
        The top of the scale drawn officers are scored on at the monthly meeting (点评打分):
        scores run from 0 to this (default 100), with at most one decimal. Each score keeps
        the scale it was given on, so changing this leaves old scores readable.
    ``PARKGIS_PROGRAMME_WEIGHT_CHECKLIST`` (30), ``..._WEIGHT_CONTACT`` (20),
    ``..._WEIGHT_REQUESTS`` (15), ``..._WEIGHT_PROJECTS`` (10), ``..._WEIGHT_LEASES`` (5),
    ``..._WEIGHT_DRAWS`` (15), ``..._WEIGHT_CALLS`` (5)
        Weights of the annual evaluation's composite score
        (:mod:`parkgis.programme.evaluation`): months with all five checklist items done,
        firm-months contacted, requests resolved, project stages gained, units leased through
        the officer's holds, draw scores and investment calls. Each part is first brought to
        0-1; the composite is 100 × Σ weight × part / Σ weight over the parts that apply to
        the officer (a part with no basis, e.g. never drawn, is left out, not scored 0).
    """

    model_config = SettingsConfigDict(
        **{**_COMMON, "env_prefix": "PARKGIS_PROGRAMME_"}  # type: ignore[typeddict-item]
    )

    requests_resolved_min: int = Field(default=1, ge=1, le=1000)
    draw_score_max: int = Field(default=100, ge=1, le=1000)
    weight_checklist: float = Field(default=30.0, ge=0, le=1000)
    weight_contact: float = Field(default=20.0, ge=0, le=1000)
    weight_requests: float = Field(default=15.0, ge=0, le=1000)
    weight_projects: float = Field(default=10.0, ge=0, le=1000)
    weight_leases: float = Field(default=5.0, ge=0, le=1000)
    weight_draws: float = Field(default=15.0, ge=0, le=1000)
    weight_calls: float = Field(default=5.0, ge=0, le=1000)


class Settings(BaseModel):
    """All settings, grouped by concern. ``Settings()`` reads the environment."""

    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    zone: ZoneSettings = Field(default_factory=ZoneSettings)
    maps: MapSettings = Field(default_factory=MapSettings)
    api: APISettings = Field(default_factory=APISettings)
    match: MatchSettings = Field(default_factory=MatchSettings)
    projects: ProjectSettings = Field(default_factory=ProjectSettings)
    coverage: CoverageSettings = Field(default_factory=CoverageSettings)
    prospect: ProspectSettings = Field(default_factory=ProspectSettings)
    landuse: LanduseSettings = Field(default_factory=LanduseSettings)
    tiles: TileSettings = Field(default_factory=TileSettings)
    imports: ImportSettings = Field(default_factory=ImportSettings)
    programme: ProgrammeSettings = Field(default_factory=ProgrammeSettings)
