"""API tokens: created random, stored as SHA-256 hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from parkgis.access import ANONYMOUS, Principal, own_enterprise_ids
from parkgis.errors import InvalidInput, NotFound, Unauthorized
from parkgis.models import ApiToken, Officer, User
from parkgis.models.base import ROLES

TOKEN_PREFIX = "pgis_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """Hex SHA-256 of a token; tokens carry 256 random bits, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, role: str, name: str, officer_id: int | None = None) -> str:
    """Create (or reuse) user ``name`` with ``role`` and return a new bearer token.

    The token is shown once; only its hash is stored.

    Raises
    ------
    InvalidInput
        Unknown role, an officer role without ``officer_id``, or a role change for an
        existing user.
    NotFound
        ``officer_id`` does not exist.
    """
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    if not name.strip():
        raise InvalidInput("name must not be empty", field="name")
    if role == "officer" and officer_id is None:
        raise InvalidInput("an officer token needs --officer ID", field="officer")
    if officer_id is not None and session.get(Officer, officer_id) is None:
        raise NotFound(f"officer {officer_id} does not exist", field="officer")
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role, officer_id=officer_id)
        session.add(user)
        session.flush()
    elif user.role != role or (officer_id is not None and user.officer_id != officer_id):
        raise InvalidInput(
            f"user {name!r} exists with role {user.role!r}"
            + (f" and officer {user.officer_id}" if user.officer_id else "")
            + "; pick another --name",
            field="name",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:12]))
    session.flush()
    return token


def authenticate(session: Session, token: str | None) -> Principal:
    """The principal a bearer token stands for; anonymous when ``token`` is None.

    Raises
    ------
    Unauthorized
        The token is unknown or revoked.
    """
    if token is None:
        return ANONYMOUS
    digest = hash_token(token)
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
    ).first()
    # The lookup is by hash; compare again in constant time so timing reveals nothing.
    if row is None or not hmac.compare_digest(row[0].token_hash, digest):
        raise Unauthorized("the bearer token is not valid")
    tok, user = row
    now = datetime.now(UTC)
    if tok.last_used_at is None or now - tok.last_used_at > LAST_USED_RESOLUTION:
        tok.last_used_at = now  # at most once a minute: a write per request costs ~7 ms
    return Principal(
        user_id=user.id,
        name=user.name,
        role=user.role,  # type: ignore[arg-type]
        officer_id=user.officer_id,
        own_enterprise_ids=own_enterprise_ids(session, user.officer_id),
    )
