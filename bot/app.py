"""Wiring: settings -> database -> engine + router -> outbox sender."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.base import Transport
from bot.config import Settings
from bot.engine import Engine, TurnResult
from bot.sender import OutboxSender
from handlers.app import build_router
from handlers.turn import Incoming
from storage.db import make_engine, migrate, session_factory


@dataclass
class HoTro:
    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    engine: Engine
    sender: OutboxSender

    async def handle(self, incoming: Incoming) -> TurnResult:
        """One turn, then send its replies straight away (the sender loop retries leftovers)."""
        result = await self.engine.handle(incoming)
        if result.outbox_ids:
            await self.sender.deliver(result.outbox_ids)
        return result

    async def close(self) -> None:
        await self.db.dispose()


async def create_app(settings: Settings, transports: dict[str, Transport] | None = None) -> HoTro:
    db = make_engine(settings.sqlalchemy_url())
    await migrate(db)
    sessions = session_factory(db)
    engine = Engine(sessions, build_router(), settings)
    return HoTro(settings, db, sessions, engine, OutboxSender(sessions, dict(transports or {})))
