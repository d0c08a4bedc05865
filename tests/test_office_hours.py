"""/giolamviec answers with the office hours the deployment sets, and without them does not guess."""

from __future__ import annotations

from bot.app import HoTro
from tests.chat import Chat, joined


async def test_office_hours_come_from_the_setting(app: HoTro) -> None:
    app.settings.office_hours = "Thứ Hai đến Thứ Sáu, sáng 7:30–11:30, chiều 13:30–17:00"
    chat = Chat(app)
    text = joined(await chat.say("/giolamviec"))
    assert "Thứ Hai đến Thứ Sáu, sáng 7:30–11:30, chiều 13:30–17:00" in text
    assert "Bộ phận tiếp nhận và trả kết quả" in text
    assert "« Menu chính" in [b["label"] for b in chat.buttons()]


async def test_without_the_setting_no_hours_are_invented(app: HoTro) -> None:
    chat = Chat(app)
    text = joined(await chat.say("/giolamviec"))
    assert "giờ hành chính" in text and "niêm yết" in text
    assert not any(ch.isdigit() for ch in text)  # no time of day the deployment did not give


async def test_a_form_in_progress_continues_after_the_answer(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Đăng ký hỗ trợ")
    await chat.press("Hộ kinh doanh")
    await chat.press("Đồng ý")
    await chat.say("/giolamviec")
    await chat.press("Menu chính")
    assert any("Tiếp tục" in b["label"] for b in chat.buttons())  # the application is kept, offered first
