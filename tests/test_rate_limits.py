"""A Telegram 429 is for the whole bot (issue 14): the outbox pauses every chat for retry_after, shares
the pause with the broadcaster, and replies resume ahead of announcements. Real PTB against the fake."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from bot.announcement_sender import Pacer, Writes
from bot.app import HoTro
from bot.channels.telegram import TelegramTransport
from bot.pauses import REPLIES_FIRST
from storage import outbox
from tests.fakes.telegram_api import FakeTelegram

CHATS = 20  # two windows of the fake's limit (10 a second): the batch meets one 429, which pauses it whole


def _send_calls(fake: FakeTelegram) -> int:
    return sum(1 for method, _p in fake.calls if method == "sendMessage")


async def test_a_429_pauses_the_whole_outbox_not_one_chat(app: HoTro, fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    fake.global_rate = 10  # the fake's limit for the whole bot, per second
    fake.retry_after = 1
    bot = fake.bot()
    await bot.initialize()
    app.sender.transports["telegram"] = TelegramTransport(bot)
    now = datetime.now(UTC)
    async with app.sessions.begin() as session:
        for n in range(CHATS):
            await outbox.enqueue(
                session, "telegram", str(8800 + n), {"text": f"Trả lời {n}", "buttons": []}, now, app.protector
            )
    stop = asyncio.Event()
    loop = asyncio.create_task(app.sender.run(poll_interval=0.05, stop=stop))
    try:
        deadline = time.monotonic() + 20
        while len(fake.sent) < CHATS and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await loop
        await bot.shutdown()
    assert len(fake.sent) == CHATS
    # Each 429 costs one attempt; before, every other chat of the batch collected its own.
    assert fake.rejected_429 <= 3, f"{_send_calls(fake)} attempts for {CHATS} messages"


async def test_after_a_pause_replies_go_ahead_of_announcements(app: HoTro) -> None:
    pacer = Pacer(Writes(app.sessions, single_writer=True), "telegram", 50, app.sender.pauses)
    await pacer.acquire()
    until = app.sender.pauses.pause("telegram", 0.3)  # the outbox met a 429
    assert app.sender.pauses.remaining("telegram") > 0.2
    await pacer.acquire()
    assert time.time() >= until + REPLIES_FIRST - 0.05  # the held replies had the channel first
    assert app.sender.pauses.remaining("telegram") == 0


async def test_messages_held_by_a_pause_keep_their_attempts(app: HoTro, fake_telegram: FakeTelegram) -> None:
    """A row never tried because its channel was paused gives its attempt back: a long 429 storm
    must not use up the retries of messages that were never sent."""
    from sqlalchemy import select, update

    from storage.models import OutboxMessage

    bot = fake_telegram.bot()
    await bot.initialize()
    app.sender.transports["telegram"] = TelegramTransport(bot)
    async with app.sessions.begin() as session:
        await outbox.enqueue(
            session, "telegram", "8900", {"text": "Trả lời", "buttons": []}, datetime.now(UTC), app.protector
        )
    try:
        for _ in range(12):  # more pauses than MAX_ATTEMPTS
            app.sender.pauses.pause("telegram", 0.05)
            async with app.sessions.begin() as session:
                await session.execute(update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
            await app.sender.deliver()
        await asyncio.sleep(0.06)
        await app.sender.deliver()
        await app.sender.flush_marks()
    finally:
        await bot.shutdown()
    async with app.sessions() as session:
        row = (await session.execute(select(OutboxMessage))).scalar_one()
    assert row.status == "sent" and row.attempts == 1
    assert fake_telegram.texts_to(8900) == ["Trả lời"]
