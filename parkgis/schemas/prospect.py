"""``POST /api/v1/shortlists``: the sites, the prospect, the language and the link's life."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict


class ShortlistRequest(BaseModel):
    """A shortlist for one prospect: 1–10 sites as ``space:12`` / ``parcel:40``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sites: Annotated[list[Annotated[str, Field(max_length=40)]], Field(min_length=1, max_length=10)]
    prospect: Annotated[str, Field(min_length=1, max_length=200)]
    lang: Literal["zh", "en"] | None = None
    days: Annotated[int, Strict(), Field(ge=1, le=3650)] | None = None
