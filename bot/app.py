"""Wiring: settings -> database -> engine + router -> outbox sender."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.datakey import open_database
from bot.engine import Engine, TurnResult
from bot.metrics import Metrics
from bot.sender import OutboxSender
from bot.transport import Transport
from handlers.routes import build_router
from handlers.turn import Incoming, Services
from storage.crypto import DataProtector
from storage.db import session_factory

log = logging.getLogger(__name__)


@dataclass
class HoTro:
    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    engine: Engine
    sender: OutboxSender
    metrics: Metrics
    turn_slots: asyncio.Semaphore
    # Channels that cannot work fully now, and why (e.g. the Telegram webhook not registered yet): /healthz.
    problems: dict[str, str] = field(default_factory=dict)

    async def handle(self, incoming: Incoming) -> TurnResult:
        """One turn, then send its replies straight away (the sender loop retries leftovers)."""
        started = time.perf_counter()
        try:
            async with self.turn_slots:
                sent = self.sender.unmarked(incoming.channel, incoming.chat_id)
                result = await self.engine.handle(incoming, sent_unmarked=sent)
            if result.backlog:  # older messages first, in order, then this turn's replies
                await self.sender.deliver(channel=incoming.channel, chat_id=incoming.chat_id)
            await self.sender.send_claimed(result.claimed)
            if result.notice_ids:
                await self.sender.deliver(result.notice_ids)
        except Exception:
            self.metrics.updates.labels(incoming.channel, "error").inc()
            self.metrics.errors.labels("turn").inc()
            raise
        outcome = "duplicate" if result.duplicate else "error" if result.error else "ok"
        self.metrics.updates.labels(incoming.channel, outcome).inc()
        if result.error:
            self.metrics.errors.labels("handler").inc()
        self.metrics.turn_seconds.labels(incoming.channel).observe(time.perf_counter() - started)
        return result

    @property
    def protector(self) -> DataProtector:
        return self.engine.services.protector

    async def close(self) -> None:
        await self.sender.close()
        await self.db.dispose()


# Libraries that handlers, the web console and the scheduled jobs import where they use them, so that the
# commands that never need them start without them (tests/test_structure.py): a server loads them here,
# before its first citizen, as it did when they were imported at the top.
FIRST_USE_LIBRARIES = (
    "openpyxl",  # the XLSX lists and reports (bot.exchange, handlers.report.sheet, handlers.posting.files)
    "PIL.Image",  # reading a photo of an ID card (handlers.apply.card_photo)
    "PIL.ImageFilter",
    "PIL.ImageOps",
    "zxingcpp",
    "vietnam_provinces.enums.districts",  # checking the provinces' schemes (messages.free_worker_provinces)
    "holidays",  # working days (storage.deadlines)
    "aiosmtplib",  # the daily report by e-mail (bot.email_report)
)


def settle_heap(settings: Settings) -> None:
    """Load what handlers load on first use, then move every object alive into the permanent generation.

    Otherwise the occasional full garbage collection walks the address and policy indexes (~150,000
    objects, tens of milliseconds) in the middle of some citizen's turn: the latency tail of a server.
    """
    for name in FIRST_USE_LIBRARIES:
        importlib.import_module(name)
    from handlers import admin_units
    from handlers.ask import policy_search
    from handlers.ask.questions import classify, passages
    from messages.i18n import translations
    from messages.policies import load_policies

    translations()
    admin_units.provinces()
    admin_units.locate("Hà Nội")  # the exact-name index of typed addresses
    policy_search.search("hỗ trợ", load_policies(settings.free_worker))
    classify.classifier()  # the question classifier trains at start-up, not in a citizen's turn
    passages.supporting("hỗ trợ", None, "")
    gc.collect()
    gc.freeze()


# aiosqlite runs each statement in its own thread, which must then win the GIL back from the event loop.
# At the default 5 ms switch interval a busy loop keeps it that long per statement, and the one SQLite
# connection stays locked meanwhile. In one pair of bench/throughput.py runs: 10.1 ms of CPU per update and
# a p99 of 1.8 s at 84 updates/s with 5 ms, 5.4 ms and 125 ms with 0.5 ms (SQLite runs vary a lot).
SQLITE_SWITCH_INTERVAL = 0.0005


async def create_app(
    settings: Settings, transports: dict[str, Transport] | None = None, *, db: AsyncEngine | None = None
) -> HoTro:
    """`db`: an existing engine for the settings' database instead of a new one (see open_database)."""
    db, protector = await open_database(settings, db)
    if db.dialect.name == "sqlite":
        sys.setswitchinterval(SQLITE_SWITCH_INTERVAL)
    sessions = session_factory(db)
    services = Services(protector=protector)
    engine = Engine(sessions, build_router(), settings, services)
    metrics = Metrics()
    sender = OutboxSender(
        sessions,
        dict(transports or {}),
        metrics,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        protector=services.protector,
    )
    return HoTro(settings, db, sessions, engine, sender, metrics, asyncio.Semaphore(settings.max_concurrent_turns))
