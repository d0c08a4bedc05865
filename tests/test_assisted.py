"""Registration on someone's behalf (issue 18): an official or a helper registers a citizen without a phone;
the application records who assisted and the consent given in person; the citizen links their own chat later."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import HoTro
from bot.config import Settings
from handlers import app_code
from messages.vocabulary import Role
from storage.applications import fields_of
from storage.models import Application, AuditLog, Consent, Official, StatusEvent
from storage.officials import get_assistant, get_official, officials_for
from tests.applications import NHAT_TIEN, submit_household
from tests.chat import Chat, joined
from tests.commands import migrated_url
from tests.test_cli_messages import hotro
from tests.test_review import register_official, reload

__all__ = ["migrated_url"]  # the fixture, used by name

HANG_BAC = 61  # Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội


async def helper_registers_household(helper: Chat, id_number: str = "001160012345") -> list[str]:
    """The helper's side, up to the summary; returns the texts of the summary turn."""
    await helper.say("/start")
    await helper.press("Đăng ký hộ người dân")
    await helper.press("Hộ kinh doanh")
    assert "đọc thông báo" in helper.last_text.lower() and "Nghị định 13/2023/NĐ-CP" in helper.last_text
    await helper.press("Người dân đã đồng ý trực tiếp")
    await helper.press("Bán hàng rong")
    for answer in ["hoàng thị mai", "12/03/1960", id_number]:
        await helper.say(answer)
    assert "nếu không có, bấm “Bỏ qua”" in helper.last_text  # the citizen has no phone
    await helper.press("Bỏ qua")
    await helper.press("Bỏ qua")  # no business name
    await helper.say("bán rau")
    # The helper's commune is the place already: the next question is the address.
    assert "Số nhà, đường" in helper.last_text
    for answer in ["thôn Đồng Lâm", "01/08/2021", "31/08/2021", "Chỉ thị 16"]:
        await helper.say(answer)
    await helper.say("tiền mặt")
    replies = await helper.press("Bỏ qua")
    return [r["text"] for r in replies]


@pytest.mark.parametrize("none", ["không có", "dạ không có ạ", "ko có số", "chưa có"])
async def test_saying_there_is_none_at_a_step_that_may_be_skipped_skips_it(app: HoTro, none: str) -> None:
    """The citizen has no phone, the shop no name: "không có" typed is "Bỏ qua" pressed, not a bad number."""
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper.say("/start")
    await helper.press("Đăng ký hộ người dân")
    await helper.press("Hộ kinh doanh")
    await helper.press("Người dân đã đồng ý trực tiếp")
    await helper.press("Bán hàng rong")
    for answer in ["hoàng thị mai", "12/03/1960", "001160012345"]:
        await helper.say(answer)
    assert "nếu không có, bấm “Bỏ qua”" in helper.last_text
    assert joined(await helper.say(none)).startswith("Tên hộ kinh doanh")  # the phone step is skipped
    assert "mặt hàng" in joined(await helper.say(none))  # and so is the business name


async def application_of(app: HoTro) -> Application:
    async with app.sessions() as session:
        return (await session.execute(select(Application))).scalar_one()


