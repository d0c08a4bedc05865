"""Natural answers (issue 18): "có"/"không" on yes/no steps, "hôm nay"/"hôm qua" for dates, a choice by part
of its name, banks by any of their names and shown as the bank writes them, an account holder in capitals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.app import HoTro
from handlers import validators
from handlers.validators import Invalid, Valid
from messages import banks, fmt
from messages.free_worker_scheme import DEFAULT_OCCUPATIONS
from storage.applications import fields_of
from storage.models import Application
from tests.chat import Chat, joined

TODAY = date(2021, 8, 20)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("có", "yes"), ("Có ạ", "yes"), ("co", "yes"), ("ừ", "yes"), ("u", "yes"), ("vâng", "yes"), ("Dạ", "yes"),
        ("đúng", "yes"), ("đúng rồi", "yes"), ("ok", "yes"), ("Có!", "yes"), ("có\u200b", "yes"),
        ("không", "no"), ("ko", "no"), ("k", "no"), ("hk", "no"), ("khong co", "no"), ("không có", "no"),
        ("chưa", "no"), ("KHÔNG", "no"), ("ko co", "no"), ("không phải", "no"),
        # a yes or a no after a polite "dạ", "vâng", "ừ": each word agrees
        ("ừ đúng rồi", "yes"), ("vâng đúng", "yes"), ("dạ đúng rồi ạ", "yes"), ("dạ phải", "yes"), ("đúng đó", "yes"),
        ("ờ", "yes"), ("có ạ đúng rồi", "yes"), ("dạ không phải", "no"),
    ],
)  # fmt: skip
def test_yes_and_no_in_the_words_people_use(typed: str, value: str) -> None:
    assert validators.yes_no(typed) == Valid(value)


@pytest.mark.parametrize("typed", ["không biết", "ko biết", "chưa rõ", "không chắc"])
def test_not_sure_is_not_a_no(typed: str) -> None:
    assert validators.yes_no(typed, unsure=True) == Valid("unsure")
    assert isinstance(validators.yes_no(typed), Invalid)  # where "not sure" is no answer, it is not taken as "no"


@pytest.mark.parametrize("typed", ["", "   ", "có không", "maybe", "1", "😀", "không có gì để nói thêm đâu"])
def test_yes_no_bad_input(typed: str) -> None:
    result = validators.yes_no(typed)
    assert isinstance(result, Invalid) and result.code == "yes_no" and "Có" in result.message


OCCUPATIONS = [(name, name) for name in DEFAULT_OCCUPATIONS] + [("Nghề khác", "other")]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("bán vé số", "Bán lẻ vé số lưu động"),
        ("ban ve so", "Bán lẻ vé số lưu động"),
        ("vé số", "Bán lẻ vé số lưu động"),
        ("BÁN VÉ SỐ", "Bán lẻ vé số lưu động"),
        ("xe ôm", "Lái xe mô tô 2 bánh chở khách (xe ôm), xích lô"),
        ("chạy xe ôm", "Lái xe mô tô 2 bánh chở khách (xe ôm), xích lô"),
        ("xich lo", "Lái xe mô tô 2 bánh chở khách (xe ôm), xích lô"),
        ("bốc vác", "Bốc vác, vận chuyển hàng hóa"),
        ("van chuyenn", "Bốc vác, vận chuyển hàng hóa"),  # a typo in a long word
        ("phế liệu", "Thu gom rác, phế liệu"),
        ("bán hàng rong", "Bán hàng rong, buôn bán nhỏ lẻ không có địa điểm cố định"),
        ("nghe khac", "other"),
    ],
)
def test_a_choice_by_part_of_its_name(typed: str, expected: str) -> None:
    assert validators.choice(typed, OCCUPATIONS) == Valid(expected)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("bán", "choose_ambiguous"),  # "Bán hàng rong" or "Bán lẻ vé số": not guessed
        ("thợ hồ", "choose"),  # "tho" is not "hộ": short words must match as they are
        ("nấu ăn", "choose"),
        ("b", "choose"),
        ("", "choose"),
        ("!!!", "choose"),
    ],
)
def test_a_choice_bad_input(typed: str, code: str) -> None:
    result = validators.choice(typed, OCCUPATIONS)
    assert isinstance(result, Invalid) and result.code == code and result.message


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("vietcombank", "Vietcombank"), ("VCB", "Vietcombank"), ("ngân hàng ngoại thương", "Vietcombank"),
        ("NH Vietcom bank", "Vietcombank"), ("vietcombak", "Vietcombank"),
        ("vietinbank", "VietinBank"), ("viettinbank", "VietinBank"), ("ngân hàng công thương", "VietinBank"),
        ("bidv", "BIDV"), ("agribank", "Agribank"), ("nông nghiệp", "Agribank"),
        ("ngân hàng nông nghiệp và PTNT", "Agribank"), ("techcombank", "Techcombank"), ("mb", "MB"),
        ("MB bank", "MB"), ("quân đội", "MB"), ("acb", "ACB"), ("vp bank", "VPBank"), ("sacombank", "Sacombank"),
        ("tp bank", "TPBank"), ("hdbank", "HDBank"), ("vib", "VIB"), ("shb", "SHB"), ("seabank", "SeABank"),
        ("ocb", "OCB"), ("msb", "MSB"), ("maritime bank", "MSB"), ("eximbank", "Eximbank"),
        ("lienvietpostbank", "LPBank (LienVietPostBank)"), ("LPBank", "LPBank (LienVietPostBank)"),
        ("bưu điện liên việt", "LPBank (LienVietPostBank)"), ("nam a bank", "Nam A Bank"), ("nam á", "Nam A Bank"),
        ("bắc á", "Bac A Bank"), ("ngân hàng chính sách xã hội", "Ngân hàng Chính sách xã hội"),
        ("BIDV chi nhánh Lạng Sơn", "BIDV – chi nhánh Lạng Sơn"),
        ("Quỹ tín dụng nhân dân Nhật Tiến", "Quỹ tín dụng nhân dân Nhật Tiến"),  # not listed: kept as typed
    ],
)  # fmt: skip
def test_banks_by_any_of_their_names_shown_as_the_bank_writes_them(typed: str, shown: str) -> None:
    assert validators.bank_name(typed) == Valid(shown)


@pytest.mark.parametrize(
    ("typed", "code"),
    [("", "empty"), ("   ", "empty"), ("0123 4567 8901", "bank_digits"), ("😀", "no_content"), ("x" * 101, "too_long")],
)
def test_bank_name_bad_input(typed: str, code: str) -> None:
    result = validators.bank_name(typed)
    assert isinstance(result, Invalid) and result.code == code


@pytest.mark.parametrize("typed", ["abc", "vcx", "ngân hàng", "bank"])
def test_a_vague_or_unknown_bank_is_not_guessed(typed: str) -> None:
    assert banks.match(typed) is None


def test_every_listed_bank_is_found_by_its_own_names() -> None:
    for bank in banks.banks():
        for name in (bank.name, bank.full, *bank.aliases):
            assert banks.match(name) == bank, name


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("NGUYEN VAN AN", "NGUYEN VAN AN"),
        ("TRẦN THỊ BÌNH", "TRẦN THỊ BÌNH"),
        ("nguyen van an", "Nguyen Van An"),
        ("NGUYỄN văn an", "Nguyễn Văn An"),  # mixed case: title-cased as a name
    ],
)
def test_an_account_holder_in_capitals_stays_in_capitals(typed: str, kept: str) -> None:
    assert validators.person_name(typed, keep_capitals=True) == Valid(kept)
    assert validators.person_name("NGUYEN VAN AN") == Valid("Nguyen Van An")  # other names: title case


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("hôm nay", TODAY), ("Hôm nay", TODAY), ("hom nay", TODAY), ("hnay", TODAY), ("bữa nay", TODAY),
        ("hôm qua", date(2021, 8, 19)), ("hqua", date(2021, 8, 19)), ("Hôm qua.", date(2021, 8, 19)),
        ("hôm kia", date(2021, 8, 18)), ("20/08/2021", TODAY),
    ],
)  # fmt: skip
def test_today_and_yesterday(typed: str, day: date) -> None:
    assert validators.parse_date(typed, default_year=2021, today=TODAY) == Valid(day)


@pytest.mark.parametrize(
    ("typed", "code"),
    [("hôm nay", "date_format"), ("ngày mai", "date_format"), ("hôm nào đó", "date_format"), ("", "empty")],
)
def test_relative_days_bad_input(typed: str, code: str) -> None:
    today = None if typed == "hôm nay" else TODAY  # without a today, "hôm nay" is not a date
    result = validators.parse_date(typed, default_year=2021, today=today)
    assert isinstance(result, Invalid) and result.code == code


def test_hom_nay_is_still_checked_against_the_bounds() -> None:
    result = validators.parse_date("hôm nay", earliest=date(2021, 9, 1), today=TODAY)
    assert isinstance(result, Invalid) and result.code == "date_too_early"


@pytest.mark.parametrize(
    "typed",
    [
        "vẫn đang đóng cửa", "đến nay", "cho đến nay", "tới giờ", "hiện tại vẫn nghỉ", "chưa mở cửa lại",
        "vẫn chưa mở lại", "chưa hết", "vẫn đang tạm ngừng", "đang nghỉ", "vẫn chưa có việc làm", "chưa đi làm lại",
        "Đến nay vẫn chưa được mở cửa ạ",
    ],
)  # fmt: skip
def test_a_stop_still_going_on_ends_today_where_an_end_may_be_today(typed: str) -> None:
    """An end date typed as "until now": the period runs to today, as "hôm nay" does."""
    assert validators.parse_date(typed, default_year=2021, today=TODAY, until_now=True) == Valid(TODAY)
    assert isinstance(validators.parse_date(typed, default_year=2021, today=TODAY), Invalid)  # other dates


@pytest.mark.parametrize("typed", ["chưa biết", "vẫn đi làm bình thường", "đang đi làm", "mở cửa lại rồi", "15/8 ạ"])
def test_words_that_do_not_say_still_going_on(typed: str) -> None:
    result = validators.parse_date(typed, default_year=2021, today=TODAY, until_now=True)
    assert result != Valid(TODAY)


# ---- through the engine -------------------------------------------------------------------------------
async def at_the_same_address_step(app: HoTro) -> Chat:
    """A free worker's application in words, up to "do you live at that address?"."""
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Đăng ký hỗ trợ")
    await chat.press("Lao động tự do")
    await chat.press("Tôi đồng ý")
    for answer in ["trần thị bình", "2/3/1990", "nữ", "001190012345", "0912345679"]:
        await chat.say(answer)
    for answer in ["ha noi", "hoan kiem", "hang bac", "số 5 Hàng Bạc"]:
        await chat.say(answer)
    assert "đang sống tại địa chỉ đó không" in chat.last_text
    return chat


