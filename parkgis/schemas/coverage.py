"""Write models for visits and service requests (诉求)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints
from pydantic_core import PydanticCustomError

from parkgis.models.base import (
    REQUEST_CATEGORIES,
    REQUEST_STATUSES,
    VISIT_KINDS,
)
from parkgis.schemas.common import (
    Day,
    Id,
    InputModel,
    LongText,
    Name,
    Text,
    enum_schema,
    vocabulary,
)
from parkgis.schemas.geojson import PointGeometry

VisitKind = Annotated[str, vocabulary(VISIT_KINDS, "visit kind"), enum_schema(VISIT_KINDS)]
Category = Annotated[
    str, vocabulary(REQUEST_CATEGORIES, "request category"), enum_schema(REQUEST_CATEGORIES)
]
RequestStatus = Annotated[
    str, vocabulary(REQUEST_STATUSES, "request status"), enum_schema(REQUEST_STATUSES)
]

_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 12, 31, tzinfo=UTC)


def _sane_time(v: datetime) -> datetime:
    if not _EARLIEST <= v <= _LATEST:
        raise PydanticCustomError("time_range", "must be between 1900 and 2200")
    return v


Moment = Annotated[AwareDatetime, AfterValidator(_sane_time)]
ClientKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
"""A moment in time, ISO 8601 with a UTC offset (e.g. ``2025-03-01T09:30:00+08:00``)."""


class VisitCreate(InputModel):
    """An officer's visit to (or reception of) a firm, or an investment call on a prospect.

    ``visit``/``reception`` name a zone firm (``enterprise_id``). An ``investment_call``
    (登门招商) names no zone firm but a ``prospect_name`` (and ``prospect_city``, and the
    prospect's ``shortlist_id`` if one was made); ``geometry``: optional check-in.
    """

    officer_id: Id | None = Field(
        default=None, description="Required for admins; an officer records their own visits"
    )
    enterprise_id: Id | None = Field(
        default=None, description="The zone firm (visit, reception); none for investment_call"
    )
    visited_at: Moment
    kind: VisitKind = "visit"
    summary: LongText | None = None
    prospect_name: Name | None = Field(
        default=None, description="investment_call only (required there): the prospect firm"
    )
    prospect_city: Name | None = Field(
        default=None, description="investment_call only: the prospect's city"
    )
    shortlist_id: Id | None = Field(
        default=None,
        description="investment_call only: the prospect's shortlist (yours, or any for admins)",
    )
    geometry: PointGeometry | None = Field(
        default=None, description="Check-in location, a GeoJSON Point (lon/lat unless crs=)"
    )
    client_key: ClientKey | None = Field(
        default=None,
        description="Idempotency key made by the client (8-64 of A-Z a-z 0-9 _ -); unique: "
        "a second visit with the same key is refused (409)",
    )

    @classmethod
    def non_column_fields(cls) -> set[str]:
        """``geometry`` is written to ``geom``."""
        return {"geometry"}


class VisitUpdate(VisitCreate):
    """Visit fields to change (PATCH); fields left out stay as they are."""

    partial_update = True


class ServiceRequestCreate(InputModel):
    """A firm's request, followed to closure; resolved/closed ones need ``resolved_on``."""

    enterprise_id: Id
    officer_id: Id | None = None
    category: Category
    title: Name
    detail: LongText | None = None
    department: Text | None = None
    status: RequestStatus = "open"
    opened_on: Day
    in_progress_on: Day | None = None
    resolved_on: Day | None = None
    closed_on: Day | None = None


class ServiceRequestUpdate(ServiceRequestCreate):
    """Service request fields to change (PATCH); fields left out stay as they are."""

    partial_update = True
