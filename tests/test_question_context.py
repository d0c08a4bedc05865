"""A question that names no support ("cần giấy tờ gì", "nộp ở đâu") is about the one the citizen was just
reading about or applying for; with none, the citizen is asked which, instead of being shown a guess."""

from __future__ import annotations

import pytest

from bot.app import HoTro
from tests.chat import Chat, joined

HKD_DOCUMENTS = "Mẫu số 11"  # the household business's request form
FREE_WORKER_DOCUMENTS = "Đơn đề nghị hỗ trợ (giấy đề nghị) theo mẫu của tỉnh"
F0_DOCUMENTS = "giấy ra viện"
ID_QUESTION = "Nhập số CCCD (12 số) hoặc số CMND cũ (9 số) của bạn."


@pytest.mark.parametrize(
    "typed", ["cần giấy tờ gì", "hồ sơ cần giấy tờ gì vậy", "hồ sơ cần giấy tờ gì", "can nhung giay to gi a"]
)
async def test_with_nothing_before_the_citizen_is_asked_which_support(app: HoTro, typed: str) -> None:
    chat = Chat(app)
    await chat.say("/start")
    reply = joined(await chat.say(typed))
    assert "chính sách hỗ trợ nào" in reply, reply
    assert F0_DOCUMENTS not in reply and HKD_DOCUMENTS not in reply  # no one policy's papers as the answer
    offered = [b["action"] for b in chat.buttons() if b["action"].startswith("pol:")]
    assert len(offered) == 12 and all(action.endswith(":documents") for action in offered), offered
    answered = joined(await chat.press("Hỗ trợ hộ kinh doanh"))
    assert answered.startswith("Hỗ trợ hộ kinh doanh – Hồ sơ") and HKD_DOCUMENTS in answered, answered


@pytest.mark.parametrize("typed", ["được bao nhiêu tiền vậy", "được bao nhiêu tiền", "dc bn tien z"])
async def test_the_amount_asked_with_nothing_before_offers_each_policys_amount(app: HoTro, typed: str) -> None:
    chat = Chat(app)
    await chat.say("/start")
    reply = joined(await chat.say(typed))
    assert "chính sách hỗ trợ nào" in reply, reply
    assert joined(await chat.press("Hỗ trợ hộ kinh doanh")).startswith("Hỗ trợ hộ kinh doanh – Mức hỗ trợ")


async def test_after_reading_a_policy_its_papers_and_its_office_are_answered(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Tìm hiểu chính sách")
    await chat.press("Hỗ trợ hộ kinh doanh")
    assert HKD_DOCUMENTS in joined(await chat.say("cần giấy tờ gì"))
    where = joined(await chat.say("nộp ở đâu vậy"))  # not the list of every policy's office
    assert "UBND xã, phường, thị trấn nơi kinh doanh" in where and "Trung tâm Dịch vụ việc làm" not in where, where


async def test_after_a_question_about_a_policy_the_next_one_is_about_it_too(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.say("bị F0 điều trị ở nhà thì được hỗ trợ bao nhiêu")
    assert F0_DOCUMENTS in joined(await chat.say("cần những giấy tờ gì"))


async def test_a_question_that_names_a_support_is_about_that_one(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Tìm hiểu chính sách")
    await chat.press("Hỗ trợ hộ kinh doanh")
    reply = joined(await chat.say("F0 cần giấy tờ gì"))
    assert F0_DOCUMENTS in reply and HKD_DOCUMENTS not in reply, reply


async def test_in_the_middle_of_a_form_the_papers_are_those_of_that_application(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Đăng ký hỗ trợ")
    await chat.press("Lao động tự do")
    await chat.press("Tôi đồng ý")
    for answer in ["Nguyễn Văn An", "15/03/1985", "Nam"]:
        await chat.say(answer)
    assert chat.last_text == ID_QUESTION
    reply = joined(await chat.say("hồ sơ cần giấy tờ gì vậy"))
    assert FREE_WORKER_DOCUMENTS in reply, reply
    assert chat.last_text == ID_QUESTION  # and the form goes on where it was
    await chat.say("001085012345")
    assert "Số điện thoại" in chat.last_text


@pytest.mark.parametrize("typed", ["tôi nhận được tiền chưa", "sao tôi vẫn chưa nhận được tiền hỗ trợ"])
async def test_asking_whether_ones_money_came_points_to_ones_applications_without_a_verdict(
    app: HoTro, typed: str
) -> None:
    """'Đã nhận được tiền chưa' is about one's own application: no 'Có thể' guessed from the payment rules."""
    chat = Chat(app)
    await chat.say("/start")
    reply = joined(await chat.say(typed))
    assert not reply.startswith(("Có", "Không")), reply
    assert "Hồ sơ của tôi" in [b["label"].removeprefix("🔎 ") for b in chat.buttons()], chat.buttons()


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("hộ kinh doanh", "Hỗ trợ hộ kinh doanh"),
        ("lao động tự do", "Hỗ trợ lao động tự do"),
        ("ngừng việc", "Hỗ trợ người lao động ngừng việc"),
        ("tạm hoãn hợp đồng", "Tạm hoãn hợp đồng, nghỉ không lương"),
        ("vay vốn trả lương", "Vay vốn 0% trả lương"),
    ],
)
async def test_a_policy_named_alone_opens_its_page(app: HoTro, typed: str, title: str) -> None:
    """Nothing asked but the policy: its page (summary, amount, how to apply), not one procedure's detail."""
    chat = Chat(app)
    await chat.say("/start")
    reply = joined(await chat.say(typed))
    assert reply.startswith(title + "\n"), reply
    assert "Căn cứ:" in reply, reply  # the page, with its legal basis
