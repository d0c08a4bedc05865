"""Issue 14, crashes and conversations: odd '#N', forged button payloads, a form kept across /menu,
typed labels, notices' keyboards, bare numbers; on the test channel, the console and Telegram."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import HoTro
from bot.channels.console import ConsoleTransport, run_console
from bot.channels.zalo import ACTION_MARKER, ZaloChannel, setup_zalo
from bot.channels.zalo import CHANNEL as ZALO
from handlers.apply.chat import KINDS
from messages.vocabulary import ApplicationKind
from storage.conversations import DATA_CONTEXT
from storage.models import Application, Conversation
from tests.applications import NHAT_TIEN, submit_household
from tests.chat import Chat, joined
from tests.commands import migrated_url
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.test_console import run_chat
from tests.test_exchange import add_application, protector_of
from tests.test_intake import start_household
from tests.test_review import register_official
from tests.test_zalo import ZaloUser, zalo_config
from tests.test_zalo import joined as zalo_joined
from tests.tg_driver import telegram_user

__all__ = ["migrated_url"]  # the fixture, used by name

INVALID = "không hợp lệ"
APOLOGY = "có lỗi xảy ra"
RESUME = "Tiếp tục hồ sơ đang điền"
BIRTH_QUESTION = "Ngày sinh của bạn?"


async def conversation(app: HoTro, chat_id: str) -> Conversation:
    """The chat's conversation row, its data decrypted (it is stored sealed)."""
    async with app.sessions() as session:
        row = (await session.execute(select(Conversation).where(Conversation.chat_id == chat_id))).scalar_one()
    row.data = app.protector.open_json(row.data, context=DATA_CONTEXT)
    return row


