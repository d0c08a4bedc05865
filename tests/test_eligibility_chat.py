"""The eligibility questionnaire as a citizen runs it in the chat."""

from __future__ import annotations

import pytest

from bot.app import HoTro
from tests.chat import Chat, joined
from tests.test_conversation_robustness import conversation


async def start(chat: Chat) -> None:
    await chat.say("/start")
    await chat.press("Tôi được hỗ trợ gì")


async def test_household_business_suspended_20_days_gets_3_million_and_can_apply(app: HoTro) -> None:
    chat = Chat(app)
    await start(chat)
    await chat.press("Hộ kinh doanh")
    await chat.say("01/08/2021")
    await chat.say("20/08/2021")
    await chat.press("Có")  # because of COVID-19 measures
    await chat.press("Có")  # registered
    await chat.press("Không")  # not F0/F1 ("Không" = neither)
    replies = await chat.press("Không")  # no earlier one-time cash
    text = joined(replies)
    assert "Hỗ trợ hộ kinh doanh" in text and "3.000.000\xa0₫" in text
    assert "Đăng ký ngay" in chat.buttons()[0]["label"]
    assert chat.buttons()[0]["action"] == "apply:hkd"
    await chat.press("Đăng ký ngay")
    assert "Nghị định 13/2023/NĐ-CP" in chat.last_text  # straight into the application flow


@pytest.mark.parametrize(
    ("group", "situation", "asked"),
    [
        ("Hộ kinh doanh", None, "tạm ngừng kinh doanh từ ngày nào"),
        ("Người lao động có đóng BHXH", "Chấm dứt hợp đồng", "chấm dứt vào ngày nào"),
        ("Người lao động có đóng BHXH", "Ngừng việc", "Từ ngày nào"),
    ],
)
async def test_the_date_asked_is_the_groups_own(app: HoTro, group: str, situation: str | None, asked: str) -> None:
    """A household business was asked the start date "(for a contract that ended, the date it ended)"."""
    chat = Chat(app)
    await start(chat)
    await chat.press(group)
    if situation is not None:
        await chat.press(situation)
    assert asked in chat.last_text, chat.last_text
    if group == "Hộ kinh doanh":
        assert "hợp đồng" not in chat.last_text


async def test_employee_suspended_14_days_is_told_why_not(app: HoTro) -> None:
    chat = Chat(app)
    await start(chat)
    await chat.press("Người lao động có đóng BHXH")
    await chat.press("Tạm hoãn hợp đồng")
    await chat.say("01/07/2021")
    await chat.say("14/07/2021")
    await chat.press("Có")
    await chat.press("Không")  # not pregnant
    await chat.press("0")
    await chat.press("Không")
    text = joined(await chat.press("Không"))
    assert "15 ngày" in text and "14" in text
    assert "1.855.000" not in text


async def test_f1_child_gets_meal_money_and_child_supplement(app: HoTro) -> None:
    chat = Chat(app)
    await start(chat)
    await chat.press("Không thuộc nhóm nào")
    await chat.press("Cách ly y tế (F1)")
    await chat.say("10/05/2021")
    replies = await chat.say("mười bốn")
    assert "chữ số" in joined(replies)  # asked again, politely
    await chat.say("14")
    await chat.press("Có")  # a child under 16
    text = joined(await chat.press("Không"))
    assert "1.120.000\xa0₫" in text  # 14 days × 80.000 ₫
    assert "1.000.000\xa0₫" in text
    assert "2.120.000\xa0₫" in text  # the confirmed total


async def test_free_worker_amount_comes_from_the_province_setting(app: HoTro) -> None:
    chat = Chat(app)
    await start(chat)
    await chat.press("Lao động tự do")
    await chat.say("15/07/2021")
    await chat.press("Bỏ qua")
    await chat.press("Có")
    await chat.press("Có")
    await chat.press("Không")
    text = joined(await chat.press("Không"))
    assert "mức do địa phương quy định" in text  # the default names no amount
    assert any(b["action"] == "apply:ldtd" for b in chat.buttons())


async def test_pregnancy_and_child_supplement_states_no_unconfirmed_figure(app: HoTro) -> None:
    # policy-facts §3.7 and §12: the +1.000.000 ₫ for pregnancy / each child under 6 is UNCONFIRMED,
    # and the policy page says so; the questionnaire must agree and state no figure for it.
    chat = Chat(app)
    await start(chat)
    await chat.press("Người lao động có đóng BHXH")
    await chat.press("Tạm hoãn hợp đồng")
    await chat.say("01/07/2021")
    await chat.say("20/07/2021")
    await chat.press("Có")  # because of COVID-19 measures
    await chat.press("Có")  # pregnant
    await chat.press("1")  # one child under 6
    await chat.press("Không")  # not F0/F1
    text = joined(await chat.press("Không"))
    assert "1.855.000\xa0₫" in text  # the confirmed base amount
    supplement = text[text.index("Hỗ trợ trẻ em") :]
    assert "2.000.000" not in text and "1.000.000" not in supplement
    assert "chưa được xác nhận" in supplement


