"""The officer's workbench: ``/me`` and the browser's writes, on the API's own functions.

- :mod:`.me`: the month at a glance (firms, requests, projects, holds, the draw).
- :mod:`.firms`: the officer's firms, unvisited first, with contacts and last contact.
- :mod:`.visits`: log a visit from a phone (check-in point, idempotency key).
- :mod:`.requests`: log a firm's request; open requests with working-day deadlines.
- :mod:`.holds`: the caller's holds, and extending one.
- :mod:`.leadership`: the pages for leaders (overdue milestones, idle land, draws).
- :mod:`.rules`: the visit date rule and the idempotency key format (shared with the API).
"""

from parkgis.workbench.firms import MyFirm, my_firms
from parkgis.workbench.holds import MyHold, my_holds
from parkgis.workbench.me import WORKBENCH_ROLES, Workbench, officer_workbench
from parkgis.workbench.requests import MyRequest, log_request, my_requests
from parkgis.workbench.rules import check_client_key, check_visit_time, earliest_visit_day
from parkgis.workbench.visits import LoggedVisit, log_visit

__all__ = [
    "WORKBENCH_ROLES",
    "LoggedVisit",
    "MyFirm",
    "MyHold",
    "MyRequest",
    "Workbench",
    "check_client_key",
    "check_visit_time",
    "earliest_visit_day",
    "log_request",
    "log_visit",
    "my_firms",
    "my_holds",
    "my_requests",
    "officer_workbench",
]
