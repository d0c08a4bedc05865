"""A photo of the ID card's QR code fills the application form: through the real engine, storage, outbox,
zxing-cpp on generated photos, and the engine's fetch outside the turn's transaction."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import HoTro
from bot.files import FileTooLarge, FileUnavailable
from storage.applications import fields_of
from storage.conversations import DATA_CONTEXT
from storage.models import Attachment, Conversation
from tests.applications import submit_household
from tests.cards import CARD_TEXT_6, card_photo, card_text, photo_without_code
from tests.chat import Chat, joined
from tests.journeys import household_application
from tests.test_intake import applications, start_household

HINT = "📷 Gửi ảnh CCCD để điền nhanh"


class MemoryFiles:
    """The test channel's files: what a citizen 'sent', by file id."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fetched: list[str] = []

    async def fetch(self, file_id: str, max_bytes: int) -> bytes:
        self.fetched.append(file_id)
        if file_id not in self.files:
            raise FileUnavailable("gone")
        data = self.files[file_id]
        if len(data) > max_bytes:
            raise FileTooLarge(str(len(data)))
        return data


@pytest.fixture
def files(app: HoTro) -> MemoryFiles:
    source = MemoryFiles()
    app.engine.files["test"] = source
    return source


async def send_photo(chat: Chat, files: MemoryFiles, data: bytes, file_id: str = "card-1") -> list[dict[str, Any]]:
    files.files[file_id] = data
    return await chat.attach(file_id)


async def start_free_worker(chat: Chat) -> None:
    await chat.say("/start")
    await chat.press("Đăng ký hỗ trợ")
    await chat.press("Lao động tự do")
    await chat.press("Tôi đồng ý")


async def test_free_worker_form_is_filled_from_the_card_and_goes_on_at_the_phone(
    app: HoTro, files: MemoryFiles
) -> None:
    chat = Chat(app)
    await start_free_worker(chat)
    assert HINT in chat.last_text  # the name's question offers the photo
    replies = await send_photo(chat, files, card_photo())
    text = joined(replies)
    assert "Mã QR trên CCCD của bạn cho biết:" in text
    assert "Nguyễn Văn An" in text and "05/07/1985" in text and "********2345" in text
    assert "Xã Nhật Tiến, Huyện Hữu Lũng, Lạng Sơn" in text
    assert "001085012345" not in text  # the number is shown masked, as in the summary
    replies = await chat.press("Đúng")
    assert "số điện thoại" in joined(replies).lower()  # the first field still empty
    assert HINT not in joined(replies)  # said once
    answers = await form_answers(app, chat)
    assert answers["full_name"] == "Nguyễn Văn An"
    assert answers["birth_date"] == "1985-07-05"
    assert answers["sex"] == "male"
    assert answers["id_number"] == "001085012345"
    assert answers["home_place"] == {"province": 20, "district": 186, "commune": 6418}
    assert answers["home_address"] == "Thôn Đồng Tâm"
    for answer in ["0912345678"]:
        await chat.say(answer)
    await chat.press("Có")  # lives at the permanent address
    await chat.press("Khác")  # other occupation
    for answer in ["phụ hồ", "chợ Hữu Lũng", "01/08/2021", "31/08/2021"]:
        await chat.say(answer)
    await chat.press("tiền mặt")
    await chat.press("Bỏ qua")
    summary = chat.last_text
    assert "Nguyễn Văn An" in summary and "Xã Nhật Tiến" in summary
    await chat.press("Xác nhận")
    (application,) = await applications(app)
    assert application.full_name == "Nguyễn Văn An" and application.sex == "male"
    assert application.commune_code == 6418
    async with app.sessions() as session:  # the card's photo is not kept
        assert (await session.scalar(select(func.count()).select_from(Attachment))) == 0


async def form_answers(app: HoTro, chat: Chat) -> dict[str, Any]:
    """The answers held in the conversation (stored sealed)."""
    async with app.sessions() as session:
        sealed = await session.scalar(select(Conversation.data).where(Conversation.chat_id == chat.chat_id))
    answers: dict[str, Any] = app.protector.open_json(sealed, context=DATA_CONTEXT)["answers"]
    return answers