async def test_a_helper_registers_a_citizen_without_a_phone(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    summary = "\n".join(await helper_registers_household(helper))
    assert "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn" in summary and "Hoàng Thị Mai" in summary
    replies = await helper.press("Xác nhận")
    text = joined(replies)
    application = await application_of(app)
    assert "Đã đăng ký hồ sơ cho Hoàng Thị Mai" in text and app_code.display(application.code) in text
    assert "4 số cuối" in text and "Theo dõi hồ sơ này" in text  # how the citizen follows it later
    async with app.sessions() as session:
        helper_row = await get_assistant(session, "test", "truong-thon")
        event = (await session.execute(select(StatusEvent))).scalar_one()
        consent = (await session.execute(select(Consent))).scalar_one()
    assert helper_row is not None and application.assisted_by == helper_row.id
    assert application.consent_in_person and consent.purpose == "application_in_person"
    assert event.actor == f"official:{helper_row.id}"  # the audit trail names who assisted
    assert application.phone == "" and application.phone_enc is None and application.phone_hash == ""
    assert application.linked_at is None and application.chat_id == "truong-thon"


async def test_an_official_sees_who_assisted(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    await register_official(app, "xa", Role.COMMUNE, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper_registers_household(helper)
    await helper.press("Xác nhận")
    application = await application_of(app)
    official = Chat(app, "xa")
    await official.tap(f"of:o:{application.id}")
    assert "Được đăng ký hộ người dân bởi người hỗ trợ đăng ký" in official.last_text
    assert "chưa tự theo dõi" in official.last_text


async def test_a_helper_can_do_nothing_else_of_an_official(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper.say("/start")
    labels = [b["label"] for b in helper.buttons()]
    assert "📝 Đăng ký hộ người dân" in labels and not any("Cán bộ" in label for label in labels)
    for attempt in ("/canbo", "/baocao", "/thongbao"):  # lists, the daily report, announcements
        assert "chỉ dành cho cán bộ" in joined(await helper.say(attempt))
    for action in ("of", "of:l:submitted", "of:o:1", "bc", "bc:new", "report"):
        assert "chỉ dành cho cán bộ" in joined(await helper.tap(action))
    await helper_registers_household(Chat(app, "truong-thon"))
    await helper.press("Xác nhận")
    application = await application_of(app)
    async with app.sessions() as session:
        assert await get_official(session, "test", "truong-thon") is None
        assert [o.user_id for o in await officials_for(session, application)] == []  # no notices for helpers


async def test_a_plain_citizen_cannot_register_for_someone(app: HoTro) -> None:
    citizen = Chat(app, "c1")
    await citizen.say("/start")
    assert not any("Đăng ký hộ" in b["label"] for b in citizen.buttons())
    replies = await citizen.tap("asst:hkd")
    assert "Chỉ cán bộ và người hỗ trợ" in joined(replies)
    # Nor can the in-person consent be pressed in a citizen's own registration.
    await citizen.press("Đăng ký hỗ trợ")
    await citizen.press("Hộ kinh doanh")
    replies = await citizen.tap("consent:person")
    assert "không còn hiệu lực" in joined(replies)
    async with app.sessions() as session:
        assert (await session.execute(select(Consent))).first() is None


async def test_a_place_outside_the_helpers_area_is_refused(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper_registers_household(helper)
    await helper.press("Sửa thông tin")
    await helper.press("Địa điểm kinh doanh")
    for answer in ["ha noi", "hoan kiem", "hang bac"]:
        await helper.say(answer)
    replies = await helper.press("Xác nhận")
    assert "nằm ngoài địa bàn của bạn" in joined(replies) and "Phường Hàng Bạc" in joined(replies)
    async with app.sessions() as session:
        assert (await session.execute(select(Application))).first() is None
    await helper.press("Sửa thông tin")  # nothing lost: corrected from the summary
    await helper.press("Địa điểm kinh doanh")
    for answer in ["lang son", "huu lung", "nhat tien"]:
        await helper.say(answer)
    await helper.press("Xác nhận")
    assert (await application_of(app)).commune_code == NHAT_TIEN


async def test_the_citizen_links_their_own_phone_and_gets_the_news(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    await register_official(app, "xa", Role.COMMUNE, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper_registers_household(helper)
    await helper.press("Xác nhận")
    application = await application_of(app)

    citizen = Chat(app, "mai")
    await citizen.say("/start")
    await citizen.press("Hồ sơ của tôi")
    await citizen.press("Tra cứu bằng mã hồ sơ")
    await citizen.say(app_code.display(application.code))
    await citizen.say("2345")
    assert "Đã nộp" in citizen.last_text
    await citizen.press("Theo dõi hồ sơ này")
    assert "gắn với cuộc trò chuyện này" in citizen.last_text
    assert "đã tự theo dõi hồ sơ" in helper.last_text  # the helper is told
    linked = await reload(app, application)
    assert (linked.channel, linked.chat_id) == ("test", "mai") and linked.linked_at is not None
    async with app.sessions() as session:
        audit = (await session.execute(select(AuditLog).where(AuditLog.action == "link"))).scalar_one()
    assert audit.actor == "citizen:test:mai"

    await citizen.press("Hồ sơ của tôi")
    assert app_code.display(application.code) in citizen.all_text()
    official = Chat(app, "xa")  # a status change now reaches the citizen's chat, not the helper's
    await official.tap(f"of:o:{application.id}")
    await official.press("Bắt đầu xem xét")
    before = helper.all_text()
    await official.press("Xác nhận")
    assert "đang được UBND xã xem xét" in citizen.last_text and helper.all_text() == before

    # Once linked, nobody else can take it over, even with the code and the digits.
    other = Chat(app, "someone-else")
    await other.say("/start")
    await other.press("Hồ sơ của tôi")
    await other.press("Tra cứu bằng mã hồ sơ")
    await other.say(app_code.display(application.code))
    await other.say("2345")
    assert not any("Theo dõi" in b["label"] for b in other.buttons())


async def test_follow_without_a_look_up_is_refused(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper_registers_household(helper)
    await helper.press("Xác nhận")
    application = await application_of(app)
    intruder = Chat(app, "intruder")
    replies = await intruder.tap(f"follow:{application.code}")
    assert "tra cứu lại" in joined(replies)
    assert (await reload(app, application)).chat_id == "truong-thon"


async def test_a_self_registered_application_offers_no_follow(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "owner"))
    other = Chat(app, "other")
    await other.say("/start")
    await other.press("Hồ sơ của tôi")
    await other.press("Tra cứu bằng mã hồ sơ")
    await other.say(app_code.display(application.code))
    await other.say("2345")
    assert "Đã nộp" in other.last_text and not any("Theo dõi" in b["label"] for b in other.buttons())


async def test_a_removed_helper_cannot_finish_a_registration(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper_registers_household(helper)
    async with app.sessions.begin() as session:
        row = (await session.execute(select(Official))).scalar_one()
        row.active = False
    replies = await helper.press("Xác nhận")
    assert "Chỉ cán bộ và người hỗ trợ" in joined(replies)
    async with app.sessions() as session:
        assert (await session.execute(select(Application))).first() is None


async def test_a_helper_gets_no_daily_report(app: HoTro) -> None:
    from datetime import UTC, date, datetime

    from bot import report_jobs as daily

    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    await register_official(app, "xa", Role.COMMUNE, NHAT_TIEN)
    assert await daily.send_daily_reports(app, date(2021, 8, 20), datetime(2021, 8, 20, 7, tzinfo=UTC)) == 1


def test_officials_add_role_helper_on_the_command_line(tmp_path: Path, migrated_url: str) -> None:
    args = ("officials", "add", "--channel", "telegram", "--user-id", "77", "--role", "helper", "--area")
    added = hotro(tmp_path, migrated_url, *args, "6418", "--name", "Trưởng thôn Đồng Lâm")
    assert added.returncode == 0, added.stderr
    assert "người hỗ trợ đăng ký (trưởng thôn, tình nguyện viên) – Xã Nhật Tiến" in added.stdout
    district = hotro(tmp_path, migrated_url, *args, "186")  # a helper works in one commune
    assert district.returncode != 0 and "--area 186 không phải là mã" in district.stderr
    assert "của một xã, phường, thị trấn" in district.stderr


async def test_a_key_rotation_keeps_a_citizen_without_a_phone_without_one(settings: Settings, tmp_path: Path) -> None:
    """A phoneless application must not get the blind index of "" (every phoneless one would then share it)."""
    import argparse

    from bot.app import create_app
    from bot.datakey import run_rotate

    app = await create_app(settings)
    try:
        await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
        helper = Chat(app, "truong-thon")
        await helper_registers_household(helper)
        await helper.press("Xác nhận")
    finally:
        await app.close()
    await run_rotate(settings, argparse.Namespace(new_key_file=str(tmp_path / "new.key")))
    rotated = settings.model_copy(update={"data_key_file": tmp_path / "new.key", "data_key": None})
    app = await create_app(rotated)
    try:
        application = await application_of(app)
        assert application.phone_hash == "" and application.phone_enc is None
    finally:
        await app.close()


async def test_the_scripted_journeys_of_issue_18(app: HoTro) -> None:
    from tests.journeys import assisted_household_application, household_application_in_words

    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    for chat, steps in (
        (Chat(app, "truong-thon"), assisted_household_application(1)),
        (Chat(app, "dao"), household_application_in_words(2)),
    ):
        for kind, value in steps:
            await (chat.tap(value) if kind == "tap" else chat.say(value))
        assert "Mã hồ sơ" in chat.last_text, chat.last_text
    async with app.sessions() as session:
        assisted, own = (await session.execute(select(Application).order_by(Application.id))).scalars().all()
    assert (
        assisted.assisted_by is not None
        and assisted.phone == ""
        and fields_of(assisted, app.protector)["category"] == "street_vendor"
    )
    assert own.assisted_by is None and own.bank_name == "Vietcombank" and own.account_holder == "DAO VAN BINH"
    assert fields_of(own, app.protector)["category"] == "street_vendor"


async def test_two_chats_that_looked_it_up_cannot_both_follow(app: HoTro) -> None:
    await register_official(app, "truong-thon", Role.HELPER, NHAT_TIEN)
    helper = Chat(app, "truong-thon")
    await helper_registers_household(helper)
    await helper.press("Xác nhận")
    application = await application_of(app)
    first, second = Chat(app, "mai"), Chat(app, "someone-else")
    for chat in (first, second):  # both prove the code and the digits before either presses "Follow"
        await chat.tap("lookup")
        await chat.say(application.code)
        await chat.say("2345")
    await first.press("Theo dõi hồ sơ này")
    replies = await second.press("Theo dõi hồ sơ này")
    assert "tra cứu lại" in joined(replies)
    assert (await reload(app, application)).chat_id == "mai"