# ---- '#' and a digit that is not 0-9 ------------------------------------------------------------
async def test_hash_with_a_unicode_digit_is_not_a_crash(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    for odd in ("#²", "#①", "#٣", "#99999999999999999999"):
        replies = await chat.say(odd)
        assert replies, odd  # answered, not crashed
    await chat.say("#１")  # a full-width 1 is button 1
    assert "#１" not in chat.last_text


def test_console_survives_a_hash_with_a_unicode_digit(tmp_path: Path, migrated_url: str) -> None:
    out = run_chat(tmp_path, ["#²", "#①", "Trợ giúp"], db_url=migrated_url)
    assert "Cách dùng HoTro" in out  # still reading input after the odd ones


async def test_telegram_answers_a_hash_with_a_unicode_digit(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    lan = telegram_user(client, fake_telegram, app, 7001)
    await lan.say("/start")
    for odd in ("#²", "#①"):
        assert await lan.say(odd), odd


# ---- forged button payloads ---------------------------------------------------------------------
FORGED = [
    "of:o:99999999999999999999",
    "of:o",
    "of:o:1:2",
    "of:o:-1",
    "of:t:1:bogus",
    "of:l:everything",
    "f:c:99999999999999999999",
    "apply:xyz",
    "ans:<script>",
    "nosuchverb:1",
    "menu:extra",
]


async def test_forged_payloads_are_refused_before_the_database(app: HoTro) -> None:
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.say("/canbo")
    for payload in FORGED:
        text = joined(await official.tap(payload))
        assert INVALID in text and APOLOGY not in text, (payload, text)
    await official.say("/canbo")
    assert "Số hồ sơ trên địa bàn" in official.last_text  # the conversation goes on


async def test_a_forged_payload_in_a_form_re_asks_the_step(app: HoTro) -> None:
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    await chat.say("nguyễn văn an")
    text = joined(await chat.tap("f:c:99999999999999999999"))
    assert INVALID in text and BIRTH_QUESTION in text


async def test_an_unknown_command_lists_the_commands_and_the_conversation_goes_on(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    text = joined(await chat.say("/abc"))
    assert "Không có lệnh /abc" in text and "/hoso" in text and "/menu" in text, text
    assert chat.buttons()  # the menu again
    await _half_filled(chat)
    text = joined(await chat.say("/xyz@HoTroBot"))
    assert "Không có lệnh /xyz" in text and BIRTH_QUESTION in chat.last_text, text  # the step, asked again
    await chat.say("05/07/1985")
    data = (await conversation(app, "c1")).data
    assert data["answers"]["full_name"] == "Nguyễn Văn An" and data["answers"]["birth_date"] == "1985-07-05"


async def test_a_fault_reported_at_a_step_is_not_its_answer(app: HoTro) -> None:
    """ "không bấm được nút" typed where the name is asked is not a name: it is answered, the step asked again."""
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    asked = chat.last_text
    text = joined(await chat.say("không bấm được nút"))
    assert "gõ số thứ tự" in text and chat.last_text == asked, text
    assert "full_name" not in (await conversation(app, "c1")).data.get("answers", {})


@pytest.mark.parametrize("typed", ["cho mình hỏi cái này đã", "cho minh hoi cai nay da", "cho tôi hỏi trước đã"])
async def test_a_question_announced_at_a_step_is_not_its_answer(app: HoTro, typed: str) -> None:
    """ "cho mình hỏi cái này đã" where the owner's name is asked was recorded as that name."""
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    asked = chat.last_text
    text = joined(await chat.say(typed))
    assert chat.last_text == asked, text
    assert "full_name" not in (await conversation(app, "c1")).data.get("answers", {})


@pytest.mark.parametrize("typed", ["để sau", "lát nữa", "de sau nhe", "mai làm tiếp"])
async def test_leaving_the_form_for_later_keeps_it_and_is_not_an_answer(app: HoTro, typed: str) -> None:
    """ "để sau" where the name is asked: the citizen means to come back, not that the owner is called Để Sau."""
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    asked = chat.last_text
    text = joined(await chat.say(typed))
    assert "được giữ" in text and RESUME in next(b["label"] for b in chat.buttons()), text
    await chat.press(RESUME)
    assert chat.last_text == asked  # the name, asked again
    data = (await conversation(app, "c1")).data
    assert data["answers"]["category"] == "registered" and "full_name" not in data["answers"]


async def test_telegram_refuses_a_forged_payload(app: HoTro, fake_telegram: FakeTelegram, client: TestClient) -> None:
    lan = telegram_user(client, fake_telegram, app, 7002)
    await lan.say("/start")
    sent = await lan._post(fake_telegram.callback_update(7002, "of:o:99999999999999999999"))
    assert any(INVALID in s.text for s in sent) and not any(APOLOGY in s.text for s in sent)


# ---- a form kept across /menu, /start and "menu" --------------------------------------------------
async def _half_filled(chat: Chat) -> None:
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    await chat.say("nguyễn văn an")
    assert BIRTH_QUESTION in chat.last_text


@pytest.mark.parametrize("command", ["/menu", "/start", "menu", "Menu"])
async def test_menu_in_the_middle_of_a_form_keeps_the_answers(app: HoTro, command: str) -> None:
    chat = Chat(app)
    await _half_filled(chat)
    await chat.say(command)
    assert RESUME in next(b["label"] for b in chat.buttons())
    await chat.press(RESUME)
    assert BIRTH_QUESTION in chat.last_text  # the pending step, asked again
    await chat.say("05/07/1985")
    data = (await conversation(app, "c1")).data
    assert data["answers"]["full_name"] == "Nguyễn Văn An" and data["answers"]["birth_date"] == "1985-07-05"


async def test_a_paused_form_survives_another_flow_and_can_be_submitted(app: HoTro) -> None:
    chat = Chat(app)
    await _half_filled(chat)
    await chat.press("« Quay lại")  # history works after resuming too
    await chat.say("nguyễn văn an")
    await chat.say("/menu")
    await chat.press("Tìm hiểu chính sách")
    await chat.say("/menu")
    await chat.press(RESUME)
    for answer in ["05/07/1985", "001085012345", "0912345678", "Phở Lan", "bán phở"]:
        await chat.say(answer)
    await chat.press("Bỏ qua")
    for answer in ["lang son", "huu lung", "nhat tien", "thôn Đồng Lâm", "01/08/2021", "20/08/2021", "Chỉ thị 16"]:
        await chat.say(answer)
    await chat.press("Nhận tiền mặt")
    await chat.press("Bỏ qua")
    await chat.press("Xác nhận")
    assert "Mã hồ sơ" in chat.all_text()
    await chat.say("/menu")
    assert RESUME not in " ".join(b["label"] for b in chat.buttons())  # nothing left to continue


async def test_telegram_menu_mid_form_then_continue(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    lan = telegram_user(client, fake_telegram, app, 7003)
    await lan.say("/start")
    await lan.press("Đăng ký hỗ trợ")
    await lan.press("Hộ kinh doanh")
    await lan.press("Tôi đồng ý")
    await lan.press("Có đăng ký kinh doanh")
    await lan.say("Vũ Thị Lan")
    await lan.say("/menu")
    await lan.press(RESUME)
    assert BIRTH_QUESTION in lan.last_text


# ---- a typed button label as the answer to a free-text question ---------------------------------
async def test_typed_cancel_label_asks_before_discarding(app: HoTro) -> None:
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    await chat.say("Hủy")  # typed as the owner's name
    assert "sẽ bị xóa" in chat.last_text
    await chat.press("Không")
    assert "họ và tên" in chat.last_text.casefold() or "họ tên" in chat.last_text.casefold()
    await chat.say("nguyễn văn an")
    await chat.say("hủy")  # the word command, typed at the birth-date step
    assert "sẽ bị xóa" in chat.last_text
    await chat.press("Không")
    assert BIRTH_QUESTION in chat.last_text
    assert (await conversation(app, "c1")).data["answers"]["full_name"] == "Nguyễn Văn An"
    await chat.say("Hủy")
    await chat.press("Có")
    assert "Đã hủy" in chat.all_text()
    assert "answers" not in (await conversation(app, "c1")).data


async def test_pressing_cancel_still_cancels_at_once(app: HoTro) -> None:
    chat = Chat(app)
    await _half_filled(chat)
    await chat.tap("cancel")
    assert "Đã hủy" in chat.last_text


# ---- the keyboard '#N' refers to is the last one shown, notices included -------------------------
async def test_hash_one_presses_the_reply_button_of_an_information_request(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap(f"of:t:{application.id}:needs_info")
    await official.say("Vui lòng gửi ảnh thông báo tạm ngừng kinh doanh")
    await official.press("Xác nhận")
    assert "Vui lòng gửi ảnh" in citizen.last_text
    await citizen.say("#1")
    assert "Nội dung cần bổ sung" in citizen.last_text  # the answer step
    await citizen.say("Đây là thông báo số 15")
    async with app.sessions() as session:
        status = (await session.execute(select(Application.status))).scalar_one()
    assert status == "under_review"


async def test_console_hash_one_presses_the_button_of_a_notice_that_waited(app: HoTro) -> None:
    citizen = Chat(app, "cit", channel="console")
    application = await submit_household(app, citizen)
    app.sender.transports["console"] = ConsoleTransport(io.StringIO(), "someone-else")  # cit is away
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap(f"of:t:{application.id}:needs_info")
    await official.say("Vui lòng gửi ảnh thông báo tạm ngừng kinh doanh")
    await official.press("Xác nhận")
    out = io.StringIO()
    await run_console(app, "cit", stdin=io.StringIO("#1\nĐây là thông báo số 15\n"), stdout=out)
    printed = out.getvalue()
    assert "[1] Trả lời" in printed and "Nội dung cần bổ sung" in printed
    async with app.sessions() as session:
        assert (await session.execute(select(Application.status))).scalar_one() == "under_review"


# ---- a bare number ------------------------------------------------------------------------------
async def test_a_bare_number_presses_a_button_where_no_number_is_expected(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    labels = [b["label"] for b in chat.buttons()]
    help_number = next(i for i, label in enumerate(labels, 1) if "Trợ giúp" in label)
    assert "Cách dùng HoTro" in joined(await chat.say(str(help_number)))


async def test_a_bare_number_is_an_answer_where_the_step_takes_one(app: HoTro) -> None:
    chat = Chat(app)
    await _half_filled(chat)
    await chat.say("3")  # at the birth-date step: a (bad) date, not the third button
    assert BIRTH_QUESTION in chat.last_text
    assert "Cách dùng" not in chat.all_text()
    assert "answers" in (await conversation(app, "c1")).data


# ---- the console: returning users and blank messages -------------------------------------------
def test_returning_console_user_sees_the_pending_question(tmp_path: Path, migrated_url: str) -> None:
    run_chat(tmp_path, ["Đăng ký hỗ trợ", "#1", "Tôi đồng ý", "#1", "nguyễn văn an"], db_url=migrated_url)
    again = run_chat(tmp_path, [], db_url=migrated_url)
    assert BIRTH_QUESTION in again


def test_console_answers_a_message_of_only_spaces(tmp_path: Path, migrated_url: str) -> None:
    out = run_chat(tmp_path, ["   "], db_url=migrated_url)
    assert "Bạn chưa nhập nội dung" in out


@pytest.fixture
async def zalo_fake() -> AsyncIterator[FakeZalo]:
    fake = await FakeZalo().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def zalo_server(app: HoTro, zalo_fake: FakeZalo) -> AsyncIterator[tuple[TestClient, ZaloChannel]]:
    web_app = web.Application()
    channel = setup_zalo(web_app, app, zalo_config(zalo_fake))
    test_client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await test_client.start_server()
    yield test_client, channel
    await test_client.close()


# ---- Zalo: the notice's buttons are what '#1' presses, and forged payloads are refused -----------
async def test_zalo_hash_one_presses_the_reply_button_of_an_information_request(
    app: HoTro, zalo_fake: FakeZalo, zalo_server: tuple[TestClient, ZaloChannel]
) -> None:
    lan = ZaloUser(zalo_server, zalo_fake, "5550777")
    await lan.say("/start")
    async with app.sessions.begin() as session:
        application = await add_application(session, protector_of(app), id_number="020085000001", status="submitted")
        application.channel, application.chat_id = ZALO, "5550777"
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.tap(f"of:t:{application.id}:needs_info")
    await official.say("Vui lòng gửi ảnh thông báo tạm ngừng kinh doanh")
    await official.press("Xác nhận")
    await app.sender.deliver(channel=ZALO)
    assert "Vui lòng gửi ảnh" in lan.last_text
    assert "Nội dung cần bổ sung" in zalo_joined(await lan.say("#1"))


async def test_zalo_refuses_a_forged_payload(
    app: HoTro, zalo_fake: FakeZalo, zalo_server: tuple[TestClient, ZaloChannel]
) -> None:
    lan = ZaloUser(zalo_server, zalo_fake, "5550778")
    await lan.say("/start")
    text = zalo_joined(await lan.say(ACTION_MARKER + "of:o:99999999999999999999"))
    assert INVALID in text and APOLOGY not in text


def test_a_bare_number_that_is_also_a_label_presses_that_label() -> None:
    from bot.engine import _button_for_text

    children = [[{"label": label, "action": f"f:c:{i}"}] for i, label in enumerate(("0", "1", "2", "3+"))]
    assert _button_for_text("1", children) == "f:c:1"  # one child, not the first button ("0")
    assert _button_for_text("#1", children) == "f:c:0"  # '#N' is always the N-th button
    assert _button_for_text("1", children, takes_text=True) == "f:c:1"  # a label typed is still the label
    menu = [[{"label": "Trợ giúp", "action": "help"}], [{"label": "Menu", "action": "menu"}]]
    assert _button_for_text("2", menu) == "menu" and _button_for_text("2", menu, takes_text=True) is None
    assert _button_for_text("#²", menu) is None and _button_for_text("#①", menu) is None


async def test_applying_again_offers_the_paused_form_first(app: HoTro) -> None:
    chat = Chat(app)
    await _half_filled(chat)
    await chat.say("/menu")
    await chat.press("Đăng ký hỗ trợ")
    assert RESUME in chat.buttons()[0]["label"]
    await chat.press(RESUME)
    assert BIRTH_QUESTION in chat.last_text


def test_actions_pack_and_unpack_with_types_and_bounds() -> None:
    from handlers import actions

    assert actions.OF_CHANGE.pack(12, "approved") == "of:t:12:approved"
    assert actions.unpack("of:t:12:approved") == (actions.OF_CHANGE, (12, "approved"))
    assert actions.unpack("of:l:needs_info") == (actions.OF_LIST, ("needs_info",))
    assert actions.unpack("of:l:paid:3") == (actions.OF_LIST, ("paid", 3))
    for forged in ("of:o:2147483648", "of:o:0", "of:o:１２", "of:t:12", "f:c:-1", "consent:maybe", "x" * 65, ""):
        assert actions.unpack(forged) is None, forged
    with pytest.raises(ValueError):
        actions.OF_OPEN.pack(2**31)
    with pytest.raises(ValueError):
        actions.ANSWER.pack("hk-7qx4")


async def test_telegram_bare_number_and_typed_cancel(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    lan = telegram_user(client, fake_telegram, app, 7004)
    await lan.say("/start")
    labels = [b["text"] for b in lan.buttons()]
    help_number = next(i for i, label in enumerate(labels, 1) if "Trợ giúp" in label)
    assert any("Cách dùng HoTro" in s.text for s in await lan.say(str(help_number)))
    await lan.press("Đăng ký hỗ trợ")
    await lan.press("Hộ kinh doanh")
    await lan.press("Tôi đồng ý")
    await lan.press("Có đăng ký kinh doanh")
    await lan.say("Hủy")
    assert "sẽ bị xóa" in lan.last_text
    await lan.press("Không")
    await lan.say("Vũ Thị Lan")
    assert BIRTH_QUESTION in lan.last_text


# ---- a question typed in the middle of the form ----------------------------------------------------
async def test_a_question_at_a_text_step_is_answered_and_not_taken_as_the_answer(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Đăng ký hỗ trợ")
    await chat.press("Hộ kinh doanh")
    await chat.press("Tôi đồng ý")
    await chat.tap("f:c:0")
    assert "Họ và tên" in chat.last_text
    replies = await chat.say("hạn nộp hồ sơ là khi nào vậy")
    assert "31/01/2022" in replies[0]["text"]  # answered
    assert "Họ và tên" in replies[-1]["text"]  # then the same step, asked again
    assert "full_name" not in (await conversation(app, "c1")).data["answers"]
    await chat.say("Đào Văn Bình")  # typed next: the step's answer, not another question
    assert BIRTH_QUESTION in chat.last_text
    data = (await conversation(app, "c1")).data
    assert data["answers"]["full_name"] == "Đào Văn Bình"


async def test_a_birth_date_question_at_the_date_step_is_answered(app: HoTro) -> None:
    chat = Chat(app)
    await _half_filled(chat)
    assert BIRTH_QUESTION in chat.last_text
    text = joined(await chat.say("cho hỏi hộ kinh doanh được bao nhiêu tiền?"))
    assert "3.000.000" in text and "Vui lòng nhập ngày" not in text
    assert BIRTH_QUESTION in chat.last_text
    await chat.say("05/07/1985")
    assert (await conversation(app, "c1")).data["answers"]["birth_date"] == "1985-07-05"


async def test_a_question_that_opens_another_flow_leaves_the_form_paused(app: HoTro) -> None:
    chat = Chat(app)
    await _half_filled(chat)
    assert "Phản ánh, kiến nghị" in joined(await chat.say("tôi muốn khiếu nại cán bộ xã làm sai thế nào"))
    await chat.say("/menu")
    await chat.press(RESUME)
    assert BIRTH_QUESTION in chat.last_text
    assert (await conversation(app, "c1")).data["answers"]["full_name"] == "Nguyễn Văn An"


def test_a_typed_yes_or_no_presses_the_only_button_that_says_so() -> None:
    from bot.engine import _button_for_text

    confirm = [[{"label": "Có, rút hồ sơ", "action": "wdy:X"}], [{"label": "Không, giữ lại", "action": "status"}]]
    assert _button_for_text("có", confirm) == "wdy:X" and _button_for_text("ko", confirm) == "status"
    assert _button_for_text("dạ không ạ", confirm) == "status"
    two = [[{"label": "Có đăng ký kinh doanh", "action": "a"}], [{"label": "Có, nhưng đã hết hạn", "action": "b"}]]
    assert _button_for_text("có", two) is None  # two buttons say yes: none is guessed
    assert _button_for_text("có", confirm, takes_text=True) is None  # a step that takes text reads it itself


def test_a_label_typed_without_marks_or_its_tail_presses_that_button() -> None:
    """Citizens type what they read on a button, often without diacritics and without its last words."""
    from bot.engine import _button_for_text

    kinds = [
        [{"label": "Hộ kinh doanh (3.000.000 ₫)", "action": "household"}],
        [{"label": "Lao động tự do (không có hợp đồng lao động)", "action": "free"}],
        [{"label": "« Menu chính", "action": "menu"}],
    ]
    assert _button_for_text("lao động tự do", kinds) == "free"
    assert _button_for_text("lao dong tu do", kinds) == "free"
    assert _button_for_text("Hộ kinh doanh", kinds) == "household"
    assert _button_for_text("menu chinh", kinds) == "menu"
    main = [
        [{"label": "▶️ Tiếp tục hồ sơ đang điền", "action": "resume"}],
        [{"label": "📘 Tìm hiểu chính sách", "action": "p"}],
    ]
    assert _button_for_text("tiếp tục", main) == "resume"
    assert _button_for_text("tim hieu chinh sach", main) == "p"
    # A question is not a label: longer than the label, or a label's first word alone.
    assert _button_for_text("lao động tự do có được hỗ trợ không", kinds) is None
    assert _button_for_text("hộ", kinds) is None
    two = [[{"label": "Hỗ trợ hộ kinh doanh", "action": "a"}], [{"label": "Hỗ trợ lao động tự do", "action": "b"}]]
    assert _button_for_text("hỗ trợ", two) is None  # two labels begin so: none is guessed
    assert _button_for_text("lao động tự do", kinds, takes_text=True) is None  # a step that takes text reads it
    # Letters that fold to none of a-z (Arabic, CJK) name no button, not one whose label has no words either.
    assert _button_for_text("مرحبا", [[{"label": "👍", "action": "like"}]]) is None


async def test_typing_the_kind_at_the_register_choice_starts_that_application(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Đăng ký hỗ trợ")
    reply = joined(await chat.say("lao dong tu do"))
    assert "Bạn có đồng ý không?" in reply, reply  # the consent notice before that form
    assert KINDS[(await conversation(app, "c1")).data["kind"]] == ApplicationKind.FREE_WORKER


@pytest.mark.parametrize(
    "typed", ["dữ liệu của tôi có an toàn không", "thông tin của tôi dùng để làm gì", "không đồng ý thì sao"]
)
async def test_a_question_about_the_notice_at_the_consent_step_is_answered(app: HoTro, typed: str) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.tap("apply")
    await chat.tap("apply:hkd")
    replies = joined(await chat.say(typed))
    assert "vui lòng bấm một trong các nút" not in replies
    assert "mã hóa" in replies and "UBND xã" in replies  # how data is protected, and applying in person instead
    assert [b["label"] for b in chat.buttons()] == ["Tôi đồng ý", "Tôi không đồng ý"]  # still to be answered


async def test_another_question_at_the_consent_step_is_answered_and_the_notice_asked_again(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.tap("apply")
    await chat.tap("apply:hkd")
    replies = joined(await chat.say("hạn nộp hồ sơ là khi nào"))
    assert "31/01/2022" in replies and "Nghị định 13/2023/NĐ-CP" in chat.last_text
    assert [b["label"] for b in chat.buttons()] == ["Tôi đồng ý", "Tôi không đồng ý"]
    await chat.press("Tôi đồng ý")
    assert "thuộc loại nào" in chat.last_text  # the application goes on
