"""Several `hotro serve` processes behind one webhook URL share one PostgreSQL.

One conversation's updates are interleaved across two processes, and the same update is sent
to both at once: state stays consistent and each update is handled once.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.web import TELEGRAM_PATH
from storage.models import Application, Conversation, ProcessedEvent
from tests.conftest import PG_URL
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.journeys import household_application
from tests.net import free_port

pytestmark = pytest.mark.skipif(not PG_URL, reason="several processes need PostgreSQL (HOTRO_TEST_DATABASE_URL)")

SECRET = "multi-process-secret"
CITIZEN = 8100


@pytest.fixture
async def servers(db_url: str, fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[list[int]]:
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "HOTRO_DATABASE_URL": db_url,
        "HOTRO_TELEGRAM_TOKEN": TOKEN,
        "HOTRO_TELEGRAM_BASE_URL": fake_telegram.base_url,
        "HOTRO_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HOTRO_DATA_DIR": str(tmp_path),
        "HOTRO_DATA_KEY": "k" * 44,
        "HOTRO_WARM_START": "false",  # what two processes share is tested, not their first answers' latency
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        # Wait without blocking the loop: the servers call the fake Bot API (getMe) while starting.
        # 90 s, not 30: a start took over 30 s under heavy load (the PostgreSQL suite beside 4 others on 2 cores).
        deadline = time.monotonic() + 90
        for port in ports:
            while True:
                assert time.monotonic() < deadline, "servers did not start"
                try:
                    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    break
                except OSError:
                    await asyncio.sleep(0.1)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            while proc.poll() is None:
                await asyncio.sleep(0.05)


async def post(session: aiohttp.ClientSession, port: int, update: dict) -> int:
    url = f"http://127.0.0.1:{port}{TELEGRAM_PATH}"
    async with session.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        return response.status


async def test_one_conversation_across_two_processes(
    db_url: str, fake_telegram: FakeTelegram, servers: list[int]
) -> None:
    fake = fake_telegram
    steps = household_application()
    async with aiohttp.ClientSession() as session:
        for index, (kind, value) in enumerate(steps):
            update = fake.text_update(CITIZEN, value) if kind == "text" else fake.callback_update(CITIZEN, value)
            if index % 3 == 0:
                # Redelivered to both processes at the same moment: handled once.
                statuses = await asyncio.gather(post(session, servers[0], update), post(session, servers[1], update))
            else:
                statuses = [await post(session, servers[index % 2], update)]
            assert set(statuses) == {200}
    texts = fake.texts_to(CITIZEN)
    assert any("Mã hồ sơ" in text for text in texts)
    assert sum("Mã hồ sơ" in text for text in texts) == 1
    engine = create_async_engine(db_url)
    async with engine.connect() as conn:
        applications = (await conn.execute(select(Application.full_name))).scalars().all()
        conversation = (await conn.execute(select(Conversation.state, Conversation.version))).one()
        events = (await conn.execute(select(ProcessedEvent.event_id))).scalars().all()
    await engine.dispose()
    assert applications == ["Đào Văn Bình"]
    assert conversation.state == "menu" and conversation.version == len(steps)
    assert len(events) == len(steps) == len(set(events))
