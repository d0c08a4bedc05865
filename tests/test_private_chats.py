"""Groups, supergroups and channels through the real PTB stack (webhook) and the fake Bot API: at most one
note per group asking to write privately, nothing stored, no official's action, other bots' commands ignored."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.app import HoTro
from bot.channels.telegram import webhook_secret
from bot.web import TELEGRAM_PATH
from storage.models import ChannelUser, Conversation
from storage.officials import add_official
from tests.applications import submit_household
from tests.chat import Chat
from tests.fakes.telegram_api import FakeTelegram

GROUP, SUPERGROUP, CHANNEL_ID = -4001, -1004002, -1004003
MEMBER, OFFICIAL = 6101, 6102


async def post(client: TestClient, app: HoTro, update: dict[str, Any]) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(app.settings)}
    response = await client.post(TELEGRAM_PATH, json=update, headers=headers)
    assert response.status == 200


async def stored_chats(app: HoTro) -> set[str]:
    async with app.sessions() as session:
        conversations = set((await session.execute(select(Conversation.chat_id))).scalars())
        users = set((await session.execute(select(ChannelUser.chat_id))).scalars())
    return conversations | users


async def test_a_group_gets_one_note_and_nothing_is_stored(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    for text in ("/start", "/start@HoTroTestBot", "Đăng ký hỗ trợ", "/hoso"):
        await post(client, app, fake_telegram.group_text_update(GROUP, MEMBER, text))
    await post(client, app, fake_telegram.group_text_update(SUPERGROUP, MEMBER, "/start", "supergroup"))
    await post(client, app, fake_telegram.group_text_update(SUPERGROUP, MEMBER + 1, "/start", "supergroup"))
    [note] = fake_telegram.texts_to(GROUP)
    assert "nhắn tin riêng" in note and "t.me/HoTroTestBot" in note
    assert len(fake_telegram.texts_to(SUPERGROUP)) == 1
    assert fake_telegram.texts_to(MEMBER) == []
    assert await stored_chats(app) == set()


async def test_officials_actions_never_run_in_a_group(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    async with app.sessions.begin() as session:
        await add_official(session, "telegram", str(OFFICIAL), "commune", 6418, None)
    await post(client, app, fake_telegram.group_text_update(GROUP, OFFICIAL, "/canbo"))
    await post(client, app, fake_telegram.group_callback_update(GROUP, OFFICIAL, f"of:o:{application.id}"))
    await post(client, app, fake_telegram.group_callback_update(GROUP, OFFICIAL, f"wdy:{application.code}"))
    texts = "\n".join(fake_telegram.texts_to(GROUP))
    assert "001085012345" not in texts and "Nguyễn Văn An" not in texts and "Số hồ sơ" not in texts
    assert len(fake_telegram.texts_to(GROUP)) <= 1
    async with app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Conversation))).scalar_one() == 1
    assert str(GROUP) not in await stored_chats(app)


async def test_a_channel_post_is_not_answered(app: HoTro, fake_telegram: FakeTelegram, client: TestClient) -> None:
    await post(client, app, fake_telegram.channel_post_update(CHANNEL_ID, "/start"))
    assert fake_telegram.texts_to(CHANNEL_ID) == [] and await stored_chats(app) == set()


async def test_commands_for_another_bot_are_ignored(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    await post(client, app, fake_telegram.text_update(MEMBER, "/start@OtherBot"))
    await post(client, app, fake_telegram.group_text_update(GROUP, MEMBER, "/start@OtherBot"))
    assert fake_telegram.texts_to(MEMBER) == [] and fake_telegram.texts_to(GROUP) == []
    await post(client, app, fake_telegram.text_update(MEMBER, "/start@HoTroTestBot"))  # ours, in private: works
    assert "Xin chào" in fake_telegram.texts_to(MEMBER)[0]
