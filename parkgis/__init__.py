"""parkgis: parcels, buildings, leasable spaces and firms of an industrial zone, in PostGIS."""

__version__ = "0.1.0"
