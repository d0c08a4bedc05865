"""Vietnam's three-level administrative units (province, district, commune).

Data: ``vietnam-provinces`` 0.6.0 (GSO codes; province codes equal the CCCD
province codes). Its data was retrieved on 2025-01-04, so it reflects the
three-level map just before the 2025 reform: a few units differ from 2021
(Thừa Thiên Huế appears as "Thành phố Huế" with Quận Thuận Hóa / Phú Xuân;
communes merged in 2023-2024 appear under their new names). The search keeps
"Thừa Thiên Huế" as an alias so citizens can still type the 2021 name.

The JSON file (2.2 MB) is read once, on first use, into compact indexes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from math import ceil
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from messages.normalize import fold
from messages.vocabulary import AreaLevel

Level = AreaLevel
LEVELS: tuple[Level, ...] = tuple(AreaLevel)  # top down
_CHILD: dict[Level, Level] = {AreaLevel.PROVINCE: AreaLevel.DISTRICT, AreaLevel.DISTRICT: AreaLevel.COMMUNE}

# Type prefixes of unit names, longest first ("Thành Phố" also occurs capitalised).
_TYPE_PREFIXES = ("thành phố", "thị trấn", "thị xã", "tỉnh", "quận", "huyện", "phường", "xã")

# What citizens type before a name, folded, mapped to the folded type word.
_QUERY_TYPES: dict[str, str] = {
    "thanh pho": "thanh pho",
    "tp": "thanh pho",
    "thi tran": "thi tran",
    "tt": "thi tran",
    "thi xa": "thi xa",
    "tx": "thi xa",
    "tinh": "tinh",
    "quan": "quan",
    "q": "quan",
    "huyen": "huyen",
    "h": "huyen",
    "phuong": "phuong",
    "p": "phuong",
    "f": "phuong",  # Saigon shorthand: "F12" for Phường 12
    "xa": "xa",
    "x": "xa",
}
_SINGLE_LETTER_TYPES = frozenset(k for k in _QUERY_TYPES if len(k) == 1)

# Names people use that the data does not spell out (folded).
_PROVINCE_ALIASES: dict[int, tuple[str, ...]] = {
    1: ("hn",),
    46: ("thua thien hue", "tt hue", "thua thien"),
    66: ("dac lac",),
    67: ("dac nong",),
    77: ("brvt", "vung tau", "ba ria"),
    79: ("hcm", "tphcm", "tp hcm", "hcmc", "sai gon", "saigon", "sg"),
}

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Unit:
    code: int
    name: str  # with its type prefix, as in the data: "Xã Nhật Tiến"
    level: Level
    parent_code: int | None

    @property
    def type_name(self) -> str:
        """ "Xã", "Huyện", "Thành phố"... (empty when the name has no known prefix)."""
        return _split_type(self.name)[0]

    @property
    def short_name(self) -> str:
        """The name without its type prefix: "Nhật Tiến", "1" for Quận 1."""
        return _split_type(self.name)[1]

    @property
    def full_name(self) -> str:
        """ "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn"."""
        names = [self.name]
        unit: Unit | None = self
        while unit is not None and unit.parent_code is not None:
            unit = get(_PARENT[unit.level], unit.parent_code)
            if unit is not None:
                names.append(unit.name)
        return ", ".join(names)


_PARENT: dict[Level, Level] = {AreaLevel.DISTRICT: AreaLevel.PROVINCE, AreaLevel.COMMUNE: AreaLevel.DISTRICT}


def _split_type(name: str) -> tuple[str, str]:
    lower = name.lower()
    for prefix in _TYPE_PREFIXES:
        if lower.startswith(prefix + " "):
            return name[: len(prefix)], name[len(prefix) + 1 :]
    return "", name


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower().replace("_", " "))


@dataclass(frozen=True, slots=True)
class _Entry:
    unit: Unit
    keys: tuple[str, ...]  # folded short name first, then aliases; words joined by one space
    compact: tuple[str, ...]  # the same without spaces: "huulung", "daklak"
    type_key: str  # folded type word: "xa", "thi tran"
    lower: str  # NFC lower-case short name, for preferring exact diacritics


@dataclass(slots=True)
class _Index:
    units: dict[Level, dict[int, Unit]]
    children: dict[Level, dict[int, list[Unit]]]  # keyed by the parent's level
    entries: dict[Level, list[_Entry]]


# Names repeat the same few thousand words: folding each word once halves the load time.
_fold_word = cache(fold)


def _entry(unit: Unit) -> _Entry:
    type_name, short = _split_type(unit.name)
    tokens = _tokens(short)
    keys = [" ".join(_fold_word(t) for t in tokens)]
    if unit.level == AreaLevel.PROVINCE:
        keys.extend(_PROVINCE_ALIASES.get(unit.code, ()))
    return _Entry(
        unit=unit,
        keys=tuple(keys),
        compact=tuple(k.replace(" ", "") for k in keys),
        type_key=_fold_word(type_name),
        lower=" ".join(tokens),
    )


@cache
def _index() -> _Index:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    with open(NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    units: dict[Level, dict[int, Unit]] = {level: {} for level in LEVELS}
    children: dict[Level, dict[int, list[Unit]]] = {AreaLevel.PROVINCE: {}, AreaLevel.DISTRICT: {}}
    for p in data:
        province = Unit(p["code"], p["name"], AreaLevel.PROVINCE, None)
        units[AreaLevel.PROVINCE][province.code] = province
        districts = children[AreaLevel.PROVINCE].setdefault(province.code, [])
        for d in p["districts"]:
            district = Unit(d["code"], d["name"], AreaLevel.DISTRICT, province.code)
            units[AreaLevel.DISTRICT][district.code] = district
            districts.append(district)
            communes = children[AreaLevel.DISTRICT].setdefault(district.code, [])
            for w in d["wards"]:
                commune = Unit(w["code"], w["name"], AreaLevel.COMMUNE, district.code)
                units[AreaLevel.COMMUNE][commune.code] = commune
                communes.append(commune)
    entries = {level: [_entry(u) for u in units[level].values()] for level in LEVELS}
    return _Index(units=units, children=children, entries=entries)


def _check_level(level: str) -> Level:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    return AreaLevel(level)


def provinces() -> list[Unit]:
    """The 63 provinces and centrally-run cities, in GSO code order."""
    return list(_index().units[AreaLevel.PROVINCE].values())


def districts(province_code: int) -> list[Unit]:
    return list(_index().children[AreaLevel.PROVINCE].get(province_code, []))


def communes(district_code: int) -> list[Unit]:
    return list(_index().children[AreaLevel.DISTRICT].get(district_code, []))


def get(level: str, code: int) -> Unit | None:
    return _index().units[_check_level(level)].get(code)


# --------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------

_EXACT, _PREFIX, _WORD_PREFIX, _SUBSTRING, _FUZZY = range(5)
_FUZZY_CUTOFF = 80.0


@dataclass(frozen=True, slots=True)
class _Query:
    full: str  # folded words of the whole query
    bare: str  # folded words without a leading type word ("huyen huu lung" -> "huu lung")
    type_key: str | None  # the type word the citizen typed, if any
    lower: str  # NFC lower-case bare words, for the diacritics tie-break
    has_marks: bool


def _parse_query(query: str) -> _Query | None:
    tokens = _tokens(query)
    # "q1", "p12", "f7": a one-letter type glued to a number
    if len(tokens) == 1 and (m := re.fullmatch(r"([qpf])(\d+)", tokens[0])):
        tokens = [m[1], m[2]]
    folded = [fold(t) for t in tokens]
    if not folded:
        return None
    full = " ".join(folded)
    bare_from, type_key = 0, None
    for words in (2, 1):
        head = " ".join(folded[:words])
        if len(folded) > words and head in _QUERY_TYPES:
            bare_from, type_key = words, _QUERY_TYPES[head]
            break
    return _Query(
        full=full,
        bare=" ".join(folded[bare_from:]),
        type_key=type_key,
        lower=" ".join(tokens[bare_from:]),
        has_marks=any(not t.isascii() for t in tokens),
    )


def _tier(text: str, compact_text: str, entry: _Entry) -> int | None:
    best: int | None = None
    for key, compact in zip(entry.keys, entry.compact, strict=True):
        if text == key or compact_text == compact:
            return _EXACT
        if key.startswith(text) or compact.startswith(compact_text):
            tier = _PREFIX
        elif (" " + text) in (" " + key):
            tier = _WORD_PREFIX
        elif len(compact_text) >= 3 and (text in key or compact_text in compact):
            tier = _SUBSTRING
        else:
            continue
        best = tier if best is None else min(best, tier)
    return best


def search(level: Level, query: str, parent_code: int | None = None, limit: int = 8) -> list[Unit]:
    """Units of ``level`` whose name matches ``query``, best first.

    Matches with or without diacritics and with or without the type word
    ("huu lung", "Hữu Lũng", "huyện Hữu Lũng", "h. hữu lũng", "q1", "tp hcm").
    Ranking: exact, prefix, word prefix, substring, then fuzzy (typos) matches;
    within a rank, a matching type word, the exact diacritics typed, then the
    shorter name come first. ``parent_code`` limits the search to the children
    of that province (for districts) or district (for communes).
    """
    level = _check_level(level)
    q = _parse_query(query)
    if q is None or limit <= 0:
        return []
    entries = _index().entries[level]
    if parent_code is not None:
        entries = [e for e in entries if e.unit.parent_code == parent_code]

    # Read the query both ways: "quan hoa" may be Huyện *Quan Hóa* or Quận *Hòa*...
    readings = [(q.full, False)]
    if q.bare != q.full:
        readings.append((q.bare, True))

    ranked: list[tuple[tuple[int, int, int, float, int, int], Unit]] = []
    unmatched: list[_Entry] = []
    for entry in entries:
        best: tuple[int, int] | None = None
        for text, stripped in readings:
            tier = _tier(text, text.replace(" ", ""), entry)
            if tier is None:
                continue
            # A stripped reading whose type word disagrees ("xã" typed, "Thị trấn" found) ranks later.
            type_penalty = int(stripped and q.type_key != entry.type_key)
            if best is None or (tier, type_penalty) < best:
                best = (tier, type_penalty)
        if best is None:
            unmatched.append(entry)
            continue
        marks_penalty = int(q.has_marks and q.lower not in entry.lower)
        ranked.append(((*best, marks_penalty, 0.0, len(entry.keys[0]), entry.unit.code), entry.unit))

    # Typo-tolerant matches only when nothing starts with what was typed: otherwise
    # they would crowd the button list with look-alikes of a name already found.
    strong = any(rank[0] <= _PREFIX for rank, _unit in ranked)
    if not strong and len(ranked) < limit and len(q.bare.replace(" ", "")) >= 4 and unmatched:
        choices = {i: e.keys[0] for i, e in enumerate(unmatched)}
        for _key, score, i in process.extract(
            q.bare, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=limit
        ):
            unit = unmatched[i].unit
            ranked.append(((_FUZZY, 0, 0, -score, len(unmatched[i].keys[0]), unit.code), unit))

    ranked.sort(key=lambda item: item[0])
    return [unit for _rank, unit in ranked[:limit]]


# --------------------------------------------------------------------------
# A place typed as an address: "thôn Đồng Lâm, xã Nhật Tiến, huyện Hữu Lũng, Lạng Sơn"
# --------------------------------------------------------------------------

_PART_SEPARATORS = re.compile(r"[,;\n]+|\s[-–]\s|\s/\s")
# Type words that start a part when the address has no commas ("xa nhat tien huyen huu lung"), folded.
_PART_HEADS = frozenset({"xa", "phuong", "thi tran", "huyen", "quan", "thi xa", "tinh", "thanh pho", "tp", "tx", "tt"})
_LOCATE_TYPES = {**_QUERY_TYPES, "t": "tinh"}  # "T. Lạng Sơn"


@cache
def _by_key() -> dict[Level, dict[str, tuple[_Entry, ...]]]:
    """Each level's entries by folded name and by alias, with and without spaces: exact look-ups."""
    keyed: dict[Level, dict[str, list[_Entry]]] = {level: {} for level in LEVELS}
    for level in LEVELS:
        for entry in _index().entries[level]:
            for key in {*entry.keys, *entry.compact}:
                keyed[level].setdefault(key, []).append(entry)
    return {level: {k: tuple(v) for k, v in keys.items()} for level, keys in keyed.items()}


