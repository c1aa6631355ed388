"""Pydantic input models of the write API (``XCreate``/``XUpdate`` and GeoJSON Features).

The library validates with these; ``api`` uses the same classes as request bodies, so the
OpenAPI document describes exactly what is accepted.
"""

from parkgis.schemas.common import InputModel
from parkgis.schemas.coverage import (
    ServiceRequestCreate,
    ServiceRequestUpdate,
    VisitCreate,
    VisitUpdate,
)
from parkgis.schemas.firms import (
    AssignmentCreate,
    AssignmentUpdate,
    EnterpriseCreate,
    EnterpriseFeature,
    EnterpriseFeaturePatch,
    EnterpriseUpdate,
    OfficerCreate,
    OfficerUpdate,
)
from parkgis.schemas.geojson import AreaGeometry, FeatureBase, PointGeometry
from parkgis.schemas.land import (
    BuildingCreate,
    BuildingFeature,
    BuildingFeaturePatch,
    BuildingUpdate,
    GridAreaCreate,
    GridAreaFeature,
    GridAreaFeaturePatch,
    GridAreaUpdate,
    ParcelCreate,
    ParcelFeature,
    ParcelFeaturePatch,
    ParcelUpdate,
    SpaceCreate,
    SpaceFeature,
    SpaceFeaturePatch,
    SpaceUpdate,
)
from parkgis.schemas.projects import (
    ProjectCreate,
    ProjectFeature,
    ProjectFeaturePatch,
    ProjectUpdate,
)

__all__ = [
    "AreaGeometry",
    "AssignmentCreate",
    "AssignmentUpdate",
    "BuildingCreate",
    "BuildingFeature",
    "BuildingFeaturePatch",
    "BuildingUpdate",
    "EnterpriseCreate",
    "EnterpriseFeature",
    "EnterpriseFeaturePatch",
    "EnterpriseUpdate",
    "FeatureBase",
    "GridAreaCreate",
    "GridAreaFeature",
    "GridAreaFeaturePatch",
    "GridAreaUpdate",
    "InputModel",
    "OfficerCreate",
    "OfficerUpdate",
    "ParcelCreate",
    "ParcelFeature",
    "ParcelFeaturePatch",
    "ParcelUpdate",
    "PointGeometry",
    "ProjectCreate",
    "ProjectFeature",
    "ProjectFeaturePatch",
    "ProjectUpdate",
    "ServiceRequestCreate",
    "ServiceRequestUpdate",
    "SpaceCreate",
    "SpaceFeature",
    "SpaceFeaturePatch",
    "SpaceUpdate",
    "VisitCreate",
    "VisitUpdate",
]