@pytest.mark.parametrize("typed", ["1/7/2021", "12345", "0912345678"])
async def test_work_and_workplace_answered_without_a_word_are_asked_again(app: HoTro, typed: str) -> None:
    """A date or a number typed for "what work did you do" is a slip (an answer typed ahead), not the work."""
    chat = await at_the_same_address_step(app)
    await chat.say("có")
    asked = chat.last_text
    assert "làm công việc gì" in asked
    refused = joined(await chat.say(typed))
    assert "bằng chữ" in refused and chat.last_text == asked, refused
    await chat.say("bán vé số dạo")
    assert "làm việc ở đâu" in chat.last_text
    refused = joined(await chat.say(typed))
    assert "bằng chữ" in refused and "làm việc ở đâu" in chat.last_text, refused
    await chat.say("chợ Bến Thành")
    assert "từ ngày nào" in chat.last_text


async def test_a_free_worker_answers_in_words(app: HoTro) -> None:
    chat = await at_the_same_address_step(app)
    await chat.say("ừ")  # living at the permanent address: yes
    assert "làm công việc gì" in chat.last_text
    replies = await chat.say("bán")
    assert "nhiều lựa chọn" in joined(replies)
    await chat.say("bán vé số")
    assert "làm việc ở đâu" in chat.last_text.lower()
    await chat.say("chợ Hàng Bè")
    await chat.say("15/07/2021")
    await chat.say("hôm qua")
    await chat.say("chuyển khoản")
    await chat.say("vietcombak")
    await chat.say("1234 5678 9012")
    await chat.say("TRAN THI BINH")
    await chat.press("Bỏ qua")
    summary = chat.last_text
    assert "Bán lẻ vé số lưu động" in summary and "Vietcombank" in summary and "TRAN THI BINH" in summary
    assert "Có" in summary  # the yes to "living at that address"
    await chat.press("Xác nhận")
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
    assert application.bank_name == "Vietcombank" and application.account_holder == "TRAN THI BINH"
    assert fields_of(application, app.protector)["occupation"] == "Bán lẻ vé số lưu động"
    assert fields_of(application, app.protector)["same_address"] == "yes"
    yesterday = date.fromordinal(fmt.today_local(datetime.now(UTC)).toordinal() - 1)
    assert application.period_end == yesterday  # in Viet Nam's time zone