def _address_parts(text: str) -> list[list[str]]:
    """The parts of a typed address, each as its words (NFC, lower case)."""
    parts = [part for part in (_tokens(piece) for piece in _PART_SEPARATORS.split(text)) if part]
    if len(parts) == 1:
        words, split, start = parts[0], [], 0
        for i in range(1, len(words)):
            if fold(words[i]) in _PART_HEADS or fold(" ".join(words[i : i + 2])) in _PART_HEADS:
                split.append(words[start:i])
                start = i
        parts = [*split, words[start:]]
    return [piece for part in parts for piece in (_pieces(part) if not _named(part) else [part])]


def leading_street(text: str) -> str | None:
    """The village, hamlet or street typed before the units in an address without commas ("thôn Đồng Lâm xã
    Nhật Tiến huyện Hữu Lũng Lạng Sơn": "thôn Đồng Lâm"), as typed; None when the address starts with a unit."""
    parts = _address_parts(text)
    if "," in text or len(parts) < 2 or _named(parts[0]) or not any(_named(p) for p in parts[1:]):
        return None
    return " ".join(text.split()[: len(parts[0])])


_LONGEST_NAME = 5  # words of a unit's name with its type word ("thị trấn nông trường …")
# The type word of a village, hamlet or street, never split from its name ("thôn Đồng Lâm" is no Xã Đồng Lâm).
_VILLAGE_WORDS = {"thon", "xom", "ap", "ban", "to", "khu", "doi", "lang", "cum", "khoi"}
_STREET_WORDS = {"so", "pho", "duong", "ngo", "ngach", "hem", "kiet"}
_PLACE_WORDS = frozenset(_VILLAGE_WORDS | _STREET_WORDS)


