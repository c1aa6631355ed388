"""Every router of the app, in the order they are mounted. Add yours to ``ROUTERS``."""

from fastapi import APIRouter

from api.routes import audit, health, projects, writes

ROUTERS: list[APIRouter] = [
    health.router,
    projects.router,  # before features/writes: /api/v1/projects/summary etc. are fixed paths
    writes.router,
    audit.router,
]
