"""Writing a row's geometry: the one sent (checked, in EPSG:4326) or one derived from a
referenced row (a space takes its building's footprint, a firm a point inside its
building or parcel, a project a point inside its parcel)."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy.orm import Session

from parkgis.errors import InvalidInput
from parkgis.schemas.geojson import merge_crs, read_geometry
from parkgis.writes.inputs import WriteInput
from parkgis.writes.registry import EntitySpec


def _derived_geometry(session: Session, spec: EntitySpec, row: Any) -> Any:
    for fk in spec.derive_geometry_from:
        ref_id = getattr(row, fk)
        if ref_id is None:
            continue
        target, _ = spec.foreign_keys[fk]
        ref = session.get(target, ref_id)
        if ref is None or ref.geom is None:
            continue
        shape = to_shape(ref.geom)
        if spec.geom_types == ("Point",) and shape.geom_type != "Point":
            shape = shape.representative_point()
        return from_shape(shape, srid=4326)
    return None


def apply_geometry(
    session: Session,
    spec: EntitySpec,
    row: Any,
    given: WriteInput,
    *,
    crs: str | None,
    repair: bool,
    full: bool,
) -> None:
    """Set ``row``'s geometry from the input, or derive it, or clear it, or refuse.

    On create and PUT (``full``) a missing geometry is derived from a referenced row when
    the column may not be null; on PATCH it is left unchanged unless sent as null.

    Raises
    ------
    InvalidGeometry
        The geometry sent is malformed, out of its CRS's area of use, or invalid.
    InvalidInput
        No geometry and none to derive.
    """
    if spec.geom_column is None:
        return
    if given.geometry is not None:
        srs = merge_crs(crs, given.crs)
        geom = read_geometry(given.geometry, crs=srs, repair=repair, allowed=spec.geom_types)
        setattr(row, spec.geom_column, from_shape(geom, srid=4326))
        return
    if not (full or given.geometry_sent):
        return  # PATCH without geometry: unchanged
    if spec.geom_nullable:
        setattr(row, spec.geom_column, None)
        return
    derived = _derived_geometry(session, spec, row)
    if derived is None:
        hint = (
            f" (or give {' or '.join(spec.derive_geometry_from)} to take its geometry)"
            if spec.derive_geometry_from
            else ""
        )
        raise InvalidInput(f"a {spec.label} needs a geometry{hint}", field="geometry")
    setattr(row, spec.geom_column, derived)
