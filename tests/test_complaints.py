"""Issue 17, complaints and feedback (phản ánh, kiến nghị): from the main menu, about an application, or as an
anonymous report of policy abuse; acknowledged and answered by the area's officials within working days;
the citizen told, with one further reply; the text encrypted at rest."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, text

from bot.app import HoTro
from bot.config import Settings
from handlers.complaints import chat as complaint_chat
from handlers.complaints import service as complaints
from handlers.report.service import render_report
from storage.complaints import CONTEXT
from storage.deadlines import complaint_dues
from storage.models import Complaint, ComplaintMessage
from storage.officials import add_official, complaint_scope, scope
from storage.report_figures import area_report
from tests.applications import NHAT_TIEN, submit_household
from tests.chat import Chat, joined
from tests.commands import migrated_url
from tests.fakes.telegram_api import FakeTelegram
from tests.test_console import run_chat
from tests.test_exchange import protector_of
from tests.test_review import register_official
from tests.tg_driver import telegram_user

__all__ = ["migrated_url"]  # the fixture, used by name

TEXT = "Cán bộ thôn thu 200.000 đồng tiền phí khi nhận hồ sơ của tôi"


async def complaint_row(app: HoTro) -> Complaint:
    async with app.sessions() as session:
        return (await session.execute(select(Complaint).order_by(Complaint.id.desc()))).scalars().first()


async def send_from_menu(citizen: Chat, words: str = TEXT) -> None:
    await citizen.say("/start")
    await citizen.press("Phản ánh, kiến nghị")
    await citizen.press("Gửi phản ánh, kiến nghị")
    await citizen.press("Thủ tục, cách cán bộ giải quyết")
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến", words):
        await citizen.say(answer)
    await citizen.press("Bỏ qua")  # no photo
    assert "Vui lòng kiểm tra phản ánh" in citizen.last_text and words in citizen.last_text
    await citizen.press("Gửi phản ánh")


async def test_a_complaint_from_the_menu_is_acknowledged_answered_and_replied_to_once(app: HoTro) -> None:
    await register_official(app, "xa", "commune", NHAT_TIEN)
    async with app.sessions.begin() as session:
        await add_official(session, "test", "mttq", "monitor", NHAT_TIEN, None)
    citizen, official, monitor = Chat(app, "citizen"), Chat(app, "xa"), Chat(app, "mttq")
    await send_from_menu(citizen)
    complaint = await complaint_row(app)
    code = complaints.display_code(complaint.code)
    assert code.startswith("PA-") and code in citizen.last_text
    assert "sẽ được tiếp nhận trước" in citizen.last_text
    for chat in (official, monitor):  # the commune's officials and the Fatherland Front's monitor are told
        assert f"Phản ánh mới {code}" in chat.last_text and "Xã Nhật Tiến" in chat.last_text

    await official.press("Mở phản ánh")
    assert TEXT in official.last_text and "Hạn tiếp nhận" in official.last_text
    await official.press("Xác nhận đã tiếp nhận")
    assert "đã được cán bộ tiếp nhận" in citizen.last_text
    await official.press("Trả lời")
    await official.say("Xã đã kiểm tra; khoản thu này là sai, cán bộ thôn sẽ hoàn trả trong tuần.")
    await official.press("Gửi câu trả lời")
    assert "Trả lời phản ánh" in citizen.last_text and "sẽ hoàn trả" in citizen.last_text
    assert (await complaint_row(app)).status == "answered"

    await citizen.press("Phản hồi thêm")
    await citizen.say("Đến nay tôi vẫn chưa được hoàn trả.")
    assert "sẽ được trả lời trước" in citizen.last_text
    assert f"Người dân đã phản hồi câu trả lời của phản ánh {code}" in official.last_text
    assert (await complaint_row(app)).status == "follow_up"
    await official.press("Mở phản ánh")
    assert "Đến nay tôi vẫn chưa được hoàn trả." in official.last_text
    await official.press("Trả lời")
    await official.say("Đã hoàn trả ngày hôm nay, có biên nhận.")
    await official.press("Gửi câu trả lời")
    assert "có biên nhận" in citizen.last_text
    assert not any("Phản hồi thêm" in b["label"] for b in citizen.buttons())  # one reply only
    await citizen.tap(f"pa:rep:{complaint.id}")
    assert "không thể phản hồi" in citizen.last_text

    await citizen.press("Phản ánh, kiến nghị")
    await citizen.press("Phản ánh của tôi")
    await citizen.press(code)
    view = citizen.last_text
    assert TEXT in view and "Đã hoàn trả ngày hôm nay" in view and "Đã trả lời" in view


async def test_the_complaint_text_is_encrypted_at_rest(app: HoTro) -> None:
    await send_from_menu(Chat(app, "citizen"))
    async with app.sessions() as session:
        stored = (await session.execute(text("SELECT body_enc FROM complaint_messages"))).scalars().all()
        row = (await session.execute(select(ComplaintMessage))).scalar_one()
    assert stored and all(TEXT not in (value or "") and "200.000" not in (value or "") for value in stored)
    assert protector_of(app).decrypt(row.body_enc, context=CONTEXT) == TEXT


async def test_an_anonymous_report_keeps_no_chat_and_is_followed_by_its_code(app: HoTro) -> None:
    await register_official(app, "xa", "commune", NHAT_TIEN)
    reporter, official = Chat(app, "reporter"), Chat(app, "xa")
    await reporter.say("/start")
    await reporter.press("Phản ánh, kiến nghị")
    await reporter.press("Báo cáo trục lợi chính sách")
    assert "không được lưu cùng báo cáo" in "\n".join(reporter.transport.texts("reporter")[-2:])
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến", "Hộ ông X không kinh doanh nhưng vẫn kê khai nhận hỗ trợ"):
        await reporter.say(answer)
    await reporter.press("Bỏ qua")
    await reporter.press("Gửi phản ánh")
    complaint = await complaint_row(app)
    assert complaint.anonymous and complaint.channel is None and complaint.chat_id is None
    assert complaint.category == "abuse"
    code = complaints.display_code(complaint.code)
    assert code in reporter.last_text and "cách duy nhất" in reporter.last_text

    await official.press("Mở phản ánh")
    assert "ẩn danh" in official.last_text and "Trục lợi chính sách" in official.last_text
    await official.press("Trả lời")
    await official.say("UBND xã đã xác minh và đưa hộ này ra khỏi danh sách.")
    await official.press("Gửi câu trả lời")
    stranger = Chat(app, "someone-else")  # the code is the only key to an anonymous report
    await stranger.tap("pa:lk")
    await stranger.say(code.lower())
    assert "đưa hộ này ra khỏi danh sách" in stranger.last_text


async def test_a_complaint_about_an_application_takes_its_commune_and_hides_from_strangers(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await citizen.press("Hồ sơ của tôi")
    await citizen.press("Phản ánh về hồ sơ")
    await citizen.press("Mức hỗ trợ")
    assert "xã/phường nào" not in citizen.last_text  # the application's commune is used
    await citizen.say("Tôi nghỉ 20 ngày nhưng chỉ được đề nghị mức thấp")
    await citizen.press("Bỏ qua")
    await citizen.press("Gửi phản ánh")
    complaint = await complaint_row(app)
    assert complaint.application_id == application.id and complaint.commune_code == application.commune_code
    stranger = Chat(app, "stranger")
    await stranger.tap("pa:lk")
    await stranger.say(complaint.code)
    assert "Chờ tiếp nhận" in stranger.last_text or "chờ tiếp nhận" in stranger.last_text
    assert "mức thấp" not in stranger.all_text()
    await stranger.tap("pa:lk")
    await stranger.say("PA-AAAA-AAAA")
    assert "không phải là mã của phản ánh nào" in stranger.last_text
    await stranger.tap(f"pa:app:{application.code}")  # not their application
    assert "không phải của bạn" in stranger.last_text


async def test_bad_input_is_told_and_the_form_goes_on(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    await citizen.tap("pa:new")
    await citizen.press("Vấn đề khác")
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến"):
        await citizen.say(answer)
    assert "chữ hoặc số" in joined(await citizen.say("😡😡"))
    assert "quá dài" in joined(await citizen.say("x" * 2001))
    await citizen.say("Loa thông báo của thôn không đọc lịch chi trả")
    await citizen.attach("photo-of-loudspeaker")
    await citizen.press("Xong")
    assert "1 tệp" in citizen.last_text
    await citizen.press("Gửi phản ánh")
    async with app.sessions() as session:
        row = (await session.execute(select(ComplaintMessage))).scalar_one()
    assert row.attachments[0]["file_id"] == "photo-of-loudspeaker"


def test_deadlines_are_working_days() -> None:
    friday = date(2021, 9, 10)
    assert complaint_dues(friday, 3, 10) == (date(2021, 9, 15), date(2021, 9, 24))
    # National Day, 02/09/2021 (and the day after) is skipped like a weekend.
    ack, _answer = complaint_dues(date(2021, 9, 1), 1, 10)
    assert ack not in (date(2021, 9, 2),) and ack > date(2021, 9, 2)


async def test_deadlines_follow_the_settings_and_overdue_complaints_are_counted(app: HoTro, settings: Settings) -> None:
    settings.complaint_ack_working_days, settings.complaint_answer_working_days = 1, 2
    friday = datetime(2021, 9, 10, 2, 0, tzinfo=UTC)
    async with app.sessions.begin() as session:
        official = await add_official(session, "test", "xa", "commune", NHAT_TIEN, None)
        complaint, notices = await complaints.submit(
            session,
            protector_of(app),
            category="payment",
            text="Chưa nhận được tiền",
            attachments=[],
            commune_code=NHAT_TIEN,
            application=None,
            channel="test",
            chat_id="citizen",
            anonymous=False,
            now=friday,
            deadlines=complaints.deadlines_of(settings),
        )
        assert (complaint.ack_due, complaint.answer_due) == (date(2021, 9, 13), date(2021, 9, 14))
        assert [n.chat_id for n in notices] == ["xa"]
    async with app.sessions() as session:
        today = date(2021, 9, 15)
        data = await area_report(session, scope(official), today, friday + timedelta(days=5), complaint_scope(official))
    assert (data.complaints_open, data.overdue_complaint_ack, data.overdue_complaint_answer) == (1, 1, 1)
    assert "Phản ánh quá hạn: chưa tiếp nhận 1, chưa trả lời 1" in render_report(data, "Xã Nhật Tiến", today)
    async with app.sessions.begin() as session:
        row = await session.get(Complaint, complaint.id)
        await complaints.acknowledge(session, protector_of(app), official, row, friday)
    async with app.sessions() as session:
        data = await area_report(session, scope(official), today, friday, complaint_scope(official))
    assert (data.overdue_complaint_ack, data.overdue_complaint_answer) == (0, 1)


async def test_a_complaint_through_telegram_end_to_end(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    async with app.sessions.begin() as session:
        await add_official(session, "telegram", "7001", "commune", NHAT_TIEN, None)
    citizen = telegram_user(client, fake_telegram, app, 7002)
    official = telegram_user(client, fake_telegram, app, 7001)
    await citizen.say("/start")
    await citizen.press("Phản ánh, kiến nghị")
    await citizen.press("Gửi phản ánh, kiến nghị")
    await citizen.press("Chi trả chậm")
    await citizen.say("lạng sơn")
    await citizen.press("Huyện Hữu Lũng")
    await citizen.say("Nhật Tiến")
    await citizen.say("Đã duyệt từ tháng 9 mà chưa nhận được tiền")
    await citizen.photo("AgACAgIAAx-complaint-photo")
    await citizen.press("Xong")
    await citizen.press("Gửi phản ánh")
    complaint = await complaint_row(app)
    assert complaints.display_code(complaint.code) in citizen.last_text
    assert "Phản ánh mới" in official.last_text
    await official.press("Mở phản ánh")
    assert "chưa nhận được tiền" in official.last_text and "kèm 1 ảnh" in official.last_text
    await official.press("Trả lời")
    await official.say("Xã sẽ chi trả vào thứ Hai tuần sau tại nhà văn hóa thôn.")
    await official.press("Gửi câu trả lời")
    assert "nhà văn hóa thôn" in citizen.last_text
    await citizen.press("Phản hồi thêm")
    await citizen.say("Cảm ơn, tôi sẽ đến nhận.")
    assert "Người dân đã phản hồi" in official.last_text


def test_a_complaint_in_the_console_as_a_new_user_runs_it(tmp_path: Path, migrated_url: str) -> None:
    """`hotro chat` with a script on stdin: the menu's fifth entry, buttons by number and by label."""
    out = run_chat(
        tmp_path,
        ["#5", "#1", "#4", "lạng sơn", "hữu lũng", "nhật tiến", "Xã chưa niêm yết danh sách ở thôn", "Bỏ qua", "#1"],
        db_url=migrated_url,
    )
    assert "[5] 📣 Phản ánh, kiến nghị" in out
    assert "Vui lòng kiểm tra phản ánh trước khi gửi" in out and "Xã chưa niêm yết danh sách ở thôn" in out
    assert re.search(r"Mã phản ánh: PA-[0-9A-Z]{4}-[0-9A-Z]{4}\.", out), out[-800:]


