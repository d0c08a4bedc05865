"""tests/data/questions.tsv is well formed, and answer_matches applies its matching rule."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from messages.policies import load_policies
from tests.questions import (
    GENERAL_TOPICS,
    KINDS,
    POLICY_TOPICS,
    SPLITS,
    TOPICS,
    VERDICTS,
    Question,
    Requirement,
    answer_matches,
    folded,
    load_questions,
    parse_line,
    parse_must_contain,
    parse_questions,
)

QUESTIONS = load_questions()


def by_split(split: str) -> list[Question]:
    return [q for q in QUESTIONS if q.split == split]


# --- the file ----------------------------------------------------------------------------


def test_size_and_held_out_share() -> None:
    assert len(QUESTIONS) >= 500
    assert len(by_split("heldout")) * 3 >= len(QUESTIONS)
    assert {q.split for q in QUESTIONS} == set(SPLITS)


def test_every_row_has_a_known_topic_and_kind_and_a_requirement() -> None:
    for q in QUESTIONS:
        assert q.topic in TOPICS and q.kind in KINDS, q.line
        assert q.must_contain and all(r.alternatives and all(r.alternatives) for r in q.must_contain), q.line
        assert q.text.strip(), q.line


def test_policy_topics_are_the_knowledge_base_policies() -> None:
    assert set(POLICY_TOPICS) == {p.id for p in load_policies()}
    assert not set(POLICY_TOPICS) & set(GENERAL_TOPICS)


def test_no_duplicate_questions() -> None:
    counts = Counter(folded(q.text) for q in QUESTIONS)
    assert [text for text, n in counts.items() if n > 1] == []


def test_held_out_part_covers_every_topic_and_kind() -> None:
    held_out = by_split("heldout")
    assert {q.topic for q in held_out} == set(TOPICS)
    assert {q.kind for q in held_out} == set(KINDS)
    assert {q.topic for q in by_split("dev")} == set(TOPICS)


def test_both_parts_have_decomposed_input_and_yes_no_questions() -> None:
    for split in SPLITS:
        rows = by_split(split)
        nfd = [q for q in rows if not unicodedata.is_normalized("NFC", q.text)]
        assert len(nfd) >= len(rows) * 0.04, split
        verdicts = {alt for q in rows for r in q.must_contain if r.at_start for alt in r.alternatives}
        assert verdicts == set(VERDICTS), split


def test_only_verdicts_are_positional() -> None:
    for q in QUESTIONS:
        for r in q.must_contain:
            if r.at_start:
                assert set(r.alternatives) <= set(VERDICTS), q.line
        assert sum(r.at_start for r in q.must_contain) <= 1, q.line


def test_earlier_question_set_is_kept_as_dev_rows() -> None:
    """The policy matcher's 270 questions keep their batches, so its figures stay comparable."""
    batches = Counter(q.batch for q in QUESTIONS if q.batch)
    assert batches == {1: 228, 2: 42}
    assert all(q.split == "dev" and q.is_policy for q in QUESTIONS if q.batch)
    assert all(q.batch == 0 for q in by_split("heldout"))


# Figures policy-facts.md marks UNCONFIRMED must never be required (topic None = any topic).
UNCONFIRMED = [
    (None, "2.000.000"),  # the old questionnaire's per-child figure
    ("training", "1.500.000"),  # belongs to QĐ 17/2021, not to the training support
    ("training", "6 thang"),
    ("nq116", "2.100.000"),  # NQ 116's intermediate tiers
    ("nq116", "2.400.000"),
    ("nq116", "2.650.000"),
    ("nq116", "2.900.000"),
    (None, "80%"),  # central/local budget split
]


@pytest.mark.parametrize(("topic", "figure"), UNCONFIRMED)
def test_no_unconfirmed_figure_is_required(topic: str | None, figure: str) -> None:
    for q in QUESTIONS:
        if topic is None or q.topic == topic:
            assert all(figure not in alt for r in q.must_contain for alt in r.alternatives), q.line


