"""A static location map drawn on the server as SVG, so sheets and PDFs need no tiles.

The map is drawn in the zone's projected CRS (metres, ``PARKGIS_PROJECTED_CRS``): roads
(context lines or the demo street grid) in grey, the site outlined in red, landmarks in the
window as labelled dots, a scale bar in metres and a north arrow. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.prospect.context import STREET_LAND_USE, Landmark

_WINDOW = text(
    """
WITH g AS (SELECT ST_Transform(ST_GeomFromGeoJSON(:g), :srid) AS g),
w AS (SELECT ST_X(ST_Centroid(g)) AS cx, ST_Y(ST_Centroid(g)) AS cy,
             greatest(:half, (ST_XMax(g) - ST_XMin(g)) * 0.8,
                      (ST_YMax(g) - ST_YMin(g)) * 0.8) AS h FROM g)
SELECT w.cx - w.h AS x0, w.cy + w.h AS y1, 2 * w.h AS size,
       ST_AsSVG(ST_Translate(ST_CollectionExtract(g.g, 3), -(w.cx - w.h), -(w.cy + w.h)),
                0, 1) AS site,
       ST_Transform(ST_MakeEnvelope(w.cx - w.h, w.cy - w.h, w.cx + w.h, w.cy + w.h, :srid),
                    4326) AS box
FROM g, w
"""
)

_ROADS = text(
    f"""
WITH b AS (SELECT ST_Transform(CAST(:box AS geometry), 4326) AS b)
SELECT ST_AsSVG(ST_Translate(ST_Transform(ST_CollectionExtract(ST_Intersection(x.geom, b.b),
                CASE WHEN x.poly THEN 3 ELSE 2 END), :srid), -:x0, -:y1), 0, 1) AS d, x.poly
FROM b, (
  SELECT geom, false AS poly FROM context_features
  WHERE :ctx AND kind IN ('road', 'rail', 'metro')
  UNION ALL
  SELECT geom, true FROM parcels WHERE NOT :ctx AND land_use = '{STREET_LAND_USE}'
) x
WHERE x.geom && b.b
"""
)

_POINT = text(
    """
SELECT ST_X(p) - :x0, :y1 - ST_Y(p) FROM (SELECT ST_Transform(
  ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :srid) AS p) s
"""
)


def _nice_scale(size_m: float) -> int:
    """A round scale-bar length about a quarter of the window, in metres."""
    target = size_m / 4
    for v in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000):
        if v >= target:
            return v
    return 50000


def location_svg(
    session: Session,
    geometry: dict[str, Any],
    srid: int,
    *,
    marks: Sequence[Landmark] = (),
    lang: str = "zh",
    context_lines: bool = False,
    half_m: float = 700.0,
    px: int = 360,
    pins: Sequence[tuple[float, float, str]] = (),
) -> str:
    """An SVG map of a site (GeoJSON, EPSG:4326) in its surroundings.

    Parameters
    ----------
    srid : int
        EPSG code of the zone's projected CRS (metres).
    marks : list of Landmark
        Drawn when inside the window.
    context_lines : bool
        True: roads from ``context_features``; False: the demo street grid (road parcels).
    half_m : float
        Half the window's side in metres (grown to fit a large site).
    px : int
        Width and height of the drawing in CSS pixels.
    pins : sequence of (lon, lat, label)
        Numbered pins (EPSG:4326) drawn over the sites, e.g. on a shortlist's overview.
    """
    g = orjson.dumps(geometry).decode()
    w = session.execute(_WINDOW, {"g": g, "srid": srid, "half": half_m}).mappings().one()
    x0, y1, size = float(w["x0"]), float(w["y1"]), float(w["size"])
    roads = session.execute(
        _ROADS,
        {"box": w["box"], "srid": srid, "x0": x0, "y1": y1, "ctx": context_lines},
    ).all()
    sw = size / 240  # a stroke of about 1.5 px
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="locmap" width="{px}" height="{px}" '
        f'viewBox="0 0 {size:.1f} {size:.1f}" role="img">',
        f'<rect x="0" y="0" width="{size:.1f}" height="{size:.1f}" fill="#f4f1ea"/>',
    ]
    for d, poly in roads:
        if not d or ";" in d:  # empty, or not one path
            continue
        if poly:
            parts.append(
                f'<path d="{escape(d)}" fill="#ffffff" stroke="#c9c2b4" stroke-width="{sw:.1f}"/>'
            )
        else:
            parts.append(
                f'<path d="{escape(d)}" fill="none" stroke="#9a9185" stroke-width="{2 * sw:.1f}"/>'
            )
    parts.append(
        f'<path d="{escape(w["site"])}" fill="#e03131" fill-opacity="0.25" stroke="#c92a2a" '
        f'stroke-width="{2.5 * sw:.1f}" class="site"/>'
    )
    font = size / 28
    for m in marks:
        x, y = session.execute(
            _POINT, {"lon": m.lon, "lat": m.lat, "srid": srid, "x0": x0, "y1": y1}
        ).one()
        if 0 <= x <= size and 0 <= y <= size:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 * sw:.1f}" fill="#1c7ed6"/>'
                f'<text x="{x + 4 * sw:.1f}" y="{y + font / 3:.1f}" font-size="{font:.1f}" '
                f'fill="#1c3d5a">{escape(m.label(lang))}</text>'
            )
    for lon, lat, label in pins:
        x, y = session.execute(
            _POINT, {"lon": lon, "lat": lat, "srid": srid, "x0": x0, "y1": y1}
        ).one()
        parts.append(
            f'<g class="pin"><circle cx="{x:.1f}" cy="{y:.1f}" r="{font * 0.8:.1f}" '
            f'fill="#c92a2a"/><text x="{x:.1f}" y="{y + font / 3:.1f}" font-size="{font:.1f}" '
            f'fill="#ffffff" text-anchor="middle">{escape(label)}</text></g>'
        )
    bar = _nice_scale(size)
    bx, by = size * 0.05, size * 0.93
    label = f"{bar // 1000} km" if bar >= 1000 else f"{bar} m"
    parts.append(
        f'<g class="scale"><rect x="{bx - sw:.1f}" y="{by - font * 1.3:.1f}" '
        f'width="{bar + 2 * sw + font * 3:.1f}" height="{font * 1.8:.1f}" fill="#ffffff" '
        f'fill-opacity="0.8"/><path d="M{bx:.1f} {by - font / 2:.1f}V{by:.1f}H{bx + bar:.1f}'
        f'V{by - font / 2:.1f}" fill="none" stroke="#212529" stroke-width="{1.5 * sw:.1f}"/>'
        f'<text x="{bx + bar + sw * 3:.1f}" y="{by:.1f}" font-size="{font:.1f}">{label}</text></g>'
    )
    nx, ny = size * 0.93, size * 0.1
    parts.append(
        f'<g class="north"><path d="M{nx:.1f} {ny - font * 1.5:.1f}L{nx - font / 2:.1f} {ny:.1f}'
        f'H{nx + font / 2:.1f}Z" fill="#212529"/><text x="{nx - font / 3:.1f}" '
        f'y="{ny + font:.1f}" font-size="{font:.1f}">N</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)
