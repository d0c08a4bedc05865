"""Retention: abandoned forms and sent messages are purged after their periods, by the scheduler (once a
day across processes) and by `hotro purge`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.app import HoTro, create_app
from bot.config import Settings
from bot.retention import purge_today, run_purge, run_retention
from storage import outbox
from storage.conversations import DATA_CONTEXT
from storage.models import Conversation, JobRun, OutboxMessage
from tests.chat import Chat
from tests.test_intake import fill_household

NOW = datetime.now(UTC)
TODAY = date.today()


async def age(app: HoTro, chat_id: str, days: int) -> None:
    async with app.sessions.begin() as session:
        await session.execute(
            update(Conversation).where(Conversation.chat_id == chat_id).values(updated_at=NOW - timedelta(days=days))
        )


async def sent_message(app: HoTro, days_ago: int, status: str = "sent") -> int:
    async with app.sessions.begin() as session:
        row = await outbox.enqueue(session, "test", "x", {"text": "Số CCCD: …", "buttons": []}, NOW, app.protector)
        await session.flush()
        row.status, row.created_at = status, NOW - timedelta(days=days_ago)
        row.sent_at = row.created_at if status == "sent" else None
        return row.id


async def data_of(app: HoTro, chat_id: str) -> tuple[str, dict[str, object]]:
    async with app.sessions() as session:
        state, data = (
            await session.execute(select(Conversation.state, Conversation.data).where(Conversation.chat_id == chat_id))
        ).one()
    return state, app.protector.open_json(data, context=DATA_CONTEXT)


async def test_old_unfinished_forms_and_sent_messages_are_purged_once_a_day(app: HoTro) -> None:
    await fill_household(Chat(app, "abandoned"), id_number="001085012345")
    await fill_household(Chat(app, "recent"), id_number="001085099999")
    await age(app, "abandoned", 31)
    await age(app, "recent", 29)
    async with app.sessions.begin() as session:
        await session.execute(update(OutboxMessage).values(status="sent", sent_at=NOW))  # the chats' replies
    old_sent, old_failed = await sent_message(app, 8), await sent_message(app, 8, "failed")
    recent_sent, old_queued = await sent_message(app, 6), await sent_message(app, 30, "queued")

    purged = await purge_today(app, TODAY, NOW)
    assert purged is not None and (purged.forms, purged.messages) == (1, 2)
    assert await data_of(app, "abandoned") == ("menu", {})
    state, data = await data_of(app, "recent")
    assert state == "apply.hkd" and data["answers"]["id_number"] == "001085099999"  # type: ignore[index]
    async with app.sessions() as session:
        left = set((await session.execute(select(OutboxMessage.id))).scalars())
    assert old_sent not in left and old_failed not in left and {recent_sent, old_queued} <= left
    assert await purge_today(app, TODAY, NOW) is None  # the day is taken


async def test_two_processes_purge_once_and_the_scheduler_runs_it(settings: Settings) -> None:
    first, second = await create_app(settings), await create_app(settings)
    try:
        results = await asyncio.gather(purge_today(first, TODAY, NOW), purge_today(second, TODAY, NOW))
        assert sorted(r is None for r in results) == [False, True]
        stop = asyncio.Event()
        tomorrow = NOW + timedelta(days=1)
        task = asyncio.create_task(run_retention(first, stop, clock=lambda: tomorrow, interval=0.05))
        for _attempt in range(100):
            async with first.sessions() as session:
                day = (
                    await session.execute(select(JobRun.last_run_on).where(JobRun.name == "retention_purge"))
                ).scalar()
            if day is not None and day > TODAY:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task
        assert day is not None and day > TODAY
    finally:
        await first.close()
        await second.close()


async def test_hotro_purge(app: HoTro, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    await sent_message(app, 10)
    await run_purge(settings, argparse.Namespace())
    assert "1 tin nhắn" in capsys.readouterr().out
