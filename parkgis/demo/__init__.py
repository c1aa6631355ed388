"""The deterministic demo zone: generator, committed files under ``data/parcels``, loader.

``generate(out, scale=..., today=...)`` writes the files; ``load_demo(conn, ...)`` loads
them in the caller's transaction with every date moved to the load day. Run
``python -m parkgis.demo --scale 10 --out DIR`` (or ``parkgis demo generate``) for
larger zones.
"""

from parkgis.demo.generate import DEMO_DIR, DEMO_VERSION, SEED, GenerateReport, generate
from parkgis.demo.load import LoadReport, load_demo

__all__ = [
    "DEMO_DIR",
    "DEMO_VERSION",
    "SEED",
    "GenerateReport",
    "LoadReport",
    "generate",
    "load_demo",
]
