"""Industry-chain clusters for public maps: aggregates only, and public-anchor firms.

A cluster is a group of firms of one chain within ``eps_m`` metres of one another
(DBSCAN in the zone's projected CRS); it is shown only when it holds at least
``PARKGIS_PROSPECT_CLUSTER_MIN_FIRMS`` firms, as its chain, its firm count and its centre.
No firm's name, figures or contacts leave this module, except the name of firms flagged
``public_anchor`` (and only their name, chain and location).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session


def _json(raw: Any) -> list[Any]:
    """A JSON array from PostgreSQL (psycopg parses ``json``; text is parsed here)."""
    return raw if isinstance(raw, list) else list(orjson.loads(raw))


_CLUSTERS = text(
    """
WITH f AS (
  SELECT e.industry_chain AS chain, e.geom,
         ST_ClusterDBSCAN(ST_Transform(e.geom, :srid), eps => :eps, minpoints => :min)
           OVER (PARTITION BY e.industry_chain) AS cid
  FROM enterprises e WHERE e.industry_chain IS NOT NULL
), c AS (
  SELECT chain, cid, count(*) AS firms, ST_Centroid(ST_Collect(geom)) AS centre
  FROM f WHERE cid IS NOT NULL GROUP BY chain, cid HAVING count(*) >= :min
)
SELECT coalesce(json_agg(json_build_object(
  'type', 'Feature', 'geometry', ST_AsGeoJSON(c.centre, 6)::json,
  'properties', json_build_object('chain', c.chain, 'name_zh', ic.name_zh,
                                  'name_en', ic.name_en, 'firms', c.firms))
  ORDER BY c.firms DESC, c.chain), '[]')
FROM c JOIN industry_chains ic ON ic.code = c.chain
"""
)

_ANCHORS = text(
    """
SELECT coalesce(json_agg(json_build_object(
  'type', 'Feature', 'geometry', ST_AsGeoJSON(e.geom, 6)::json,
  'properties', json_build_object('id', e.id, 'name', e.name, 'name_en', e.name_en,
                                  'chain', e.industry_chain)) ORDER BY e.id), '[]')
FROM enterprises e WHERE e.public_anchor
"""
)


def chain_clusters(
    session: Session, *, srid: int, min_firms: int, eps_m: float = 600.0
) -> dict[str, Any]:
    """Clusters of same-chain firms as a FeatureCollection of centre points (EPSG:4326).

    Parameters
    ----------
    srid : int
        EPSG code of the zone's projected CRS (metres), where distances are measured.
    min_firms : int
        Smallest cluster shown (``PARKGIS_PROSPECT_CLUSTER_MIN_FIRMS``).
    eps_m : float
        Largest gap in metres between neighbouring firms of one cluster.

    Returns
    -------
    dict
        Features with properties ``chain``, ``name_zh``, ``name_en`` and ``firms`` only.
    """
    raw = session.execute(_CLUSTERS, {"srid": srid, "eps": eps_m, "min": min_firms}).scalar_one()
    return {"type": "FeatureCollection", "features": _json(raw)}


def public_anchors(session: Session) -> dict[str, Any]:
    """Firms flagged ``public_anchor``: id, name, English name and chain (EPSG:4326 points)."""
    raw = session.execute(_ANCHORS).scalar_one()
    return {"type": "FeatureCollection", "features": _json(raw)}
