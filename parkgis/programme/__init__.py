"""The programme's own rules: activities and the monthly "五个一" checklist.

- :mod:`.activities`: log and list briefings (宣讲), volunteer service and ledger reviews
  (流动党员台账: the member count only, never names).
- :mod:`.checklist`: each officer's five items for a month, done or not, with evidence;
  item 1 is the coverage figure, never computed twice.
- :mod:`.evaluation`: the annual evaluation of every officer (figures with their evidence,
  a composite with configurable weights, a rank); :mod:`.figures` the rows behind the
  figures, :mod:`.evaluation_sheet` the table and the XLSX.
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
from parkgis.programme.evaluation import EVALUATION_ROLES, evaluation, evidence

__all__ = [
    "EVALUATION_ROLES",
    "ITEMS",
    "REPORT_COLUMNS",
    "ActivityRow",
    "ChecklistItem",
    "OfficerChecklist",
    "build_checklists",
    "checklist",
    "evaluation",
    "evidence",
    "list_activities",
    "log_activity",
    "missing_first",
]
