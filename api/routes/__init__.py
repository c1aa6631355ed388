"""Every router of the app, in the order they are mounted. Add yours to ``ROUTERS``."""

from fastapi import APIRouter

from api.routes import (
    assets,
    audit,
    coverage,
    features,
    health,
    home,
    io,
    landuse,
    maps,
    match,
    ogc,
    programme,
    project_pages,
    projects,
    prospect,
    reports,
    reservations,
    service,
    shortlists,
    signin,
    tiles,
    workbench,
    writes,
)

ROUTERS: list[APIRouter] = [
    health.router,
    io.router,  # before features: /api/v1/{kind}/export is a fixed path
    projects.router,  # before features/writes: /api/v1/projects/summary etc. are fixed paths
    coverage.router,  # before features: /api/v1/officers/{id}/route, /api/v1/coverage
    service.router,
    programme.router,  # before features/writes: /api/v1/programme/... are fixed paths
    shortlists.router,  # before features/writes: /api/v1/shortlists is a fixed path
    prospect.router,
    prospect.maps_router,
    coverage.maps_router,
    home.router,
    signin.router,
    assets.router,
    landuse.router,  # before maps: /maps/landuse
    maps.router,
    project_pages.router,
    workbench.router,  # /me and the browser's form writes
    reports.router,  # /reports: leadership pages
    features.router,
    ogc.router,
    writes.router,
    audit.router,
    match.router,
    match.maps_router,
    reservations.router,
    tiles.router,
]
