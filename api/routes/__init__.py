"""Every router of the app, in the order they are mounted. Add yours to ``ROUTERS``."""

from fastapi import APIRouter

from api.routes import health

ROUTERS: list[APIRouter] = [
    health.router,
]