async def test_work_not_in_the_list_is_other_with_what_was_typed(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Đăng ký hỗ trợ")
    await chat.press("Lao động tự do")
    await chat.press("Tôi đồng ý")
    for answer in ["trần thị bình", "2/3/1990", "nữ", "001190012345", "0912345679"]:
        await chat.say(answer)
    for answer in ["ha noi", "hoan kiem", "hang bac", "số 5 Hàng Bạc", "không"]:
        await chat.say(answer)
    assert "sống ở đâu" in chat.last_text.lower()  # "không": lives somewhere else
    for answer in ["ha noi", "hoan kiem", "hang bac", "số 7 Hàng Bạc"]:
        await chat.say(answer)
    await chat.say("phụ hồ")
    assert "làm việc ở đâu" in chat.last_text.lower()  # no extra question: the description is what was typed
    await chat.press("Quay lại")
    assert "mô tả" in chat.last_text.lower()  # back: the description, then the occupation
    await chat.say("phụ hồ công trình")
    for answer in ["công trình ở Hoàn Kiếm", "15/07/2021", "hnay"]:
        await chat.say(answer)
    await chat.say("tiền mặt")
    await chat.press("Bỏ qua")
    assert "phụ hồ công trình" in chat.last_text and "Nghề khác" in chat.last_text


async def test_yes_no_in_the_questionnaire(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Tôi được hỗ trợ gì")
    await chat.say("hộ kinh doanh")  # a choice typed by its name
    await chat.say("01/08/2021")
    await chat.say("hôm qua")
    assert "COVID-19" in chat.last_text
    await chat.say("có")  # because of COVID-19 measures
    await chat.say("không biết")  # registered: not sure
    assert "F0" in chat.last_text
    await chat.say("không")  # neither F0 nor F1: the label "Không"
    await chat.say("ko")  # no one-time cash received yet
    assert "Hỗ trợ hộ kinh doanh" in chat.all_text() and "Đăng ký ngay" in chat.buttons()[0]["label"]


# ---- from the questionnaire to the form ------------------------------------------------------------------
async def questionnaire_household(chat: Chat, start: str = "01/08/2021", end: str = "31/08/2021") -> None:
    await chat.say("/start")
    await chat.press("Tôi được hỗ trợ gì")
    await chat.press("Hộ kinh doanh")
    await chat.say(start)
    await chat.say(end)
    for answer in ["có", "có", "không", "không"]:  # COVID-19 measures, registered, neither F0 nor F1, no cash yet
        await chat.say(answer)


async def test_the_questionnaire_dates_are_carried_into_the_application(app: HoTro) -> None:
    chat = Chat(app)
    await questionnaire_household(chat)
    await chat.press("Đăng ký ngay")
    replies = await chat.press("Tôi đồng ý")
    assert "01/08/2021" in joined(replies) and "31/08/2021" in joined(replies)  # said once, up front
    await chat.press("Có đăng ký kinh doanh")
    for answer in ["nguyễn văn an", "05/07/1985", "001085012345", "0912345678", "Phở Lan", "bán phở"]:
        await chat.say(answer)
    await chat.press("Bỏ qua")
    for answer in ["lang son", "huu lung", "nhat tien", "thôn Đồng Lâm"]:
        await chat.say(answer)
    assert "văn bản" in chat.last_text.lower()  # the dates are not asked again: the suspension order is next
    await chat.say("Chỉ thị 16")
    await chat.press("Nhận tiền mặt")
    await chat.press("Bỏ qua")
    summary = chat.last_text
    assert "01/08/2021" in summary and "31/08/2021" in summary  # shown, and editable like any answer
    await chat.press("Sửa thông tin")
    await chat.press("Ngừng kinh doanh đến ngày")
    await chat.say("25/08/2021")
    assert "25/08/2021" in chat.last_text
    await chat.press("Xác nhận")
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
    assert (application.period_start, application.period_end) == (date(2021, 8, 1), date(2021, 8, 25))


async def test_an_end_skipped_in_the_questionnaire_is_asked_by_the_form(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Tôi được hỗ trợ gì")
    await chat.press("Hộ kinh doanh")
    await chat.say("01/08/2021")
    await chat.press("Bỏ qua")  # still suspended
    for answer in ["có", "có", "không", "không"]:
        await chat.say(answer)
    await chat.press("Đăng ký ngay")
    await chat.press("Tôi đồng ý")
    await chat.press("Có đăng ký kinh doanh")
    for answer in ["nguyễn văn an", "05/07/1985", "001085012345", "0912345678", "Phở Lan", "bán phở"]:
        await chat.say(answer)
    await chat.press("Bỏ qua")
    for answer in ["lang son", "huu lung", "nhat tien", "thôn Đồng Lâm"]:
        await chat.say(answer)
    assert "Đến ngày nào" in chat.last_text  # the start was carried, the end is asked


async def test_nothing_is_carried_into_another_kind_or_a_later_application(app: HoTro) -> None:
    chat = Chat(app)
    await questionnaire_household(chat)
    await chat.press("Menu chính")
    await chat.press("Đăng ký hỗ trợ")
    await chat.press("Hộ kinh doanh")
    replies = await chat.press("Tôi đồng ý")
    assert "01/08/2021" not in joined(replies)


# ---- the place typed as people write an address -------------------------------------------------
ADDRESS_STEP = "Số nhà, đường phố, thôn/xóm nơi kinh doanh."


async def at_the_place_step(app: HoTro, chat_id: str = "c1") -> Chat:
    from tests.journeys import household_application_in_words

    chat = Chat(app, chat_id)
    steps = household_application_in_words()
    for how, value in steps[: steps.index(("text", "lạng sơn"))]:
        await (chat.say(value) if how == "text" else chat.tap(value))
    assert "hoạt động ở đâu" in chat.last_text
    return chat


@pytest.mark.parametrize("typed", ["xa nhat tien, huu lung, lang son", "Nhật Tiến - Hữu Lũng - Lạng Sơn"])
async def test_the_whole_address_in_one_message_chooses_the_commune(app: HoTro, typed: str) -> None:
    chat = await at_the_place_step(app)
    replies = joined(await chat.say(typed))
    assert replies.startswith(ADDRESS_STEP), replies  # province, district and commune in one go
    assert "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn" in await summary_after_the_place(chat)


async def test_the_whole_address_with_the_village_keeps_the_village_as_the_address(app: HoTro) -> None:
    """The village typed before the commune was dropped, and asked for again at the next step."""
    chat = await at_the_place_step(app)
    replies = joined(await chat.say("thôn Đồng Lâm, xã Nhật Tiến, huyện Hữu Lũng, Lạng Sơn"))
    assert replies.startswith("Đã ghi địa chỉ: thôn Đồng Lâm."), replies
    assert ADDRESS_STEP not in replies and "tạm ngừng kinh doanh" in replies, replies  # on to the dates


async def test_another_province_typed_below_the_one_chosen_chooses_it_instead(app: HoTro) -> None:
    chat = await at_the_place_step(app)
    assert "Đã chọn: Thành phố Hồ Chí Minh" in joined(await chat.say("tp hcm"))
    again = joined(await chat.say("lạng sơn"))  # a slip corrected by typing the right one
    assert "Đã chọn: Tỉnh Lạng Sơn" in again and "Huyện Hữu Lũng" in str(chat.buttons())
    assert "Không tìm thấy" not in again


async def test_a_commune_typed_at_the_district_step_is_found_in_the_province(app: HoTro) -> None:
    chat = await at_the_place_step(app)
    await chat.say("lạng sơn")
    assert joined(await chat.say("nhật tiến")).startswith(ADDRESS_STEP)  # not its namesake Xã Nhất Tiến
    assert "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn" in await summary_after_the_place(chat)


async def summary_after_the_place(chat: Chat) -> str:
    from tests.journeys import household_application_in_words

    steps = household_application_in_words()
    for how, value in steps[steps.index(("text", "thôn Đồng Lâm")) : -1]:
        replies = await (chat.say(value) if how == "text" else chat.tap(value))
    return joined(replies)


async def test_a_district_typed_at_the_province_step_chooses_both(app: HoTro) -> None:
    chat = await at_the_place_step(app)
    replies = joined(await chat.say("Hữu Lũng"))
    assert "Đã chọn: Huyện Hữu Lũng, Tỉnh Lạng Sơn" in replies


async def test_a_name_of_many_communes_is_not_guessed(app: HoTro) -> None:
    chat = await at_the_place_step(app)
    replies = joined(await chat.say("xã Yên Bình"))  # eleven of them, in several provinces
    assert "Đã chọn" not in replies and ADDRESS_STEP not in replies
    assert "nhiều nơi tên “xã Yên Bình”" in replies and "Nhật Tiến, Hữu Lũng, Lạng Sơn" in replies


async def test_a_business_still_closed_says_so_at_the_end_date(app: HoTro) -> None:
    chat = await at_the_place_step(app)
    for typed in ["lạng sơn", "hữu lũng", "nhật tiến", "thôn Đồng Lâm", "01/08/2021"]:
        await chat.say(typed)
    assert "Đến ngày nào" in chat.last_text
    replies = joined(await chat.say("vẫn đang đóng cửa"))
    assert "Văn bản nào yêu cầu tạm ngừng" in replies, replies


async def at_the_payment_step(app: HoTro) -> Chat:
    chat = await at_the_place_step(app)
    for typed in ["lạng sơn", "hữu lũng", "nhật tiến", "thôn Đồng Lâm", "01/08/2021", "31/08/2021", "Chỉ thị 16"]:
        await chat.say(typed)
    assert "nhận tiền hỗ trợ theo hình thức nào" in chat.last_text
    return chat


@pytest.mark.parametrize("typed", ["ck", "CK ạ", "qua ngân hàng", "chuyển khoản", "stk"])
async def test_a_transfer_in_the_words_people_use(app: HoTro, typed: str) -> None:
    chat = await at_the_payment_step(app)
    assert "tài khoản mở tại ngân hàng nào" in joined(await chat.say(typed)).lower()


@pytest.mark.parametrize("typed", ["tiền mặt", "tm", "nhận tại xã", "lấy tiền mặt"])
async def test_cash_in_the_words_people_use(app: HoTro, typed: str) -> None:
    chat = await at_the_payment_step(app)
    assert "tài khoản mở tại ngân hàng nào" not in joined(await chat.say(typed)).lower()
    assert "Bỏ qua" in str(chat.buttons())  # the documents step, after the payment


async def test_a_bank_named_at_the_payment_step_is_a_transfer_to_it(app: HoTro) -> None:
    chat = await at_the_payment_step(app)
    assert "số tài khoản" in joined(await chat.say("ngân hàng nông nghiệp")).lower()
    await chat.say("0011 0000 1234")
    await chat.say("đào văn bình")
    summary = joined(await chat.press("Bỏ qua"))
    assert "Agribank" in summary and "Chuyển khoản" in summary


@pytest.mark.parametrize("typed", ["ck", "vk", "có không", "cong"])
async def test_a_word_that_only_looks_like_yes_or_no_is_not_taken_for_one(app: HoTro, typed: str) -> None:
    """ "ck" is chat for "chồng" (husband): read as "không" by its spelling, it answered No."""
    chat = await at_the_same_address_step(app)
    replies = joined(await chat.say(typed))
    assert "đang sống tại địa chỉ đó không" in replies and "đang sống ở đâu" not in replies


@pytest.mark.parametrize(
    ("typed", "next_step"),
    [("không, em ở trọ ở Hà Nội", "đang sống ở đâu"), ("có, em ở đó từ nhỏ", "làm công việc gì")],
)
async def test_a_yes_or_no_with_a_reason_after_it(app: HoTro, typed: str, next_step: str) -> None:
    chat = await at_the_same_address_step(app)
    assert next_step in joined(await chat.say(typed)).lower()


async def at_the_documents_step(app: HoTro) -> Chat:
    chat = await at_the_payment_step(app)
    await chat.say("tiền mặt")
    assert "Bỏ qua" in str(chat.buttons())
    return chat


@pytest.mark.parametrize("typed", ["không có giấy tờ gì", "ko có ảnh", "bỏ qua", "chưa có giấy tờ ạ", "không cần"])
async def test_no_documents_in_the_words_people_use_skips_the_step(app: HoTro, typed: str) -> None:
    chat = await at_the_documents_step(app)
    replies = joined(await chat.say(typed))
    assert "gửi ảnh giấy tờ" not in replies and "Xác nhận" in str(chat.buttons()), replies


@pytest.mark.parametrize("typed", ["xong", "xong rồi", "hết rồi", "đủ rồi ạ"])
async def test_done_typed_after_a_photo_keeps_it(app: HoTro, typed: str) -> None:
    chat = await at_the_documents_step(app)
    await chat.attach("photo-1")
    await chat.say(typed)
    assert "1 tệp" in chat.last_text and "Xác nhận" in str(chat.buttons()), chat.last_text


@pytest.mark.parametrize("skip", ["button", "không có nữa"])
async def test_skip_after_a_photo_does_not_drop_it(app: HoTro, skip: str) -> None:
    """A photo already sent is kept: "Skip" (the step's first keyboard, still on screen) or "no more" then
    means there is nothing more to send."""
    chat = await at_the_documents_step(app)
    await chat.attach("photo-1")
    if skip == "button":
        await chat.tap("f:skip")
    else:
        await chat.say(skip)
    assert "1 tệp" in chat.last_text, chat.last_text


async def test_an_answer_no_button_matches_is_told_the_number_may_be_typed(app: HoTro) -> None:
    """On a phone that shows no buttons, the number of an option is an answer (as the console numbers them)."""
    chat = await at_the_same_address_step(app)
    refused = joined(await chat.say("bán hàng rong ngoài chợ"))
    assert "gõ số thứ tự" in refused and "đang sống tại địa chỉ đó không" in refused
    assert "làm công việc gì" in joined(await chat.say("1"))