async def count_household_messages(app: HoTro, files: MemoryFiles, citizen: int, with_card: bool) -> int:
    """Citizen `citizen`'s messages (typed or pressed) from /start to the confirmed application of
    tests/journeys.py; with the card, its photo and one press replace what the card holds."""
    chat = Chat(app, f"hkd-{citizen}")
    steps = household_application(citizen)
    name_at = next(i for i, (_kind, value) in enumerate(steps) if value == "Đào Văn Bình")
    if with_card:
        yy = steps[name_at + 1][1][-2:]
        files.files["hkd-card"] = card_photo(
            card_text(id=steps[name_at + 2][1], born=f"020219{yy}", name="ĐÀO VĂN BÌNH")
        )
        # The name, birth date and ID number, the place of business (3 levels) and its street.
        place_at = next(i for i, (_kind, value) in enumerate(steps) if value == "lạng sơn")
        skipped = {name_at, name_at + 1, name_at + 2, place_at, place_at + 1, place_at + 2, place_at + 3}
        steps = [
            *steps[:name_at],
            ("photo", "hkd-card"),
            ("press", "Đúng, tôi kinh doanh tại địa chỉ này"),
            *(step for i, step in enumerate(steps) if i >= name_at and i not in skipped),
        ]
    for kind, value in steps:
        if kind == "text":
            await chat.say(value)
        elif kind == "tap":
            await chat.tap(value)
        elif kind == "press":
            await chat.press(value)
        else:
            await chat.attach(value)
    assert "Mã hồ sơ" in chat.last_text, chat.last_text
    return len(steps)


async def test_a_household_business_needs_at_least_5_fewer_messages_with_the_card(
    app: HoTro, files: MemoryFiles
) -> None:
    typed = await count_household_messages(app, files, 0, with_card=False)
    with_card = await count_household_messages(app, files, 1, with_card=True)
    assert typed - with_card >= 5, (typed, with_card)
    first, second = await applications(app)
    assert (first.full_name, second.full_name) == ("Đào Văn Bình", "Đào Văn Bình")
    assert second.commune_code == first.commune_code == 6418
    assert (
        fields_of(first, app.protector)["address"] == "thôn Đồng Lâm"
        and fields_of(second, app.protector)["address"] == "Thôn Đồng Tâm"
    )
    assert second.sex == "male"  # read from the card, though the household form does not ask it


async def test_a_photo_without_a_code_is_explained_and_typing_goes_on(app: HoTro, files: MemoryFiles) -> None:
    chat = Chat(app)
    await start_free_worker(chat)
    asked = chat.last_text
    replies = await send_photo(chat, files, photo_without_code())
    assert "không tìm thấy mã QR" in replies[0]["text"]
    assert replies[-1]["text"] == asked  # the same question again, the photo still offered
    await chat.say("Nguyễn Thị Lan")
    assert "ngày sinh" in chat.last_text.lower() and HINT not in chat.last_text  # offered once


async def test_a_code_that_is_not_a_card_and_a_card_that_fails_the_id_rules(app: HoTro, files: MemoryFiles) -> None:
    chat = Chat(app)
    await start_free_worker(chat)
    from tests.cards import encoded, qr_image

    replies = await send_photo(chat, files, encoded(qr_image("https://example.org/menu")), "url-code")
    assert "không phải mã QR của thẻ căn cước" in joined(replies)
    replies = await send_photo(chat, files, card_photo(card_text(id="099085012345")), "bad-province")
    assert "099 không phải mã tỉnh" in joined(replies)
    replies = await send_photo(chat, files, card_photo(card_text(sex="Nữ")), "bad-sex")
    assert "Đã đọc được mã QR" in joined(replies) and "giới tính" in joined(replies)
    assert "họ và tên" in chat.last_text.lower()  # nothing filled: the name is still asked


