"""Long polling (`hotro telegram`) through the real PTB stack and the fake Bot API: an update PTB cannot
parse is skipped once instead of blocking every later update, and SIGTERM ends the process cleanly (issue 14)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from bot.app import HoTro
from bot.channels.telegram import make_bot, run_polling
from bot.channels.telegram_webhook import ALLOWED_UPDATES
from tests.commands import migrated_url
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.prestarted import run_bot

__all__ = ["migrated_url"]  # the fixture, used by name

CITIZEN = 515151
# A message whose date is not a Unix time: PTB's Update.de_json raises on it.
POISON = {"message_id": 1, "date": "yesterday", "chat": {"id": CITIZEN, "type": "private"}, "text": "hi"}


def _get_updates(fake: FakeTelegram) -> list[dict[str, object]]:
    return [params for method, params in fake.calls if method == "getUpdates"]


async def test_an_unparseable_update_is_skipped_and_the_next_one_answered(
    app: HoTro, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    app.settings.telegram_token = TOKEN
    app.settings.telegram_base_url = fake.base_url
    poison = fake.push({"update_id": 900, "message": POISON})
    fake.push(fake.text_update(CITIZEN, "/start", update_id=901))
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(app, make_bot(app.settings), stop, poll_timeout=1))
    try:
        sent = await fake.wait_for_messages(CITIZEN, 2, timeout=10)
        assert sent[0].text.startswith("Xin chào")
        # Until the poller asks past the last update: both are confirmed, none is fetched again.
        async with asyncio.timeout(10):
            while not any(int(p.get("offset") or 0) > 901 for p in _get_updates(fake)):
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    polls = _get_updates(fake)
    assert len(polls) < 30, f"{len(polls)} getUpdates calls: the poison update was fetched again and again"
    assert any(int(p.get("offset") or 0) > poison["update_id"] for p in polls)
    assert set(polls[0]["allowed_updates"]) == set(ALLOWED_UPDATES)  # type: ignore[arg-type]


async def test_sigterm_ends_polling_with_exit_0(fake_telegram: FakeTelegram, tmp_path: Path, migrated_url: str) -> None:
    fake = fake_telegram
    fake.push({"update_id": 700, "message": POISON})  # what used to leave "This Application is still running!"
    env = {
        **os.environ,
        "HOTRO_DATABASE_URL": migrated_url,
        "HOTRO_TELEGRAM_TOKEN": TOKEN,
        "HOTRO_TELEGRAM_BASE_URL": fake.base_url,
        "HOTRO_DATA_DIR": str(tmp_path),
        "HOTRO_DATA_KEY": "k" * 44,
        "HOTRO_WARM_START": "false",  # the process's start and stop are tested, not its first answers
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "telegram", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while len(_get_updates(fake)) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert _get_updates(fake), "the process never polled"
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"still running" not in err and b"Traceback" not in err


def _polling_env(fake: FakeTelegram, tmp_path: Path, db_url: str, token: str = TOKEN) -> dict[str, str]:
    return {
        **os.environ,
        "HOTRO_DATABASE_URL": db_url,
        "HOTRO_TELEGRAM_TOKEN": token,
        "HOTRO_TELEGRAM_BASE_URL": fake.base_url,
        "HOTRO_DATA_DIR": str(tmp_path),
        "HOTRO_DATA_KEY": "k" * 44,
        "HOTRO_WARM_START": "false",  # the process's start and stop are tested, not its first answers
    }


async def test_a_refused_token_ends_polling_with_a_clear_message(
    fake_telegram: FakeTelegram, tmp_path: Path, migrated_url: str
) -> None:
    env = _polling_env(fake_telegram, tmp_path, migrated_url, token="7000001:WRONG")
    # In a thread: the fake Bot API answers on this event loop meanwhile.
    result = await asyncio.to_thread(run_bot, "telegram", env=env, cwd=tmp_path, timeout=60)
    lines = [line for line in result.stderr.splitlines() if line.strip() and " ERROR " not in line]
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "HOTRO_TELEGRAM_TOKEN" in lines[-1] and "không chấp nhận" in lines[-1]


async def test_polling_waits_for_an_unreachable_bot_api_and_stops_cleanly(tmp_path: Path, migrated_url: str) -> None:
    from tests.net import free_port

    fake = FakeTelegram()
    fake.port = free_port()  # nothing listens there
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "telegram",
        # The backoff starts from the setting, as `hotro serve`'s does (its default is 1 s).
        env={**_polling_env(fake, tmp_path, migrated_url), "HOTRO_TELEGRAM_RETRY_SECONDS": "0.25"},
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen = b""
    try:
        async with asyncio.timeout(60):  # started (signal handlers set), and retrying getMe twice
            while b"retrying in 0.5s" not in seen:
                line = await proc.stderr.readline()
                assert line, f"polling gave up on an unreachable Bot API: {seen.decode()[-1500:]}"
                seen += line
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), 30)
        err = seen + err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0 and b"Traceback" not in err
    assert b"retrying in 0.25s" in err