def _pieces(words: list[str]) -> list[list[str]]:
    """A part naming no unit, split into pieces that each name one ("huyện Hữu Lũng Lạng Sơn": the province
    typed on without a comma or its type word; "Nhật Tiến Hữu Lũng Lạng Sơn"); the first piece may be a
    village or a street. The split naming the most words, in the fewest pieces; the part itself when none."""
    best: dict[int, tuple[int, int, list[list[str]]]] = {0: (0, 0, [])}  # end -> (named words, -pieces, pieces)
    for start in range(len(words)):
        if start not in best:
            continue
        named_words, pieces, split = best[start]
        for end in range(start + 1, len(words) + 1):
            if end - start > _LONGEST_NAME and start > 0:
                break
            # A unit's name has two words at least ("Nhật Tiến", "Quận 1"): one word alone is part of another name.
            named = 2 <= end - start <= _LONGEST_NAME and bool(_named(words[start:end]))
            if not named and (start > 0 or fold(words[end - 1]) in _PLACE_WORDS):
                continue  # only the first piece may name nothing, and a village's type word keeps its name
            score = (named_words + (end - start if named else 0), pieces - 1, [*split, words[start:end]])
            if end not in best or score[:2] > best[end][:2]:
                best[end] = score
    found = best.get(len(words))
    return found[2] if found is not None and found[0] > 0 and len(found[2]) > 1 else [words]


