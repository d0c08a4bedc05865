"""Answers computed by the rules engine from the facts in a question (handlers.ask.questions.verdict)."""

from __future__ import annotations

from datetime import date

import pytest

from handlers import app_code
from handlers.ask.questions import id_facts, verdict
from handlers.ask.questions.confirm import confirmation
from handlers.ask.questions.facts import extract
from handlers.intents import code_in
from messages.free_worker_scheme import FreeWorkerScheme
from messages.normalize import fold

TODAY = date(2021, 12, 1)


def answer(topic: str, text: str, scheme: FreeWorkerScheme | None = None) -> verdict.Computed:
    computed = verdict.compute(topic, text, extract(text), scheme or FreeWorkerScheme(), TODAY)
    assert computed is not None
    return computed


def test_closed_12_days_is_no_with_the_15_day_rule() -> None:
    c = answer("household_business", "tiệm sửa xe đóng cửa 12 ngày có được 3 triệu không")
    assert c.text.startswith("Không.") and c.decided
    assert "15 ngày" in c.text and "12 ngày" in c.text
    assert "3.000.000" not in c.text


def test_closed_23_days_is_yes_with_3_million_and_the_rule() -> None:
    c = answer("household_business", "xã bắt quán đóng cửa từ 3/8 tới 25/8 có được hỗ trợ không")
    assert c.text.startswith("Có.") and c.decided
    assert "3.000.000\xa0₫" in c.text
    assert "23 ngày liên tục" in c.text and "từ 15 ngày liên tục trở lên" in c.text


@pytest.mark.parametrize(
    ("topic", "text", "counted", "total"),
    [
        ("household_business", "quán tôi đóng cửa từ 15/12/2021 tới 10/1/2022", 17, 27),
        ("suspension", "nghỉ không lương từ 20/12/2021 đến 20/1/2022 có được hỗ trợ không", 12, 32),
        # Khoản 10 counts the days from 01/5/2021: the closure's days in April are not counted.
        ("household_business", "tiệm nail đóng từ 20/4 tới giữa tháng 6 thì có được 3 triệu không", 46, 57),
    ],
)
def test_the_rule_line_counts_the_days_the_rules_count(topic: str, text: str, counted: int, total: int) -> None:
    """A period running past 31/12/2021: the rule line gave all its days while the rules counted those of 2021."""
    c = answer(topic, text)
    rule = next(line for line in c.text.split("\n") if line.startswith("Căn cứ"))
    assert f"{counted} ngày" in rule and f"{total} ngày" not in rule, c.text


@pytest.mark.parametrize(
    "text",
    [
        "tiệm nail nhà mình đóng từ 20/4 tới giữa tháng 6 thì có được 3 triệu không",
        "quán ăn đóng cửa từ cuối tháng 4 đến hết tháng 5 có được hỗ trợ không",
    ],
)
def test_a_closure_that_began_before_may_counts_its_days_from_1_may(text: str) -> None:
    """QĐ 23 asks for 15 days inside 01/5–31/12/2021, not for a start inside it: these were told "Không"."""
    c = answer("household_business", text)
    assert c.text.startswith("Có.") and "3.000.000" in c.text, c.text
    assert "từ 01/05/2021" in c.text


def test_a_closure_over_before_may_is_still_no() -> None:
    c = answer("household_business", "quán đóng cửa từ 1/4 đến 25/4 có được hỗ trợ không")
    assert c.text.startswith("Không."), c.text


def test_child_f0_treated_10_days_totals_meals_and_the_child_supplement() -> None:
    c = answer("children", "bé nhà tôi 7 tuổi là F0 điều trị 10 ngày thì tổng được bao nhiêu")
    assert c.text.startswith("Có.")
    assert "10 ngày × 80.000\xa0₫ = 800.000\xa0₫" in c.text
    assert "Tổng cộng: 1.800.000\xa0₫" in c.text


@pytest.mark.parametrize(
    ("topic", "text"),
    [
        ("children", "con tôi 5 tuổi, tôi bị cách ly F1 14 ngày, được hỗ trợ gì"),
        ("f0_f1", "tôi đang điều trị F0 10 ngày, nhà có 2 con nhỏ thì được bao nhiêu"),
    ],
)
def test_the_parents_own_isolation_gives_no_child_supplement(topic: str, text: str) -> None:
    """The parent is the F1: the child's +1.000.000 ₫ is for a child who is F0 or F1 too, which is not said."""
    c = answer(topic, text)
    assert c.text.startswith("Có.") and "Tổng cộng" not in c.text, c.text
    assert "Hỗ trợ trẻ em: 1.000.000" not in c.text
    assert "Nếu con của bạn cũng là F0 hoặc F1" in c.text  # what the child may get is said, not assumed


