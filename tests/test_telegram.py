"""End to end through the real python-telegram-bot stack against a fake Bot API on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestClient, TestServer
from telegram import Bot

from bot.app import HoTro
from bot.channels.telegram import TelegramTransport, run_polling, webhook_secret
from bot.web import TELEGRAM_PATH, build_web_app
from tests.fakes.telegram_api import FakeTelegram

CITIZEN = 424242


def make_bot(fake: FakeTelegram) -> Bot:
    return fake.bot()


@asynccontextmanager
async def polling(app: HoTro, fake: FakeTelegram) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(app, make_bot(fake), stop, poll_timeout=1))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_polling_start_and_button_press(app: HoTro, fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    async with polling(app, fake):
        fake.push(fake.text_update(CITIZEN, "/start"))
        sent = await fake.wait_for_messages(CITIZEN, 2)
        assert sent[0].text.startswith("Xin chào Lan!")
        labels = [b["text"] for row in sent[1].buttons for b in row]
        assert "Trợ giúp" in labels
        help_button = next(b for row in sent[1].buttons for b in row if b["text"] == "Trợ giúp")
        fake.push(fake.callback_update(CITIZEN, help_button["callback_data"]))
        sent = await fake.wait_for_messages(CITIZEN, 3)
        assert "Cách dùng HoTro" in sent[2].text
    methods = [m for m, _p in fake.calls]
    assert "getMe" in methods and "getUpdates" in methods and "deleteWebhook" in methods
    assert "answerCallbackQuery" in methods


async def test_bot_api_calls_beyond_the_pool_wait_their_turn(fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    fake.delay = 0.05
    bot = fake.bot(16)
    await bot.initialize()
    transport = TelegramTransport(bot, max_calls=3)
    try:
        payload = {"text": "Thông báo", "buttons": []}
        await asyncio.gather(*(transport.send(str(CITIZEN + n), payload) for n in range(12)))
    finally:
        await bot.shutdown()
    assert len(fake.sent) == 12
    assert fake.max_in_flight == 3


async def test_a_reply_longer_than_one_telegram_message_is_sent_in_parts(fake_telegram: FakeTelegram) -> None:
    """sendMessage takes 1-4096 characters (core.telegram.org/bots/api#sendmessage): a longer reply is cut at
    paragraph boundaries into several messages, in order, with the buttons under the last; nothing is lost."""
    fake = fake_telegram
    bot = fake.bot()
    await bot.initialize()
    paragraphs = [f"Đoạn {n}: " + " ".join(["hỗ trợ người lao động"] * 20) for n in range(30)]
    text = "\n\n".join(paragraphs)
    assert len(text) == 13_488
    button = {"label": "Về trang chính", "action": "menu"}
    try:
        await TelegramTransport(bot).send(str(CITIZEN), {"text": text, "buttons": [[button]]})
    finally:
        await bot.shutdown()
    parts = fake.texts_to(CITIZEN)
    assert len(parts) == 4 and all(len(part) <= 4096 for part in parts)  # 13,488 characters
    assert "\n\n".join(parts) == text  # cut between paragraphs, none split or dropped
    assert [s.buttons for s in fake.sent[:-1]] == [[], [], []]
    assert [b["text"] for row in fake.sent[-1].buttons for b in row] == ["Về trang chính"]


@asynccontextmanager
async def webhook_client(app: HoTro, fake: FakeTelegram) -> AsyncIterator[TestClient]:
    bot = make_bot(fake)
    await bot.initialize()
    client = TestClient(TestServer(build_web_app(app, bot), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
        await bot.shutdown()


async def test_webhook_checks_secret_and_handles_a_redelivered_update_once(
    app: HoTro, fake_telegram: FakeTelegram
) -> None:
    fake = fake_telegram
    secret = webhook_secret(app.settings)
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    app.settings.metrics_token = "scrape-token"
    async with webhook_client(app, fake) as client:
        update = fake.text_update(CITIZEN, "/start")
        bad = await client.post(TELEGRAM_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
        assert bad.status == 403
        assert fake.sent == []
        for _ in range(2):  # Telegram redelivers when it missed our answer
            response = await client.post(TELEGRAM_PATH, json=update, headers=headers)
            assert response.status == 200
        assert len(fake.texts_to(CITIZEN)) == 2  # greeting + menu, once
        garbage = await client.post(TELEGRAM_PATH, data=b"{not json", headers=headers)
        assert garbage.status == 200  # a poison update is dropped, not retried forever
        health = await client.get("/healthz")
        assert health.status == 200 and (await health.json())["status"] == "ok"
        metrics = await (await client.get("/metrics", headers={"Authorization": "Bearer scrape-token"})).text()
        assert 'hotro_updates_total{channel="telegram",outcome="ok"} 1.0' in metrics
        assert 'hotro_updates_total{channel="telegram",outcome="duplicate"} 1.0' in metrics
        assert 'hotro_messages_sent_total{channel="telegram",outcome="sent"} 2.0' in metrics
        assert "hotro_turn_seconds_bucket" in metrics and "hotro_outbox_depth 0.0" in metrics


async def test_webhook_returns_200_even_when_sending_fails(app: HoTro, fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    fake.blocked.add(CITIZEN)
    async with webhook_client(app, fake) as client:
        response = await client.post(
            TELEGRAM_PATH,
            json=fake.text_update(CITIZEN, "/start"),
            headers={"X-Telegram-Bot-Api-Secret-Token": webhook_secret(app.settings)},
        )
        assert response.status == 200
    assert fake.rejected_403 >= 1


async def test_webhook_asks_for_redelivery_while_the_database_is_down(app: HoTro, fake_telegram: FakeTelegram) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    fake = fake_telegram
    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(app.settings)}
    update = fake.text_update(CITIZEN, "/start")
    working = app.engine.sessions
    broken = create_async_engine("sqlite+aiosqlite:////nonexistent-dir/hotro.db")
    async with webhook_client(app, fake) as client:
        app.engine.sessions = async_sessionmaker(broken)  # a real connection failure, not a mock
        response = await client.post(TELEGRAM_PATH, json=update, headers=headers)
        assert response.status == 503 and fake.sent == []
        app.engine.sessions = working  # the database is back; Telegram redelivers the same update
        response = await client.post(TELEGRAM_PATH, json=update, headers=headers)
        assert response.status == 200
        assert fake.texts_to(CITIZEN)[0].startswith("Xin chào")
    await broken.dispose()
