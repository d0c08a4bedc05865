"""What a commune official types in the chat instead of pressing the officials' buttons: an application's
code opens it, "hồ sơ chờ duyệt" the list, "báo cáo" the report. A citizen typing the same gets what
a citizen gets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import HoTro
from handlers import app_code
from messages import fmt
from tests.applications import NHAT_TIEN, submit_household
from tests.chat import Chat, joined
from tests.test_review import register_official

VAN_AN = 6469  # Xã Vân An, Huyện Chi Lăng: another commune of Lạng Sơn


async def official(app: HoTro, area: int = NHAT_TIEN) -> Chat:
    await register_official(app, "xa", "commune", area)
    chat = Chat(app, "xa")
    await chat.say("/start")
    return chat


@pytest.mark.parametrize("typed", ["{code}", "{code_lower}", "xem hồ sơ {code}", "{code} ạ"])
async def test_a_code_of_the_officials_area_opens_the_application(app: HoTro, typed: str) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    code = app_code.display(application.code)
    view = joined(await chat.say(typed.format(code=code, code_lower=code.lower().replace("-", ""))))
    assert code in view and "Nguyễn Văn An" in view and "4 số cuối" not in view
    assert any("Ghi nhận phê duyệt" in b["label"] or "Chuyển UBND huyện" in b["label"] for b in chat.buttons())


async def test_a_code_outside_the_officials_area_is_looked_up_as_anyone_would(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app, VAN_AN)
    reply = joined(await chat.say(app_code.display(application.code)))
    assert "4 số cuối" in reply and "Nguyễn Văn An" not in reply  # nothing shown of another commune


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("hồ sơ chờ duyệt", "Đã nộp: 1 hồ sơ"),
        ("danh sách hồ sơ mới", "Đã nộp: 1 hồ sơ"),
        ("hồ sơ quá hạn", "Quá hạn: 0 hồ sơ"),
        ("ds đã duyệt", "Đã phê duyệt: 0 hồ sơ"),
        ("danh sách hồ sơ mới nộp hôm nay", "Đã nộp: 1 hồ sơ"),
        ("tôi muốn duyệt hồ sơ", "Đã nộp: 1 hồ sơ"),  # to review: those waiting, not those approved
        ("hồ sơ được duyệt rồi", "Đã phê duyệt: 0 hồ sơ"),
    ],
)
async def test_a_list_asked_in_words_is_shown(app: HoTro, typed: str, title: str) -> None:
    await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    assert title in joined(await chat.say(typed))


@pytest.mark.parametrize(
    "typed", ["báo cáo", "báo cáo hôm nay", "xem tiến độ", "có bao nhiêu hồ sơ rồi", "tổng số hồ sơ"]
)
async def test_the_report_asked_in_words(app: HoTro, typed: str) -> None:
    await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    assert "Xã Nhật Tiến" in joined(await chat.say(typed)) and "🔄" in str(chat.buttons())


async def test_a_citizen_typing_the_same_gets_no_officials_view(app: HoTro) -> None:
    await submit_household(app, Chat(app, "citizen"))
    citizen = Chat(app, "someone")
    await citizen.say("/start")
    for typed in ("hồ sơ chờ duyệt", "báo cáo hôm nay"):
        reply = joined(await citizen.say(typed))
        assert "Đã nộp: 1 hồ sơ" not in reply and "🔄" not in str(citizen.buttons())


@pytest.mark.parametrize(
    "typed",
    [
        *("tìm Nguyễn Văn An", "Tìm kiếm nguyễn văn an", "tim nguyen van an", "TÌM NGUYỄN VĂN AN"),
        *("tìm 0912 345 678", "tìm hồ sơ 001085012345", "tra cứu văn an"),
        *("tìm hồ sơ của Nguyễn Văn An", "tìm hồ sơ của ông nguyễn văn an", "tìm hs cua nguyen van an"),
    ],
)
async def test_an_official_finds_an_application_by_name_id_or_phone(app: HoTro, typed: str) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    reply = joined(await chat.say(typed))
    labels = [b["label"] for b in chat.buttons()]
    assert "1 hồ sơ" in reply and any(app_code.display(application.code) in label for label in labels), reply
    await chat.press(app_code.display(application.code))
    assert "Nguyễn Văn An" in chat.last_text


async def test_a_search_finds_nothing_outside_the_officials_area(app: HoTro) -> None:
    await submit_household(app, Chat(app, "citizen"))
    chat = await official(app, VAN_AN)
    reply = joined(await chat.say("tìm Nguyễn Văn An"))
    assert "Không tìm thấy hồ sơ nào" in reply and "Nguyễn Văn An" not in str(chat.buttons())


async def test_a_citizen_searching_gets_no_officials_search(app: HoTro) -> None:
    await submit_household(app, Chat(app, "citizen"))
    someone = Chat(app, "someone")
    await someone.say("/start")
    await someone.say("tìm Nguyễn Văn An")
    assert "Nguyễn Văn An" not in someone.all_text()


async def test_the_officials_menu_says_what_may_be_typed(app: HoTro) -> None:
    chat = await official(app)
    assert "gõ mã hồ sơ" in joined(await chat.say("/canbo")) and "“tìm”" in chat.last_text


@pytest.mark.parametrize("typed", ["gửi thông báo cho người dân", "soạn thông báo", "gửi tin nhắn cho bà con"])
async def test_an_announcement_asked_in_words_opens_the_announcements(app: HoTro, typed: str) -> None:
    chat = await official(app)
    reply = joined(await chat.say(typed))
    assert "Bạn muốn đăng ký hỗ trợ nào" not in reply
    assert any("thông báo" in b["label"].lower() for b in chat.buttons()), reply


async def test_a_monitor_asking_for_an_announcement_is_told_it_only_watches(app: HoTro) -> None:
    await register_official(app, "mttq", "monitor", NHAT_TIEN)
    chat = Chat(app, "mttq")
    await chat.say("/start")
    reply = joined(await chat.say("gửi thông báo cho người dân"))
    assert "không được thay đổi" in reply, reply
    assert not any(b["action"].startswith("bc:") for b in chat.buttons())  # nothing of the announcements opened


@pytest.mark.parametrize(
    ("typed", "pressed"),
    [
        ("chuyển huyện", "Chuyển UBND huyện"),
        ("chuyển hồ sơ này lên huyện", "Chuyển UBND huyện"),
        ("xem xét hồ sơ này", "Bắt đầu xem xét"),
        ("yêu cầu bổ sung", "Yêu cầu bổ sung thông tin"),
        ("từ chối hồ sơ này", "Từ chối"),
    ],
)
async def test_an_action_typed_on_the_open_application_is_that_button(app: HoTro, typed: str, pressed: str) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.say(app_code.display(application.code))
    by_button = joined(await chat.press(pressed))
    await register_official(app, "xa-2", "commune", NHAT_TIEN)  # a colleague types it on the same application
    colleague = Chat(app, "xa-2")
    await colleague.say(app_code.display(application.code))
    assert joined(await colleague.say(typed)) == by_button


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("từ chối hồ sơ này vì không đủ 15 ngày tạm ngừng liên tục", "không đủ 15 ngày tạm ngừng liên tục"),
        ("từ chối, lý do: không có đăng ký kinh doanh", "không có đăng ký kinh doanh"),
        (
            "yêu cầu bổ sung ảnh thông báo tạm ngừng kinh doanh của phường",
            "ảnh thông báo tạm ngừng kinh doanh của phường",
        ),
        ("bổ sung: số tài khoản ngân hàng", "số tài khoản ngân hàng"),
    ],
)
async def test_an_action_typed_with_its_reason_goes_to_the_confirmation(app: HoTro, typed: str, note: str) -> None:
    """'từ chối hồ sơ này vì …' is the rejection with that reason: what is left is to confirm it."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.say(app_code.display(application.code))
    reply = joined(await chat.say(typed))
    assert "kiểm tra thay đổi" in reply and note in reply, reply
    await chat.press("Xác nhận")
    assert note in Chat(app, "citizen").last_text


