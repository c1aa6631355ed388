"""Which projects to read: the project filter, and its query-string form.

The board, the summaries, the reminders and the battle map share one filter. Its query
parameters are ``stage``, ``industry_chain`` (or ``chain``) and ``officer_id`` (or
``officer``) as comma lists, ``overdue`` (a flag) and ``bbox`` (EPSG:4326 degrees), parsed
with the shared value parsers of :mod:`parkgis.params`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parkgis.errors import InvalidInput, InvalidQuery
from parkgis.features.allowed import check_value
from parkgis.models.base import ALL_PROJECT_STAGES
from parkgis.params import BBox, check_bbox, parse_bbox, parse_flag, parse_ids

__all__ = ["FILTER_PARAMS", "ProjectFilter", "filter_from_query"]


@dataclass(frozen=True)
class ProjectFilter:
    """Which projects to read; every part is optional and they combine with AND.

    ``bbox`` is ``(min_lon, min_lat, max_lon, max_lat)`` in EPSG:4326 degrees and matches a
    project whose point or parcel intersects it. ``overdue_only`` keeps projects with at
    least one overdue milestone on the day asked.
    """

    stages: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()
    officer_ids: tuple[int, ...] = ()
    overdue_only: bool = False
    bbox: BBox | None = None
    ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for s in self.stages:
            if s not in ALL_PROJECT_STAGES:
                raise InvalidInput(
                    f"unknown stage {s!r}; stages are {', '.join(ALL_PROJECT_STAGES)}",
                    field="stage",
                )
        if self.bbox is not None:
            check_bbox(self.bbox)


FILTER_PARAMS: dict[str, str] = {
    "stage": "stage",
    "industry_chain": "chain",
    "chain": "chain",
    "officer_id": "officer",
    "officer": "officer",
    "overdue": "overdue",
    "bbox": "bbox",
}
"""Query parameters of the project board, reminders and battle map → filter part."""


def filter_from_query(params: Mapping[str, str]) -> ProjectFilter:
    """A :class:`ProjectFilter` from query-string values.

    Raises
    ------
    InvalidQuery
        An unknown or repeated parameter, or a malformed value (``field`` names it).
    """
    parts: dict[str, Any] = {}
    seen: set[str] = set()
    for name, value in params.items():
        key = FILTER_PARAMS.get(name)
        if key is None:
            raise InvalidQuery(
                f"unknown query parameter {name!r}; filters are {', '.join(FILTER_PARAMS)}",
                field=name,
            )
        if key in seen:
            raise InvalidQuery(f"{name!r} is given twice", field=name)
        seen.add(key)
        items = tuple(v.strip() for v in value.split(",") if v.strip())
        if key == "stage":
            try:
                ProjectFilter(stages=items)
            except InvalidInput as exc:
                raise InvalidQuery(exc.message, field=name) from exc
            parts["stages"] = items
        elif key == "chain":
            for chain in items:  # a chain that does not exist is a 400, not an empty map
                check_value("projects", "industry_chain", name, chain)
            parts["chains"] = items
        elif key == "officer":
            parts["officer_ids"] = parse_ids(value, name)
        elif key == "overdue":
            parts["overdue_only"] = parse_flag(value, name)
        else:
            parts["bbox"] = parse_bbox(value, name)
    return ProjectFilter(**parts)
