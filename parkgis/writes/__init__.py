"""The write side: create, replace, patch and delete rows, audited and version-checked.

>>> from parkgis.writes import create, update, delete
>>> w = create(session, "parcels", principal, feature, crs="EPSG:3857")
>>> w.id, w.version, w.body["properties"]["area_m2"]

See :mod:`parkgis.writes.core` for the contract, :mod:`parkgis.writes.versions` for
``If-Match`` and :mod:`parkgis.writes.registry` for the writable entities.
"""

from parkgis.writes.core import Written, create, delete, representation, update
from parkgis.writes.registry import ENTITIES, EntitySpec, spec_for
from parkgis.writes.versions import etag, expected_version, parse_if_match

__all__ = [
    "ENTITIES",
    "EntitySpec",
    "Written",
    "create",
    "delete",
    "etag",
    "expected_version",
    "parse_if_match",
    "representation",
    "spec_for",
    "update",
]
