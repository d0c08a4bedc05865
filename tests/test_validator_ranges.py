"""Issue 14, validators: messages that name what is wrong, impossible numbers, the policy period."""

from __future__ import annotations

from datetime import date

from bot.app import HoTro
from handlers import validators as v
from handlers.validators import Invalid, Valid
from messages.normalize import nfc
from tests.chat import Chat
from tests.test_intake import start_household

TODAY = date(2026, 12, 1)


def test_century_digit_contradicting_the_birth_year_names_the_mismatch() -> None:
    # Digit 4 = 2: a man born in the 2000s, but the citizen said 1995.
    result = v.id_number("001295012345", birth_date=date(1995, 3, 1), today=TODAY)
    assert isinstance(result, Invalid) and result.code == "id_century_mismatch"
    assert "2000" in result.message and "1995" in result.message
    assert "chưa tới" not in result.message


def test_four_digit_years_outside_the_plausible_range_say_so() -> None:
    for raw in ("05/07/1885", "31/12/9999"):
        result = v.birth_date(raw, today=TODAY)
        assert isinstance(result, Invalid) and result.code == "date_year"
        assert "4 chữ số" not in result.message
        assert "1900" in result.message and "2100" in result.message


def test_day_zero_gets_a_day_range_message() -> None:
    result = v.birth_date("00/05/1985", today=TODAY)
    assert isinstance(result, Invalid) and result.code == "date_day"
    assert "có 31 ngày" not in result.message and "từ 1 đến 31" in result.message


def test_impossible_id_numbers_are_refused() -> None:
    for raw in ("000000000", "000 000 000", "001085000000"):
        result = v.id_number(raw, today=TODAY)
        assert isinstance(result, Invalid) and result.code == "id_impossible", raw
        assert "CCCD" in result.message or "CMND" in result.message
    assert isinstance(v.id_number("123456789"), Valid)


def test_age_is_checked_against_the_2021_policy_period() -> None:
    # Born in 2009: 17 on TODAY, but 12 during the 2021 support period.
    result = v.birth_date("01/01/2009", today=TODAY, age_on=date(2021, 12, 31))
    assert isinstance(result, Invalid) and result.code == "birth_too_young"
    assert isinstance(v.birth_date("31/12/2006", today=TODAY, age_on=date(2021, 12, 31)), Valid)


async def test_the_form_checks_age_in_2021_not_today(app: HoTro) -> None:
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    await chat.say("nguyễn văn an")
    await chat.say("01/01/2009")  # an adult today, a child of 12 in 2021
    assert "ít nhất 15 tuổi" in chat.all_text()
    assert "Ngày sinh" in chat.last_text  # the question is asked again


def test_control_characters_inside_a_name_become_a_space() -> None:
    for sep in ("\x85", "\x0b", "\x0c", "\t", "\u2028", "\x1f"):
        assert nfc(f"Nguyễn Văn{sep}An") == "Nguyễn Văn An", repr(sep)
        assert nfc(f"Nguyễn Văn{sep}An", keep_lines=True) == "Nguyễn Văn An", repr(sep)
        assert v.person_name(f"nguyễn văn{sep}an") == Valid("Nguyễn Văn An")
    assert nfc("Nguy\u200bễn") == "Nguyễn"  # invisible characters are still deleted


async def test_a_name_with_a_vertical_tab_reaches_the_form_with_a_space(app: HoTro) -> None:
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    await chat.say("nguyễn văn\x85an")
    for answer in ["05/07/1985", "001085012345", "0912345678", "Phở Lan", "bán phở"]:
        await chat.say(answer)
    await chat.press("Bỏ qua")
    async with app.sessions() as session:
        from sqlalchemy import select

        from storage.conversations import DATA_CONTEXT
        from storage.models import Conversation

        data = (await session.execute(select(Conversation.data).where(Conversation.chat_id == "c1"))).scalar_one()
        data = app.protector.open_json(data, context=DATA_CONTEXT)
    assert data["answers"]["full_name"] == "Nguyễn Văn An"
