"""The parkgis web service (FastAPI). Build it with :func:`api.app.create_app`."""
