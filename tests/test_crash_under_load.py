"""`kill -9` of a `hotro serve` process while ~20 citizens apply at once loses nothing.

One server process on PostgreSQL serves 20 citizens filling in the household-business application
through the Telegram webhook. Once some have their application code, Bot API calls are slowed down
(so replies are caught half-sent) and the process is killed with SIGKILL. A new process starts on the
same port and database; every citizen resends the update that got no answer, as Telegram redelivers
an unanswered webhook, and goes on. Then: every code a citizen saw is stored, every citizen has
exactly one application and a conversation that took each update once, and every outbox row was
sent at least once and at most twice (a reply claimed by the dead process is sent again after the
lease, shortened here with HOTRO_OUTBOX_LEASE_SECONDS, yet longer than a batch of sends).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.web import TELEGRAM_PATH
from storage.models import Application, Conversation, OutboxMessage, ProcessedEvent
from tests.commands import migrated_url
from tests.conftest import PG_URL
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.journeys import household_application
from tests.net import free_port

# A live sender's claim must never expire under it: the claim of a batch of rows (the new process takes
# the dead one's ~20 rows at once) is marked 'sent' only after the whole batch is sent. At 3 s, a batch
# of 19 rows that took 3.6 s under heavy load (load 10 on 2 cores) was claimed again by the same process
# before its marks were written, and 4 replies went out a third time: a repeat no crash caused.
LEASE_SECONDS = 15
pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (HOTRO_TEST_DATABASE_URL)")
__all__ = ["migrated_url"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parent.parent
SECRET = "crash-under-load-secret"
CITIZENS = 20
FIRST_CHAT = 8200
KILL_AFTER_CODES = 3  # confirmed applications before the kill
SLOW_SEND = 0.3  # seconds a sendMessage takes around the kill, so replies are caught mid-send
DEADLINE = 120.0  # seconds for the whole conversation traffic; the test normally takes ~20 s, 80 s under heavy load
CODE = re.compile(r"Mã hồ sơ: ([0-9A-Z]+-[0-9A-Z]{4}-[0-9A-Z]{4})")


def steps(i: int) -> list[tuple[str, str]]:
    return household_application(i)


class Server:
    """One `hotro serve` process after another, on the same port and database."""

    def __init__(self, db_url: str, fake: FakeTelegram, tmp_path: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "HOTRO_DATABASE_URL": db_url,
            "HOTRO_TELEGRAM_TOKEN": TOKEN,
            "HOTRO_TELEGRAM_BASE_URL": fake.base_url,
            "HOTRO_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "HOTRO_DATA_DIR": str(tmp_path),
            "HOTRO_DATA_KEY": "k" * 44,
            "HOTRO_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        self.log = tmp_path / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        # Wait without blocking the loop: the server calls the in-process fake Bot API while starting.
        # Under heavy load (5 suites on 2 cores) a start took 30 s: wait as long as the traffic may take.
        deadline = time.monotonic() + DEADLINE
        while True:
            assert self.proc.poll() is None, f"server exited with {self.proc.returncode}; see {self.log}"
            assert time.monotonic() < deadline, f"server did not start; see {self.log}"
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            return

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)  # no graceful shutdown, no flush
        self.proc.wait(10)

    async def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        deadline = time.monotonic() + 35
        while self.proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(db_url)
    yield engine
    await engine.dispose()


def slow_sends(fake: FakeTelegram, delay: list[float]) -> None:
    """sendMessage is recorded at once (the citizen has it) but answered after delay[0] seconds."""
    record = fake._m_sendmessage

    async def send(params: dict[str, Any]) -> web.Response:
        response = await record(params)
        if delay[0]:
            await asyncio.sleep(delay[0])
        return response

    fake._m_sendmessage = send  # type: ignore[method-assign]


async def citizen(
    i: int, session: aiohttp.ClientSession, server: Server, fake: FakeTelegram, resent: Counter[int]
) -> int:
    """Posts each step until it is answered with 200, resending the same update after a failure."""
    await asyncio.sleep(i * 0.25)  # staggered, so some finish while others are half-way
    chat = FIRST_CHAT + i
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for kind, value in steps(i):
        update = fake.text_update(chat, value) if kind == "text" else fake.callback_update(chat, value)
        while True:
            try:
                url = f"http://127.0.0.1:{server.port}{TELEGRAM_PATH}"
                async with session.post(url, json=update, headers=headers) as response:
                    if response.status == 200:
                        break
            except (aiohttp.ClientError, OSError):
                pass
            resent[i] += 1  # Telegram redelivers an update until the webhook answers it
            await asyncio.sleep(0.1)
    return i


async def test_kill_9_under_load_loses_nothing(
    migrated_url: str, db: AsyncEngine, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_telegram
    delay = [0.0]
    slow_sends(fake, delay)
    server = Server(migrated_url, fake, tmp_path)  # not a first start: the database is migrated
    resent: Counter[int] = Counter()
    traffic: asyncio.Future[list[int]] | None = None
    await server.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            traffic = asyncio.ensure_future(
                asyncio.wait_for(
                    asyncio.gather(*(citizen(i, session, server, fake, resent) for i in range(CITIZENS))), DEADLINE
                )
            )
            deadline = time.monotonic() + DEADLINE
            while sum(bool(CODE.search(s.text)) for s in fake.sent) < KILL_AFTER_CODES:
                assert time.monotonic() < deadline and not traffic.done(), "no applications were confirmed"
                await asyncio.sleep(0.02)
            delay[0] = SLOW_SEND
            await asyncio.sleep(SLOW_SEND * 2)
            server.kill()
            delay[0] = 0.0
            codes_at_kill = {m.group(1) for s in fake.sent if (m := CODE.search(s.text))}
            async with db.begin() as conn:
                at_kill = dict(
                    (
                        await conn.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
                    ).all()
                )
                claimed = Counter(
                    (
                        await conn.execute(select(OutboxMessage.chat_id).where(OutboxMessage.status == "sending"))
                    ).scalars()
                )
            await server.start()
            finished = await traffic
        assert sorted(finished) == list(range(CITIZENS))
        assert 0 < len(codes_at_kill) < CITIZENS, "the kill should fall in the middle of the applications"
        assert claimed, f"no reply was caught mid-send (outbox at the kill: {at_kill})"
        assert sum(resent.values()) > 0, "no update was in flight at the kill"

        # Replies the dead process had claimed (after the lease), and those it never got to, are sent by the new one.
        deadline = time.monotonic() + LEASE_SECONDS + 15
        while True:
            async with db.connect() as conn:
                left = (
                    await conn.execute(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(OutboxMessage.status.in_(["queued", "sending"]))
                    )
                ).scalar_one()
            if not left:
                break
            assert time.monotonic() < deadline, f"{left} outbox rows still queued/sending; see {server.log}"
            await asyncio.sleep(0.2)

        async with db.connect() as conn:
            applications = (await conn.execute(select(Application.chat_id, Application.code))).all()
            conversations = (
                await conn.execute(select(Conversation.chat_id, Conversation.state, Conversation.version))
            ).all()
            events = (await conn.execute(select(func.count()).select_from(ProcessedEvent))).scalar_one()
            outbox = (await conn.execute(select(OutboxMessage.chat_id, OutboxMessage.status))).all()
    finally:
        if traffic is not None and not traffic.done():
            traffic.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await traffic
        await server.stop()

    chats = {str(FIRST_CHAT + i) for i in range(CITIZENS)}
    stored = {chat: code for chat, code in applications}
    told: dict[str, Counter[str]] = {chat: Counter() for chat in chats}
    for sent in fake.sent:
        if match := CODE.search(sent.text):
            told[str(sent.chat_id)][match.group(1).replace("-", "")] += 1
    # Each citizen has exactly one application, and every code a citizen was told is that one.
    assert sorted(chat for chat, _code in applications) == sorted(chats)
    for chat in chats:
        assert set(told[chat]) == {stored[chat]}, (chat, told[chat], stored[chat])
        # Once, or twice if that reply was caught mid-send by the kill.
        assert 1 <= told[chat][stored[chat]] <= 1 + claimed[chat], (chat, told[chat])
    # No conversation state was lost: every update was applied exactly once, and all ended at the menu.
    assert {(chat, state, version) for chat, state, version in conversations} == {
        (chat, "menu", len(steps(0))) for chat in chats
    }
    assert events == CITIZENS * len(steps(0))
    # Every reply was sent (at least once, and at most once more for the rows the dead process had claimed).
    assert {status for _chat, status in outbox} == {"sent"}
    rows_per_chat = Counter(chat for chat, _status in outbox)
    sent_per_chat = Counter(str(s.chat_id) for s in fake.sent)
    for chat in chats:
        assert rows_per_chat[chat] <= sent_per_chat[chat] <= rows_per_chat[chat] + claimed[chat], chat