def _named(words: list[str]) -> list[Unit]:
    """The units a part of an address names exactly, at any level ("xã Nhật Tiến": every Xã Nhật Tiến);
    none for a village or a street ("thôn Đồng Lâm": no unit is called so).

    Typed with marks, a name keeps to the units spelt so: Lạng Sơn has a Xã Nhật Tiến and a Xã Nhất Tiến."""
    folded = [fold(w) for w in words]
    if not folded:
        return []
    type_key, size = None, 0
    for head_size in (2, 1):
        head = " ".join(folded[:head_size])
        if len(folded) > head_size and head in _LOCATE_TYPES:
            type_key, size = _LOCATE_TYPES[head], head_size
            break
    # The whole part, and the part after its type word (which the unit's type must then be).
    readings = {(" ".join(folded), None), (" ".join(folded[size:]), type_key)}
    spelt = {" ".join(words), " ".join(words[size:])}
    has_marks = any(not w.isascii() for w in words)
    found: list[Unit] = []
    for level in LEVELS:
        matched: list[_Entry] = []
        for key, typed in readings:
            for entry in _by_key()[level].get(key, ()):
                if (typed is None or entry.type_key == typed) and entry not in matched:  # "thành phố Lạng Sơn"
                    matched.append(entry)
        marked = [e for e in matched if e.lower in spelt]
        found.extend(e.unit for e in (marked if has_marks and marked else matched))
    return found


