"""Through Telegram: a citizen sends a photo of the ID card's QR code; the bot fetches it with getFile and
the file download (real python-telegram-bot against the fake Bot API), and the form is filled."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.app import HoTro
from storage.models import Application, Attachment
from tests.cards import card_photo, photo_without_code
from tests.fakes.telegram_api import FakeTelegram
from tests.tg_driver import telegram_user


async def test_a_free_worker_applies_with_a_photo_of_the_card(
    app: HoTro, client: TestClient, fake_telegram: FakeTelegram
) -> None:
    user = telegram_user(client, fake_telegram, app, 4242)
    await user.say("/start")
    await user.press("Đăng ký hỗ trợ")
    await user.press("Lao động tự do")
    await user.press("Tôi đồng ý")
    assert "📷 Gửi ảnh CCCD để điền nhanh" in user.last_text
    sent = await user.photo("AgACAgIAAxkBAAIC-blurry", photo_without_code())
    assert "không tìm thấy mã QR" in sent[0].text
    update = fake_telegram.photo_update(4242, "AgACAgIAAxkBAAIC-card", card_photo())
    sent = await user._post(update)
    assert "Mã QR trên CCCD của bạn cho biết:" in sent[0].text and "Nguyễn Văn An" in sent[0].text
    assert [m for m, p in fake_telegram.calls if m == "getFile"] == ["getFile", "getFile"]
    assert fake_telegram.downloads == ["photos/AgACAgIAAxkBAAIC-blurry.jpg", "photos/AgACAgIAAxkBAAIC-card.jpg"]
    # Telegram redelivers: the update was claimed once, in the turn that read the photo; no second fetch.
    assert await user._post(update) == []
    assert len(fake_telegram.downloads) == 2
    sent = await user.press("Đúng")
    assert "số điện thoại" in sent[-1].text.lower()
    await user.say("0912345678")
    await user.press("Có")
    await user.press("Nghề khác")
    for answer in ["phụ hồ", "chợ Hữu Lũng", "01/08/2021", "31/08/2021"]:
        await user.say(answer)
    await user.press("tiền mặt")
    await user.press("Bỏ qua")
    assert "Nguyễn Văn An" in user.last_text and "Xã Nhật Tiến" in user.last_text
    await user.press("Xác nhận")
    assert "Mã hồ sơ" in user.last_text
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
        assert (application.full_name, application.commune_code) == ("Nguyễn Văn An", 6418)
        assert await session.scalar(select(func.count()).select_from(Attachment)) == 0  # the photo is not kept


async def test_a_photo_telegram_cannot_give_is_explained(
    app: HoTro, client: TestClient, fake_telegram: FakeTelegram
) -> None:
    user = telegram_user(client, fake_telegram, app, 4343)
    await user.say("/start")
    await user.press("Đăng ký hỗ trợ")
    await user.press("Lao động tự do")
    await user.press("Tôi đồng ý")
    sent = await user.photo("unknown-file")  # getFile: 400 "invalid file_id"
    assert "không tải được ảnh" in sent[0].text
    fake_telegram.files["huge"] = b"\xff" * (20 * 1024 * 1024 + 1)  # over getFile's 20 MB
    sent = await user._post(fake_telegram.photo_update(4343, "huge"))
    assert "quá lớn" in sent[0].text
    assert "họ và tên" in user.last_text.lower()
