"""Distances for matching in SQL: search boxes, and counting same-chain firms near a point.

Geometries are EPSG:4326 (degrees); distances are metres.
"""

from __future__ import annotations

import math

from sqlalchemy import TextClause, bindparam, text

M_PER_DEG_LAT_MIN = 110574.0
M_PER_DEG_LON_EQUATOR = 111320.0


def envelope_deg(lat: float, metres: float) -> tuple[float, float]:
    """Half-widths (dx, dy) in degrees of a box holding everything within ``metres``.

    Parameters
    ----------
    lat : float
        Latitude of the centre, EPSG:4326 degrees.
    metres : float
        Geodesic distance on WGS84.

    Returns
    -------
    tuple of float
        Conservative (1 % larger) longitude and latitude half-widths in degrees.
    """
    dy = metres * 1.01 / M_PER_DEG_LAT_MIN + 1e-6
    coslat = math.cos(math.radians(min(89.0, abs(lat) + dy)))
    dx = metres * 1.01 / (M_PER_DEG_LON_EQUATOR * coslat) + 1e-6
    return dx, dy


def expand_sql(geom: str, metres_param: str) -> str:
    """SQL box around ``geom`` (EPSG:4326) holding everything within ``metres`` of it."""
    lat = f"LEAST(89.0, GREATEST(abs(ST_YMin({geom})), abs(ST_YMax({geom}))) + 0.05)"
    return (
        f"ST_Expand({geom}, "
        f"{metres_param} * 1.01 / ({M_PER_DEG_LON_EQUATOR} * cos(radians({lat}))) + 1e-6, "
        f"{metres_param} * 1.01 / {M_PER_DEG_LAT_MIN} + 1e-6)"
    )


def point_frame_sql(point: str) -> str:
    """A one-row subquery (``pt``, ``px``, ``py``, ``kx``, ``ky``) of a point and the
    ellipsoid's metres per degree of longitude and latitude there (standard series).

    ``OFFSET 0`` keeps the point from being recomputed for every firm it is compared to.
    """
    lat = "radians(ST_Y(x.pt))"
    return (
        "(SELECT x.pt, ST_X(x.pt) AS px, ST_Y(x.pt) AS py, "
        f"111412.84 * cos({lat}) - 93.5 * cos(3 * {lat}) + 0.118 * cos(5 * {lat}) AS kx, "
        f"111132.954 - 559.822 * cos(2 * {lat}) + 1.175 * cos(4 * {lat}) AS ky "
        f"FROM (SELECT {point} AS pt OFFSET 0) x)"
    )


def chain_count_sql(frame: str, radius: str, cap: str) -> str:
    """SQL: same-chain firms (``:chain``, not ``:firm``) within ``radius`` m of a point,
    counted up to ``cap`` (the count at which the affinity component is full).

    ``frame`` is the alias of a :func:`point_frame_sql` row. The box test uses the GiST
    index on ``(industry_chain, geom)``; the distance is then measured on the plane
    tangent at the point, with the ellipsoid's scale there: within a few kilometres it
    agrees with the geodesic distance to a fraction of a metre, at a fraction of its cost.
    """
    f = frame
    dx = f"((ST_X(e.geom) - {f}.px) * {f}.kx)"
    dy = f"((ST_Y(e.geom) - {f}.py) * {f}.ky)"
    return (
        f"(SELECT count(*) FROM (SELECT 1 FROM enterprises e WHERE e.industry_chain = :chain "
        f"AND e.id IS DISTINCT FROM CAST(:firm AS integer) "
        f"AND e.geom && {expand_sql(f + '.pt', radius)} "
        f"AND {dx} * {dx} + {dy} * {dy} <= {radius} * {radius} LIMIT {cap}) near_firms)"
    )


def group_affinity_sql() -> TextClause:
    """Same-chain firms within ``:radius`` m of each group's point (EPSG:4326 degrees).

    Bind ``gidx``, ``lon``, ``lat`` (parallel arrays: group index and its point),
    ``chain``, ``firm``, ``radius`` and ``cap`` (the most firms counted).
    """
    count = chain_count_sql("c", "CAST(:radius AS float8)", "CAST(:cap AS integer)")
    frame = point_frame_sql("ST_SetSRID(ST_MakePoint(m.lon, m.lat), 4326)")
    return text(
        f"""
SELECT m.gidx, {count} AS n
FROM unnest(CAST(:gidx AS integer[]), CAST(:lon AS float8[]), CAST(:lat AS float8[]))
  AS m(gidx, lon, lat)
CROSS JOIN LATERAL {frame} c
"""
    ).bindparams(bindparam("gidx"), bindparam("lon"), bindparam("lat"))
