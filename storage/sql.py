"""Dialect-specific SQL shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def conflict_insert(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own insert(), the one that offers ON CONFLICT (PostgreSQL and SQLite alike)."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any], keys: list[str]) -> Insert:
    """INSERT … ON CONFLICT (keys) DO NOTHING for PostgreSQL and SQLite alike."""
    return conflict_insert(dialect_of(session), model).values(**values).on_conflict_do_nothing(index_elements=keys)


def supports_skip_locked(session: AsyncSession) -> bool:
    return dialect_of(session) == "postgresql"
