"""The planners' land-use review (issue 13): area by class, control indicators, 亩均
grading, inefficient land with its idle clock, and the report.

- :mod:`.summary`: :func:`landuse_summary` (area by class in m², ha, 亩; rates;
  intensity; reference figures), by zone, grid area, class or status, in a bbox/polygon.
- :mod:`.indicators`: :func:`parcel_indicators`, the control indicators per industrial
  parcel (plot ratio with storeys over 8 m counted twice, building coefficient).
- :mod:`.firms`: :func:`evaluate_firms`, the 亩均 evaluation and grades A–D.
- :mod:`.inefficient`: :func:`inefficient_land`, the five types and the idle clock.
- :mod:`.themes`: the land-use map's themes by role and each parcel's facts behind them,
  shared by the inline map and the land-use vector tiles (:mod:`parkgis.tiles.landuse`).
- :mod:`.report`: the printable report (HTML, PDF, XLSX).
- :mod:`.reference`, :mod:`.scope`, :mod:`.sql`, :mod:`.xlsx`: data files, scopes, SQL,
  workbooks.

Every area is geodesic (EPSG:4326 geometry on the WGS84 ellipsoid), in m² and in 亩
(1 亩 = 10000/15 m²).
"""

from parkgis.landuse.firms import evaluate_firms, evaluate_rows, grade_scores
from parkgis.landuse.indicators import parcel_indicators
from parkgis.landuse.inefficient import TYPES, inefficient_land
from parkgis.landuse.scope import Scope, polygon_from_geojson
from parkgis.landuse.summary import landuse_summary
from parkgis.landuse.xlsx import firms_xlsx, summary_xlsx

__all__ = [
    "TYPES",
    "Scope",
    "evaluate_firms",
    "evaluate_rows",
    "firms_xlsx",
    "grade_scores",
    "inefficient_land",
    "landuse_summary",
    "parcel_indicators",
    "polygon_from_geojson",
    "summary_xlsx",
]
