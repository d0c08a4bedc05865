"""The labelled citizen questions (tests/data/questions.tsv) and the rule that says whether a
reply answers one of them.

The file's header describes the format. In short: ``split topic kind must_contain question``,
TAB-separated; ``must_contain`` items are separated by " ; " and must all appear in the reply,
alternatives inside an item by " | " (any one will do), and an item starting with "^" must open
the reply. Everything is compared folded (messages.normalize: NFC, white space collapsed,
lower case, no diacritics, đ -> d), so "Có. 3.000.000 ₫/hộ" meets "^co ; 3.000.000".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from messages.normalize import fold, nfc
from messages.vocabulary import GENERAL_TOPICS, POLICY_TOPICS, QUESTION_KINDS

QUESTIONS_PATH = Path(__file__).parent / "data" / "questions.tsv"
NFD_PREFIX = "NFD:"

SPLITS = ("heldout", "dev")
TOPICS = POLICY_TOPICS + GENERAL_TOPICS
KINDS = QUESTION_KINDS

# Yes/no verdicts, longest first: "^co" asks for a plain "Có", which a reply opening "Có thể"
# (a conditional yes) does not give.
VERDICTS = ("co the", "khong", "co")

_BATCH = re.compile(r"#\s*batch:\s*(\d+)")
# A later held-out batch ("# held-out batch: 2026-12-02"): its rows are also reported on their own.
_HELD_OUT_BATCH = re.compile(r"#\s*held-out batch:\s*(\S+)")
_LEADING_NOISE = re.compile(r"^[^a-z0-9]+")  # emoji, bullets, markup before the first word


@dataclass(frozen=True)
class Requirement:
    """One must_contain item: any of `alternatives` (folded) must appear; at the start if `at_start`."""

    alternatives: tuple[str, ...]
    at_start: bool = False


@dataclass(frozen=True)
class Question:
    split: str  # "heldout" or "dev"
    topic: str  # a policy id or a general topic
    kind: str
    must_contain: tuple[Requirement, ...]
    text: str  # as the citizen sends it ("NFD:" rows already decomposed)
    line: int  # 1-based line number in the file, for messages
    # 1 or 2: the earlier policy-matcher question set's batches (kept so its figures stay
    # comparable); 0: written for issue 12.
    batch: int = 0
    # A held-out row written after the first held-out part: its marker's date ("" for the first part).
    held_out_batch: str = ""

    @property
    def is_policy(self) -> bool:
        return self.topic in POLICY_TOPICS


def folded(text: str) -> str:
    """The form replies and must_contain items are compared in."""
    return fold(nfc(text))


def parse_must_contain(spec: str) -> tuple[Requirement, ...]:
    """ "^co ; 3.000.000 | 3 trieu" -> (Requirement(("co",), True), Requirement(("3.000.000", "3 trieu")))."""
    requirements = []
    for item in spec.split(";"):
        item = item.strip()
        if not item:
            raise ValueError(f"empty must_contain item in {spec!r}")
        at_start = item.startswith("^")
        alternatives = []
        for alt in item.split("|"):
            alt = alt.strip()
            if alt.startswith("^") and not at_start:  # "^" on the first alternative anchors them all
                raise ValueError(f"'^' on a later alternative only, in {item!r}")
            alt = folded(alt.removeprefix("^"))
            if not alt:
                raise ValueError(f"empty alternative in {item!r}")
            alternatives.append(alt)
        requirements.append(Requirement(tuple(alternatives), at_start))
    return tuple(requirements)


def parse_line(line: str, number: int, batch: int = 0, held_out_batch: str = "") -> Question:
    fields = line.split("\t")
    if len(fields) != 5:
        raise ValueError(f"line {number}: {len(fields)} columns, expected 5")
    split, topic, kind, spec, text = (f.strip() for f in fields)
    if split not in SPLITS:
        raise ValueError(f"line {number}: unknown split {split!r}")
    if topic not in TOPICS:
        raise ValueError(f"line {number}: unknown topic {topic!r}")
    if kind not in KINDS:
        raise ValueError(f"line {number}: unknown kind {kind!r}")
    if text.startswith(NFD_PREFIX):
        text = unicodedata.normalize("NFD", text.removeprefix(NFD_PREFIX))
    if not text:
        raise ValueError(f"line {number}: empty question")
    try:
        requirements = parse_must_contain(spec)
    except ValueError as exc:
        raise ValueError(f"line {number}: {exc}") from None
    if held_out_batch and split != "heldout":
        raise ValueError(f"line {number}: a {split} row after the marker of held-out batch {held_out_batch}")
    return Question(split, topic, kind, requirements, text, number, batch, held_out_batch)


def parse_questions(lines: Iterable[str]) -> list[Question]:
    questions = []
    batch, held_out_batch = 0, ""
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            if marker := _BATCH.match(line):
                batch = int(marker.group(1))
            if marker := _HELD_OUT_BATCH.match(line):
                held_out_batch = marker.group(1)
            if "===== DEV PART" in line:
                held_out_batch = ""  # a held-out batch ends with the held-out part
            continue
        if line.strip():
            questions.append(parse_line(line, number, batch, held_out_batch))
    return questions


def load_questions(path: Path = QUESTIONS_PATH) -> list[Question]:
    """Every labelled question; raises ValueError naming the line of a malformed row."""
    return parse_questions(path.read_text(encoding="utf-8").splitlines())


def _leading_verdict(reply: str) -> str | None:
    return next((v for v in VERDICTS if re.match(rf"{v}(?![a-z0-9])", reply)), None)


def _occurs(alternative: str, reply: str, at_start: bool) -> bool:
    if at_start:
        if alternative in VERDICTS:
            return _leading_verdict(reply) == alternative
        return re.match(rf"{re.escape(alternative)}(?![a-z0-9])", reply) is not None
    # Whole words and whole numbers: "15 ngay" is not found in "115 ngay", nor "1.000.000" in
    # "11.000.000" or "1.000.000.000".
    pattern = rf"(?<![a-z0-9])(?<![0-9][.,]){re.escape(alternative)}(?![a-z0-9])(?![.,][0-9])"
    return re.search(pattern, reply) is not None


def answer_matches(question: Question, reply: str | Sequence[str]) -> bool:
    """Does the reply the citizen sees hold every fact the question requires?

    `reply` is the reply's text, or the texts of the chat messages it is made of: then an item
    with "^" must open one of the messages, and the other items may be in any of them. Measure
    each question in a chat that has already been welcomed (say "/start" first and drop those
    messages): the first-contact welcome says "Xin chào" whatever the question was.
    """
    messages = [reply] if isinstance(reply, str) else list(reply)
    starts = [_LEADING_NOISE.sub("", folded(m)) for m in messages]
    text = "\n".join(folded(m) for m in messages)
    return all(
        any(
            any(_occurs(alt, start, True) for start in starts) if req.at_start else _occurs(alt, text, False)
            for alt in req.alternatives
        )
        for req in question.must_contain
    )
