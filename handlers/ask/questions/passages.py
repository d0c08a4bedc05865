"""The passage of the knowledge base that best supports an answer, found by word overlap.

An answer is chosen by topic and kind (a section, a knowledge entry); when the question asks
about a detail that lives elsewhere in the same policy's texts (the form's number in the
documents section while the kind says "where", the 6 months of the pension pause in its summary)
the best-matching paragraph is added. Paragraphs come from the policy pages
(messages/policies/*.toml) and the knowledge entries (messages/knowledge), compared by TF-IDF
over folded words and word pairs (cosine similarity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from messages.knowledge import load_knowledge
from messages.normalize import search_key
from messages.policies import load_policies

if TYPE_CHECKING:  # imported when the index is first built (see classify.py)
    from sklearn.feature_extraction.text import TfidfVectorizer

# Below this similarity a paragraph says too little about the question to be added.
MIN_SIMILARITY = 0.22
# A paragraph of another topic is added only when it matches this well.
OTHER_SIMILARITY = 0.28
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[-•\d])")
# A paragraph whose words are this much among those of one line shown already says it again in other words
# ("thêm 1.000.000 ₫ cho người cao tuổi, người khuyết tật nặng" under "Cộng thêm 1.000.000 ₫ cho người cao tuổi
# …"); less is enough when the line holds its amounts too. One line, not the whole answer: a long answer holds
# most words of any paragraph of its policy.
REPEATED_WORDS = 0.8
REPEATED_WITH_AMOUNTS = 0.7
_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+")
# A period in the question ("từ cuối tháng 4 đến hết tháng 5", "từ 10/7", "20 ngày") says when, not what it is
# about: compared, its words matched the pension pause's "đến hết tháng 01/2021" under a closed shop's answer.
_PERIOD = re.compile(  # on the search key, where "10/7/2021" reads "10 7 2021"
    r"\b(?:(?:tu|den|toi)\s+)?(?:(?:ngay|het|cuoi|dau|giua)\s+)?(?:thang|ngay|nam|tuan)\s+\d{1,4}(?:\s+\d{1,4}){0,2}\b"
    r"|\b(?:tu|den|toi)\s+(?:ngay\s+)?\d{1,2}\s+\d{1,2}(?:\s+\d{2,4})?\b"
    r"|\b\d{1,3}\s+(?:ngay|thang|tuan)\b"
)


@dataclass(frozen=True)
class Passage:
    text: str
    policy: str | None  # the policy it belongs to, None for a general knowledge entry


@dataclass(frozen=True)
class _Index:
    passages: tuple[Passage, ...]
    vectorizer: TfidfVectorizer
    matrix: object  # scipy sparse, one row per passage


def _paragraphs(text: str) -> list[str]:
    # A list's heading alone ("Hộ kinh doanh được hỗ trợ nếu:") says nothing; its items do.
    return [p.strip() for p in _PARAGRAPH.split(text) if len(p.strip()) > 20 and not p.strip().endswith(":")]


@cache
def _index() -> _Index:
    from sklearn.feature_extraction.text import TfidfVectorizer

    passages: list[Passage] = []
    for policy in load_policies():
        for text in (policy.summary, *policy.sections.values()):
            passages += [Passage(p, policy.id) for p in _paragraphs(text)]
    for entry in load_knowledge():
        passages += [Passage(p, entry.policy) for p in _paragraphs(entry.answer)]
    vectorizer = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+")
    matrix = vectorizer.fit_transform(search_key(p.text) for p in passages)
    return _Index(tuple(passages), vectorizer, matrix)


def supporting(question: str, policy: str | None, shown: str, *, elsewhere: bool = True) -> str | None:
    """The best paragraphs for the question not already shown: `policy`'s own (or the general
    entries'), and, when `elsewhere`, one from anywhere when it matches clearly better (the topic may be a
    near miss)."""
    index = _index()
    asked = _PERIOD.sub(" ", search_key(question))
    scores = (index.matrix @ index.vectorizer.transform([asked]).T).toarray().ravel()
    shown_key = search_key(shown)
    shown_lines = [_Line(line) for line in shown.splitlines() if line.strip()]
    own: tuple[float, str] | None = None
    anywhere: tuple[float, str] | None = None
    for passage, score in zip(index.passages, scores, strict=True):
        if score < MIN_SIMILARITY or _repeats(passage.text, shown_key, shown_lines):
            continue
        if passage.policy == policy and (own is None or score > own[0]):
            own = (float(score), passage.text)
        if anywhere is None or score > anywhere[0]:
            anywhere = (float(score), passage.text)
    found = [own[1]] if own else []
    if elsewhere and anywhere and anywhere[0] >= OTHER_SIMILARITY and (own is None or anywhere[1] != own[1]):
        found.append(anywhere[1])
    return "\n\n".join(found) or None


class _Line:
    def __init__(self, text: str) -> None:
        self.words = set(search_key(text).split())
        self.amounts = set(_AMOUNT.findall(text))


def _repeats(text: str, shown_key: str, shown_lines: list[_Line]) -> bool:
    key = search_key(text)
    if key in shown_key:
        return True
    words, amounts = key.split(), set(_AMOUNT.findall(text))
    if not words:
        return True  # nothing to add
    for line in shown_lines:
        share = sum(word in line.words for word in words) / len(words)
        if share >= REPEATED_WORDS or (amounts and amounts <= line.amounts and share >= REPEATED_WITH_AMOUNTS):
            return True
    return False
