"""The tests' databases (tests/databases.py) and create_app's engine injection point they rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import HoTro, create_app
from bot.config import Settings
from storage.db import make_engine
from storage.models import Application
from tests.databases import PostgresDatabase, SqliteDatabase


async def test_an_engine_for_another_database_is_refused(settings: Settings, tmp_path: Path) -> None:
    other = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        with pytest.raises(ValueError, match="engine given"):
            await create_app(settings, db=other)
    finally:
        await other.dispose()
    assert not (tmp_path / "other.db").stat().st_size  # refused before anything was written there


async def test_the_app_uses_the_process_engine_on_a_migrated_empty_database(
    app: HoTro, request: pytest.FixtureRequest, postgres: PostgresDatabase | None
) -> None:
    shared: PostgresDatabase | SqliteDatabase = postgres or request.getfixturevalue("sqlite_database")
    assert app.db is shared.engine
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Application)) == 0


async def test_a_reset_leaves_only_the_template_copy(request: pytest.FixtureRequest, postgres: object) -> None:
    if postgres is not None:
        pytest.skip("SQLite's per-process database file")
    database: SqliteDatabase = request.getfixturevalue("sqlite_database")
    await database.reset()
    (database.path.parent / "hotro.key").write_text("a previous test's key")
    database.path.write_bytes(b"")
    await database.reset()
    assert [p.name for p in database.path.parent.iterdir()] == ["hotro.db"]
    assert database.path.stat().st_size > 0 and database.path.stat().st_mode & 0o777 == 0o600
