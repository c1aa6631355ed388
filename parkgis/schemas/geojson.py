"""GeoJSON input: geometries, Features, and the CRS a client may declare.

The models only check the envelope (``type`` and the JSON shape); :func:`read_geometry`
then checks the coordinates themselves (numbers, finite, closed rings, enough points),
the CRS's area of use and validity (``parkgis.geo.validate_geometry``), and returns a
shapely geometry in EPSG:4326. Every refusal names the field, e.g.
``geometry.coordinates.0.3``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

import shapely
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from parkgis.errors import InvalidGeometry, InvalidInput
from parkgis.geo import WGS84, validate_geometry

_NUMBER = {"type": "number"}
_POSITION = {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 3}
_RING = {"type": "array", "items": _POSITION, "minItems": 4}
_POLYGON = {"type": "array", "items": _RING, "minItems": 1}
_MULTIPOLYGON = {"type": "array", "items": _POLYGON, "minItems": 1}

PointCoordinates = Annotated[Any, WithJsonSchema(_POSITION)]
AreaCoordinates = Annotated[Any, WithJsonSchema({"anyOf": [_POLYGON, _MULTIPOLYGON]})]
Bbox = Annotated[
    list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=4, max_length=6)
]

CrsText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class NamedCrs(BaseModel):
    """The GeoJSON 2008 ``crs`` member: ``{"type": "name", "properties": {"name": ...}}``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["name"]
    properties: dict[Literal["name"], CrsText]


CrsMember = CrsText | NamedCrs
"""A CRS as a client may declare it: ``"EPSG:3857"``, an OGC URI/URN, or a named crs."""


class PointGeometry(BaseModel):
    """A GeoJSON Point, ``[x, y]`` in the declared CRS (lon/lat degrees by default)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Point"]
    coordinates: PointCoordinates
    bbox: Bbox | None = None


class AreaGeometry(BaseModel):
    """A GeoJSON Polygon or MultiPolygon, in the declared CRS (lon/lat degrees by default)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: AreaCoordinates
    bbox: Bbox | None = None


GeometryIn = PointGeometry | AreaGeometry


