"""Look-up by code and ID digits: guesses are limited per application code across all chats, and the
duplicate-ID message tells the existing code only to the chat that filed it."""

from __future__ import annotations

from bot.app import HoTro
from handlers import app_code
from tests.applications import submit_household
from tests.chat import Chat
from tests.test_intake import up_to_the_id


async def guess(chat: Chat, code: str, digits: str) -> str:
    await chat.tap("lookup")
    await chat.say(code)
    await chat.say(digits)
    return chat.last_text


async def test_new_chats_get_no_fresh_guesses_for_the_same_code(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    for n in range(5):  # five chats, one wrong guess each: no chat reaches its own limit
        assert "không khớp" in await guess(Chat(app, f"guesser-{n}"), application.code, f"{1000 + n}")
    answer = await guess(Chat(app, "guesser-5"), application.code, "2345")  # even the right digits
    assert "sai quá nhiều lần" in answer and "Trạng thái" not in answer
    other = await submit_household(app, Chat(app, "citizen-2"), id_number="001085099999")
    assert "Trạng thái" in await guess(Chat(app, "guesser-5"), other.code, "9999")  # other codes are not locked


async def test_the_duplicate_message_names_the_code_only_in_the_chat_that_filed_it(app: HoTro) -> None:
    owner = Chat(app, "owner")
    application = await submit_household(app, owner)
    code = app_code.display(application.code)
    before = len(owner.transport.texts(owner.chat_id))
    await up_to_the_id(owner)  # the same chat again: it may see its own code (refused at the ID step)
    again = "\n".join(owner.transport.texts(owner.chat_id)[before:])
    assert code in again and "Đã có hồ sơ" in again
    stranger = Chat(app, "stranger")
    await up_to_the_id(stranger)  # someone else typed the same ID number
    text = stranger.all_text()
    assert code not in text and application.code not in text
    assert "Đã có hồ sơ" in text and "UBND xã" in text


async def test_a_code_typed_again_at_the_digits_step_starts_over_and_costs_no_attempt(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    chat = Chat(app, "other")
    typed = f"tra cứu {app_code.display(application.code).lower().replace('-', ' ')}"
    await chat.tap("lookup")
    await chat.say(typed)  # the code with words around it, at the code step
    assert "4 số cuối" in chat.last_text, chat.last_text
    await chat.say(typed)  # and again at the digits step
    assert "không khớp" not in chat.last_text and "4 số cuối" in chat.last_text, chat.last_text
    await chat.say("2345")
    assert "Trạng thái" in chat.last_text


async def test_a_free_workers_code_typed_with_ld_is_found(app: HoTro) -> None:
    """ "LĐ-…" for "TD-…" (lao động): the look-up finds the application, as with the printed code."""
    application = await submit_household(app, Chat(app, "citizen"))
    # The household form's code is "HK-…"; rewrite it as a free worker's and check the look-up path instead.
    code = app_code.new_code("TD")
    async with app.sessions.begin() as session:
        stored = await session.get(type(application), application.id)
        assert stored is not None
        stored.code = code
    typed = app_code.display(code).replace("TD", "LĐ", 1)
    assert "Trạng thái" in await guess(Chat(app, "other"), typed, "2345")


async def test_digits_of_the_wrong_length_or_not_known_cost_no_attempt(app: HoTro) -> None:
    """ "12" or "không nhớ" at the digits step counted as a wrong guess, and sent the citizen back to the code."""
    application = await submit_household(app, Chat(app, "citizen"))
    chat = Chat(app, "other")
    await chat.tap("lookup")
    await chat.say(app_code.display(application.code))
    for typed in ("12", "không nhớ", "234567"):
        await chat.say(typed)
        assert "không khớp" not in chat.last_text and "4 chữ số cuối" in chat.last_text, (typed, chat.last_text)
    await chat.say("001 085 012 345")  # the whole ID number: its last 4 digits
    assert "Trạng thái" in chat.last_text, chat.last_text


async def test_a_code_not_known_at_the_code_step_gets_what_to_do_without_it(app: HoTro) -> None:
    for n, typed in enumerate(("không biết", "quên rồi", "không nhớ")):
        chat = Chat(app, f"c{n}")
        await chat.tap("lookup")
        reply = "\n".join(p["text"] for p in await chat.say(typed))
        assert "Nếu quên mã" in reply and "không phải là mã" not in reply, (typed, reply)


async def test_the_look_up_says_first_what_it_needs(app: HoTro) -> None:
    """ "tra cứu hồ sơ bằng mã thì cần gì nữa" got "type the code", and the 4 digits came as a surprise after it."""
    chat = Chat(app, "c")
    await chat.tap("lookup")
    assert "mã hồ sơ" in chat.last_text and "4 số cuối" in chat.last_text, chat.last_text


async def test_the_code_and_the_digits_in_one_message_are_looked_up_at_once(app: HoTro) -> None:
    """ "mã hồ sơ của tôi là HK-…, số cccd đuôi 2345" asked for the 4 digits it had just given."""
    application = await submit_household(app, Chat(app, "citizen"))
    code = app_code.display(application.code)
    in_the_menu = Chat(app, "other")
    await in_the_menu.say("/start")
    await in_the_menu.say(f"mã hồ sơ của tôi là {code}, số cccd đuôi 2345, xem giúp")
    assert "Trạng thái" in in_the_menu.last_text, in_the_menu.last_text
    at_the_step = Chat(app, "third")
    await at_the_step.tap("lookup")
    await at_the_step.say(f"{code} 001085012345")  # the whole ID: its last 4 digits
    assert "Trạng thái" in at_the_step.last_text, at_the_step.last_text
    wrong = Chat(app, "fourth")
    await wrong.tap("lookup")
    await wrong.say(f"{code} 1111")
    assert "không khớp" in wrong.last_text, wrong.last_text


async def test_an_application_looked_up_says_what_comes_next(app: HoTro) -> None:
    """The look-up and "Hồ sơ của tôi" said "Đã nộp" and nothing of the commune's 03 working days, which only a
    question about the money told."""
    owner = Chat(app, "citizen")
    application = await submit_household(app, owner)
    await owner.tap("status")
    assert "03 ngày làm việc" in owner.all_text(), owner.all_text()
    other = Chat(app, "other")
    await other.tap("lookup")
    await other.say(f"{app_code.display(application.code)} 2345")
    assert "Trạng thái" in other.last_text and "03 ngày làm việc" in other.last_text, other.last_text