def test_the_childs_own_isolation_still_gets_the_supplement() -> None:
    c = answer("children", "con tôi 5 tuổi bị cách ly F1 14 ngày thì được bao nhiêu")
    assert "Tổng cộng: 2.120.000\xa0₫" in c.text


@pytest.mark.parametrize(
    "text",
    [
        "nghệ sĩ hát đám cưới tự do có được hỗ trợ không",
        "ca sĩ tự do hát phòng trà có được hỗ trợ nghệ sĩ không",
        "em là nhạc công chạy show tự do, nghỉ diễn 2 tháng có được 3 triệu 7 không",
    ],
)
def test_a_freelance_performer_is_not_a_public_arts_employee(text: str) -> None:
    c = answer("arts_tour_guide", text)
    assert c.text.startswith("Không.") and "lao động tự do" in c.text, c.text


@pytest.mark.parametrize(
    "text",
    [
        "mình nghỉ việc từ tháng 3 năm 2021 có được hỗ trợ không",
        "bị chấm dứt hợp đồng hồi tháng 4 có được 3,71 triệu không",
    ],
)
def test_a_termination_in_a_month_before_the_window_is_no(text: str) -> None:
    c = answer("termination", text)
    assert c.text.startswith("Không.") and c.decided, c.text
    assert "01/05/2021" in c.text


def test_the_under_6_supplement_is_not_for_a_work_stoppage() -> None:
    """Khoản 7's extra for workers rides on suspension, unpaid leave or termination only (policy-facts §3.7)."""
    c = answer("children", "con tôi 4 tuổi, tôi bị ngừng việc 20 ngày do phong tỏa thì được thêm tiền cho con không")
    assert c.text.startswith("Không.") and c.decided, c.text
    assert "tạm hoãn" in c.text and "chấm dứt" in c.text
    assert "F0" not in c.text.split("\n")[0]  # the child's own F0/F1 status is not what was asked


@pytest.mark.parametrize(
    "text",
    [
        "con tôi 4 tuổi, tôi bị nghỉ không lương 1 tháng thì được thêm tiền cho con không",
        "tôi bị chấm dứt hợp đồng tháng 8, có con 3 tuổi thì được thêm gì không",
    ],
)
def test_the_under_6_supplement_rides_on_suspension_or_termination(text: str) -> None:
    c = answer("children", text)
    assert not c.text.startswith("Không."), c.text
    assert "dưới 6 tuổi" in c.text and "hỏi" in c.text  # the extra exists; its amount is not confirmed
    assert "1.000.000" not in c.text
    assert "F0" not in c.text.split("\n")[0]


def test_unpaid_leave_22_days_gets_the_short_amount() -> None:
    c = answer("suspension", "công ty cho nghỉ không lương 22 ngày thì được bao nhiêu")
    assert c.text.startswith("Có.")
    assert "1.855.000\xa0₫" in c.text and "3.710.000" not in c.text.split("\n")[0]


def test_unpaid_leave_a_month_and_a_half_gets_the_long_amount() -> None:
    c = answer("suspension", "tạm hoãn hợp đồng 1 tháng rưỡi được bao nhiêu")
    assert "3.710.000\xa0₫" in c.text.split("\n")[0]


def test_treated_60_days_is_paid_45_days() -> None:
    c = answer("f0_f1", "bệnh nhân F0 điều trị 60 ngày được mấy ngày tiền ăn")
    assert "45 ngày" in c.text and "3.600.000\xa0₫" in c.text


def test_no_social_insurance_is_no() -> None:
    c = answer("suspension", "tôi không đóng bhxh, nghỉ không lương 20 ngày có được hỗ trợ không")
    assert c.text.startswith("Không.") and "bảo hiểm xã hội" in c.text


def test_a_missing_deciding_fact_is_named() -> None:
    c = answer("household_business", "hộ kinh doanh có được hỗ trợ không")
    assert fold(c.text).startswith("co the, neu") and not c.decided
    assert "bao nhiêu ngày liên tục" in c.text
    assert "3.000.000\xa0₫" in c.text  # the confirmed amount, as a condition is met


