"""``create_app(settings)``: the FastAPI application. The engine lives in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import add_exception_handlers
from api.middleware import BodySizeLimit, HeadAsGet, SecurityHeaders
from api.responses import JSONResponse
from api.routes import ROUTERS
from parkgis import __version__
from parkgis.db.engine import make_engine, make_sessionmaker
from parkgis.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the parkgis web app.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to ``Settings()`` read from the environment. The database must be up
        (``parkgis db up``); the engine is created when the app starts, not here.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.db)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        docs_url=None,  # served below from local assets, so /docs works offline
        redoc_url=None,
        title="parkgis",
        version=__version__,
        description=(
            "Parcels, buildings, leasable plant space, firms and investment projects of an "
            "industrial zone. Authenticate with `Authorization: Bearer <token>` "
            "(`parkgis token create`); without a token only public data is visible."
        ),
        lifespan=lifespan,
        default_response_class=JSONResponse,
    )
    app.state.settings = settings
    add_exception_handlers(app)
    _add_offline_docs(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(HeadAsGet)  # innermost: HEAD runs every GET route
    # The import route checks the file itself and names it; the middleware is the backstop
    # for a body far past the limit (1 MiB of slack for the multipart envelope).
    upload_cap = settings.imports.import_max_bytes + (1 << 20)
    uploads = {"/api/v1/imports": (upload_cap, "PARKGIS_IMPORT_MAX_BYTES")}
    app.add_middleware(BodySizeLimit, max_bytes=settings.api.max_body_bytes, paths=uploads)
    app.add_middleware(SecurityHeaders)  # outermost: every answer gets the headers
    return app


def create_app_from_env() -> FastAPI:
    """The app with settings from the environment: the factory each ``--workers`` process runs."""
    return create_app(Settings())


DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'self'"
)
"""Swagger UI: its bundle and start-up script from this app only, framed by this site only."""


def _add_offline_docs(app: FastAPI) -> None:
    """Swagger UI at ``/docs`` with its JS and CSS from the app's npm assets, not a CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from starlette.responses import HTMLResponse

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="parkgis API",
            swagger_js_url="/assets/swagger-ui-dist/swagger-ui-bundle.js",
            swagger_css_url="/assets/swagger-ui-dist/swagger-ui.css",
            swagger_favicon_url="/assets/swagger-ui-dist/favicon-32x32.png",
        )
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page
