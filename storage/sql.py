"""Dialect-specific SQL shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any], keys: list[str]) -> Insert:
    """INSERT … ON CONFLICT (keys) DO NOTHING for PostgreSQL and SQLite alike."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)


def supports_skip_locked(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"