def test_free_worker_amount_follows_the_scheme() -> None:
    per_day = FreeWorkerScheme(mode="per_day", amount_vnd=50_000, decision="QĐ 6652/QĐ-UBND")
    c = answer("free_worker", "chạy xe ôm nghỉ 20 ngày được bao nhiêu", per_day)
    assert "1.000.000\xa0₫" in c.text  # 20 days × 50.000 ₫
    unset = answer("free_worker", "chạy xe ôm nghỉ 20 ngày được bao nhiêu")
    assert fold(unset.text).startswith("co the") and "UBND tỉnh quy định" in unset.text


def test_no_unconfirmed_figure_for_the_pregnancy_supplement() -> None:
    c = answer("suspension", "tôi đang mang thai, con 3 tuổi, nghỉ không lương 20 ngày được bao nhiêu")
    assert "1.855.000\xa0₫" in c.text
    supplement = c.text[c.text.index("Hỗ trợ trẻ em") :]
    assert "mang thai" in supplement and "chưa được xác nhận" in supplement
    assert "2.000.000" not in c.text and "1.000.000" not in supplement


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thợ cắt tóc bị đóng cửa 18 ngày có đc hỗ trợ k", True),
        ("hướng dẫn viên du lịch được hỗ trợ không", True),
        ("diễn viên nghỉ diễn có được hỗ trợ không ạ", True),
        ("mình có đủ điều kiện chưa", True),
        ("bốc vác nghỉ vì dịch có tiền kông", True),
        ("hộ kinh doanh được bao nhiêu tiền", False),
        ("nộp hồ sơ ở đâu", False),
    ],
)
def test_yes_no_questions(text: str, expected: bool) -> None:
    assert verdict.is_yes_no(text) is expected


def test_topics_the_rules_cannot_decide() -> None:
    assert verdict.compute("wage_loan", "vay trả lương 20 ngày", extract("vay"), FreeWorkerScheme(), TODAY) is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("cccd số thứ 4 là 1 là nam hay nữ", "Chữ số thứ 4 là 1: giới tính nữ, sinh trong khoảng năm 1900 – 1999."),
        ("chữ số thứ tư là 2 thì sao", "Chữ số thứ 4 là 2: giới tính nam, sinh trong khoảng năm 2000 – 2099."),
        ("mã 020 trên cccd là tỉnh nào", "Mã 020 ở 3 chữ số đầu là Tỉnh Lạng Sơn (nơi đăng ký khai sinh)."),
    ],
)
def test_cccd_digits_are_explained(question: str, expected: str) -> None:
    assert id_facts.explain(question) == [expected]


@pytest.mark.parametrize("question", ["cccd có mấy số", "mã 003 là tỉnh nào", "số thứ 4 là 7"])
def test_no_cccd_explanation_without_a_known_digit(question: str) -> None:
    assert id_facts.explain(question) == []


