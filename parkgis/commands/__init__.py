"""The ``parkgis`` sub-commands, one module per area; ``parkgis/cli.py`` mounts them."""
