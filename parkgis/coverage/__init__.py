"""Coverage: who serves which firm, whether they were visited, and the firms' requests.

- :mod:`.territories`: officers' territories, workload, unassigned firms and overlaps.
- :mod:`.requests`: the closed loop of service requests, deadlines in working days.
- :mod:`.workdays`: the zone's working-day calendar (holidays and make-up days).
- :mod:`.report`: the monthly visit report (JSON, HTML, XLSX).
- :mod:`.draws`: the month's reproducible draw of reporting officers; :mod:`.scores` the
  scores given at the meeting (an officer reads only their own).
- :mod:`.calls`: investment calls (登门招商) on prospects, counted apart from firm contacts.
- :mod:`.rebalance`: suggested moves of firms between officers.
- :mod:`.route`: an officer's visit route for the day.
"""

from parkgis.coverage.draws import as_dict, get_draw, list_draws, run_draw, verify
from parkgis.coverage.rebalance import Move, apply_moves, suggest
from parkgis.coverage.report import monthly_report, report_xlsx
from parkgis.coverage.requests import open_requests, overdue_report, request_stats, transition
from parkgis.coverage.route import visit_route
from parkgis.coverage.territories import Coverage, OfficerCoverage, coverage_for, territories
from parkgis.coverage.workdays import DeadlineTable, WorkCalendar, load_calendar

__all__ = [
    "Coverage",
    "DeadlineTable",
    "Move",
    "OfficerCoverage",
    "WorkCalendar",
    "apply_moves",
    "as_dict",
    "coverage_for",
    "get_draw",
    "list_draws",
    "load_calendar",
    "monthly_report",
    "open_requests",
    "overdue_report",
    "report_xlsx",
    "request_stats",
    "run_draw",
    "suggest",
    "territories",
    "transition",
    "verify",
    "visit_route",
]
