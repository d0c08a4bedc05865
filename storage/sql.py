"""Dialect-specific SQL shared by the repositories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from messages.vocabulary import SendStatus


def conflict_insert(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own insert(), the one that offers ON CONFLICT (PostgreSQL and SQLite alike)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any], keys: list[str]) -> Insert:
    """INSERT … ON CONFLICT (keys) DO NOTHING for PostgreSQL and SQLite alike."""
    return conflict_insert(dialect_of(session), model).values(**values).on_conflict_do_nothing(index_elements=keys)


def supports_skip_locked(session: AsyncSession) -> bool:
    return dialect_of(session) == "postgresql"


async def claim_rows(session: AsyncSession, model: Any, ids: Select[Any], now: datetime, order_by: Any) -> list[Any]:
    """Claim the rows whose ids `ids` selects (SKIP LOCKED on PostgreSQL, so claimers never wait on each
    other): mark them 'sending' with one more attempt and return them in `order_by` order.
    The outbox and the announcement deliveries share this lease protocol."""
    if supports_skip_locked(session):
        ids = ids.with_for_update(skip_locked=True)
    claimed = list((await session.execute(ids)).scalars())
    if not claimed:
        return []
    await session.execute(
        update(model)
        .where(model.id.in_(claimed))
        .values(status=SendStatus.SENDING, claimed_at=now, attempts=model.attempts + 1)
    )
    rows = await session.execute(
        select(model).where(model.id.in_(claimed)).order_by(*order_by).execution_options(populate_existing=True)
    )
    return list(rows.scalars())
