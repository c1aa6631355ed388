"""A committed prospect zone, tokens for every role and a client, shared by a module."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.auth import create_token
from parkgis.settings import Settings
from tests.prospect.zone import ProspectZone, committed_zone


@dataclass
class Api:
    """The client, the zone and a bearer header per role."""

    client: TestClient
    zone: ProspectZone
    tokens: dict[str, str]

    def auth(self, role: str | None) -> dict[str, str]:
        """``Authorization`` header of ``role`` (none for anonymous)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


@pytest.fixture(scope="module")
def papi(engine: Engine, settings: Settings) -> Iterator[Api]:
    with engine.begin() as c:
        officer = c.execute(
            text("INSERT INTO officers (name) VALUES ('王科长') RETURNING id")
        ).scalar()
    tokens: dict[str, str] = {}
    with Session(engine) as s, s.begin():
        for role in ("admin", "investment", "officer", "planner"):
            tokens[role] = create_token(
                s,
                role=role,
                name=f"prospect-{role}-{uuid.uuid4().hex[:8]}",
                officer_id=officer if role == "officer" else None,
            )
    with committed_zone(engine) as zone, TestClient(create_app(settings)) as client:
        yield Api(client, zone, tokens)


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, read back with poppler's ``pdftotext``."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")