_TYPE_LEVELS = {
    **dict.fromkeys(("xa", "phuong", "thi tran"), AreaLevel.COMMUNE),
    **dict.fromkeys(("huyen", "quan", "thi xa"), AreaLevel.DISTRICT),
    "tinh": AreaLevel.PROVINCE,
}  # "thành phố" is a province's or a district's


def typed_level(text: str) -> Level | None:
    """The level a typed type word names: "xã Yên Bình" a commune, "huyện Hữu Lũng" a district."""
    query = _parse_query(text)
    return _TYPE_LEVELS.get(query.type_key or "") if query is not None else None


def _chain(unit: Unit) -> tuple[Unit, ...]:
    chain = [unit]
    while chain[0].parent_code is not None:
        parent = get(LEVELS[LEVELS.index(chain[0].level) - 1], chain[0].parent_code)
        assert parent is not None
        chain.insert(0, parent)
    return tuple(chain)


def locate(text: str, within: Sequence[Unit] = ()) -> list[Unit]:
    """The province, district and commune a typed address names, top down; [] when it names none for sure.

    Each part must name a unit exactly (with or without marks and type words). The place chosen is the one
    that agrees with the most parts, and no deeper than they name ("Lạng Sơn" is the province, not also its
    city); `within` (units already chosen, top down) must agree with it. A part naming a province or a
    district that the place does not contain makes the address contradict itself, and nothing is guessed;
    a part naming only communes elsewhere may be a village of the same name."""
    named = [units for units in (_named(words) for words in _address_parts(text)) if units]
    chains = {_chain(unit) for units in named for unit in units}
    ranked: list[tuple[int, int, tuple[Unit, ...]]] = []
    for chain in chains:
        shorter = min(len(chain), len(within))
        if tuple(within[:shorter]) != chain[:shorter]:
            continue
        full = chain if len(chain) >= len(within) else tuple(within)
        explained = [units for units in named if set(units) & set(full)]
        contradicts = any(u.level != AreaLevel.COMMUNE for units in named if not set(units) & set(full) for u in units)
        if explained and not contradicts:
            ranked.append((len(explained), -len(full), full))
    if not ranked:
        return []
    best = max(rank[:2] for rank in ranked)
    tied = [chain for *rank, chain in ranked if tuple(rank) == best]
    common: list[Unit] = []
    for level_units in zip(*tied, strict=False):
        if len(set(level_units)) > 1:
            break
        common.append(level_units[0])
    return common


# --------------------------------------------------------------------------
# Paging for button lists
# --------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    page_no: int  # 1-based
    page_count: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page_no > 1

    @property
    def has_next(self) -> bool:
        return self.page_no < self.page_count


def page(items: Sequence[T], page_no: int, per_page: int = 8) -> Page[T]:
    """One page of ``items`` (1-based ``page_no``, clamped to the valid range)."""
    if per_page <= 0:
        raise ValueError("per_page must be positive")
    page_count = max(1, ceil(len(items) / per_page))
    page_no = min(max(page_no, 1), page_count)
    start = (page_no - 1) * per_page
    return Page(list(items[start : start + per_page]), page_no, page_count, len(items))