def test_pregnancy_and_under_six_supplements_require_no_amount() -> None:
    """Their 1.000.000 ₫ is recalled, not sourced: such rows ask for the condition instead."""
    supplement = {"6 tuoi", "mang thai", "co thai", "ba bau"}
    for q in QUESTIONS:
        if any(set(r.alternatives) <= supplement for r in q.must_contain):
            alts = [alt for r in q.must_contain for alt in r.alternatives]
            assert not any(re.fullmatch(r"[\d.]+", alt) for alt in alts), q.line


def test_every_requirement_can_be_met_and_the_opposite_verdict_fails() -> None:
    for q in QUESTIONS:
        verdict = next((r.alternatives[0] for r in q.must_contain if r.at_start), None)
        facts = " ".join(r.alternatives[0] for r in q.must_contain if not r.at_start)
        reply = f"{verdict.capitalize()}. {facts}." if verdict else f"{facts}."
        assert answer_matches(q, reply), (q.line, reply)
        if verdict is not None:
            allowed = {alt for r in q.must_contain if r.at_start for alt in r.alternatives}
            for other in set(VERDICTS) - allowed:
                assert not answer_matches(q, f"{other.capitalize()}. {facts}."), (q.line, other)


# --- parsing -----------------------------------------------------------------------------


def test_parse_must_contain() -> None:
    assert parse_must_contain("^co ; 3.000.000 | 3 triệu") == (
        Requirement(("co",), at_start=True),
        Requirement(("3.000.000", "3 trieu")),
    )
    assert parse_must_contain("^co the|^co ; UBND cấp xã") == (
        Requirement(("co the", "co"), at_start=True),
        Requirement(("ubnd cap xa",)),
    )


@pytest.mark.parametrize("spec", ["", "15 ngay ; ", "a || b", "15 ngay|^co", "  ;  "])
def test_malformed_must_contain_rejected(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_must_contain(spec)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("dev\tf0_f1\tamount\t80.000", "columns"),
        ("test\tf0_f1\tamount\t80.000\tf0 tiền ăn", "split"),
        ("dev\tf0\tamount\t80.000\tf0 tiền ăn", "topic"),
        ("dev\tf0_f1\tprice\t80.000\tf0 tiền ăn", "kind"),
        ("dev\tf0_f1\tamount\t\tf0 tiền ăn", "must_contain"),
        ("dev\tf0_f1\tamount\t80.000\tNFD:", "empty question"),
    ],
)
def test_malformed_rows_rejected_with_their_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=rf"^line 7: .*{message}"):
        parse_line(line, 7)


def test_nfd_prefix_and_batch_markers() -> None:
    rows = parse_questions(
        [
            "# a comment",
            "dev\tf0_f1\tamount\t80.000\tNFD:tiền ăn F0",
            "# batch: 2",
            "",
            "heldout\tgreeting\tchat\txin chao\tchào bạn",
            "# batch: 0",
            "dev\tthanks\tchat\tcam on\tcảm ơn",
        ]
    )
    assert [(q.line, q.batch) for q in rows] == [(2, 0), (5, 2), (7, 0)]
    assert rows[0].text == unicodedata.normalize("NFD", "tiền ăn F0") != "tiền ăn F0"
    assert rows[1].split == "heldout" and not rows[1].is_policy
    assert rows[0].is_policy


# --- answer_matches ----------------------------------------------------------------------


def q(spec: str) -> Question:
    return parse_line(f"dev\thousehold_business\teligibility\t{spec}\tcâu hỏi", 1)


