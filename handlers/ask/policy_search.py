"""Match a citizen's free-text question to one of the 12 policies, and to a section.

Citizens write with or without diacritics, NFC or NFD, in chat shorthand and with typos,
so the question and the knowledge base are compared as folded tokens (no diacritics,
teencode expanded, as messages.normalize does). Scoring combines:

- a keyword-weighted lexical score over unigrams and bigrams (Vietnamese words are often
  two syllables). A policy's terms come from its title and keywords (weight 1), examples,
  summary and, weakly, its section texts; each term is weighted by an IDF over the 12
  policies, and generic words of any support question ("hỗ trợ", "bao nhiêu") are ignored;
- diacritics as a tie-breaker: folding merges different words (tiệm/tiêm, thuế/thuê,
  đóng/đồng), so when the citizen did type marks, a term whose marks differ from every
  form in the policy counts for less (not zero: a wrong mark is also a common typo);
- a fuzzy score (rapidfuzz partial_ratio) of each title/keyword phrase against the
  question, which survives typos inside multi-word phrases;
- typo repair: an unknown token is mapped to the nearest indexed token when close.

The index is built once per set of policies and cached.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from messages.normalize import TEENCODE, fold, nfc, search_key
from messages.policies import Policy, load_policies

# Field weights: how much a term found in a field says about the policy.
_FIELD_WEIGHTS = {"title": 1.0, "keywords": 1.0, "examples": 0.7, "summary": 0.45, "sections": 0.25}
# Words that carry no topic: function words, and the generic words of any question about
# support ("hỗ trợ", "bao nhiêu", "hồ sơ", "covid"...), which say which *section* is asked
# about, not which policy. They are ignored by the lexical score (alone and in bigrams made
# only of them) and never typo-corrected.
_STOPWORD_TEXT = """
    toi em minh anh chi ban ong ba co chu bac cac nha ta chung no ai gi nao sao the vay nhe a oi ah
    la va voi cua cho de o tai thi ma nhung neu khi roi da dang se van con cung duoc khong chua
    bi mot hai nhieu it rat qua lam hoi xin biet giup hay hoac ve den tu trong ngoai sau truoc
    nay do kia day cai viec nguoi phai bao dau nop ho tro so giay to can muc dieu kien thu tuc
    nhan tien dich covid 19 ak a u nhi nha vi 000 chao cam on ok vang muon hieu chinh sach ky
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Combination weights and thresholds: chosen on batch 1 of tests/data/questions.tsv
# (bench/faq_accuracy.py); batch 2 is kept out of tuning as the held-out check.
_W_LEXICAL = 0.75
_W_FUZZY = 0.25
_FUZZY_FLOOR = 75.0  # partial_ratio below this is noise for short phrases
_TYPO_CUTOFF = 80.0
_ACCENT_MISMATCH = 0.3  # factor for a term typed with other diacritics than the policy's
# The lexical score is normalised by the question's total IDF, but never by less than this:
# one weak word matched ("hỗ trợ", "đăng ký") must not score like a full match.
_IDF_FLOOR = 3.0
# Confidence: the best must be good enough and clearly ahead of the runner-up.
MIN_SCORE = 0.12  # below this nothing is offered as "best"
CONFIDENT_SCORE = 0.40
CONFIDENT_MARGIN = 0.12


@dataclass(frozen=True)
class Match:
    policy_id: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    best: Match | None
    alternatives: list[Match] = field(default_factory=list)
    confident: bool = False
    section: str | None = None


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_RAW_TOKEN = re.compile(r"[^\W_]+")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")

# A token: its folded form and, when known, its marks as a key that ignores where the
# tone mark sits (old "hoà" = new "hòa"). None = typed without marks, or teencode.
_Tok = tuple[str, str | None]


def _accent_key(token: str) -> str:
    decomposed = unicodedata.normalize("NFD", token)
    tones = "".join(c for c in decomposed if c in _TONE_MARKS)
    base = "".join(c for c in decomposed if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base) + tones[:1]


def _is_marked(raws: Sequence[str]) -> bool:
    """Was this typed with a Vietnamese keyboard (at least half the words carry marks)?"""
    letters = [r for r in raws if not r.isdigit()]
    return len(letters) >= 3 and sum(not r.isascii() for r in letters) >= 0.5 * len(letters)


def _marked_key(tokens: Sequence[_Tok]) -> str:
    """The tokens with their marks (tone placement normalised), for fuzzy matching."""
    return " ".join(accent or folded for folded, accent in tokens)