@pytest.mark.parametrize(
    ("question", "body", "expected"),
    [
        ("vay trả lương có cần tài sản bảo đảm không", "Lãi suất 0%, không cần tài sản bảo đảm.", "Không."),
        ("cty giảm 5% lao động có được tạm dừng không", "Số lao động giảm từ 10% trở lên.", "Không."),
        ("cty giảm 12% lao động có được tạm dừng không", "Số lao động giảm từ 10% trở lên.", "Có."),
        ("được giảm đóng trong 12 tháng đúng không", "Đóng 0% trong 12 tháng, từ 01/7/2021.", "Có."),
        ("có được nộp qua bưu điện không", "Nộp trực tiếp tại xã.", "Có thể, nếu đáp ứng các điều kiện dưới đây."),
        # The topic's words are in the text, what is asked of it ("bị thiệt") is not: no "Có."
        (
            "tạm dừng đóng quỹ hưu trí thì người lao động có bị thiệt không",
            "Người sử dụng lao động và người lao động tạm dừng đóng vào quỹ hưu trí và tử tuất trong 6 tháng.",
            "Có thể, nếu đáp ứng các điều kiện dưới đây.",
        ),
        (
            "công ty có được giảm đóng bảo hiểm tai nạn lao động không",
            "Người sử dụng lao động được giảm đóng bảo hiểm tai nạn lao động xuống 0%.",
            "Có.",
        ),
        # "thường trú", "tạm trú", "cư trú" are residence, not "trừ" (except) folded: nothing is excluded.
        (
            "lao động tự do làm đơn gửi ubnd xã phải không",
            "Lao động tự do nộp đơn. Đơn ghi nơi thường trú, nơi tạm trú, có xác nhận của UBND xã.",
            "Có.",
        ),
        (
            "lao động tự do có phải về quê xin xác nhận không",
            "Hà Nội: lao động tự do không phải về địa phương nơi thường trú để xin xác nhận.",
            "Không.",
        ),
        (  # was "Có." over the text's own "không có khoản hỗ trợ tiền điện"
            "hỗ trợ tiền điện tiền nước có không",
            "Trong 12 chính sách đó không có khoản hỗ trợ tiền điện, tiền nước, gạo, tiền học hay tiền thuê nhà.",
            "Không.",
        ),
        (  # "không có hợp đồng" describes who: no "Không." to a question about them
            "người không có hợp đồng lao động có được hỗ trợ không",
            "Người lao động không có hợp đồng lao động (lao động tự do) được hỗ trợ theo mức do UBND tỉnh quy định.",
            "Có.",
        ),
    ],
)
def test_confirmation_is_read_off_the_answer(question: str, body: str, expected: str) -> None:
    assert confirmation(question, body) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mã hồ sơ: DT77-2EZW", "DT77-2EZW"),
        ("cho hỏi mã TD-XWYY-XHQ3 tới đâu rồi", "TD-XWYY-XHQ3"),
        ("HK BHE3 A2KX", "HK BHE3 A2KX"),
        ("quyet dinh 3642 cua ha noi", None),  # "dinh 3642" is a decision's number, not a code
        ("bi f0 thang 6/2021 dieu tri 18 ngay", None),
        ("gọi 0912345678", None),
        ("2021 2022", None),
        ("NGHI TU NGAY 2021", None),
        ("HK-RBA-TCJ9", "HK-RBA-TCJ9"),  # mistyped, so the look-up says so
        ("mã hồ sơ: DT77-2EW", "DT77-2EW"),
        ("tien ho tro 3 trieu", None),
        ("chi cuc thue tham dinh ho so", None),  # "thue tham" happens to pass the check character
    ],
)
def test_application_codes_in_a_message(text: str, expected: str | None) -> None:
    assert code_in(text) == expected


def test_a_valid_code_typed_in_lower_case_is_found() -> None:
    code = next(c for c in iter(app_code.new_code, None) if any(ch.isdigit() for ch in c[:4]) and not c[:4].isdigit())
    typed = app_code.display(code).lower()
    assert code_in(f"mã của tôi {typed} nhé") == typed


def test_f0_meal_money_stacks_with_unpaid_leave_each_with_its_own_days() -> None:
    c = answer("suspension", "tôi bị F0 điều trị 12 ngày, công ty cho nghỉ không lương 20 ngày, tổng được bao nhiêu")
    assert "1.855.000\xa0₫" in c.text and "12 ngày × 80.000\xa0₫ = 960.000\xa0₫" in c.text
    assert "Tổng cộng: 2.815.000\xa0₫" in c.text


def test_isolation_as_the_reason_is_not_a_second_claim() -> None:
    c = answer("work_stoppage", "công ty cho ngừng việc do cách ly y tế 20 ngày có được hỗ trợ không")
    assert c.text.startswith("Có.") and "1.000.000\xa0₫" in c.text and "Tổng cộng" not in c.text


@pytest.mark.parametrize(
    "text",
    [
        "tôi là F1 nhưng cách ly tại nhà, không có quyết định cách ly thì sao",
        "em F1 cách ly 14 ngày, còn đi làm thì chưa được",
        "toi la f1 cach ly 14 ngay, khong co quyet dinh cach ly",
    ],
)
def test_a_clause_naming_no_one_is_no_second_person(text: str) -> None:
    """ "có" (folded "co" = "cô"), "còn" ("con"), "đi" ("dì") made a clause without anyone in it a second person."""
    assert verdict.per_person(text, FreeWorkerScheme(), date(2021, 9, 1)) is None


def test_two_people_with_their_days_are_still_counted_each() -> None:
    found = verdict.per_person(
        "chồng tôi bị F0 điều trị 30 ngày, tôi là F1 cách ly 14 ngày", FreeWorkerScheme(), date(2021, 9, 1)
    )
    assert found is not None and "3.520.000" in found.text