@pytest.mark.parametrize(
    ("spec", "reply", "expected"),
    [
        # the verdict opens the reply; markup, emoji and case around it do not matter
        ("^co ; 3.000.000|3 trieu", "Có. Hộ kinh doanh được 3.000.000 ₫/hộ, trả một lần.", True),
        ("^co ; 3.000.000|3 trieu", "✅ CÓ – được 3 triệu đồng", True),
        ("^co ; 3.000.000|3 trieu", "**Có**, 3.000.000\u00a0₫", True),
        ("^co ; 3.000.000|3 trieu", unicodedata.normalize("NFD", "Có. 3.000.000 ₫"), True),
        ("^co ; 3.000.000|3 trieu", "Có thể, nếu đóng cửa từ 15 ngày: 3.000.000 ₫", False),
        ("^co ; 3.000.000|3 trieu", "Không. Mức 3.000.000 ₫ cần 15 ngày liên tục.", False),
        ("^co ; 3.000.000|3 trieu", "Mức hỗ trợ 3.000.000 ₫. Có.", False),
        ("^co ; 3.000.000|3 trieu", "Con số là 3.000.000 ₫", False),
        ("^co ; 3.000.000|3 trieu", "Có. Mức hỗ trợ là 13.000.000 ₫", False),
        ("^co ; 3.000.000|3 trieu", "Có, bạn được hỗ trợ.", False),
        ("^khong ; 15 ngay", "Không. Cần đóng cửa từ 15 ngày liên tục trở lên.", True),
        ("^khong ; 15 ngay", "Không đủ điều kiện: cần 15 ngày.", True),
        ("^khong ; 15 ngay", "Không. Cần 115 ngày.", False),
        ("^khong ; 15 ngay", "Tiếc là không: cần 15 ngày.", False),
        ("^co the|^co ; 6 tuoi", "Có thể, nếu con dưới 6 tuổi.", True),
        ("^co the|^co ; 6 tuoi", "Có, cho mỗi con dưới 6 tuổi.", True),
        ("^co the|^co ; 6 tuoi", "Không, con phải dưới 6 tuổi.", False),
        ("^co the ; 6 tuoi", "Có. Con dưới 6 tuổi.", False),
        # whole numbers, whole words
        ("1.000.000", "thêm 1.000.000 ₫ (một lần)", True),
        ("1.000.000", "(1.000.000)", True),
        ("1.000.000", "gói 11.000.000 ₫", False),
        ("1.000.000", "tổng 1.000.000.000 ₫", False),
        ("80.000", "1.680.000 ₫ cho 21 ngày", False),
        ("0%", "mức đóng 0% trong 12 tháng", True),
        ("0%", "giảm 10% lao động", False),
        ("5 ngay lam viec", "trong 1,5 ngày làm việc", False),
        # every item, any alternative
        ("31/01/2022|31/1/2022 ; ubnd cap huyen", "Nộp tại UBND cấp huyện trước 31/1/2022.", True),
        ("31/01/2022|31/1/2022 ; ubnd cap huyen", "Nộp trước 31/01/2022.", False),
        # folding: đ, old and new tone placement, white space
        ("dang ky ; ho kinh doanh", "Đăng   ký hồ sơ hộ kinh doanh", True),
        ("uy ban nhan dan xa", "Nộp tại Uỷ ban nhân dân xã", True),
        ("uy ban nhan dan xa", "Nộp tại Ủy ban\nnhân dân xã", True),
        ("ubnd cap xa", "Nộp tại UBND cấp tỉnh", False),
    ],
)
def test_answer_matches(spec: str, reply: str, expected: bool) -> None:
    assert answer_matches(q(spec), reply) is expected


def test_answer_matches_a_reply_in_several_messages() -> None:
    question = q("^co ; 3.000.000|3 trieu ; ubnd cap xa")
    assert answer_matches(question, ["Hỗ trợ hộ kinh doanh", "Có. 3.000.000 ₫/hộ.", "Nộp tại UBND cấp xã."])
    assert answer_matches(question, ("Có. 3.000.000 ₫/hộ.", "Nộp tại UBND cấp xã."))
    # the verdict must open a message, and every fact must be somewhere
    assert not answer_matches(question, ["Hỗ trợ hộ kinh doanh: có. 3.000.000 ₫/hộ.", "Nộp tại UBND cấp xã."])
    assert not answer_matches(question, ["Có. 3.000.000 ₫/hộ."])
    assert not answer_matches(question, [])


def test_a_later_held_out_batch_is_marked_and_held_out() -> None:
    """Rows after "# held-out batch: DATE" are held-out rows of that batch (the benchmark reports them
    apart); the marker's batch ends with the held-out part."""
    batches = Counter(q.held_out_batch for q in QUESTIONS if q.held_out_batch)
    assert batches == {
        "2026-12-02": 60,
        "2026-12-02-b": 40,
        "2026-12-03": 36,
        "2026-12-03-b": 42,
        "2026-12-04": 45,
        "2026-12-04-b": 40,
        "2026-12-04-c": 40,
    }
    assert all(q.split == "heldout" for q in QUESTIONS if q.held_out_batch)
    assert not any(q.held_out_batch for q in by_split("dev"))
