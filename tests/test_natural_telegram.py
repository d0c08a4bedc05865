"""Issue 18 through the real PTB stack (webhook) and the fake Bot API: natural answers, registration on
someone's behalf and the citizen following it from their own Telegram chat."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import HoTro
from messages.vocabulary import Channel, Role
from storage.applications import fields_of
from storage.models import Application
from storage.officials import add_official
from tests.applications import NHAT_TIEN
from tests.fakes.telegram_api import FakeTelegram
from tests.tg_driver import telegram_user


async def test_a_free_worker_answers_in_words_through_telegram(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    binh = telegram_user(client, fake_telegram, app, 5101)
    await binh.say("/start")
    await binh.press("Đăng ký hỗ trợ")
    await binh.press("Lao động tự do")
    await binh.press("Tôi đồng ý")
    for text in ["trần thị bình", "2/3/1990", "nữ", "001190012345", "0912345679"]:
        await binh.say(text)
    await binh.press("Tỉnh Lạng Sơn")
    for text in ["huu lung", "nhat tien", "thôn Đồng Lâm", "ừ", "bán vé số", "chợ Hữu Lũng", "15/07/2021"]:
        await binh.say(text)
    await binh.say("hôm qua")
    await binh.say("chuyển khoản")
    await binh.say("ngân hàng nông nghiệp")
    await binh.say("1234 5678 9012")
    await binh.say("TRAN THI BINH")
    await binh.press("Bỏ qua")
    summary = binh.last_text
    assert "Bán lẻ vé số lưu động" in summary and "Agribank" in summary and "TRAN THI BINH" in summary
    await binh.press("Xác nhận")
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
    assert application.bank_name == "Agribank" and fields_of(application, app.protector)["same_address"] == "yes"


async def test_a_helper_registers_and_the_citizen_follows_through_telegram(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    async with app.sessions.begin() as session:
        await add_official(session, Channel.TELEGRAM, "5201", Role.HELPER, NHAT_TIEN, "Trưởng thôn Đồng Lâm")
    helper = telegram_user(client, fake_telegram, app, 5201)
    await helper.say("/start")
    await helper.press("Đăng ký hộ người dân")
    await helper.press("Lao động tự do")
    await helper.press("Người dân đã đồng ý trực tiếp")
    for text in ["hoàng thị mai", "12/03/1960", "nữ", "001160012345"]:
        await helper.say(text)
    await helper.press("Bỏ qua")  # no phone
    # The helper's commune is the permanent residence already: the house and hamlet come next.
    for text in ["thôn Đồng Lâm", "có", "phế liệu", "chợ Hữu Lũng", "01/08/2021", "hôm nay", "tiền mặt"]:
        await helper.say(text)
    await helper.press("Bỏ qua")
    assert "Xã Nhật Tiến" in helper.last_text
    sent = await helper.press("Xác nhận")
    match = re.search(r"TD-[0-9A-Z]{4}-[0-9A-Z]{4}", sent[0].text)
    assert match and "Đã đăng ký hồ sơ cho Hoàng Thị Mai" in sent[0].text

    mai = telegram_user(client, fake_telegram, app, 5202)  # later, from a phone of her own
    await mai.say("/start")
    await mai.press("Hồ sơ của tôi")
    await mai.press("Tra cứu bằng mã hồ sơ")
    await mai.say(match[0])
    await mai.say("2345")
    await mai.press("Theo dõi hồ sơ này")
    assert "gắn với cuộc trò chuyện này" in mai.last_text
    assert "đã tự theo dõi hồ sơ" in helper.last_text
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
    assert (application.channel, application.chat_id) == ("telegram", "5202") and application.assisted_by
