"""open_db(settings): the database of a CLI command, migrated, closed when the command ends.

Every `hotro` command that is not the long-running bot opens its database here (the bot itself opens
it in bot.app.create_app). With `key=True` the data key is found and checked first (bot.datakey), for
the commands that read or write personal data; the protector comes with the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.datakey import open_database
from storage.crypto import DataProtector
from storage.db import make_engine, migrate, session_factory


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    protector: DataProtector | None  # with open_db(..., key=True)

    @property
    def key(self) -> DataProtector:
        """The checked protector (open_db(..., key=True))."""
        assert self.protector is not None, "open_db(settings, key=True) gives the protector"
        return self.protector


@asynccontextmanager
async def open_db(settings: Settings, *, key: bool = False) -> AsyncIterator[Database]:
    """The migrated database (and, with `key`, the checked data key); disposed on the way out."""
    protector: DataProtector | None = None
    if key:
        engine, protector = await open_database(settings)
    else:
        engine = make_engine(settings.sqlalchemy_url())
    try:
        if not key:  # open_database migrated already (after checking the key)
            await migrate(engine)
        yield Database(engine, session_factory(engine), protector)
    finally:
        await engine.dispose()
