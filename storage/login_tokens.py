"""One-time login links into the officials' web console. Only a token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LoginToken, Official

TOKEN_BYTES = 32
LIFETIME = timedelta(minutes=10)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(session: AsyncSession, official: Official, now: datetime, lifetime: timedelta = LIFETIME) -> str:
    """A new token for `official`, valid for `lifetime` and one use; the caller builds the link."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LoginToken(official_id=official.id, token_hash=token_hash(token), created_at=now, expires_at=now + lifetime)
    )
    await session.flush()
    return token


async def is_usable(session: AsyncSession, token: str, now: datetime) -> bool:
    """Whether the token would log in now (the page shown before the login button is pressed)."""
    stmt = select(LoginToken.id).where(
        LoginToken.token_hash == token_hash(token), LoginToken.used_at.is_(None), LoginToken.expires_at > now
    )
    return (await session.execute(stmt)).first() is not None


async def consume(session: AsyncSession, token: str, now: datetime) -> Official | None:
    """The active official the token logs in, marking it used; None for an unknown, used or expired token.

    One conditional UPDATE: of two requests racing with the same token, exactly one gets the row."""
    stmt = (
        update(LoginToken)
        .where(LoginToken.token_hash == token_hash(token), LoginToken.used_at.is_(None), LoginToken.expires_at > now)
        .values(used_at=now)
        .returning(LoginToken.official_id)
    )
    official_id = (await session.execute(stmt)).scalar_one_or_none()
    if official_id is None:
        return None
    official = await session.get(Official, official_id)
    return official if official is not None and official.active else None