@pytest.mark.parametrize("typed", ["ok", "xác nhận", "đồng ý"])
async def test_a_yes_typed_on_an_open_application_asks_which_decision(app: HoTro, typed: str) -> None:
    """ "xác nhận" typed on an open application got the citizens' page on where work-stoppage dossiers go."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.say(app_code.display(application.code))
    reply = joined(await chat.say(typed))
    assert "bấm một nút" in reply and app_code.display(application.code) in reply, reply
    assert any("Chuyển UBND huyện" in b["label"] for b in chat.buttons())
    assert "Đã nộp" in reply  # nothing was recorded


@pytest.mark.parametrize("typed", ["ok", "đồng ý", "xác nhận"])
async def test_a_yes_typed_at_the_confirmation_records_the_decision(app: HoTro, typed: str) -> None:
    """ "ok" under "Bấm “Xác nhận thay đổi” để ghi nhận" was refused: only the button recorded it."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.say(app_code.display(application.code))
    await chat.press("Chuyển UBND huyện")
    reply = joined(await chat.say(typed))
    assert "Đã chuyển UBND huyện" in reply and "Người dân đã được thông báo" in reply, reply
    assert "chuyển lên UBND huyện" in Chat(app, "citizen").last_text


@pytest.mark.parametrize(
    ("typed", "number", "dated"),
    [
        ("duyệt theo quyết định 1234/QĐ-UBND ngày hôm nay", "1234/QĐ-UBND", True),
        ("ghi nhận phê duyệt QĐ số 56/QĐ-UBND", "56/QĐ-UBND", False),  # the date is then asked for
    ],
)
async def test_an_approval_typed_with_its_decision_takes_its_number_and_date(
    app: HoTro, typed: str, number: str, dated: bool
) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.tap(f"of:t:{application.id}:under_review")
    await chat.press("Xác nhận")
    await chat.say(app_code.display(application.code))
    reply = joined(await chat.say(typed))
    if not dated:
        assert "Ngày ban hành quyết định" in reply, reply
        reply = joined(await chat.say("hôm nay"))
    today = fmt.day(fmt.today_local(datetime.now(UTC)))
    assert "kiểm tra thay đổi" in reply and number in reply and today in reply, reply
    await chat.press("Xác nhận")
    assert number in Chat(app, "citizen").last_text


