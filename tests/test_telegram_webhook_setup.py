"""`hotro serve` and the Telegram webhook: settings checked at start, transient setWebhook failures retried
in the background while the rest of the server serves, /healthz degraded until registered (issue 14)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from bot.channels.telegram_webhook import ALLOWED_UPDATES, webhook_problems
from bot.config import Settings
from bot.server import serve
from tests.commands import migrated_url
from tests.conftest import PG_URL, TEST_KEY
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.net import free_port

__all__ = ["migrated_url"]  # the fixture, used by name

SECRET = "webhook_secret-1"


def serve_settings(db_url: str, tmp_path: Path, fake: FakeTelegram, **changes: object) -> Settings:
    values: dict[str, object] = {
        "database_url": db_url,
        "data_dir": tmp_path,
        "data_key": TEST_KEY if PG_URL else None,  # PostgreSQL needs a given key
        "telegram_token": TOKEN,
        "telegram_base_url": fake.base_url,
        "telegram_webhook_url": "https://bot.example.org",
        "telegram_webhook_secret": SECRET,
        "web_port": free_port(),
        "telegram_retry_seconds": 0.1,  # the backoff after a 5xx or an unreachable Bot API, from 1 s
    }
    return Settings(_env_file=None, **{**values, **changes})  # type: ignore[arg-type]


async def _health(port: int) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, await response.json()


async def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_transient_set_webhook_failures_are_retried_while_the_server_serves(
    migrated_url: str, tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    fake.set_webhook_failures = [(429, 1), (502, None), (500, None)]
    settings = serve_settings(migrated_url, tmp_path, fake)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, settings.web_port, stop))
    try:
        await _wait_for(lambda: any(m == "setWebhook" for m, _p in fake.calls))
        status, body = await _health(settings.web_port)
        assert status == 200 and body["status"] == "degraded" and "telegram" in body
        await _wait_for(lambda: fake.webhook is not None)
        status, body = await _health(settings.web_port)
        assert (status, body) == (200, {"status": "ok"})
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)
    assert fake.webhook is not None
    assert fake.webhook["url"] == "https://bot.example.org/telegram/webhook"
    assert fake.webhook["secret_token"] == SECRET
    assert set(fake.webhook["allowed_updates"]) == set(ALLOWED_UPDATES) >= {"my_chat_member"}
    assert [m for m, _p in fake.calls].count("setWebhook") == 4


async def test_an_unreachable_bot_api_does_not_stop_the_server(migrated_url: str, tmp_path: Path) -> None:
    fake = FakeTelegram()
    fake.port = free_port()  # nothing listens there yet
    settings = serve_settings(migrated_url, tmp_path, fake)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, settings.web_port, stop))
    try:
        await _wait_for(lambda: not server.done() and _listening(settings.web_port))
        status, body = await _health(settings.web_port)
        assert status == 200 and body["status"] == "degraded"
        fake.port = int(settings.telegram_base_url.split(":")[2].split("/")[0])
        await fake._start_on(fake.port)
        await _wait_for(lambda: fake.webhook is not None, timeout=40)
        assert (await _health(settings.web_port))[1] == {"status": "ok"}
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)
        await fake.stop()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(
    ("url", "secret", "expected"),
    [
        ("http://bot.example.org", SECRET, "https://"),
        ("https://bot.example.org:8080", SECRET, "cổng 8080"),
        ("https://bot.example.org", "bí mật", "A-Z, a-z, 0-9"),
        ("https://bot.example.org", "x" * 257, "1 đến 256"),
    ],
)
async def test_bad_webhook_settings_stop_the_start_with_a_clear_message(
    migrated_url: str, tmp_path: Path, fake_telegram: FakeTelegram, url: str, secret: str, expected: str
) -> None:
    settings = serve_settings(
        migrated_url, tmp_path, fake_telegram, telegram_webhook_url=url, telegram_webhook_secret=secret
    )
    with pytest.raises(SystemExit) as stopped:
        await serve(settings, settings.web_port, asyncio.Event())
    assert expected in str(stopped.value)
    assert not any(m == "setWebhook" for m, _p in fake_telegram.calls)


def test_webhook_rules() -> None:
    assert webhook_problems("https://bot.example.org:8443/x", "a-Z_9") == []
    assert webhook_problems("https://bot.example.org:88", "s") == []
    assert len(webhook_problems("http://bot.example.org:81", "")) == 3


async def test_serve_puts_metrics_on_their_own_port_only(
    migrated_url: str, tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    settings = serve_settings(migrated_url, tmp_path, fake_telegram, metrics_port=free_port())
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, settings.web_port, stop))
    try:
        await _wait_for(lambda: _listening(settings.web_port) and _listening(settings.metrics_port))
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{settings.metrics_port}/metrics") as response:
                assert response.status == 200 and "hotro_updates" in await response.text()
            async with session.get(f"http://127.0.0.1:{settings.web_port}/metrics") as response:
                assert response.status == 404  # not to whoever reaches the webhook port
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)
