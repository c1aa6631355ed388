"""An officer's own firms this month: visited or not, last contact, days since, contact."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from parkgis.access import Principal, redact
from parkgis.models.base import FIRM_CONTACT_SQL
from parkgis.zonetime import Month, day_start, zone_date

_FIRMS_SQL = text(
    f"""
    WITH mine AS (
        SELECT DISTINCT a.enterprise_id FROM assignments a
        WHERE a.officer_id = :oid AND a.until IS NULL
    ),
    seen AS (
        SELECT v.enterprise_id, max(v.visited_at) AS last_at,
               count(*) FILTER (WHERE v.visited_at >= :start AND v.visited_at < :end) AS n_month
        FROM visits v JOIN mine m ON m.enterprise_id = v.enterprise_id
        WHERE v.officer_id = :oid AND {FIRM_CONTACT_SQL}
        GROUP BY v.enterprise_id
    ),
    asks AS (
        SELECT r.enterprise_id, count(*) AS n_open
        FROM service_requests r JOIN mine m ON m.enterprise_id = r.enterprise_id
        WHERE r.status IN ('open', 'in_progress')
        GROUP BY r.enterprise_id
    )
    SELECT e.id, e.name, e.name_en, e.industry_chain, e.address, e.contact_name,
           e.contact_phone, e.contact_email, e.parcel_id,
           ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat,
           s.last_at, coalesce(s.n_month, 0) AS n_month, coalesce(k.n_open, 0) AS n_open,
           (SELECT round(ST_Distance(v.geom::geography, e.geom::geography)::numeric, 0)
            FROM visits v
            WHERE v.officer_id = :oid AND v.enterprise_id = e.id AND v.visited_at = s.last_at
              AND {FIRM_CONTACT_SQL} AND v.geom IS NOT NULL
            LIMIT 1) AS last_checkin_m
    FROM mine m
    JOIN enterprises e ON e.id = m.enterprise_id
    LEFT JOIN seen s ON s.enterprise_id = e.id
    LEFT JOIN asks k ON k.enterprise_id = e.id
    ORDER BY (coalesce(s.n_month, 0) > 0), s.last_at NULLS FIRST, e.name, e.id
    """
)


@dataclass(frozen=True)
class MyFirm:
    """One of the officer's current firms as ``/me`` lists it (zone dates, EPSG:4326)."""

    id: int
    name: str
    name_en: str | None
    industry_chain: str | None
    address: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    lon: float
    lat: float
    visited_this_month: bool
    visits_this_month: int
    last_contact_on: date | None
    days_since: int | None
    open_requests: int
    last_checkin_m: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        out = asdict(self)
        out["last_contact_on"] = self.last_contact_on.isoformat() if self.last_contact_on else None
        return out


def my_firms(session: Session, principal: Principal, *, tz: str, today: date) -> list[MyFirm]:
    """The caller's currently assigned firms, unvisited this month first, then oldest contact.

    Parameters
    ----------
    tz : str
        The zone's time zone; "this month" and contact dates are read on its clock.
    today : date
        The zone's date.

    Returns
    -------
    list of MyFirm
        Empty for a caller who is not an officer. Contacts are the firm's sensitive fields,
        shown only where :func:`parkgis.access.redact` lets the caller see them (an officer's
        own firms). Coordinates in EPSG:4326 degrees; ``last_checkin_m`` is the distance in
        metres (geodesic) between the last visit's check-in point and the firm.
    """
    if principal.officer_id is None:
        return []
    month = Month.of(today)
    rows = session.execute(
        _FIRMS_SQL,
        {
            "oid": principal.officer_id,
            "start": day_start(month.first_day, tz),
            "end": day_start(month.next().first_day, tz),
        },
    ).mappings()
    out = []
    for r in rows:
        seen: datetime | None = r["last_at"]
        day = zone_date(seen, tz) if seen else None
        contact = redact(
            principal,
            "enterprises",
            {
                "id": r["id"],
                "contact_name": r["contact_name"],
                "contact_phone": r["contact_phone"],
                "contact_email": r["contact_email"],
            },
        )
        out.append(
            MyFirm(
                id=r["id"],
                name=r["name"],
                name_en=r["name_en"],
                industry_chain=r["industry_chain"],
                address=r["address"],
                contact_name=contact.get("contact_name"),
                contact_phone=contact.get("contact_phone"),
                contact_email=contact.get("contact_email"),
                lon=float(r["lon"]),
                lat=float(r["lat"]),
                visited_this_month=r["n_month"] > 0,
                visits_this_month=int(r["n_month"]),
                last_contact_on=day,
                days_since=(today - day).days if day else None,
                open_requests=int(r["n_open"]),
                last_checkin_m=None if r["last_checkin_m"] is None else int(r["last_checkin_m"]),
            )
        )
    return out