async def test_an_action_the_open_application_cannot_take_is_explained_with_what_it_can(app: HoTro) -> None:
    """'duyệt hồ sơ này' on a submitted application: not the list of submitted ones, and no approval."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    code = app_code.display(application.code)
    await chat.say(code)
    reply = joined(await chat.say("duyệt hồ sơ này"))
    assert code in reply and "Đã nộp" in reply and "Chuyển UBND huyện" in reply, reply
    assert "Đã nộp: 1 hồ sơ" not in reply  # not the list
    labels = [b["label"] for b in chat.buttons()]
    assert "Chuyển UBND huyện" in labels and "Bắt đầu xem xét" in labels  # the application's own actions


async def test_a_list_asked_after_opening_an_application_is_still_the_list(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.say(app_code.display(application.code))
    assert "Đã nộp: 1 hồ sơ" in joined(await chat.say("hồ sơ chờ duyệt"))


@pytest.mark.parametrize("typed", ["niêm yết", "xem bảng niêm yết", "lập danh sách niêm yết"])
async def test_the_public_posting_asked_in_words_is_the_officials_posting(app: HoTro, typed: str) -> None:
    chat = await official(app)
    reply = joined(await chat.say(typed))
    assert "Mặt trận Tổ quốc cùng theo dõi" not in reply, reply  # the citizens' answer about the lists
    assert "quyết định" in reply and any("Menu cán bộ" in b["label"] for b in chat.buttons()), reply


@pytest.mark.parametrize("typed", ["xuất danh sách", "tải file excel", "xuất excel hồ sơ"])
async def test_an_export_asked_in_words_gives_the_way_to_the_consoles_export(app: HoTro, typed: str) -> None:
    chat = await official(app)
    reply = joined(await chat.say(typed))
    assert "Xuất XLSX" in reply and "/canbo/login/" in reply, reply  # the console's button, and a login link


async def test_a_citizen_typing_an_export_gets_a_citizens_answer(app: HoTro) -> None:
    chat = Chat(app, "citizen")
    await chat.say("/start")
    reply = joined(await chat.say("xuất danh sách"))
    assert "/canbo/login/" not in reply


async def test_the_history_in_the_chat_names_the_official_who_decided(app: HoTro) -> None:
    """The chat's history gave the decision's author as "official:1" (this official has no name: the role)."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.say(app_code.display(application.code))
    await chat.press("Chuyển UBND huyện")
    await chat.press("Xác nhận")
    await chat.say(app_code.display(application.code))
    history = joined(await chat.press("Lịch sử"))
    assert "cán bộ cấp xã #" in history and "official:" not in history, history
    assert "người dân" in history


@pytest.mark.parametrize("typed", ["xóa hồ sơ này", "xoá hồ sơ", "xóa đi"])
async def test_deleting_an_application_is_explained_and_the_ways_offered(app: HoTro, typed: str) -> None:
    """ "xóa hồ sơ này" on an open application was answered as a citizen's withdrawal ("you have no application")."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    await chat.say(app_code.display(application.code))
    text = joined(await chat.say(typed))
    assert "không xóa" in text and "Từ chối" in text and "rút" in text, text
    assert any(b["label"] == "Từ chối" for b in chat.buttons()), chat.buttons()


@pytest.mark.parametrize(
    ("typed", "step"),
    [
        ("chuyển huyện hồ sơ {code}", "kiểm tra thay đổi"),
        ("{code} chuyển lên huyện", "kiểm tra thay đổi"),
        ("từ chối {code}", "Lý do từ chối"),
        ("yêu cầu bổ sung {code}: ảnh thông báo tạm ngừng của phường", "kiểm tra thay đổi"),
    ],
)
async def test_an_action_typed_with_the_code_goes_to_that_action(app: HoTro, typed: str, step: str) -> None:
    """ "chuyển huyện hồ sơ HK-…" opened the application and left the action to be typed or pressed again."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    reply = joined(await chat.say(typed.format(code=app_code.display(application.code))))
    assert step in reply, reply


@pytest.mark.parametrize("typed", ["hồ sơ nào sắp hết hạn", "ds sắp quá hạn", "hồ sơ sắp đến hạn"])
async def test_the_applications_due_soon_asked_in_words_are_listed(app: HoTro, typed: str) -> None:
    """ "hồ sơ nào sắp hết hạn" got the citizens' answer on the deadline for filing (31/01/2022)."""
    await submit_household(app, Chat(app, "citizen"))
    chat = await official(app)
    reply = joined(await chat.say(typed))
    assert "Sắp đến hạn" in reply and "31/01/2022" not in reply, reply
