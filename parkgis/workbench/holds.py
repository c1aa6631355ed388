"""The caller's holds on spaces and parcels: list them, and extend one.

Holding, releasing and leasing are :mod:`parkgis.matching.reservations` (the API's
functions); extending is here, with the same rules: only the hold's owner or an admin,
only while it is active, never past ``PARKGIS_MATCH_MAX_HOLD_DAYS`` from now, and the
database's exclusion constraint still refuses any overlap.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.zonetime import zone_minute

_MINE_SQL = text(
    """
    SELECT r.id, r.space_id, r.parcel_id, r.holder, r.days, r.held_from, r.expires_at,
           coalesce(s.code, p.code) AS unit_code, b.name AS building_name,
           coalesce(s.area_m2, p.area_m2) AS area_m2, s.floor,
           coalesce(s.status, p.status) AS unit_status
    FROM reservations r
    LEFT JOIN spaces s ON s.id = r.space_id
    LEFT JOIN buildings b ON b.id = s.building_id
    LEFT JOIN parcels p ON p.id = r.parcel_id
    WHERE r.user_id = :uid AND tstzrange(r.held_from, r.expires_at) @> now()
    ORDER BY r.expires_at, r.id
    """
)


@dataclass(frozen=True)
class MyHold:
    """An active hold of the caller, with the unit it covers."""

    id: int
    unit: str
    unit_id: int
    unit_code: str | None
    building_name: str | None
    floor: int | None
    area_m2: float | None
    holder: str
    held_from: datetime
    expires_at: datetime
    expires_local: str
    """``expires_at`` on the zone's clock, ``YYYY-MM-DD HH:MM``."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        out = asdict(self)
        out["held_from"] = self.held_from.isoformat()
        out["expires_at"] = self.expires_at.isoformat()
        return out


def my_holds(session: Session, principal: Principal, *, tz: str = "UTC") -> list[MyHold]:
    """The caller's holds active now, soonest to expire first (empty when anonymous).

    ``tz`` is the zone's time zone, for ``expires_local``.
    """
    if principal.user_id is None:
        return []
    rows = session.execute(_MINE_SQL, {"uid": principal.user_id}).mappings()
    return [
        MyHold(
            id=r["id"],
            unit="space" if r["space_id"] is not None else "parcel",
            unit_id=r["space_id"] if r["space_id"] is not None else r["parcel_id"],
            unit_code=r["unit_code"],
            building_name=r["building_name"],
            floor=r["floor"],
            area_m2=None if r["area_m2"] is None else float(r["area_m2"]),
            holder=r["holder"],
            held_from=r["held_from"],
            expires_at=r["expires_at"],
            expires_local=zone_minute(r["expires_at"], tz),
        )
        for r in rows
    ]
