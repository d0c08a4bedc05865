"""The key-value table: small shared values of the channel adapters (the Zalo tokens, the last msg_id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyValue
from storage.sql import conflict_insert, dialect_of, insert_ignore


async def get(session: AsyncSession, key: str) -> KeyValue | None:
    return await session.get(KeyValue, key)


async def locked(session: AsyncSession, key: str) -> KeyValue | None:
    """The row, read afresh and locked FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE locks the whole file)."""
    stmt = select(KeyValue).where(KeyValue.key == key).execution_options(populate_existing=True)
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def put(session: AsyncSession, key: str, value: str, now: datetime) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, bumping the version."""
    stmt = conflict_insert(dialect_of(session), KeyValue).values(key=key, value=value, version=1, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"], set_={"value": value, "version": KeyValue.version + 1, "updated_at": now}
    )
    await session.execute(stmt)


async def put_if_absent(session: AsyncSession, key: str, value: str, now: datetime) -> None:
    """Insert the value unless the key exists (never overwrites)."""
    values = {"key": key, "value": value, "version": 1, "updated_at": now}
    await session.execute(insert_ignore(session, KeyValue, values, ["key"]))


async def put_once(session: AsyncSession, key: str, value: str, now: datetime) -> bool:
    """Insert the value unless the key exists; True when this call inserted it (a once-only marker, across
    processes: of two racing inserts, one returns True)."""
    table = KeyValue.__table__
    values = {"key": key, "value": value, "version": 0, "updated_at": now}
    insert = conflict_insert(dialect_of(session), table).values(**values).on_conflict_do_nothing(index_elements=["key"])
    return (await session.execute(insert.returning(table.c.key))).first() is not None


def holds_row_lock(session: AsyncSession) -> bool:
    """Whether locked() holds the row for the rest of the transaction (PostgreSQL), so that a slow
    update can be made inside it while other processes wait."""
    return dialect_of(session) == "postgresql"
