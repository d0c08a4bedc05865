"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when
HOTRO_TEST_DATABASE_URL is set, as CI does) and a wired HoTro app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import HoTro, create_app
from bot.config import Settings
from tests.fakes.telegram_api import FakeTelegram

PG_URL = os.environ.get("HOTRO_TEST_DATABASE_URL")
TEST_KEY = "test-data-key-" + "k" * 32  # PostgreSQL needs a given key; SQLite tests create theirs


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def db_url(tmp_path: Path) -> str:
    if PG_URL:
        await _reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'hotro.db'}"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    key = TEST_KEY if PG_URL else None
    return Settings(_env_file=None, database_url=db_url, data_dir=tmp_path, data_key=key)  # type: ignore[call-arg]


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[HoTro]:
    hotro = await create_app(settings)
    yield hotro
    await hotro.close()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = await FakeTelegram().start()
    yield fake
    await fake.stop()
