"""Shortlists shared with one prospect: a confidential, expiring, revocable link ``/p/{token}``.

The token is 256 random bits (URL-safe base64), shown once when the shortlist is made;
only its SHA-256 is stored. The link shows only its sites (as an anonymous caller would see
them: public fields, public rows), their sheets and an overview map. Every open is logged
(:class:`~parkgis.models.ShortlistOpen`) so the team sees that the prospect looked. An
unknown, revoked or expired token is a :class:`NotFound` (404) that shows nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parkgis.access import ANONYMOUS, Principal, require_role
from parkgis.errors import Forbidden, InvalidInput, NotFound
from parkgis.maps.i18n import Lang, resolve_lang
from parkgis.models import Shortlist, ShortlistOpen
from parkgis.prospect.sites import SiteKind, parse_sites, site_facts
from parkgis.settings import Settings

SHORTLIST_ROLES = ("officer", "investment", "admin")
MAX_SITES = 10


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a shortlist token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class NewShortlist:
    """A shortlist just made, with its token (shown only this once)."""

    row: Shortlist
    token: str

    @property
    def path(self) -> str:
        """The confidential link's path, ``/p/{token}``."""
        return f"/p/{self.token}"


def create_shortlist(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    sites: str | list[str],
    prospect: str,
    lang: str | None = None,
    days: int | None = None,
) -> NewShortlist:
    """Make a shortlist of 1–10 public sites for one prospect (caller commits).

    Parameters
    ----------
    sites : str or list of str
        ``space:12,parcel:40`` or ``["space:12", "parcel:40"]``; each must be on offer
        (a vacant space or an available parcel), since the link shows public data only.
    prospect : str
        Who it is for (1–200 characters), shown on the page.
    lang : str, optional
        ``zh`` or ``en`` (default ``PARKGIS_LANGUAGE``).
    days : int, optional
        Life of the link in days (default ``PARKGIS_PROSPECT_SHORTLIST_DAYS``, at most
        ``PARKGIS_PROSPECT_SHORTLIST_MAX_DAYS``).

    Raises
    ------
    Unauthorized, Forbidden
        Anonymous callers and planners.
    InvalidInput
        Bad sites, a site not on offer, a blank prospect, a bad language or life.
    """
    require_role(principal, SHORTLIST_ROLES, "share shortlists")
    pairs = parse_sites(sites)
    if not 1 <= len(pairs) <= MAX_SITES:
        raise InvalidInput(f"give 1 to {MAX_SITES} sites, not {len(pairs)}", field="sites")
    label = (prospect or "").strip()
    if not 1 <= len(label) <= 200:
        raise InvalidInput("name the prospect in 1 to 200 characters", field="prospect")
    lg = resolve_lang(lang, settings.zone.language)
    ps = settings.prospect
    life = ps.shortlist_days if days is None else days
    if not 1 <= life <= ps.shortlist_max_days:
        raise InvalidInput(f"must be 1 to {ps.shortlist_max_days} days", field="days")
    for kind, sid in pairs:
        try:
            site_facts(session, kind, sid, ANONYMOUS, settings, marks=[])
        except NotFound as exc:
            raise InvalidInput(
                f"{kind}:{sid} is not on offer (a vacant space or available parcel)",
                field="sites",
            ) from exc
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = Shortlist(
        token_hash=token_hash(token),
        prospect=label,
        lang=lg,
        sites=[{"kind": k, "id": i} for k, i in pairs],
        user_id=principal.user_id,
        created_by=principal.name,
        created_at=now,
        expires_at=now + timedelta(days=life),
    )
    session.add(row)
    session.flush()
    return NewShortlist(row, token)


def open_shortlist(
    session: Session, token: str, *, what: str = "page", user_agent: str | None = None
) -> Shortlist:
    """The live shortlist behind ``token``, logging this open (caller commits).

    Raises
    ------
    NotFound
        Unknown, revoked or expired token (the same answer for all three).
    """
    if not token or len(token) > 100:
        raise NotFound("no such link")
    row = session.scalars(
        select(Shortlist).where(Shortlist.token_hash == token_hash(token))
    ).first()
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise NotFound("no such link")
    session.add(ShortlistOpen(shortlist_id=row.id, what=what, user_agent=(user_agent or "")[:300]))
    session.flush()
    return row


def shortlist_sites(row: Shortlist) -> list[tuple[SiteKind, int]]:
    """The (kind, id) pairs of a shortlist, in order."""
    return [(s["kind"], int(s["id"])) for s in row.sites]


def shortlist_lang(row: Shortlist) -> Lang:
    """The shortlist's language."""
    return "en" if row.lang == "en" else "zh"


def _own(session: Session, shortlist_id: int, principal: Principal) -> Shortlist:
    require_role(principal, SHORTLIST_ROLES, "manage shortlists")
    row = session.get(Shortlist, shortlist_id)
    if row is None:
        raise NotFound(f"shortlist {shortlist_id} does not exist", field="shortlist_id")
    if principal.role != "admin" and row.user_id != principal.user_id:
        raise Forbidden("only its maker or an admin may see or revoke a shortlist")
    return row


def revoke_shortlist(session: Session, shortlist_id: int, principal: Principal) -> Shortlist:
    """Revoke a shortlist now (its maker or an admin); its link then gets 404."""
    row = _own(session, shortlist_id, principal)
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.flush()
    return row


def shortlist_json(session: Session, row: Shortlist, *, token: str | None = None) -> dict[str, Any]:
    """A shortlist as JSON: sites, prospect, dates, opens (the token only when just made)."""
    opens = session.execute(
        select(func.count(), func.max(ShortlistOpen.at)).where(ShortlistOpen.shortlist_id == row.id)
    ).one()
    out: dict[str, Any] = {
        "id": row.id,
        "prospect": row.prospect,
        "lang": row.lang,
        "sites": [f"{s['kind']}:{s['id']}" for s in row.sites],
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "opens": int(opens[0]),
        "last_opened_at": opens[1].isoformat() if opens[1] else None,
    }
    if token is not None:
        out["token"] = token
        out["url"] = f"/p/{token}"
    return out


def get_shortlist(session: Session, shortlist_id: int, principal: Principal) -> Shortlist:
    """One shortlist (its maker or an admin)."""
    return _own(session, shortlist_id, principal)
