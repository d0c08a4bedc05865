"""Inbound strings with U+0000, lone surrogates or non-characters are cleaned at the adapter boundary
(issue 14): PostgreSQL rejects U+0000 in text and no driver can encode a lone surrogate, so such a
name used to fail every delivery (503, redelivered forever)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import HoTro
from bot.channels.console import run_console
from bot.channels.inbound import clean
from bot.channels.telegram import webhook_secret
from bot.channels.zalo import ZaloChannel, setup_zalo
from bot.web import TELEGRAM_PATH, build_web_app
from storage.models import ChannelUser
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.test_zalo import ZaloUser, zalo_config

DIRTY = "Lan\x00\ud800 \ufffe\U0010ffff"


def test_clean_drops_nul_surrogates_and_noncharacters_and_keeps_vietnamese() -> None:
    assert clean(DIRTY) == "Lan "
    assert clean("Nguyễn Văn An\n📝") == "Nguyễn Văn An\n📝"
    assert clean("\udc80\ud83d\ude00") == "😀"  # a surrogate pair that arrived split is joined again
    assert clean(None) is None


async def test_a_telegram_sender_whose_name_has_nul_gets_answered(app: HoTro, fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    bot = fake.bot()
    await bot.initialize()
    client = TestClient(TestServer(build_web_app(app, bot), host="127.0.0.1"))
    await client.start_server()
    try:
        update = fake.text_update(4001, "/start")
        update["message"]["from"]["first_name"] = DIRTY
        update["message"]["from"]["username"] = "lan\x00"
        update["message"]["chat"]["first_name"] = DIRTY
        headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(app.settings)}
        response = await client.post(TELEGRAM_PATH, json=update, headers=headers)
        assert response.status == 200
        assert fake.texts_to(4001)[0].startswith("Xin chào Lan")
        caption = fake.photo_update(4001)
        caption["message"]["caption"] = "giấy\x00 phép\ud800"
        assert (await client.post(TELEGRAM_PATH, json=caption, headers=headers)).status == 200
        text = fake.text_update(4001, "trợ giúp\x00\udfff")
        assert (await client.post(TELEGRAM_PATH, json=text, headers=headers)).status == 200
        assert len(fake.texts_to(4001)) >= 4
    finally:
        await client.close()
        await bot.shutdown()
    async with app.sessions() as session:
        user = (await session.execute(select(ChannelUser))).scalar_one()
    assert user.display_name is None or "\x00" not in user.display_name


@pytest.fixture
async def zalo(app: HoTro) -> AsyncIterator[tuple[FakeZalo, TestClient, ZaloChannel]]:
    fake = await FakeZalo().start()
    web_app = web.Application()
    channel = setup_zalo(web_app, app, zalo_config(fake))
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    yield fake, client, channel
    await client.close()
    await fake.stop()


async def test_a_zalo_text_with_nul_and_a_lone_surrogate_gets_answered(
    zalo: tuple[FakeZalo, TestClient, ZaloChannel],
) -> None:
    fake, client, channel = zalo
    lan = ZaloUser((client, channel), fake, "5551234")
    event = fake.text_event("5551234", "/start\x00\ud800")
    event["sender"]["id"] = "5551234\x00"
    event["message"]["msg_id"] += "\ud800"
    assert await lan.post(event) == 200
    assert fake.texts_to("5551234") and fake.texts_to("5551234")[0].startswith("Xin chào")


async def test_a_console_line_with_nul_gets_answered(app: HoTro) -> None:
    out = io.StringIO()
    await run_console(app, "local", stdin=io.StringIO("trợ giúp\x00\ud800\n"), stdout=out)
    assert "Cách dùng HoTro" in out.getvalue()
