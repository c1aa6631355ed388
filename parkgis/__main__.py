"""``python -m parkgis`` runs the CLI."""

from parkgis.cli import main

main()
