"""What can be written: one :class:`EntitySpec` per collection of the write API."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from parkgis import models as m
from parkgis import schemas as s
from parkgis.schemas.common import InputModel
from parkgis.schemas.geojson import FeatureBase


@dataclass(frozen=True)
class EntitySpec:
    """How one entity is written.

    Attributes
    ----------
    name : str
        Collection name in URLs and in ``parkgis.access`` (``"parcels"``).
    label : str
        One row, in messages (``"parcel"``).
    model : type
        The ORM class.
    create, update : type[InputModel]
        Properties of POST/PUT and of PATCH.
    feature, feature_patch : type[FeatureBase] or None
        GeoJSON Feature envelopes (spatial entities only).
    geom_column : str or None
        Geometry column (EPSG:4326); ``geometry`` in the input writes it.
    geom_types : tuple of str
        Geometry types the column holds.
    derive_geometry_from : tuple of str
        Foreign keys whose row's geometry stands in when none is sent (in order).
    changed_elsewhere : dict
        Fields set on create but changed only through another endpoint (which checks
        their rules), with that endpoint; PUT leaves them as they are when not sent.
    """

    name: str
    label: str
    model: type[Any]
    create: type[InputModel]
    update: type[InputModel]
    feature: type[FeatureBase] | None = None
    feature_patch: type[FeatureBase] | None = None
    geom_column: str | None = None
    geom_types: tuple[str, ...] = ()
    derive_geometry_from: tuple[str, ...] = field(default=())
    changed_elsewhere: dict[str, str] = field(default_factory=dict)

    @property
    def spatial(self) -> bool:
        """Whether the entity is read and written as GeoJSON Features."""
        return self.feature is not None

    @property
    def geom_nullable(self) -> bool:
        """Whether the geometry column may be NULL."""
        if self.geom_column is None:
            return True
        return bool(self.model.__table__.c[self.geom_column].nullable)

    @cached_property
    def foreign_keys(self) -> dict[str, tuple[type[Any], str]]:
        """Column → (referenced ORM class, referenced column) for every foreign key."""
        by_table = {mp.class_.__tablename__: mp.class_ for mp in m.Base.registry.mappers}
        out: dict[str, tuple[type[Any], str]] = {}
        for col in self.model.__table__.columns:
            for fk in col.foreign_keys:
                out[col.key] = (by_table[fk.column.table.name], fk.column.key)
        return out


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            "parcels",
            "parcel",
            m.Parcel,
            s.ParcelCreate,
            s.ParcelUpdate,
            s.ParcelFeature,
            s.ParcelFeaturePatch,
            "geom",
            ("MultiPolygon",),
        ),
        EntitySpec(
            "buildings",
            "building",
            m.Building,
            s.BuildingCreate,
            s.BuildingUpdate,
            s.BuildingFeature,
            s.BuildingFeaturePatch,
            "geom",
            ("Polygon",),
        ),
        EntitySpec(
            "spaces",
            "space",
            m.Space,
            s.SpaceCreate,
            s.SpaceUpdate,
            s.SpaceFeature,
            s.SpaceFeaturePatch,
            "geom",
            ("Polygon",),
            derive_geometry_from=("building_id",),
        ),
        EntitySpec(
            "grid_areas",
            "grid area",
            m.GridArea,
            s.GridAreaCreate,
            s.GridAreaUpdate,
            s.GridAreaFeature,
            s.GridAreaFeaturePatch,
            "geom",
            ("Polygon",),
        ),
        EntitySpec(
            "enterprises",
            "enterprise",
            m.Enterprise,
            s.EnterpriseCreate,
            s.EnterpriseUpdate,
            s.EnterpriseFeature,
            s.EnterpriseFeaturePatch,
            "geom",
            ("Point",),
            derive_geometry_from=("building_id", "parcel_id"),
        ),
        EntitySpec(
            "projects",
            "project",
            m.Project,
            s.ProjectCreate,
            s.ProjectUpdate,
            s.ProjectFeature,
            s.ProjectFeaturePatch,
            "geom",
            ("Point",),
            derive_geometry_from=("parcel_id", "enterprise_id"),
            changed_elsewhere={
                "stage": "POST /api/v1/projects/{id}/transition (it checks the allowed moves)",
                "milestones": "POST /api/v1/projects/{id}/replan (it logs the old plan)",
            },
        ),
        EntitySpec(
            "officers",
            "officer",
            m.Officer,
            s.OfficerCreate,
            s.OfficerUpdate,
            geom_column="office_geom",
            geom_types=("Point",),
        ),
        EntitySpec(
            "assignments", "assignment", m.Assignment, s.AssignmentCreate, s.AssignmentUpdate
        ),
        EntitySpec(
            "visits",
            "visit",
            m.Visit,
            s.VisitCreate,
            s.VisitUpdate,
            geom_column="geom",
            geom_types=("Point",),
        ),
        EntitySpec(
            "service_requests",
            "service request",
            m.ServiceRequest,
            s.ServiceRequestCreate,
            s.ServiceRequestUpdate,
            changed_elsewhere={
                k: "POST /api/v1/service_requests/{id}/transition (it stamps the dates and "
                "keeps the history)"
                for k in ("status", "in_progress_on", "resolved_on", "closed_on")
            },
        ),
    )
}
"""Every writable entity, by collection name."""


def spec_for(entity: str) -> EntitySpec:
    """The :class:`EntitySpec` of ``entity`` (a collection name such as ``"parcels"``)."""
    try:
        return ENTITIES[entity]
    except KeyError:
        from parkgis.errors import NotFound

        raise NotFound(
            f"unknown collection {entity!r}; writable: {', '.join(ENTITIES)}", field="collection"
        ) from None