async def test_the_complaint_typed_at_the_choice_of_its_subject_is_kept_as_its_content(app: HoTro) -> None:
    """A citizen who types the complaint itself where its subject is asked is not asked to type it again."""
    citizen = Chat(app, "citizen")
    await citizen.say("/start")
    await citizen.press("Phản ánh, kiến nghị")
    await citizen.press("Gửi phản ánh, kiến nghị")
    said = "cán bộ thôn thu mỗi hộ 200 nghìn mới cho vào danh sách"
    assert "xã/phường nào" in joined(await citizen.say(said))  # on to the next step, not refused
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến"):
        await citizen.say(answer)
    assert "ảnh" in citizen.last_text  # the content step is already answered
    await citizen.press("Bỏ qua")
    assert "Vui lòng kiểm tra phản ánh" in citizen.last_text and said in citizen.last_text
    await citizen.press("Gửi phản ánh")
    complaint = await complaint_row(app)
    assert complaint.category == "procedure"  # "cán bộ … thu": how an official handles it, named by its words


async def test_a_subject_typed_by_its_name_is_still_that_subject(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    await citizen.say("/start")
    await citizen.press("Phản ánh, kiến nghị")
    await citizen.press("Gửi phản ánh, kiến nghị")
    await citizen.say("mức hỗ trợ")
    assert "xã/phường nào" in citizen.last_text
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến"):
        await citizen.say(answer)
    assert "Vui lòng mô tả" in citizen.last_text or "2000" in citizen.last_text  # the content is still asked


async def test_what_the_complaint_is_about_may_be_typed_in_the_citizens_words(app: HoTro) -> None:
    """ "tiền chưa về" at the subject was refused ("choose a button")."""
    citizen = Chat(app, "citizen")
    await citizen.say("/start")
    await citizen.press("Phản ánh, kiến nghị")
    await citizen.press("Gửi phản ánh, kiến nghị")
    replies = await citizen.say("tiền chưa về")
    assert "xã/phường nào" in joined(replies), joined(replies)
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến", "Tôi nộp hồ sơ từ tháng 8 mà chưa nhận được tiền"):
        await citizen.say(answer)
    await citizen.press("Bỏ qua")
    assert "Chi trả chậm" in citizen.last_text, citizen.last_text


async def test_the_complaint_typed_where_the_commune_is_asked_is_kept_as_its_content(app: HoTro) -> None:
    """A sentence typed at the commune step was "not found" and lost: the citizen had to type it again."""
    citizen = Chat(app, "citizen")
    await citizen.say("/start")
    await citizen.press("Phản ánh, kiến nghị")
    await citizen.press("Gửi phản ánh, kiến nghị")
    await citizen.press("Chi trả chậm")
    words = "tôi nộp hồ sơ từ tháng 8 mà đến giờ chưa nhận được tiền"
    replies = await citizen.say(words)
    assert "đã ghi lại" in joined(replies) and "xã/phường nào" in joined(replies), joined(replies)
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến"):
        await citizen.say(answer)
    await citizen.press("Bỏ qua")  # no photo: the content was not asked again
    assert "Vui lòng kiểm tra phản ánh" in citizen.last_text and words in citizen.last_text, citizen.last_text


async def test_a_complaint_typed_with_its_request_is_kept_for_the_form(app: HoTro) -> None:
    """ "tôi muốn phản ánh trưởng thôn đòi tiền mới cho vào danh sách" opened the complaints menu, and the form
    then asked for what had just been typed."""
    citizen = Chat(app, "citizen")
    await citizen.say("/start")
    await citizen.say("tôi muốn phản ánh trưởng thôn đòi tiền mới cho vào danh sách")
    replies = joined(await citizen.press("Gửi phản ánh, kiến nghị"))
    assert "trưởng thôn đòi tiền mới cho vào danh sách" in replies, replies
    for answer in ("lạng sơn", "hữu lũng", "nhật tiến"):
        await citizen.say(answer)
    await citizen.press("Bỏ qua")  # no photo
    assert "Vui lòng kiểm tra phản ánh" in citizen.last_text, citizen.last_text
    assert "trưởng thôn đòi tiền mới cho vào danh sách" in citizen.last_text


@pytest.mark.parametrize(
    ("typed", "whole", "kept"),
    [
        ("tôi muốn phản ánh trưởng thôn đòi tiền", False, "trưởng thôn đòi tiền"),
        ("cho em khiếu nại về việc xã chưa trả tiền", False, "xã chưa trả tiền"),
        ("tôi muốn khiếu nại", False, None),  # nothing yet: the form asks
        ("phản ánh ở đâu", False, None),
        ("cán bộ xã đòi 200 nghìn mới cho vào danh sách", True, "cán bộ xã đòi 200 nghìn mới cho vào danh sách"),
        ("cán bộ đòi tiền thì phản ánh ở đâu", True, None),  # how to complain, not the complaint
    ],
)
def test_what_a_complaint_typed_in_the_menu_keeps(typed: str, whole: bool, kept: str | None) -> None:
    assert complaint_chat.typed_content(typed, whole=whole) == kept
