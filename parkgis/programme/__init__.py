"""The programme's own rules: activities and the monthly "五个一" checklist.

- :mod:`.activities`: log and list briefings (宣讲), volunteer service and ledger reviews
  (流动党员台账: the member count only, never names).
- :mod:`.checklist`: each officer's five items for a month, done or not, with evidence;
  item 1 is the coverage figure, never computed twice.
"""

from parkgis.programme.activities import ActivityRow, list_activities, log_activity
from parkgis.programme.checklist import (
    ITEMS,
    REPORT_COLUMNS,
    ChecklistItem,
    OfficerChecklist,
    build_checklists,
    checklist,
    missing_first,
)

__all__ = [
    "ITEMS",
    "REPORT_COLUMNS",
    "ActivityRow",
    "ChecklistItem",
    "OfficerChecklist",
    "build_checklists",
    "checklist",
    "list_activities",
    "log_activity",
    "missing_first",
]