async def test_the_group_may_be_typed_in_the_citizens_own_words(app: HoTro) -> None:
    for typed, group in [
        ("tôi bán vé số dạo", "free_worker"),
        ("em mở tiệm tạp hóa", "household_business"),
        ("lao động tự do", "free_worker"),
        ("Hướng dẫn viên", "tour_guide"),
    ]:
        chat = Chat(app, chat_id=typed)
        await chat.say("/start")
        await chat.tap("elig")
        text = joined(await chat.say(typed))
        assert "chọn một trong các nút" not in text, (typed, text)
        assert (await conversation(app, typed)).data["answers"]["group"] == group, typed


async def test_a_question_typed_in_the_questionnaire_is_answered_and_the_step_asked_again(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.tap("elig")
    replies = await chat.say("hạn nộp hồ sơ là khi nào vậy")
    assert "31/01/2022" in replies[0]["text"]
    assert "Bạn thuộc nhóm nào" in replies[-1]["text"]
    await chat.press("Hộ kinh doanh")
    assert "chọn một trong các nút" not in chat.last_text


@pytest.mark.parametrize(
    ("typed", "total"), [("14 ngày", "1.120.000"), ("2 tuần", "1.120.000"), ("khoảng 20 ngày ạ", "1.600.000")]
)
async def test_the_days_of_isolation_may_be_typed_with_their_unit(app: HoTro, typed: str, total: str) -> None:
    """ "14 ngày" was refused: "type the number of days as a number"."""
    chat = Chat(app)
    await start(chat)
    await chat.press("Không thuộc nhóm nào")
    await chat.press("Cách ly y tế (F1)")
    await chat.say("10/05/2021")
    await chat.say(typed)
    await chat.press("Có")  # a child under 16
    text = joined(await chat.press("Không"))
    assert f"{total}\xa0₫" in text, text


async def test_a_free_worker_is_asked_when_the_work_was_lost_and_may_not_remember(app: HoTro) -> None:
    """A free worker was asked "Từ ngày nào?" (from which date?) and "không nhớ" was refused as no date."""
    chat = Chat(app)
    await start(chat)
    await chat.press("Lao động tự do")
    assert "mất việc" in chat.last_text, chat.last_text
    replies = await chat.say("không nhớ")
    assert "nghề sau" in joined(replies), joined(replies)  # the next question: the province's occupations
    await chat.press("Có")
    await chat.press("Có")  # resides in the province
    await chat.press("Không")  # not F0/F1
    text = joined(await chat.press("Không"))
    assert "Hỗ trợ người lao động không có giao kết hợp đồng lao động" in text, text


async def _at_the_family_questions(chat: Chat) -> None:
    await start(chat)
    await chat.press("Người lao động có đóng BHXH")
    await chat.press("Tạm hoãn hợp đồng")
    await chat.say("01/07/2021")
    await chat.say("20/08/2021")
    await chat.press("Có")  # because of COVID-19 measures


@pytest.mark.parametrize("typed", ["ko có bầu", "không mang thai ạ", "chưa có thai"])
async def test_a_no_that_restates_the_question_is_a_no(app: HoTro, typed: str) -> None:
    """ "ko có bầu" under "Bạn có đang mang thai không?" was refused ("choose a button")."""
    chat = Chat(app)
    await _at_the_family_questions(chat)
    assert "con dưới 6 tuổi" in joined(await chat.say(typed))


@pytest.mark.parametrize(
    ("typed", "children"),
    [("2 đứa", "2"), ("hai", "2"), ("không có con", "0"), ("1 đứa 3 tuổi", "1"), ("4 bé", "3"), ("chưa có", "0")],
)
async def test_the_number_of_children_may_be_typed_in_words(app: HoTro, typed: str, children: str) -> None:
    """ "2 đứa", "hai", "không có con" under "how many children under 6" were refused ("choose a button")."""
    chat = Chat(app)
    await _at_the_family_questions(chat)
    await chat.press("Không")  # not pregnant
    replies = joined(await chat.say(typed))
    assert "F0" in replies, replies  # the next question
    await chat.press("Không")  # not F0/F1
    text = joined(await chat.press("Không"))
    if children == "0":
        assert "Hỗ trợ trẻ em" not in text, text
    else:
        assert "Hỗ trợ trẻ em" in text, text


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("bị cho nghỉ ko lương", "Từ ngày nào"),
        ("công ty tạm hoãn hợp đồng", "Từ ngày nào"),
        ("bị cho thôi việc", "chấm dứt vào ngày nào"),
        ("ngưng việc", "Từ ngày nào"),
    ],
)
async def test_the_situation_may_be_typed_in_the_citizens_own_words(app: HoTro, typed: str, asked: str) -> None:
    """ "bị cho nghỉ ko lương" was refused: "choose one of the buttons"."""
    chat = Chat(app)
    await start(chat)
    await chat.press("Người lao động có đóng BHXH")
    reply = joined(await chat.say(typed))
    assert asked in reply, reply