class FeatureBase(BaseModel):
    """Envelope of a GeoJSON Feature sent to the API; subclasses add geometry/properties.

    ``crs`` (optional) declares the CRS of the coordinates, as the ``crs`` query parameter
    does; without either, coordinates must be longitude/latitude degrees (EPSG:4326).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    type: Literal["Feature"] = "Feature"
    id: int | str | None = Field(
        default=None, description="Ignored on create; on PUT/PATCH it must equal the URL's id."
    )
    bbox: Bbox | None = None
    crs: CrsMember | None = Field(
        default=None, description='CRS of the coordinates, e.g. "EPSG:3857" (default WGS84).'
    )
    version: Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)] | None = Field(
        default=None,
        description="PUT/PATCH: the version you read (as a GET returns it; same as If-Match).",
    )


_EPSG_FORMS = (
    re.compile(r"^EPSG:{1,2}(\d{1,6})$", re.I),
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d{1,6})$", re.I),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d{1,6})$", re.I),
)
_CRS84_FORMS = (
    re.compile(r"^(OGC:)?CRS:?84$", re.I),
    re.compile(r"^urn:ogc:def:crs:OGC:[\d.]*:CRS84$", re.I),
    re.compile(r"^https?://www\.opengis\.net/def/crs/OGC/[\d.]+/CRS84$", re.I),
)


def crs_name(value: str | NamedCrs | None, *, field: str = "crs") -> str:
    """Normalise a declared CRS to ``"EPSG:NNNN"`` (CRS84 and None give ``"EPSG:4326"``).

    Accepted forms: ``EPSG:3857``, ``urn:ogc:def:crs:EPSG::3857``,
    ``http://www.opengis.net/def/crs/EPSG/0/3857``, the CRS84 URIs, and the GeoJSON 2008
    named ``crs`` object. Coordinates are always read x/y (longitude/easting first).

    Raises
    ------
    InvalidInput
        The text is not one of those forms, the EPSG code is unknown, or the CRS is
        neither geographic nor projected 2-D.
    """
    if value is None:
        return WGS84
    text = value.properties["name"] if isinstance(value, NamedCrs) else value
    text = text.strip()
    if any(p.match(text) for p in _CRS84_FORMS):
        return WGS84
    code = next((m.group(1) for p in _EPSG_FORMS if (m := p.match(text))), None)
    if code is None:
        raise InvalidInput(
            f"unknown CRS {text[:80]!r}; write it as EPSG:NNNN (e.g. EPSG:4326, EPSG:3857, "
            "EPSG:4547) or as an OGC URI",
            field=field,
        )
    try:
        crs = CRS.from_epsg(int(code))
    except CRSError:
        raise InvalidInput(f"EPSG:{code} is not a known CRS", field=field) from None
    if not (crs.is_geographic or crs.is_projected) or len(crs.axis_info) != 2:
        raise InvalidInput(
            f"EPSG:{code} ({crs.name}) is not a 2-D geographic or projected CRS", field=field
        )
    return f"EPSG:{code}"


def merge_crs(query: str | None, member: str | NamedCrs | None, *, field: str = "crs") -> str:
    """The CRS of a request: the ``crs`` query parameter and/or the body's ``crs`` member.

    Raises
    ------
    InvalidInput
        Both are given and name different CRS.
    """
    a = crs_name(query, field=field) if query else None
    b = crs_name(member, field=field) if member is not None else None
    if a and b and a != b:
        raise InvalidInput(f"the crs query parameter says {a} but the body says {b}", field=field)
    return a or b or WGS84


def _position(p: Any, path: str) -> tuple[float, ...]:
    if not isinstance(p, list | tuple) or not 2 <= len(p) <= 3:
        raise InvalidGeometry(
            "a position must be an array of 2 or 3 numbers [x, y(, z)]", field=path
        )
    out = []
    for i, v in enumerate(p):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise InvalidGeometry(
                f"coordinate must be a number, got {v!r:.40}", field=f"{path}.{i}"
            )
        if not math.isfinite(v):
            raise InvalidGeometry(
                "coordinate is NaN or infinite; coordinates must be finite numbers",
                field=f"{path}.{i}",
            )
        out.append(float(v))
    return tuple(out[:2])


def _ring(r: Any, path: str) -> list[tuple[float, ...]]:
    if not isinstance(r, list):
        raise InvalidGeometry("a linear ring must be an array of positions", field=path)
    pts = [_position(p, f"{path}.{i}") for i, p in enumerate(r)]
    if len(pts) < 4:
        raise InvalidGeometry(
            f"a linear ring needs at least 4 positions (first = last), got {len(pts)}", field=path
        )
    if pts[0] != pts[-1]:
        raise InvalidGeometry(
            f"linear ring is not closed: first position {list(pts[0])} differs from last "
            f"{list(pts[-1])}; repeat the first position at the end",
            field=path,
        )
    return pts


def _polygon(rings: Any, path: str) -> shapely.Polygon:
    if not isinstance(rings, list) or not rings:
        raise InvalidGeometry("a polygon must be a non-empty array of linear rings", field=path)
    parsed = [_ring(r, f"{path}.{i}") for i, r in enumerate(rings)]
    return shapely.Polygon(parsed[0], parsed[1:])


def shape_of(geometry: GeometryIn, *, field: str = "geometry") -> BaseGeometry:
    """Build the shapely geometry of a GeoJSON geometry, checking its coordinates.

    Raises
    ------
    InvalidGeometry
        With ``field`` pointing at the bad position, e.g. ``geometry.coordinates.0.3``.
    """
    path = f"{field}.coordinates"
    c = geometry.coordinates
    if geometry.type == "Point":
        return shapely.Point(_position(c, path))
    if geometry.type == "Polygon":
        return _polygon(c, path)
    if not isinstance(c, list) or not c:
        raise InvalidGeometry("a MultiPolygon must be a non-empty array of polygons", field=path)
    return shapely.MultiPolygon([_polygon(p, f"{path}.{i}") for i, p in enumerate(c)])


def read_geometry(
    geometry: GeometryIn,
    *,
    crs: str = WGS84,
    repair: bool = False,
    allowed: tuple[str, ...],
    field: str = "geometry",
) -> BaseGeometry:
    """Check a GeoJSON geometry and return it, valid, in EPSG:4326.

    Parameters
    ----------
    geometry : PointGeometry or AreaGeometry
        As sent by the client, in ``crs``.
    crs : str, default "EPSG:4326"
        Normalised CRS of the coordinates (see :func:`crs_name`).
    repair : bool, default False
        Repair an invalid geometry (``make_valid``) instead of refusing it.
    allowed : tuple of str
        Geometry types the target column holds; a Polygon becomes a one-part
        MultiPolygon for MultiPolygon columns and a one-part MultiPolygon a Polygon for
        Polygon columns.

    Raises
    ------
    InvalidGeometry
        Malformed coordinates, out of the CRS's area of use (naming the CRS they look
        like), invalid (shapely's ``explain_validity`` reason), or the wrong type.
    """
    geom = shape_of(geometry, field=field)
    if allowed == ("Polygon",) and isinstance(geom, shapely.MultiPolygon) and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    return validate_geometry(geom, crs=crs, repair=repair, allowed=allowed, field=field)