def _tokens(text: str, trusted: bool = False) -> list[_Tok]:
    """Folded tokens with teencode expanded, each with its accent key.

    `trusted` text (the knowledge base) is written with full diacritics, so even a plain
    token's key is meaningful; in a question a plain token may just lack its marks.
    Teencode ("dc", "đc", "hđlđ") and typo-repaired tokens carry no key.
    """
    raws = _RAW_TOKEN.findall(nfc(text).lower())
    # A question typed mostly with marks is trusted too: its plain words ("tra" in
    # "tra cứu") are then meant plain, not marks left out.
    trusted = trusted or _is_marked(raws)
    out: list[_Tok] = []
    for raw in raws:
        parts = _ASCII_TOKEN.findall(fold(raw))
        if len(parts) != 1:  # digits glued to letters of other scripts etc.: no accent info
            out.extend((p, None) for p in parts)
            continue
        folded = parts[0]
        # "đc", "hđlđ" are chat shorthand too: đ is the only mark they carry.
        if folded in TEENCODE and raw.replace("đ", "d").isascii():
            out.extend((w, None) for w in TEENCODE[folded].split())
        elif trusted or not raw.isascii():
            out.append((folded, _accent_key(raw)))
        else:
            out.append((folded, None))
    return out


def _terms(tokens: Sequence[_Tok], keep: frozenset[str] = frozenset()) -> dict[str, tuple[str | None, ...]]:
    """Unigrams (without stopwords) and bigrams, each with the accent keys of its tokens.

    A bigram of two stopwords is dropped unless it is in `keep` (the bigrams of the titles):
    "tu do" (tự do) is two stopwords but names a policy.
    """
    out: dict[str, tuple[str | None, ...]] = {}
    for folded, accent in tokens:
        if folded not in _STOPWORDS:
            out[folded] = (accent,)
    for (a, acc_a), (b, acc_b) in itertools.pairwise(tokens):
        bigram = f"{a} {b}"
        if a not in _STOPWORDS or b not in _STOPWORDS or bigram in keep:
            out[bigram] = (acc_a, acc_b)
    return out


@dataclass(frozen=True)
class _Index:
    ids: tuple[str, ...]
    weights: tuple[dict[str, float], ...]  # per policy: term -> best field weight
    surfaces: tuple[dict[str, set[tuple[str | None, ...]]], ...]  # per policy: term -> accent keys
    idf: dict[str, float]
    keep: frozenset[str]  # stopword bigrams that still count
    vocab: tuple[str, ...]  # unigrams, for typo repair
    vocab_set: frozenset[str]
    # per policy: title/keyword phrases for fuzzy match, as (folded, with marks)
    phrases: tuple[tuple[tuple[str, str], ...], ...]


def _fields(policy: Policy) -> Iterable[tuple[str, str]]:
    yield "title", policy.title
    for kw in policy.keywords:
        yield "keywords", kw
    for ex in policy.examples:
        yield "examples", ex
    yield "summary", policy.summary
    for text in policy.sections.values():
        yield "sections", text


def _build(policies: Sequence[Policy]) -> _Index:
    keep = frozenset(f"{a} {b}" for p in policies for (a, _), (b, _) in _pairs(_tokens(p.title, trusted=True)))
    weights: list[dict[str, float]] = []
    surfaces: list[dict[str, set[tuple[str | None, ...]]]] = []
    phrases: list[tuple[tuple[str, str], ...]] = []
    vocab: set[str] = set()
    for policy in policies:
        w: dict[str, float] = {}
        surf: dict[str, set[tuple[str | None, ...]]] = defaultdict(set)
        for fname, text in _fields(policy):
            tokens = _tokens(text, trusted=True)
            fw = _FIELD_WEIGHTS[fname]
            for term, accents in _terms(tokens, keep).items():
                w[term] = max(w.get(term, 0.0), fw)
                surf[term].add(accents)
            if fname != "sections":
                vocab.update(t for t, _ in tokens)
        weights.append(w)
        surfaces.append(dict(surf))
        phrase_tokens = [_tokens(p, trusted=True) for p in (policy.title, *policy.keywords)]
        phrases.append(
            tuple(
                (" ".join(t for t, _ in toks), _marked_key(toks))
                for toks in phrase_tokens
                if len(toks) > 1 or len(toks[0][0]) >= 4  # "f0" etc. are matched exactly by the lexical score
            )
        )
    # IDF over the policies with a soft document frequency: a policy counts by the weight of
    # the field the term is in, so a passing mention in another policy's prose (weight 0.25)
    # barely lowers the value of a term that names a policy in its keywords.
    n = len(policies)
    df: dict[str, float] = defaultdict(float)
    for w in weights:
        for t, fw in w.items():
            df[t] += fw
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    return _Index(
        ids=tuple(p.id for p in policies),
        weights=tuple(weights),
        surfaces=tuple(surfaces),
        idf=idf,
        keep=keep,
        vocab=tuple(sorted(t for t in vocab if len(t) >= 2)),
        vocab_set=frozenset(vocab),
        phrases=tuple(phrases),
    )


