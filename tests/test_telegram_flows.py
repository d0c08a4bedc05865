"""Citizens' journeys through the real PTB stack (webhook) and the fake Bot API."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import HoTro
from storage.applications import fields_of
from storage.models import Application, Attachment
from tests.fakes.telegram_api import FakeTelegram
from tests.tg_driver import household_after_the_phone, household_up_to_the_phone, telegram_user


async def test_household_business_application_through_telegram(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    lan = telegram_user(client, fake_telegram, app, 5001)
    await household_up_to_the_phone(lan)
    await lan.say("0912345678")
    await household_after_the_phone(lan)
    await lan.photo("AgACAgIAAx-photo-1")
    await lan.press("Xong")
    assert "Vũ Thị Lan" in lan.last_text and "1 tệp" in lan.last_text
    sent = await lan.press("Xác nhận")
    assert "Mã hồ sơ" in sent[0].text
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
        files = (await session.execute(select(Attachment.file_id))).scalars().all()
    assert application.channel == "telegram" and application.chat_id == "5001"
    assert files == ["AgACAgIAAx-photo-1"]
    assert "answerCallbackQuery" in [m for m, _p in fake_telegram.calls]


async def test_free_worker_application_through_telegram(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    minh = telegram_user(client, fake_telegram, app, 5002)
    await minh.say("/start")
    await minh.press("Đăng ký hỗ trợ")
    await minh.press("Lao động tự do")
    await minh.press("Tôi đồng ý")
    await minh.say("Đinh Văn Minh")
    await minh.say("20/10/1992")
    await minh.press("Nam")
    await minh.say("020092001234")
    await minh.say("0388 123 456")
    await minh.press("Tỉnh Lạng Sơn")
    await minh.say("huu lung")
    await minh.say("nhat tien")
    await minh.say("thôn Đồng Lâm")
    await minh.press("Có")
    await minh.press("Bốc vác")
    await minh.say("chợ đầu mối Hữu Lũng")
    await minh.say("20/07/2021")
    await minh.say("20/08/2021")
    await minh.press("Nhận tiền mặt")
    await minh.press("Bỏ qua")
    sent = await minh.press("Xác nhận")
    assert "Mã hồ sơ" in sent[0].text
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
    assert application.policy_id == "free_worker" and application.sex == "male"
    assert fields_of(application, app.protector)["occupation"].startswith("Bốc vác")


async def test_full_journey_apply_review_approve_pay_through_telegram(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    from storage.officials import add_official

    async with app.sessions.begin() as session:
        await add_official(session, "telegram", "7001", "commune", 6418, "Cán bộ LĐTBXH xã Nhật Tiến")
    citizen = telegram_user(client, fake_telegram, app, 5003)
    official = telegram_user(client, fake_telegram, app, 7001)
    await citizen.say("/start")
    await citizen.press("Đăng ký hỗ trợ")
    await citizen.press("Hộ kinh doanh")
    await citizen.press("Tôi đồng ý")
    await citizen.press("Có đăng ký kinh doanh")
    for text in ["Lý Văn Hùng", "01/01/1980", "020080012345", "0912000111", "Tạp hóa Hùng", "tạp hóa"]:
        await citizen.say(text)
    await citizen.press("Bỏ qua")
    for text in ["lạng sơn", "hữu lũng", "nhật tiến", "thôn Đồng Lâm", "1/8/2021", "31/8/2021", "Chỉ thị 16"]:
        await citizen.say(text)
    await citizen.press("Nhận tiền mặt")
    await citizen.press("Bỏ qua")
    await citizen.press("Xác nhận")
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()

    await official.say("/start")
    await official.press("Cán bộ")
    await official.press("Đã nộp (1)")
    await official.press("Lý Văn Hùng")
    await official.press("Chuyển UBND huyện")
    await official.press("Xác nhận")
    assert "chuyển lên UBND huyện" in citizen.last_text
    await official.press("Đã chuyển UBND huyện (1)")
    await official.press("Lý Văn Hùng")
    await official.press("Ghi nhận phê duyệt")
    await official.say("567/QĐ-UBND")
    await official.say("hôm nay")  # not before the application was filed
    await official.press("Xác nhận")
    assert "567/QĐ-UBND" in citizen.last_text  # notified through Telegram
    await official.press("Đã phê duyệt (1)")
    await official.press("Lý Văn Hùng")
    await official.press("Ghi nhận đã chi trả")
    await official.press("Bỏ qua")
    await official.press("Xác nhận")
    assert "đã được chi trả" in citizen.last_text and "3.000.000" in citizen.last_text
    sent = await citizen.press("Hồ sơ của tôi")
    assert "Trạng thái: Đã chi trả" in sent[0].text
    async with app.sessions() as session:
        assert (await session.get(Application, application.id)).status == "paid"
