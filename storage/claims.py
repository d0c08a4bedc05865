"""Leased claims in kv_store: a piece of work done once across processes, taken over if its taker died.

claim() inserts the key as 'working' (ON CONFLICT DO NOTHING), or takes over a 'working' one older than
the lease; finish() marks it done. Between the two the work runs outside any transaction (an e-mail
sent over SMTP with retries), so no lock is held while it waits. A process that dies in between leaves
the claim to expire: the work is then done again by another, at most once more per crash, never lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyValue
from storage.sql import insert_ignore

WORKING, DONE, GAVE_UP = "working", "finished", "gave_up"


async def claim(session: AsyncSession, key: str, now: datetime, lease: timedelta) -> bool:
    """True when this transaction took `key` (commit it before doing the work)."""
    inserted = await session.execute(
        insert_ignore(session, KeyValue, {"key": key, "value": WORKING, "version": 0, "updated_at": now}, ["key"])
    )
    if inserted.rowcount == 1:  # type: ignore[attr-defined]  # an INSERT returns a CursorResult
        return True
    taken = await session.execute(
        update(KeyValue)
        .where(KeyValue.key == key, KeyValue.value == WORKING, KeyValue.updated_at < now - lease)
        .values(updated_at=now, version=KeyValue.version + 1)
    )
    rowcount: int = taken.rowcount  # type: ignore[attr-defined]
    return rowcount == 1


async def working(session: AsyncSession, key: str) -> bool:
    """Whether `key` is claimed and not finished (by a live process, or one whose lease will expire)."""
    value = (await session.execute(select(KeyValue.value).where(KeyValue.key == key))).scalar_one_or_none()
    return value == WORKING


async def finish(session: AsyncSession, key: str, now: datetime, outcome: str = DONE) -> None:
    await session.execute(update(KeyValue).where(KeyValue.key == key).values(value=outcome, updated_at=now))
