"""Site facts for sheets, comparisons and shortlists: public fields only, never firm data.

A site is ``("space", id)`` or ``("parcel", id)``. :func:`site_facts` checks that the
caller may read the row (anonymous callers and shortlist links: only vacant spaces and
available parcels, as in :mod:`parkgis.access`), then gathers what a prospect may see: the
public fields, areas in m² and mu, for land the 标准地 terms, distances to landmarks and
same-chain firm counts (aggregates) around the site. Geometries are EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidInput
from parkgis.features import get_feature
from parkgis.geo import M2_PER_MU
from parkgis.prospect.context import Landmark, landmark_distances, landmarks
from parkgis.settings import Settings

SiteKind = Literal["space", "parcel"]
SITE_KINDS: tuple[SiteKind, ...] = ("space", "parcel")
MAX_COMPARE = 4


@dataclass
class SiteFacts:
    """What a sheet shows of one site (public values only)."""

    kind: SiteKind
    id: int
    code: str
    values: dict[str, Any]
    geometry: dict[str, Any]
    lon: float
    lat: float
    as_of: date | None
    distances: list[tuple[Landmark, float]] = field(default_factory=list)
    chains: list[tuple[str, str, str, int]] = field(default_factory=list)
    """(code, name_zh, name_en, firms) of each chain with firms within the radius."""

    @property
    def area_m2(self) -> float | None:
        """Floor area (spaces) or land area (parcels), m² (geodesic)."""
        v = self.values.get("area_m2")
        return float(v) if v is not None else None

    @property
    def area_mu(self) -> float | None:
        """The same area in mu (亩)."""
        return self.area_m2 / M2_PER_MU if self.area_m2 is not None else None

    @property
    def key(self) -> str:
        """``kind:id``, as in ``/compare?sites=``."""
        return f"{self.kind}:{self.id}"


def parse_sites(value: str | list[str], *, field_name: str = "sites") -> list[tuple[SiteKind, int]]:
    """Parse ``space:12,parcel:40`` (or a list of such items) into (kind, id) pairs.

    Raises
    ------
    InvalidInput
        An item is not ``space:<id>`` or ``parcel:<id>``, or appears twice.
    """
    items = value if isinstance(value, list) else [v for v in value.split(",") if v.strip()]
    out: list[tuple[SiteKind, int]] = []
    for raw in items:
        kind, _, num = str(raw).strip().partition(":")
        if kind not in SITE_KINDS or not num.isdigit() or not 1 <= int(num) <= 2**31 - 1:
            raise InvalidInput(
                f"{str(raw)[:40]!r} is not space:<id> or parcel:<id>", field=field_name
            )
        pair: tuple[SiteKind, int] = (kind, int(num))
        if pair in out:
            raise InvalidInput(f"{kind}:{num} is listed twice", field=field_name)
        out.append(pair)
    return out


_SPACE = text(
    """
SELECT s.code, s.floor, s.area_m2, s.clear_height_m, s.floor_load_t_m2, s.power_kva,
       s.crane_t, s.status, s.rent_cny_m2_month, s.available_from, p.address, p.land_use,
       CAST(s.updated_at AS date) AS as_of,
       ST_AsGeoJSON(s.geom, 7) AS geometry,
       ST_X(ST_PointOnSurface(s.geom)) AS lon, ST_Y(ST_PointOnSurface(s.geom)) AS lat
FROM spaces s LEFT JOIN buildings b ON b.id = s.building_id
LEFT JOIN parcels p ON p.id = b.parcel_id
WHERE s.id = :id
"""
)

_PARCEL = text(
    """
SELECT p.code, p.area_m2, p.status, p.land_use, p.max_far, p.min_far, p.price_cny_m2,
       p.investment_wan_cny_mu, p.tax_wan_cny_mu, p.address,
       CAST(p.updated_at AS date) AS as_of,
       ST_AsGeoJSON(p.geom, 7) AS geometry,
       ST_X(ST_PointOnSurface(p.geom)) AS lon, ST_Y(ST_PointOnSurface(p.geom)) AS lat
FROM parcels p WHERE p.id = :id
"""
)

_CHAINS = text(
    """
SELECT c.code, c.name_zh, c.name_en, count(*) AS firms
FROM enterprises e JOIN industry_chains c ON c.code = e.industry_chain
WHERE e.geom && ST_Expand(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :deg)
  AND ST_DWithin(e.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :r)
GROUP BY c.code, c.name_zh, c.name_en ORDER BY firms DESC, c.code
"""
)


def chain_counts(
    session: Session, lon: float, lat: float, radius_m: float
) -> list[tuple[str, str, str, int]]:
    """Firms per industry chain within ``radius_m`` metres (geodesic) of a lon/lat point.

    Only counts: no firm's name, figures or contacts.
    """
    deg = radius_m / 90_000.0  # ≥ the radius in degrees below 35° latitude
    rows = session.execute(_CHAINS, {"lon": lon, "lat": lat, "r": radius_m, "deg": deg})
    return [(r[0], r[1], r[2], int(r[3])) for r in rows]


def site_facts(
    session: Session,
    kind: SiteKind,
    site_id: int,
    principal: Principal,
    settings: Settings,
    *,
    marks: list[Landmark] | None = None,
) -> SiteFacts:
    """The public facts of one site, if ``principal`` may read it.

    Parameters
    ----------
    kind, site_id : str, int
        ``space`` or ``parcel`` and its id.
    principal : Principal
        Anonymous callers (and shortlist links, which pass the anonymous principal) see
        only vacant spaces and available parcels; other roles see any.
    marks : list of Landmark, optional
        Landmarks to measure to (default: :func:`parkgis.prospect.context.landmarks`).

    Raises
    ------
    NotFound
        No such site, or one the caller may not see.
    """
    get_feature(session, "spaces" if kind == "space" else "parcels", principal, site_id)
    row = session.execute(_SPACE if kind == "space" else _PARCEL, {"id": site_id}).mappings().one()
    values = {k: row[k] for k in row if k not in ("geometry", "lon", "lat", "as_of")}
    geometry = orjson.loads(row["geometry"])
    facts = SiteFacts(
        kind=kind,
        id=site_id,
        code=str(row["code"]),
        values=values,
        geometry=geometry,
        lon=float(row["lon"]),
        lat=float(row["lat"]),
        as_of=row["as_of"],
    )
    if marks is None:
        marks = landmarks(session, zone_srid(settings))
    facts.distances = landmark_distances(session, geometry, marks)
    facts.chains = chain_counts(session, facts.lon, facts.lat, settings.prospect.chain_radius_m)
    return facts


def zone_srid(settings: Settings) -> int:
    """EPSG code of the zone's projected CRS (``PARKGIS_PROJECTED_CRS``, e.g. 4547)."""
    code = settings.zone.projected_crs.upper().removeprefix("EPSG:")
    return int(code) if code.isdigit() else 4547
