"""Building blocks of the input models: strict numbers, clean text, server-managed fields.

Every input model refuses unknown fields (``extra="forbid"``), NaN and infinity, and
strings where numbers belong (numbers are strict: ``"3"`` is not 3). Fields the server
computes (``area_m2``, ``version`` on create, ``created_at``, ...) are refused with a
message naming the field and why.
"""

from __future__ import annotations

from copy import copy
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1


def _no_nul(v: str) -> str:
    if "\x00" in v:
        raise PydanticCustomError("nul_character", "must not contain the NUL character (\\u0000)")
    return v


Id = Annotated[int, Strict(), Field(ge=1, le=INT32_MAX)]
"""A row id (PostgreSQL ``integer``)."""
Int = Annotated[int, Strict(), Field(ge=-INT32_MAX, le=INT32_MAX)]
NonNegInt = Annotated[int, Strict(), Field(ge=0, le=INT32_MAX)]
Num = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A finite JSON number (integers accepted, strings and booleans refused)."""
NonNeg = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Bool = Annotated[bool, Strict()]
Text = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_no_nul)]
"""Free text of up to 2,000 characters."""
LongText = Annotated[str, StringConstraints(max_length=20000), AfterValidator(_no_nul)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_no_nul),
]
"""A name: not blank, at most 500 characters, surrounding spaces removed."""


_Code = StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
Code40 = Annotated[str, _Code, AfterValidator(_no_nul)]
"""A short identifier (``varchar(40)``): not blank, surrounding spaces removed."""
Code32 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
    AfterValidator(_no_nul),
]
Code8 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=8),
    AfterValidator(_no_nul),
]
Str40 = Annotated[str, StringConstraints(max_length=40), AfterValidator(_no_nul)]
Str32 = Annotated[str, StringConstraints(max_length=32), AfterValidator(_no_nul)]


Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2200, 12, 31))]
"""A calendar date (``YYYY-MM-DD``) between 1900 and 2200."""

SERVER_MANAGED: dict[str, str] = {
    "area_m2": "is computed from the geometry; do not send it",
    "area_mu": "is computed from the geometry; do not send it",
    "footprint_m2": "is computed from the geometry; do not send it",
    "created_at": "is set by the server",
    "updated_at": "is set by the server",
}
"""Fields a client may never write, with the reason given when one is sent."""

DERIVED = ("on_hold", "held_until")
"""Fields a read carries that follow from other tables (the holds); a write ignores them."""

_NEVER = SkipJsonSchema[Any]


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class InputModel(BaseModel):
    """Base of every write model: unknown fields, NaN and server-managed fields refused.

    ``version`` is accepted everywhere but only means something on PUT/PATCH, where it is
    the version the client read (the same as ``If-Match``); the server assigns versions,
    so a ``version`` on create is refused by the write functions.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=False)

    partial_update: ClassVar[bool] = False
    """Set True on a subclass to make every field optional (the PATCH model).

    Types and constraints are kept: a field that may not be null on create may not be
    set to null by a PATCH either; a field left out is left unchanged.
    """

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Make every field of a ``partial_update`` subclass optional, without a default."""
        super().__pydantic_init_subclass__(**kwargs)
        if not cls.__dict__.get("partial_update"):
            return
        for fname, info in list(cls.model_fields.items()):
            new = copy(info)
            new.default = None
            new.default_factory = None
            new.json_schema_extra = _drop_default
            cls.__pydantic_fields__[fname] = new
        cls.model_rebuild(force=True)

    version: Id | None = Field(
        default=None,
        description="PUT/PATCH only: the version you read (same as If-Match); the server "
        "increments it. Refused on create.",
    )
    id: SkipJsonSchema[int | str | None] = None
    """Echoed back from a read: must equal the URL's id on PUT/PATCH; refused on create."""
    on_hold: SkipJsonSchema[Any] = None
    held_until: SkipJsonSchema[Any] = None
    """Echoed back from a read of a space or parcel, and ignored: a hold is placed and ended
    only through ``/api/v1/reservations``, never by writing the unit."""
    area_m2: _NEVER = None
    area_mu: _NEVER = None
    footprint_m2: _NEVER = None
    created_at: _NEVER = None
    updated_at: _NEVER = None

    @field_validator(*SERVER_MANAGED, mode="before")
    @classmethod
    def _server_managed(cls, v: Any, info: Any) -> Any:
        raise PydanticCustomError(
            "server_managed",
            "{field} {why}",
            {"field": info.field_name, "why": SERVER_MANAGED[info.field_name]},
        )

    def values(self, *, partial: bool) -> dict[str, Any]:
        """Column values to write: all fields (PUT/POST) or only those sent (PATCH).

        Server-managed fields, ``id`` and ``version`` are never included.
        """
        skip = set(SERVER_MANAGED) | set(DERIVED) | {"id", "version"} | self.non_column_fields()
        data = self.model_dump(exclude_unset=partial)
        return {k: v for k, v in data.items() if k not in skip}

    @classmethod
    def non_column_fields(cls) -> set[str]:
        """Fields that are not table columns (e.g. ``geometry`` of non-spatial entities)."""
        return set()


def vocabulary(values: tuple[str, ...], what: str) -> AfterValidator:
    """A validator: the string must be one of ``values`` (a ``parkgis.models.base`` tuple)."""

    def check(v: str) -> str:
        if v not in values:
            raise PydanticCustomError(
                "not_in_vocabulary",
                "unknown {what} {value}; use one of: {allowed}",
                {"what": what, "value": repr(v[:60]), "allowed": ", ".join(values)},
            )
        return v

    return AfterValidator(check)


def enum_schema(values: tuple[str, ...]) -> WithJsonSchema:
    """The JSON schema of a vocabulary field (a string enum)."""
    return WithJsonSchema({"type": "string", "enum": list(values)})
