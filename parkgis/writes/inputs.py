"""What a write request carries: properties, geometry, declared CRS, ids and versions.

A body may be a validated model (as the API passes it) or a plain dict (library callers),
which is validated here with the entity's model; a pydantic error becomes
:class:`~parkgis.errors.InvalidInput` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from parkgis.errors import InvalidInput
from parkgis.schemas.common import InputModel
from parkgis.schemas.geojson import FeatureBase, NamedCrs
from parkgis.writes.registry import EntitySpec


@dataclass
class WriteInput:
    """The parts of a write body; ``prefix`` is put before property names in errors."""

    props: InputModel | None
    geometry: Any
    geometry_sent: bool
    crs: str | NamedCrs | None
    ids: dict[str, int | str]
    versions: dict[str, int]
    prefix: str

    def version(self) -> int | None:
        """The version the client says it read (Feature or properties), if any.

        Raises
        ------
        InvalidInput
            The Feature's ``version`` and ``properties.version`` disagree.
        """
        found = set(self.versions.values())
        if len(found) > 1:
            raise InvalidInput(
                "the Feature's version and properties.version disagree; send one",
                field="version",
            )
        return found.pop() if found else None


def _collect(
    props: InputModel | None, top: Any, prefix: str
) -> tuple[dict[str, int | str], dict[str, int]]:
    ids: dict[str, int | str] = {}
    versions: dict[str, int] = {}
    if top is not None:
        if top.id is not None:
            ids["id"] = top.id
        if top.version is not None:
            versions["version"] = top.version
    if props is not None:
        if props.id is not None:
            ids[f"{prefix}id"] = props.id
        if props.version is not None:
            versions[f"{prefix}version"] = props.version
    return ids, versions


def _validate(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        msg = f"{field}: {first['msg']}" if field else first["msg"]
        raise InvalidInput(msg, field=field) from None


def parse_input(spec: EntitySpec, body: Any, *, patch: bool) -> WriteInput:
    """Split a Feature or object body (validating a dict first) into a :class:`WriteInput`."""
    if isinstance(body, dict):
        model: type[BaseModel] | None
        if spec.spatial:
            model = spec.feature_patch if patch else spec.feature
        else:
            model = spec.update if patch else spec.create
        assert model is not None
        body = _validate(model, body)
    if isinstance(body, FeatureBase):
        props = getattr(body, "properties", None)
        ids, versions = _collect(props, body, "properties.")
        return WriteInput(
            props=props,
            geometry=getattr(body, "geometry", None),
            geometry_sent="geometry" in body.model_fields_set,
            crs=body.crs,
            ids=ids,
            versions=versions,
            prefix="properties.",
        )
    assert isinstance(body, InputModel)
    ids, versions = _collect(body, None, "")
    return WriteInput(
        props=body,
        geometry=getattr(body, "geometry", None),
        geometry_sent="geometry" in body.model_fields_set,
        crs=None,
        ids=ids,
        versions=versions,
        prefix="",
    )