def _pairs(tokens: Sequence[_Tok]) -> Iterable[tuple[_Tok, _Tok]]:
    return itertools.pairwise(tokens)


# Built indexes, keyed on what the index reads (Policy holds a mapping, so is not hashable).
# One entry per distinct free-worker scheme at most; bounded anyway.
_INDEX_CACHE: dict[tuple[object, ...], _Index] = {}


def _index(policies: Sequence[Policy]) -> _Index:
    key = tuple((p.id, p.title, p.summary, p.keywords, p.examples, tuple(p.sections.values())) for p in policies)
    index = _INDEX_CACHE.get(key)
    if index is None:
        if len(_INDEX_CACHE) >= 8:
            _INDEX_CACHE.clear()
        index = _INDEX_CACHE[key] = _build(policies)
    return index


def _repair(tokens: list[_Tok], index: _Index) -> list[_Tok]:
    """Replace unknown tokens by the closest indexed token ('doah' -> 'doanh')."""
    out: list[_Tok] = []
    for tok, accent in tokens:
        # Only plain tokens: a word typed with its marks came from a keyboard that knows
        # Vietnamese, so it is a real word, only not one of ours ("chào" is not "cao").
        if accent is not None or tok in index.vocab_set or tok in _STOPWORDS or len(tok) < 4 or tok.isdigit():
            out.append((tok, accent))
            continue
        hit = process.extractOne(tok, index.vocab, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
        out.append((hit[0], None) if hit else (tok, accent))
    return out


def _accent_factor(query: tuple[str | None, ...], seen: set[tuple[str | None, ...]]) -> float:
    """1 if the typed marks agree with some form of the term in the policy, else a penalty."""
    for form in seen:
        if all(q is None or q == f for q, f in zip(query, form, strict=True)):
            return 1.0
    return _ACCENT_MISMATCH


def _scores(question: str, index: _Index) -> list[float]:
    tokens = _repair(_tokens(question), index)
    terms = {t: acc for t, acc in _terms(tokens, index.keep).items() if t in index.idf}
    norm = max(sum(index.idf[t] for t in terms), _IDF_FLOOR)
    # Fuzzy matching compares with marks when the citizen typed them: folded, "ngoài
    # đường" would be close to "bồi dưỡng".
    marked = _is_marked(_RAW_TOKEN.findall(nfc(question).lower()))
    key = _marked_key(tokens) if marked else " ".join(t for t, _ in tokens)
    out = []
    for weights, surfaces, phrases in zip(index.weights, index.surfaces, index.phrases, strict=True):
        lexical = (
            sum(
                index.idf[t] * weights[t] * _accent_factor(acc, surfaces[t]) for t, acc in terms.items() if t in weights
            )
            / norm
        )
        best = 0.0
        for folded_phrase, marked_phrase in phrases:
            phrase = marked_phrase if marked else folded_phrase
            r = fuzz.partial_ratio(phrase, key) if len(phrase) <= len(key) else fuzz.ratio(phrase, key)
            best = max(best, r)
        fuzzy = max(0.0, (best - _FUZZY_FLOOR) / (100.0 - _FUZZY_FLOOR))
        out.append(_W_LEXICAL * lexical + _W_FUZZY * fuzzy)
    return out


def search(question: str, policies: Sequence[Policy] | None = None, limit: int = 3) -> list[Match]:
    """The `limit` best policies for the question, best first (score 0..1)."""
    pols = tuple(policies) if policies is not None else load_policies()
    index = _index(pols)
    ranked = sorted(
        (Match(pid, round(s, 4)) for pid, s in zip(index.ids, _scores(question, index), strict=True)),
        key=lambda m: -m.score,
    )
    return [m for m in ranked[:limit] if m.score > 0]


# Section cues on search_key text (folded, teencode expanded: "bn" -> "bao nhieu").
# Weight 4 = a phrase that names the section; 1 = a weak hint. The highest total wins.
_SECTION_CUES: dict[str, tuple[tuple[str, int], ...]] = {
    "amount": (
        (r"\bbao nhieu\b|\bbao nhiu\b", 3),
        (r"\b(ho tro|duoc|nhan|huong) (duoc )?(bao nhieu|may)\b", 4),
        (r"\bmuc (ho tro|tien|huong|vay|dong)\b", 4),
        (r"\bso tien\b", 4),
        (r"\bmay (trieu|tram|nghin|tien)\b", 4),
        (r"\b\d+ ?(trieu|tr|nghin|k|dong)\b|\bmay suat\b", 2),  # "3tr", "80k"
        (r"\bphan tram\b|\blai suat\b|\btoi da\b", 2),
        (r"\bmuc\b|\btien\b", 1),
    ),
    "documents": (
        (r"\bgiay to\b", 4),
        (r"\bho so\b", 2),
        (r"\bmau (so )?\d+\w*\b|\bmau don\b|\bmau gi\b|\bmau nao\b", 3),
        (r"\bcan (gi|nhung gi|giay)\b|\bgom (nhung )?gi\b|\bchuan bi\b", 3),
        (r"\blam don\b|\bdon (gi|de nghi|xin)\b|\bghi (nhung )?gi\b", 3),
    ),
    "where": (
        (r"\bnop (o|tai|cho) (dau|nao|ai)\b", 5),
        (r"\b(o|tai) dau\b", 3),
        (r"\bnop\b|\bthu tuc\b|\bcho ai\b", 2),
        (r"\bquy trinh\b|\bhan (chot|cuoi|nop)\b|\bai (duyet|nop|chi tra|xet)\b", 4),
        (r"\bthoi (gian|han) giai quyet\b|\bmat (bao lau|may ngay)\b", 4),
        (r"\b(bao lau|khi nao|bao gio|may ngay)\b", 3),
        (r"\b(so|ngan hang|co quan|trung tam) nao\b|\bgui (so|cho|ve) ", 3),
        (r"\b(lam sao|the nao|nhu the nao|xin o dau)\b|\bdang ky\b|\bonline\b", 1),
    ),
    "conditions": (
        (r"\bdieu kien\b|\btieu chi\b", 4),
        (r"\bai (duoc|thi duoc)\b|\bdoi tuong\b", 3),
        (r"\bco (duoc|bi)\b.*\bkhong\b|\bduoc khong\b|\bco phai\b|\bduoc tinh\b", 1),
    ),
}
# Policy names that contain a cue word: "không đủ điều kiện hưởng trợ cấp thất nghiệp"
# names the termination policy, it does not ask about conditions.
_NAME_PHRASES = re.compile(r"\bkhong du dieu kien huong (tro cap |bao hiem )?that nghiep\b")
_FIGURE = re.compile(r"\d[.,]\d{3}\b|\d([.,]\d+)? ?trieu\b")  # on folded text with punctuation
_SECTION_RE = {sec: tuple((re.compile(p), w) for p, w in cues) for sec, cues in _SECTION_CUES.items()}
# On a tie the more specific request wins.
_SECTION_ORDER = ("documents", "where", "amount", "conditions")


def detect_section(question: str) -> str | None:
    """Which section the question asks about: "amount", "documents", "where", "conditions" or None.

    None means a general question ("quán phở nhà em phải đóng cửa"): show the summary.
    """
    key = _NAME_PHRASES.sub(" ", search_key(question))
    best: tuple[int, int] | None = None
    chosen: str | None = None
    for rank, sec in enumerate(_SECTION_ORDER):
        score = sum(w for rx, w in _SECTION_RE[sec] if rx.search(key))
        if sec == "amount" and _FIGURE.search(fold(nfc(question))):
            score += 2  # quoting a figure ("1.855.000", "3,7 triệu") asks about the amount
        if score and (best is None or (score, -rank) > best):
            best, chosen = (score, -rank), sec
    return chosen


def answer(question: str, policies: Sequence[Policy] | None = None) -> SearchResult:
    """Best policy, alternatives, whether to answer directly, and the section asked about.

    - confident: the best scores at least CONFIDENT_SCORE and leads the runner-up by
      CONFIDENT_MARGIN; answer with `best` (and `section` if set) without asking back.
    - not confident: offer `best` and `alternatives` (up to 2 more) as choices.
    - best None: nothing scored MIN_SCORE (greeting, off-topic); `alternatives` holds the
      weak hints found, if any; show the policy menu instead.
    """
    matches = search(question, policies, limit=3)
    section = detect_section(question)
    if not matches or matches[0].score < MIN_SCORE:
        return SearchResult(best=None, alternatives=matches, confident=False, section=section)
    best, rest = matches[0], matches[1:]
    runner_up = rest[0].score if rest else 0.0
    confident = best.score >= CONFIDENT_SCORE and best.score - runner_up >= CONFIDENT_MARGIN
    # When confident, alternatives are a courtesy; when not, they are the choices to offer.
    alternatives = [m for m in rest if m.score >= MIN_SCORE]
    return SearchResult(best=best, alternatives=alternatives, confident=confident, section=section)
