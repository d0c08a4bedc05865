"""Looking a complaint up by its code (PA-…) is limited like the application look-up: an anonymous report's
code is its only key, so a chat that keeps guessing codes is stopped before it can read one."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import HoTro
from handlers import app_code
from handlers.complaints import service as complaints
from tests.applications import NHAT_TIEN
from tests.chat import Chat
from tests.test_exchange import protector_of

REPORT = "Hộ ông Y kê khai khống số ngày nghỉ để nhận hỗ trợ"


async def anonymous_report(app: HoTro) -> str:
    async with app.sessions.begin() as session:
        complaint, _notices = await complaints.submit(
            session,
            protector_of(app),
            category="abuse",
            text=REPORT,
            attachments=[],
            commune_code=NHAT_TIEN,
            application=None,
            channel=None,
            chat_id=None,
            anonymous=True,
            now=datetime.now(UTC),
            deadlines=complaints.Deadlines(),
        )
    return complaints.display_code(complaint.code)


async def look_up(chat: Chat, code: str) -> str:
    await chat.tap("pa:lk")
    await chat.say(code)
    return chat.last_text


async def test_guessing_complaint_codes_is_stopped_after_five_wrong_codes(app: HoTro) -> None:
    code = await anonymous_report(app)
    guesser = Chat(app, "guesser")
    for _n in range(5):  # well-formed codes (their check character fits) that name no complaint
        wrong = app_code.display(app_code.new_code(complaints.PREFIX))
        assert "không phải là mã của phản ánh nào" in await look_up(guesser, wrong)
    answer = await look_up(guesser, code)  # even the right code, now
    assert "sai quá nhiều lần" in answer and REPORT not in guesser.all_text()
    assert REPORT in await look_up(Chat(app, "another-chat"), code)  # the limit is the guessing chat's


async def test_a_mistyped_code_is_not_counted_and_the_right_code_still_opens_the_report(app: HoTro) -> None:
    code = await anonymous_report(app)
    reporter = Chat(app, "reporter")
    for _n in range(6):  # a slip in the check character: no complaint is looked up, nothing is counted
        assert "không phải là mã của phản ánh nào" in await look_up(reporter, "PA-AAAA-AAAA")
    assert REPORT in await look_up(reporter, code.lower())
