"""Telegram as it behaves (issue 14), through the real PTB stack (webhook) and the fake Bot API."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot import officials_cli
from bot.app import HoTro
from bot.channels.telegram import webhook_secret
from bot.channels.telegram_webhook import ALLOWED_UPDATES
from bot.report_jobs import send_daily_reports
from bot.web import TELEGRAM_PATH
from storage.models import ChannelUser, OutboxMessage
from storage.officials import add_official
from tests.fakes.telegram_api import FakeTelegram
from tests.tg_driver import household_after_the_phone, household_up_to_the_phone, telegram_user

OFFICIAL = 7301


async def test_a_report_to_an_official_who_never_opened_the_bot_waits_for_them(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = fake_telegram
    fake.never_started.add(OFFICIAL)
    async with app.sessions.begin() as session:
        await add_official(session, "telegram", str(OFFICIAL), "commune", 6418, "Cán bộ xã")
    assert await send_daily_reports(app, date(2021, 8, 20), datetime(2021, 8, 20, 8, tzinfo=UTC)) == 1
    await app.sender.deliver()
    assert fake.rejected_403 == 1 and fake.texts_to(OFFICIAL) == []
    async with app.sessions() as session:
        row = (await session.execute(select(OutboxMessage))).scalar_one()
        users = (await session.execute(select(ChannelUser))).scalars().all()
    assert row.status == "held"  # not failed: the report is delivered once the official writes
    assert all(u.status != "blocked" for u in users)

    await officials_cli.run(app.settings, argparse.Namespace(action="list"))
    listing = capsys.readouterr().out
    assert "chưa mở cuộc trò chuyện với bot" in listing and "1 tin" in listing

    sent = await telegram_user(client, fake, app, OFFICIAL).say("/start")
    await app.sender.deliver()
    texts = fake.texts_to(OFFICIAL)
    assert texts[0].startswith("BÁO CÁO TIẾN ĐỘ"), texts  # the report first, then the greeting
    assert sent  # the greeting too
    async with app.sessions() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert "held" not in statuses


async def test_an_official_who_opens_the_bot_days_later_gets_the_latest_report_only(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    fake = fake_telegram
    fake.never_started.add(OFFICIAL)
    async with app.sessions.begin() as session:
        await add_official(session, "telegram", str(OFFICIAL), "commune", 6418, "Cán bộ xã")
    for day in (20, 21, 22):
        assert await send_daily_reports(app, date(2021, 8, day), datetime(2021, 8, day, 8, tzinfo=UTC)) == 1
        await app.sender.deliver()
    await telegram_user(client, fake, app, OFFICIAL).say("/start")
    await app.sender.deliver()
    reports = [text for text in fake.texts_to(OFFICIAL) if text.startswith("BÁO CÁO TIẾN ĐỘ")]
    assert len(reports) == 1 and "22/08/2021" in reports[0]


async def test_blocked_by_the_user_is_still_blocked(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    fake = fake_telegram
    lan = telegram_user(client, fake, app, 7302)
    await lan.say("/start")
    fake.blocked.add(7302)
    async with app.sessions.begin() as session:
        from storage import outbox

        await outbox.enqueue(
            session, "telegram", "7302", {"text": "Thông báo", "buttons": []}, datetime.now(UTC), app.protector
        )
    await app.sender.deliver()
    async with app.sessions() as session:
        status = (await session.execute(select(ChannelUser.status))).scalar_one()
    assert status == "blocked"


def _member_update(fake: FakeTelegram, user_id: int, old: str, new: str) -> dict[str, object]:
    """my_chat_member in a private chat: the bot's own membership changed, i.e. the user blocked
    ("kicked") or unblocked ("member") it (core.telegram.org/bots/api#chatmemberupdated)."""
    bot_user = {"id": 7000001, "is_bot": True, "first_name": "HoTro"}
    return {
        "update_id": next(fake._update_ids),
        "my_chat_member": {
            "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
            "from": fake.user(user_id),
            "date": int(datetime.now(UTC).timestamp()),
            "old_chat_member": {"status": old, "user": bot_user, **({"until_date": 0} if old == "kicked" else {})},
            "new_chat_member": {"status": new, "user": bot_user, **({"until_date": 0} if new == "kicked" else {})},
        },
    }


async def test_my_chat_member_marks_a_user_blocked_and_active_again(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    fake = fake_telegram
    await telegram_user(client, fake, app, 7303).say("/start")
    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(app.settings)}

    async def status_after(update: dict[str, object]) -> str:
        response = await client.post(TELEGRAM_PATH, json=update, headers=headers)
        assert response.status == 200
        async with app.sessions() as session:
            return (await session.execute(select(ChannelUser.status))).scalar_one()

    assert await status_after(_member_update(fake, 7303, "member", "kicked")) == "blocked"
    assert await status_after(_member_update(fake, 7303, "kicked", "member")) == "active"
    assert len(fake.texts_to(7303)) == 2  # greeting and menu only: a membership change is not a message


def _file(name: str, **extra: object) -> dict[str, object]:
    return {"file_id": f"{name}-id", "file_unique_id": f"{name}-u", **extra}


# Message contents as the Bot API sends them (core.telegram.org/bots/api#message and its types).
UNUSABLE = {
    "sticker": {"sticker": _file("st", type="regular", width=512, height=512, is_animated=False, is_video=False)},
    "voice": {"voice": _file("vo", duration=3)},
    "audio": {"audio": _file("au", duration=120)},
    "location": {"location": {"latitude": 21.85, "longitude": 106.76}},
    "dice": {"dice": {"emoji": "🎲", "value": 4}},
    "video": {"video": _file("vi", width=640, height=360, duration=10)},
}


@pytest.mark.parametrize("kind", list(UNUSABLE))
async def test_unusable_messages_get_an_answer_saying_what_the_bot_accepts(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient, kind: str
) -> None:
    lan = telegram_user(client, fake_telegram, app, 7400)
    await lan.say("/start")
    sent = await lan._post(fake_telegram.message_update(7400, UNUSABLE[kind]))
    assert sent, f"no reply to a {kind}"
    assert "gõ" in sent[0].text and "nút" in sent[0].text  # what the bot accepts
    assert sent[-1].buttons  # the menu again, so '#N' still works


async def test_a_voice_message_is_told_who_can_help_someone_who_cannot_type(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    """One who speaks to the bot may not be able to type: the answer said only "type your message"."""
    app.settings.hotline = "0205 3812 345"
    lan = telegram_user(client, fake_telegram, app, 7402)
    await lan.say("/start")
    sent = await lan._post(fake_telegram.message_update(7402, UNUSABLE["voice"]))
    assert "trưởng thôn" in sent[0].text and "0205 3812 345" in sent[0].text, sent[0].text


async def test_a_sticker_in_the_middle_of_a_form_re_asks_the_step(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    lan = telegram_user(client, fake_telegram, app, 7401)
    await lan.say("/start")
    await lan.press("Đăng ký hỗ trợ")
    await lan.press("Hộ kinh doanh")
    await lan.press("Tôi đồng ý")
    await lan.press("Bán hàng rong")
    asked = lan.last_text
    sent = await lan._post(fake_telegram.message_update(7401, UNUSABLE["sticker"]))
    assert "nhãn dán" in sent[0].text
    assert sent[-1].text == asked  # the same question again, nothing lost


async def test_a_contact_shared_at_the_phone_step_is_the_phone_number(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    """Telegram's attachment menu shares one's own contact card in two taps; its phone_number is the answer.
    The Bot API sends it without a "+" at times ("84912345678"), so it is read as typed."""
    from storage.applications import phone_of
    from storage.models import Application

    lan = telegram_user(client, fake_telegram, app, 7404)
    await household_up_to_the_phone(lan)
    card = {"contact": {"phone_number": "84912345678", "first_name": "Lan", "user_id": 7404}}
    sent = await lan._post(fake_telegram.message_update(7404, card))
    assert "Tên hộ kinh doanh" in sent[-1].text, sent[-1].text  # the next step: the phone was taken
    await household_after_the_phone(lan)
    await lan.press("Bỏ qua")
    await lan.press("Xác nhận")
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
    assert phone_of(application, app.protector) == "0912345678"


async def test_a_contact_card_outside_a_form_is_not_asked_for(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    lan = telegram_user(client, fake_telegram, app, 7405)
    await lan.say("/start")
    card = {"contact": {"phone_number": "+84912345678", "first_name": "An"}}
    sent = await lan._post(fake_telegram.message_update(7405, card))
    assert "không cần gửi" in sent[0].text, sent[0].text  # a phone number needs not be sent here
    assert sent[-1].buttons


async def test_a_photo_outside_a_form_gets_a_helpful_answer(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    lan = telegram_user(client, fake_telegram, app, 7402)
    await lan.say("/start")
    sent = await lan.photo("AgACAgIAAx-photo-9")
    assert "chưa hiểu" not in sent[0].text
    assert "Đăng ký hỗ trợ" in sent[0].text and sent[-1].buttons


async def test_a_photo_caption_at_the_upload_step_is_kept(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    from storage.models import Application, Attachment

    lan = telegram_user(client, fake_telegram, app, 7403)
    await household_up_to_the_phone(lan)
    await lan.say("0912345678")
    await household_after_the_phone(lan)
    photo = fake_telegram.photo_update(7403, "AgACAgIAAx-photo-7")
    photo["message"]["caption"] = "Thông báo tạm dừng kinh doanh"
    sent = await lan._post(photo)
    assert "Đã nhận" in sent[0].text
    await lan.press("Xong")
    await lan.press("Xác nhận")
    async with app.sessions() as session:
        assert (await session.execute(select(Application))).scalar_one()
        attachment = (await session.execute(select(Attachment))).scalar_one()
    assert attachment.file_name == "Thông báo tạm dừng kinh doanh"


async def test_the_fake_refuses_what_the_bot_api_refuses(fake_telegram: FakeTelegram) -> None:
    """The fake is only worth its tests if it rejects what Telegram rejects (limits of sendMessage)."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import BadRequest

    bot = fake_telegram.bot()
    await bot.initialize()
    try:
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(7500, "a" * 4097)
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(7500, "ok", reply_markup=markup)
        await bot.send_message(7500, "a" * 4096)
    finally:
        await bot.shutdown()
    assert len(fake_telegram.sent) == 1


async def test_an_edited_message_is_told_how_to_change_an_answer(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    """An answer edited in Telegram was never seen (edited_message was not asked for): the citizen believed the
    form held the corrected value. Now the edit is answered, the form keeps its step and nothing is taken."""
    lan = telegram_user(client, fake_telegram, app, 7402)
    await household_up_to_the_phone(lan)
    asked = fake_telegram.texts_to(7402)[-1]
    sent = await lan.edit("001175012399")
    texts = [s.text for s in sent]
    assert any("sửa" in t and "Quay lại" in t for t in texts), texts
    assert texts[-1] == asked  # the same step asked again
    assert "edited_message" in ALLOWED_UPDATES
