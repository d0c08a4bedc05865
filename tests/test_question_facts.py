"""The facts taken from a citizen's message (handlers.ask.questions.facts): good and bad inputs."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from handlers.ask.questions import facts
from handlers.ask.questions.facts import Age, Covid, DateRange, Duration, Who


@pytest.mark.parametrize(
    ("text", "days", "months", "approx"),
    [
        ("quán đóng cửa 18 ngày", 18, None, False),
        ("18 ngay roi", 18, None, False),
        ("nghỉ 2 tuần rưỡi", 18, None, False),  # 17.5 days, rounded
        ("gần 2 tháng không đi làm", 60, 2.0, True),
        ("1 tháng rưỡi", 45, 1.5, False),
        ("mười lăm ngày", 15, None, False),
        ("hai mươi mốt ngày", 21, None, False),
        ("nửa tháng", 15, 0.5, False),
        ("3 tuần", 21, None, False),
        (unicodedata.normalize("NFD", "đóng cửa 20 ngày"), 20, None, False),
        ("xe bánh mì nghỉ có 12 bữa thôi", 12, None, False),  # "bữa", "hôm": a day, as people say it
        ("quán đóng cửa mười bữa", 10, None, False),
        ("tiệm nghỉ gần 20 hôm", 20, None, True),
    ],
)
def test_durations(text: str, days: int, months: float | None, approx: bool) -> None:
    assert facts.durations(text)[0] == Duration(days, months, approx)


@pytest.mark.parametrize(
    "text",
    [
        "tiền ăn 80k một ngày",  # a rate, not a duration
        "từ tháng 9",  # a month's name, not 9 months
        "ngày 15 tôi nộp hồ sơ",  # a date, not 15 days
        "bao nhiêu ngày thì có tiền",
        "",
        "tôi đang mang thai 5 tháng",  # how far along, not how long anything lasted
        "vợ tôi có bầu được 7 tháng",
        "con tôi 8 tháng tuổi bị f1",  # an age in months
        "khu cách ly chỉ phát 2 bữa ăn",  # meals, not days
        "mỗi hộ được 3 bữa cơm",
        "hôm nay tôi nộp hồ sơ",
    ],
)
def test_no_duration(text: str) -> None:
    assert facts.durations(text) == ()


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("xã bắt nghỉ từ 3/8 tới 25/8", date(2021, 8, 3), date(2021, 8, 25)),
        ("10/5–28/5/2021", date(2021, 5, 10), date(2021, 5, 28)),
        ("tu 1/7 den 20/7/21", date(2021, 7, 1), date(2021, 7, 20)),
        ("từ 3 đến 20/8", date(2021, 8, 3), date(2021, 8, 20)),
        ("đóng cửa cả tháng 9", date(2021, 9, 1), date(2021, 9, 30)),
        ("từ tháng 7 đến tháng 8", date(2021, 7, 1), date(2021, 8, 31)),
        ("nghỉ từ 15/7 đến giờ", date(2021, 7, 15), None),
        ("nghỉ không lương từ 5/8 tới 25/8/221", date(2021, 8, 5), date(2021, 8, 25)),  # a mistyped year
        # words between the two dates
        ("từ 24/7 phường yêu cầu đóng cửa đến 15/9 mới cho bán lại", date(2021, 7, 24), date(2021, 9, 15)),
        ("từ ngày 2/8 quán bị đóng cửa tới ngày 20/8", date(2021, 8, 2), date(2021, 8, 20)),
        # the start or end of a month or of the year, as people say it
        ("đóng cửa từ tháng 5 đến hết năm", date(2021, 5, 1), date(2021, 12, 31)),
        ("nghỉ từ tháng 7 tới cuối năm 2021", date(2021, 7, 1), date(2021, 12, 31)),
        ("từ 19/7 đến hết tháng 8", date(2021, 7, 19), date(2021, 8, 31)),
        ("từ 20/7 đến cuối tháng", date(2021, 7, 20), date(2021, 7, 31)),
        ("từ đầu tháng 8 đến cuối tháng 9", date(2021, 8, 1), date(2021, 9, 30)),
        ("từ giữa tháng 7 đến giữa tháng 8", date(2021, 7, 15), date(2021, 8, 15)),
        ("nghỉ từ giữa tháng 7 tới nay", date(2021, 7, 15), None),
    ],
)
def test_date_ranges(text: str, start: date, end: date | None) -> None:
    assert facts.date_ranges(text) == (DateRange(start, end),)


@pytest.mark.parametrize("text", ["từ 25/8 tới 3/8", "32/8 - 40/8", "số 0912345678", "tháng 7 bị đóng cửa"])
def test_no_date_range(text: str) -> None:
    assert facts.date_ranges(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nghỉ việc ngày 15/4/2021", (date(2021, 4, 15),)),
        ("thôi việc hồi tháng 2/2021", (date(2021, 2, 1),)),
        # a month named in words: its first day
        ("mình nghỉ việc từ tháng 3 năm 2021", (date(2021, 3, 1),)),
        ("bị cho nghỉ việc hồi tháng 4", (date(2021, 4, 1),)),
        ("tháng 1 năm 2022 mới bị chấm dứt hợp đồng", (date(2022, 1, 1),)),
        # a count of months, a range and a month span are not a month's name
        ("nghỉ 1 tháng 5 ngày", ()),
        ("đóng cửa cả tháng 9", ()),
        ("từ tháng 7 đến tháng 8", ()),
        ("từ 3/8 tới 25/8", ()),
    ],
)
def test_single_dates(text: str, expected: tuple[date, ...]) -> None:
    assert facts.single_dates(text) == expected


def test_a_range_gives_the_days() -> None:
    assert facts.extract("từ 3/8 tới 25/8").days == 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cháu 9 tuổi bị F0", (Age("chau", 9),)),
        ("con 15 tuổi", (Age("con", 15),)),
        # "con tôi 4 tuổi", "bé nhà mình 3 tuổi": the age is the child's, not the speaker's
        ("con tôi 4 tuổi", (Age("con", 4),)),
        ("bé nhà mình 3 tuổi", (Age("be", 3),)),
        ("có con 3 tuổi", (Age("con", 3),)),
        ("nhà tôi có con nhỏ 3 tuổi", (Age("con", 3),)),
        ("con gái tôi 4 tuổi", (Age("con", 4),)),
        ("bà 80 tuổi", (Age("ba", 80),)),
        ("bé mười tuổi", (Age("be", 10),)),
        ("con 5 tuoi va me 62 tuoi", (Age("con", 5), Age("me", 62))),
        # The second age of a list is the same kind of person's: "5 tuổi" was nobody's, and one child counted.
        ("2 con nhỏ 3 tuổi và 5 tuổi", (Age("con", 3), Age("con", 5))),
        ("hai đứa con 2 tuổi, 4 tuổi", (Age("con", 2), Age("con", 4))),
        ("có 2 con 3 và 5 tuổi", (Age("con", 3), Age("con", 5))),
    ],
)
def test_ages(text: str, expected: tuple[Age, ...]) -> None:
    assert facts.ages(text) == expected


@pytest.mark.parametrize("text", ["tuổi nghỉ hưu", "200 tuổi", "người cao tuổi có được không"])
def test_no_age(text: str) -> None:
    assert facts.ages(text) == ()


def test_child_and_elderly() -> None:
    assert facts.extract("cháu 9 tuổi").child_under_16 and not facts.extract("con 16 tuổi").child_under_16
    assert facts.extract("bà 80 tuổi").elderly and not facts.extract("chú 50 tuổi").elderly


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tôi là F0 điều trị 10 ngày", Covid.F0),
        ("bi duong tinh covid", Covid.F0),
        ("f1 cách ly tại nhà 14 ngày", Covid.F1),
        ("cach ly tap trung", Covid.F1),
        ("quán đóng cửa 20 ngày", None),
    ],
)
def test_covid_status(text: str, expected: Covid | None) -> None:
    assert facts.covid_status(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hộ kinh doanh đóng cửa", Who.HOUSEHOLD_BUSINESS),
        ("thợ cắt tóc có đăng ký", Who.HOUSEHOLD_BUSINESS),
        ("chạy xe ôm", Who.FREE_WORKER),
        ("ban ve so", Who.FREE_WORKER),
        ("sinh viên làm thêm bị mất việc", Who.FREE_WORKER),
        ("chạy grab mất việc", Who.FREE_WORKER),
        ("em làm shipper", Who.FREE_WORKER),
        ("hướng dẫn viên du lịch", Who.TOUR_GUIDE),
        ("diễn viên đoàn nghệ thuật công lập", Who.ARTIST),
        ("công nhân công ty may", Who.EMPLOYEE_SI),
        ("doanh nghiệp của tôi muốn vay trả lương", Who.EMPLOYER),
        ("hạn nộp là ngày nào", None),
    ],
)
def test_who(text: str, expected: Who | None) -> None:
    assert facts.who(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("có đóng bhxh đầy đủ", True),
        ("công ty có đóng bảo hiểm xã hội", True),
        ("không đóng bảo hiểm", False),
        ("chưa tham gia BHXH", False),
        ("ko có bhxh", False),
        ("nghỉ không lương 20 ngày", None),
        ("tôi đóng bảo hiểm xã hội tự nguyện", False),  # voluntary insurance is not the compulsory one
        ("có đóng bhxh tự nguyện 2 năm", False),
        ("cty cho nghỉ 2 tuần, có bh", True),  # "bh" as people write it
        ("em có bảo hiểm xã hội", True),
        ("ko có bh", False),
        ("không có bhtn", None),  # unemployment insurance: not the social insurance asked
    ],
)
def test_social_insurance(text: str, expected: bool | None) -> None:
    assert facts.social_insurance(text) is expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("tôi ở Hà Nội", 1),
        ("o ha noi", 1),
        ("HN", 1),
        ("tphcm", 79),
        ("ở SG", 79),
        ("hcm", 79),
        ("sài gòn", 79),
        ("Thành phố Hồ Chí Minh", 79),
        ("long an", 80),
        ("Đắk Lắk", 66),
        ("dak lak", 66),
        ("Bà Rịa - Vũng Tàu", 77),
        ("Hà Nam", 35),
        ("Thừa Thiên Huế", 46),
        (unicodedata.normalize("NFD", "Cần Thơ"), 92),
        # A district that only one province has, named with its type word, names that province.
        ("ba tôi chạy xe ôm ở quận 8", 79),
        ("nha o q8", 79),
        ("ở Q.Bình Thạnh", 79),
        ("huyện Củ Chi", 79),
        ("tp Thủ Đức", 79),
        ("quận Cầu Giấy", 1),
        ("thị xã Bến Cát", 74),
        ("huyện Hữu Lũng", 20),
        ("thành phố Biên Hòa", 75),
        # The city districts citizens name without "quận".
        ("bán vé số ở Gò Vấp", 79),
        ("tôi ở cầu giấy", 1),
    ],
)
def test_province(text: str, code: int) -> None:
    assert facts.province(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "hà",
        "nội trợ",
        "sang năm",
        "không biết",
        "quán đóng đã 20 ngày",  # "Đống Đa" folded
        "là gì",  # "La Gi"
        "con có được không",  # "Cồn Cỏ"
        "huyện Châu Thành",  # in several provinces
        "quận Tân Phú",  # Đồng Nai's is a huyện, but a citizen may say either: both provinces have one
        "phường 8",  # a commune's number, in many cities
    ],
)
def test_no_province(text: str) -> None:
    assert facts.province(text) is None


@pytest.mark.parametrize(
    ("text", "covid", "who"),
    [
        ("cachh ly tai nha 14 ngay", Covid.F1, None),  # "cách ly"
        ("bi duongg tinh", Covid.F0, None),
    ],
)
def test_mistyped_words_are_repaired_before_reading_facts(text: str, covid: Covid | None, who: Who | None) -> None:
    found = facts.extract(text)
    assert found.covid is covid and found.who is who


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A real Vietnamese syllable the knowledge base happens not to hold is a word, not a typo.
        ("công ty cho nghỉ luôn", "cong ty cho nghi luon"),
        ("thiệt hại do dịch", "thiet hai do dich"),
        ("chiến sĩ", "chien si"),
        ("tích cực", "tich cuc"),
        # What no syllable can be is repaired to the knowledge base's nearest word; shorthand is expanded.
        ("nguwng viec", "ngung viec"),
        ("doah nghiep", "doanh nghiep"),
        ("dongg cua", "dong cua"),
        ("nhiu ngay", "nhieu ngay"),
    ],
)
def test_typos_are_repaired_and_words_are_left_alone(text: str, expected: str) -> None:
    assert facts.folded(text) == expected


def test_the_classifier_repairs_typos_the_same_way() -> None:
    from handlers.ask.questions.classify import classifier

    fold = classifier().fold
    assert fold("cho nghỉ luôn").split()[-1] == "luon"  # a word, not "lương" misspelt
    assert "doanh" in fold("doah nghiep").split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "vậy" (so, then) folds to "vay" (borrow): the particle ending a question is dropped, not read as a loan.
        ("sao lâu vậy", "sao lau"),
        ("là sao z", "la sao"),
        ("sao lau vay", "sao lau"),
        ("the nao vay ad", "the nao ad"),
        # The loan itself stays.
        ("doanh nghiệp có được vay không", "doanh nghiep co duoc vay khong"),
        ("cho vay trả lương", "cho vay tra luong"),
        ("vay von 0%", "vay von 0"),
    ],
)
def test_the_particle_vay_is_not_the_loan(text: str, expected: str) -> None:
    from messages.normalize import search_key

    assert search_key(text) == expected
