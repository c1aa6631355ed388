"""GeoAlchemy2 ORM models, one module per entity family. Import this package to register all."""

from parkgis.models.auth import ApiToken, AuditLog, User
from parkgis.models.base import Base
from parkgis.models.context import ContextFeature, Import
from parkgis.models.coverage import Draw, RequestEvent, ServiceRequest, Visit
from parkgis.models.firms import Assignment, Enterprise, Officer
from parkgis.models.land import Building, GridArea, IndustryChain, LandUseClass, Parcel, Space
from parkgis.models.matching import ExpansionRequest, Reservation
from parkgis.models.programme import Activity, ActivityFirm
from parkgis.models.projects import Project, ProjectEvent
from parkgis.models.prospect import Shortlist, ShortlistOpen
from parkgis.models.stamps import ChangeStamp

__all__ = [
    "Activity",
    "ActivityFirm",
    "ApiToken",
    "Assignment",
    "AuditLog",
    "Base",
    "Building",
    "ChangeStamp",
    "ContextFeature",
    "Draw",
    "Enterprise",
    "ExpansionRequest",
    "GridArea",
    "Import",
    "IndustryChain",
    "LandUseClass",
    "Officer",
    "Parcel",
    "Project",
    "ProjectEvent",
    "RequestEvent",
    "Reservation",
    "ServiceRequest",
    "Shortlist",
    "ShortlistOpen",
    "Space",
    "User",
    "Visit",
]
