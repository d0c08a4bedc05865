"""What a question is about (topic) and what it asks (kind): a linear model over character n-grams.

Training data, all under messages/ and read at start-up (no download, no stored model):
- each policy's title, keywords and examples (messages/policies/*.toml) -> the policy's topic;
- the knowledge entries' examples (messages/knowledge) -> their topic and first kind;
- messages/questions/examples.tsv -> topic and kind (general topics, chat intents, kinds).

Text is folded the way today's matcher folds it (messages.normalize: diacritics, NFD, old
tone placement, chat shorthand) and unknown words are repaired to the nearest training
word (typos), then fed to TF-IDF over character n-grams (2-5, within word boundaries,
which survive the remaining typos and missing marks) plus word uni/bigrams, and a linear
SVM. For the 12 policies, today's matcher (handlers.ask.policy_search) adds its score: it
knows the policies' full texts and weights their keywords, which the short training set
does not. Training takes a fraction of a second; a prediction, about a millisecond.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from handlers.ask import policy_search
from handlers.ask.questions.facts import Facts, Who
from messages.normalize import is_syllable, nfc, search_key
from messages.policies import load_policies

if TYPE_CHECKING:  # scikit-learn is imported on first training: ~0.7 s that CLI commands need not pay
    from sklearn.svm import LinearSVC

EXAMPLES = Path(__file__).resolve().parents[3] / "messages" / "questions" / "examples.tsv"

# How much today's matcher's policy score (0..1) adds to the SVM's decision value.
MATCHER_WEIGHT = 0.8
# Unsure: the best topic's margin over the runner-up, and its floor, on the combined score.
MIN_MARGIN = 0.02
# Under this margin the best guess is answered, and the runners-up are offered as well.
CLOSE_MARGIN = 0.15
MIN_SCORE = -0.6
_TYPO_CUTOFF = 82.0
# What the facts in the message add to the policy they point at: a stated situation is context
# that helps ("chị bán xôi …, xã bắt nghỉ từ 3/8 tới 25/8" is a household business).
FACT_WEIGHT = 0.5
_WHO_TOPIC = {
    Who.HOUSEHOLD_BUSINESS: "household_business",  # not vocabulary: a topic
    Who.FREE_WORKER: "free_worker",  # not vocabulary: a topic
    Who.TOUR_GUIDE: "arts_tour_guide",
    Who.ARTIST: "arts_tour_guide",
}


def _fact_topics(facts: Facts | None) -> list[str]:
    if facts is None:
        return []
    topics = [_WHO_TOPIC[facts.who]] if facts.who in _WHO_TOPIC else []
    if facts.covid is not None:
        topics.append("children" if facts.child_under_16 else "f0_f1")
    return topics


@dataclass(frozen=True)
class Example:
    text: str
    topic: str
    kind: str | None
    entry: str | None = None  # the knowledge entry the example was written for


@dataclass(frozen=True)
class Prediction:
    topic: str
    kind: str
    score: float
    ranked: tuple[tuple[str, float], ...]  # all topics, best first
    confident: bool
    close: bool = False  # answered, but the runners-up are near: offer them too
    matched: tuple[tuple[str, float], ...] = ()  # today's matcher's policy scores (0..1) that went into it

    @property
    def alternatives(self) -> list[str]:
        return [t for t, _s in self.ranked[1:3]]


def _read_tsv(path: Path) -> Iterable[Example]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        topic, kind, text = line.split("\t")
        yield Example(nfc(text), topic.strip(), kind.strip() or None)


def _knowledge_examples() -> Iterable[Example]:
    try:
        from messages.knowledge import load_knowledge
    except ImportError:  # the knowledge base is not there yet (q12kb)
        return
    for entry in load_knowledge():
        kind = entry.kinds[0] if entry.kinds else None
        topic = entry.topic
        for text in entry.examples:
            yield Example(nfc(text), topic, kind, entry.id)


def training_examples() -> list[Example]:
    out: list[Example] = []
    for policy in load_policies():
        # A title or keyword typed alone ("hộ kinh doanh", "xe ôm") asks about the policy as a whole.
        for text in (policy.title, *policy.keywords):
            out.append(Example(text, policy.id, "info"))
        for text in policy.examples:
            out.append(Example(text, policy.id, None))
    out.extend(_knowledge_examples())
    out.extend(_read_tsv(EXAMPLES))
    return out


# --- text -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+")
# Shorthand messages.normalize leaves alone (its "dk" is "được"; here "kd" is only "kinh doanh").
_SHORTHAND = {
    "kd": "kinh doanh",
    "dky": "dang ky",
    "dki": "dang ky",
    "hs": "ho so",
    "ht": "ho tro",
    "cccd": "can cuoc cong dan",
    "bhtn": "bao hiem that nghiep",
}


class _Folder:
    """search_key plus typo repair against the training vocabulary."""

    def __init__(self, texts: Iterable[str]) -> None:
        vocab = {w for t in texts for w in search_key(t).split()}
        self.vocab = frozenset(vocab)
        self.choices = tuple(sorted(w for w in vocab if len(w) >= 4 and not w.isdigit()))
        self._repair = lru_cache(maxsize=8192)(self._repair_word)

    def _repair_word(self, word: str) -> str:
        if word in self.vocab or len(word) < 4 or word.isdigit() or is_syllable(word):
            return word
        hit = process.extractOne(word, self.choices, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
        return hit[0] if hit else word

    def __call__(self, text: str) -> str:
        words = [self._repair(w) for w in " ".join(_SHORTHAND.get(w, w) for w in search_key(text).split()).split()]
        # Numbers say little about the topic ("18 ngày" vs "20 ngày"); amounts and form numbers are kept.
        return " ".join(w if len(w) > 2 or not _NUMBER.fullmatch(w) else "0" for w in words)


def _svm() -> LinearSVC:
    from sklearn.svm import LinearSVC

    # A fixed seed: liblinear's coordinate descent shuffles, and the same data must give the same model.
    return LinearSVC(C=0.8, class_weight="balanced", random_state=0)


class Classifier:
    def __init__(self, examples: Sequence[Example]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        self.fold = _Folder(e.text for e in examples)
        texts = [self.fold(e.text) for e in examples]
        # Character n-grams (typos, missing marks) and word pairs ("ho kinh", "kinh doanh"), side by side.
        self.features = FeatureUnion(
            [
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
                (
                    "words",
                    TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+"),
                ),
            ]
        )
        x = self.features.fit_transform(texts).tocsr()
        self.topic_model = _svm().fit(x, [e.topic for e in examples])
        kinded = [i for i, e in enumerate(examples) if e.kind]
        self.kind_model = _svm().fit(x[kinded], [examples[i].kind for i in kinded])
        self.topics: tuple[str, ...] = tuple(str(t) for t in self.topic_model.classes_)
        # Each knowledge entry's examples, for telling apart the entries of one topic (closest_entries).
        rows: dict[str, list[int]] = {}
        for i, e in enumerate(examples):
            if e.entry is not None:
                rows.setdefault(e.entry, []).append(i)
        self._entry_rows = {entry: x[indices] for entry, indices in rows.items()}
        # One question's row serves its topic, its kind and its closest entry (nobody changes it).
        self._features = lru_cache(maxsize=64)(self._transform)

    def _transform(self, key: str) -> Any:  # a sparse row
        return self.features.transform([key])

    def scores(self, text: str, facts: Facts | None, matches: list[policy_search.Match]) -> dict[str, float]:
        key = self.fold(text)
        combined = dict(
            zip(self.topics, self.topic_model.decision_function(self._features(key))[0].tolist(), strict=True)
        )
        for match in matches:
            if match.policy_id in combined:
                combined[match.policy_id] += MATCHER_WEIGHT * match.score
        for topic in _fact_topics(facts):
            if topic in combined:
                combined[topic] += FACT_WEIGHT
        return combined

    def closest_entries(self, text: str, entry_ids: Iterable[str]) -> dict[str, float]:
        """Each entry's similarity to the question: the cosine of its closest example (0..1)."""
        question = self._features(self.fold(text)).T
        # The two feature blocks are each of unit length: their dot products add up to at most 2.
        return {
            entry: float((self._entry_rows[entry] @ question).max()) / 2
            for entry in entry_ids
            if entry in self._entry_rows
        }

    def kind(self, text: str) -> str:
        return str(self.kind_model.predict(self._features(self.fold(text)))[0])

    def predict(self, text: str, facts: Facts | None = None) -> Prediction:
        matches = policy_search.search(text, limit=12)
        scores = self.scores(text, facts, matches)
        ranked = tuple(sorted(scores.items(), key=lambda kv: -kv[1]))
        (best, top), (_second, runner) = ranked[0], ranked[1]
        confident = top >= MIN_SCORE and top - runner >= MIN_MARGIN
        close = top - runner < CLOSE_MARGIN
        matched = tuple((m.policy_id, m.score) for m in matches)
        return Prediction(best, self.kind(text), top, ranked, confident, close, matched)


_lock = threading.Lock()
_classifier: Classifier | None = None


def classifier() -> Classifier:
    """The classifier, trained on first use (once per process)."""
    global _classifier
    with _lock:
        if _classifier is None:
            _classifier = Classifier(training_examples())
        return _classifier


def predict(text: str, facts: Facts | None = None) -> Prediction:
    return classifier().predict(text, facts)