async def test_a_card_of_six_fields_and_a_no_fill_nothing(app: HoTro, files: MemoryFiles) -> None:
    chat = Chat(app)
    await start_free_worker(chat)
    await chat.say("Trần Văn Bảo")  # typed first, then the photo at the birth date
    replies = await send_photo(chat, files, card_photo(CARD_TEXT_6))
    assert "Nguyễn Văn An" in joined(replies)
    replies = await chat.press("Không, tôi sẽ tự nhập")
    assert "chưa điền gì" in joined(replies)
    assert "ngày sinh" in chat.last_text.lower()
    assert (await form_answers(app, chat)) == {"full_name": "Trần Văn Bảo"}
    await send_photo(chat, files, card_photo(CARD_TEXT_6), "again")
    await chat.press("Đúng")  # the card's name replaces the typed one: the citizen confirmed it
    assert (await form_answers(app, chat))["full_name"] == "Nguyễn Văn An"


async def test_an_underage_card_is_refused_with_the_forms_own_rule(app: HoTro, files: MemoryFiles) -> None:
    chat = Chat(app)
    await start_free_worker(chat)
    young = card_text(id="001210012345", born="05072010", issued="10052022")
    replies = await send_photo(chat, files, card_photo(young))
    assert "Đã đọc được mã QR, nhưng:" in joined(replies) and "15 tuổi" in joined(replies)


async def test_fetch_problems_are_explained(app: HoTro, files: MemoryFiles) -> None:
    chat = Chat(app)
    await start_free_worker(chat)
    replies = await chat.attach("expired")  # not in the store: the platform no longer has it
    assert "không tải được ảnh" in joined(replies)
    files.files["huge"] = b"\xff" * (10 * 1024 * 1024 + 1)
    replies = await chat.attach("huge")
    assert "quá lớn" in joined(replies)
    assert "họ và tên" in chat.last_text.lower()


async def test_a_photo_where_no_card_is_asked_is_not_fetched(app: HoTro, files: MemoryFiles) -> None:
    chat = Chat(app)
    await start_household(chat)
    await chat.press("Có đăng ký kinh doanh")
    await chat.say("Nguyễn Văn An")
    await chat.say("05/07/1985")
    await chat.say("001085012345")
    replies = await send_photo(chat, files, card_photo(), "at-phone")  # the phone step takes no photo
    assert "chưa được lưu" in joined(replies)
    assert files.fetched == []


async def test_what_the_card_says_is_not_logged(
    app: HoTro, files: MemoryFiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    chat = Chat(app)
    await start_free_worker(chat)
    await send_photo(chat, files, card_photo())
    await chat.press("Đúng")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "NGUYỄN" not in logged and "Nguyễn Văn An" not in logged and "001085012345" not in logged


async def test_an_address_matched_down_to_the_district_starts_the_picker_at_the_commune(
    app: HoTro, files: MemoryFiles
) -> None:
    chat = Chat(app)
    await start_free_worker(chat)
    card = card_text(address="Thôn A, Xã Không Có, Huyện Hữu Lũng, Lạng Sơn")
    replies = await send_photo(chat, files, card_photo(card))
    assert "chưa khớp được địa chỉ này" in joined(replies)
    await chat.press("Đúng")
    replies = await chat.say("0912345678")
    question = replies[-1]["text"]
    assert "Huyện Hữu Lũng, Tỉnh Lạng Sơn" in question and "xã/phường/thị trấn" in question
    await chat.say("nhật tiến")
    assert (await form_answers(app, chat))["home_place"] == {"province": 20, "district": 186, "commune": 6418}


async def test_an_id_number_already_applied_for_is_refused_when_read_from_the_card(
    app: HoTro, files: MemoryFiles
) -> None:
    """Defect: the ID step's duplicate check ran on a typed number only; one read from the card passed it."""
    first = Chat(app, "first")
    await submit_household(app, first)  # CCCD 001085012345, the generated card's number
    again = Chat(app, "again")
    await start_household(again)
    await again.press("Có đăng ký kinh doanh")
    text = joined(await send_photo(again, files, card_photo()))
    assert "Đã có hồ sơ" in text and "Mã QR trên CCCD của bạn cho biết:" not in text
    codes = [a.code for a in await applications(app)]
    assert len(codes) == 1 and not any(code in again.all_text() for code in codes)  # no other chat's code
