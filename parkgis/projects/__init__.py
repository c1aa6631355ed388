"""Projects: each investment project from negotiation to production, and its supervision.

- :mod:`.lifecycle`: stage transitions, re-plans and the event history.
- :mod:`.milestones`: stages, planned/actual dates, overdue and idle rules (pure functions).
- :mod:`.supervision`: the board of project statuses, filters and reminders.
- :mod:`.summary`: counts and investment by stage, chain and year (JSON and XLSX).
- :mod:`.timeline`: one project's timeline, and stage frames for the time slider.
- :mod:`.idle_land`: granted land never started (the 2012 idle-land rules).
"""

from parkgis.projects.idle_land import IdleLand, flag_idle_land, idle_land
from parkgis.projects.lifecycle import (
    allowed_transitions,
    event_dict,
    history,
    project_state,
    record_created,
    replan,
    transition,
)
from parkgis.projects.summary import project_summary, yearly_summary, yearly_summary_xlsx
from parkgis.projects.supervision import (
    ProjectFilter,
    ProjectStatus,
    board_geojson,
    project_statuses,
    reminders,
)
from parkgis.projects.timeline import project_timeline, stage_frames

__all__ = [
    "IdleLand",
    "ProjectFilter",
    "ProjectStatus",
    "allowed_transitions",
    "board_geojson",
    "event_dict",
    "flag_idle_land",
    "history",
    "idle_land",
    "project_state",
    "project_statuses",
    "project_summary",
    "project_timeline",
    "record_created",
    "reminders",
    "replan",
    "stage_frames",
    "transition",
    "yearly_summary",
    "yearly_summary_xlsx",
]
