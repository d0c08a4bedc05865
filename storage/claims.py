"""Leased claims in kv_store: a piece of work done once across processes, retried later, taken over if its
taker died.

claim() inserts the key as 'working' (ON CONFLICT DO NOTHING), or takes a 'retry' one whose time has come,
or a 'working' one older than the lease; finish() marks it done (or given up), retry() puts it back for a
later attempt. Between claim and finish the work runs outside any transaction (an e-mail sent over SMTP),
so no lock is held while it waits. A process that dies in between leaves the claim to expire: the work is
then done again by another, at most once more per crash, never lost. The row's version counts the attempts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyValue
from storage.sql import insert_ignore

WORKING, RETRY, DONE, GAVE_UP = "working", "retry", "finished", "gave_up"


async def claim(session: AsyncSession, key: str, now: datetime, lease: timedelta) -> int | None:
    """The attempt (0 for the first) this transaction took for `key`, or None (commit before doing the work)."""
    inserted = await session.execute(
        insert_ignore(session, KeyValue, {"key": key, "value": WORKING, "version": 0, "updated_at": now}, ["key"])
    )
    if inserted.rowcount == 1:  # type: ignore[attr-defined]  # an INSERT returns a CursorResult
        return 0
    due = or_(
        and_(KeyValue.value == RETRY, KeyValue.updated_at <= now),  # updated_at: when to try again
        and_(KeyValue.value == WORKING, KeyValue.updated_at < now - lease),  # its taker died
    )
    taken = await session.execute(
        update(KeyValue)
        .where(KeyValue.key == key, due)
        .values(value=WORKING, updated_at=now)
        .returning(KeyValue.version)
    )
    return taken.scalar_one_or_none()


async def unfinished(session: AsyncSession, key: str) -> bool:
    """Whether `key` still has work to come (claimed by a live process or one whose lease will expire, or a
    retry waiting for its time)."""
    value = (await session.execute(select(KeyValue.value).where(KeyValue.key == key))).scalar_one_or_none()
    return value in (WORKING, RETRY)


async def retry(session: AsyncSession, key: str, when: datetime) -> None:
    await session.execute(
        update(KeyValue).where(KeyValue.key == key).values(value=RETRY, updated_at=when, version=KeyValue.version + 1)
    )


async def finish(session: AsyncSession, key: str, now: datetime, outcome: str = DONE) -> None:
    await session.execute(update(KeyValue).where(KeyValue.key == key).values(value=outcome, updated_at=now))


async def purge_finished(session: AsyncSession, prefix: str, before: datetime) -> int:
    """Delete the finished claims under `prefix` last touched before `before` (the retention purge)."""
    result = await session.execute(
        delete(KeyValue).where(
            KeyValue.key.startswith(prefix, autoescape=True),
            KeyValue.value.in_([DONE, GAVE_UP]),
            KeyValue.updated_at < before,
        )
    )
    rowcount: int = result.rowcount  # type: ignore[attr-defined]
    return rowcount
