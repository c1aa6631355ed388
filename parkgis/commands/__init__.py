"""CLI command groups, one module per area; each is registered in ``parkgis/cli.py``."""
