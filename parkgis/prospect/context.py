"""What lies around the sites: roads, rail and landmarks, from ``context_features``.

When ``context_features`` holds no landmark (no context file was imported), a few demo
landmarks placed relative to the zone's parcels serve, and the zone's own street grid (the
road parcels, land use ``1207``) serves as roads. Everything here is public: no firm data.
Geometries are EPSG:4326; distances are geodesic metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session


def _json(raw: Any) -> list[Any]:
    """A JSON array from PostgreSQL (psycopg parses ``json``; text is parsed here)."""
    return raw if isinstance(raw, list) else list(orjson.loads(raw))


STREET_LAND_USE = "1207"
"""Land-use code of the demo's road parcels (城镇道路用地)."""

DEMO_LANDMARKS: tuple[tuple[str, str, str, float, float], ...] = (
    ("station", "高新区站（示意）", "Zone railway station (demo)", 0.0, 2600.0),
    ("highway_exit", "大旺高速出口（示意）", "Dawang highway exit (demo)", -3200.0, -400.0),
    ("port", "三榕港（示意）", "Sanrong port (demo)", 4200.0, -5200.0),
    ("metro_station", "科技园地铁站（示意）", "Science park metro (demo)", 900.0, -900.0),
    ("airport", "珠三角枢纽机场（示意）", "PRD hub airport (demo)", -30000.0, -42000.0),
)
"""Demo landmarks: subtype, names, and east/north offsets in metres from the zone's centre."""


@dataclass(frozen=True)
class Landmark:
    """A named place that sheets measure distances to (EPSG:4326 degrees)."""

    subtype: str
    name: str
    name_en: str
    lon: float
    lat: float
    demo: bool = False

    def label(self, lang: str) -> str:
        """The name in ``lang`` (the Chinese name when no English one is known)."""
        return (self.name_en if lang == "en" else self.name) or self.name


_LANDMARKS = text(
    """
SELECT coalesce(subtype, 'other') AS subtype, coalesce(name, name_en, '') AS name,
       coalesce(name_en, name, '') AS name_en,
       ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
FROM context_features WHERE kind = 'landmark' ORDER BY subtype, id
"""
)

_CENTRE = text(
    """
SELECT ST_X(c), ST_Y(c), ST_SRID(c) FROM (
  SELECT ST_Centroid(ST_Extent(geom)::geometry) AS c FROM parcels) s
"""
)

_OFFSET = text(
    """
SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_Translate(
  ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), CAST(:srid AS int)), :dx, :dy),
  4326) AS p) s
"""
)


def _has_context_table(session: Session) -> bool:
    return bool(
        session.execute(text("SELECT to_regclass('context_features') IS NOT NULL")).scalar()
    )


def landmarks(session: Session, zone_srid: int) -> list[Landmark]:
    """The landmarks of ``context_features``, or the demo landmarks when it has none.

    Parameters
    ----------
    zone_srid : int
        EPSG code of the zone's projected CRS (metres), used to place the demo landmarks.
    """
    if _has_context_table(session):
        rows = session.execute(_LANDMARKS).all()
        if rows:
            return [Landmark(r[0], r[1], r[2], float(r[3]), float(r[4])) for r in rows]
    centre = session.execute(_CENTRE).one()
    if centre[0] is None:
        return []
    out = []
    for subtype, name, name_en, dx, dy in DEMO_LANDMARKS:
        lon, lat = session.execute(
            _OFFSET,
            {"lon": centre[0], "lat": centre[1], "srid": zone_srid, "dx": dx, "dy": dy},
        ).one()
        out.append(Landmark(subtype, name, name_en, float(lon), float(lat), demo=True))
    return out


_LINES = text(
    """
SELECT coalesce(json_agg(json_build_object(
  'type', 'Feature', 'geometry', ST_AsGeoJSON(geom, 7)::json,
  'properties', json_build_object('kind', kind, 'subtype', subtype, 'name', name,
                                  'name_en', name_en))), '[]')
FROM context_features
WHERE kind IN ('road', 'rail', 'metro')
  AND (CAST(:bbox AS float8[]) IS NULL OR geom && ST_MakeEnvelope(
       (CAST(:bbox AS float8[]))[1], (CAST(:bbox AS float8[]))[2],
       (CAST(:bbox AS float8[]))[3], (CAST(:bbox AS float8[]))[4], 4326))
"""
)

_STREETS = text(
    f"""
SELECT coalesce(json_agg(json_build_object(
  'type', 'Feature', 'geometry', ST_AsGeoJSON(geom, 7)::json,
  'properties', json_build_object('kind', 'road', 'subtype', 'street', 'name', address,
                                  'name_en', NULL))), '[]')
FROM parcels
WHERE land_use = '{STREET_LAND_USE}'
  AND (CAST(:bbox AS float8[]) IS NULL OR geom && ST_MakeEnvelope(
       (CAST(:bbox AS float8[]))[1], (CAST(:bbox AS float8[]))[2],
       (CAST(:bbox AS float8[]))[3], (CAST(:bbox AS float8[]))[4], 4326))
"""
)


def context_lines(
    session: Session, bbox: tuple[float, float, float, float] | None = None
) -> tuple[dict[str, Any], bool]:
    """Roads, rail and metro lines as a GeoJSON FeatureCollection (EPSG:4326).

    Returns the collection and whether it is the demo street grid (the road parcels),
    which serves when ``context_features`` holds no line.
    """
    params = {"bbox": list(bbox) if bbox else None}
    feats: list[Any] = []
    if _has_context_table(session):
        feats = _json(session.execute(_LINES, params).scalar_one())
    demo = not feats
    if demo:
        feats = _json(session.execute(_STREETS, params).scalar_one())
    return {"type": "FeatureCollection", "features": feats}, demo


_DIST = text(
    """
SELECT ST_Distance(g::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
FROM (SELECT ST_GeomFromGeoJSON(:g) AS g) s
"""
)


def landmark_distances(
    session: Session, geometry: dict[str, Any], marks: list[Landmark]
) -> list[tuple[Landmark, float]]:
    """Geodesic distance in metres from a site (GeoJSON, EPSG:4326) to each landmark,
    nearest first."""
    g = orjson.dumps(geometry).decode()
    out = [
        (m, float(session.execute(_DIST, {"g": g, "lon": m.lon, "lat": m.lat}).scalar_one()))
        for m in marks
    ]
    return sorted(out, key=lambda x: x[1])


_EXTENT = text(
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
    "FROM (SELECT ST_Extent(geom) AS e FROM parcels) s"
)


def zone_extent(session: Session) -> tuple[float, float, float, float] | None:
    """The zone's extent (all parcels) in EPSG:4326 degrees, or None for an empty zone."""
    row = session.execute(_EXTENT).one()
    if row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
