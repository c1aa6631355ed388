"""Matching: an expansion request → a ranked shortlist of space and land, and holds on units.

- :mod:`.service`: parse a request, run it, save and read back the result.
- :mod:`.rules`: the criteria, the checks of one candidate, near-misses and the score.
- :mod:`.sql`: the one scan of the open stock (feasible and near-miss candidates).
- :mod:`.context`: turning rows into candidates (the request's place, firm and chain).
- :mod:`.groups`: adjacent units combined to meet an area no single unit meets.
- :mod:`.distance`: metric envelopes and distance helpers in SQL.
- :mod:`.reservations`: holds (never two active on one unit), extend, release, lease.
"""

from parkgis.matching.reservations import (
    active_holds,
    extend_hold,
    get_hold,
    hold,
    hold_json,
    lease,
    release,
)
from parkgis.matching.service import (
    MATCH_ROLES,
    get_match,
    match,
    parse_request,
    public_candidate,
    rank_public,
)

__all__ = [
    "MATCH_ROLES",
    "active_holds",
    "extend_hold",
    "get_hold",
    "get_match",
    "hold",
    "hold_json",
    "lease",
    "match",
    "parse_request",
    "public_candidate",
    "rank_public",
    "release",
]
