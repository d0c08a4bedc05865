"""Vietnamese banks (messages/banks.toml) and matching a citizen's answer to one of them.

"vietcombank", "VCB", "ngân hàng ngoại thương", "NH Vietcom bank" and "vietcombak" all give
Vietcombank, written as the bank writes it. Keys are folded (no diacritics, lower case) with the
words every bank name shares ("ngân hàng", "NH", "TMCP") and all spaces and punctuation left out.
Short keys (tickers such as "MB", "VIB", "ACB") must match exactly: a typo of three letters is
another bank. Longer keys also match with a small typo (rapidfuzz ratio).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from messages.normalize import fold, nfc

BANKS_PATH = Path(__file__).with_name("banks.toml")
FUZZY_MIN_LEN = 5  # keys shorter than this match exactly only
FUZZY_CUTOFF = 86.0  # one wrong or missing letter in a name of 7 or more

_GENERIC = re.compile(r"\b(?:ngan hang|nh|tmcp|thuong mai co phan|tm|tnhh|mtv|viet nam bank)\b")
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Bank:
    name: str  # as the bank writes it
    full: str  # its full Vietnamese name
    aliases: tuple[str, ...]


def key(text: str) -> str:
    """'Ngân hàng TMCP Ngoại thương' -> 'ngoaithuong'; 'MB Bank' -> 'mbbank'."""
    folded = fold(nfc(text)).replace("&", " ")
    return _NOT_KEY.sub("", _GENERIC.sub(" ", folded))


@cache
def banks() -> tuple[Bank, ...]:
    with BANKS_PATH.open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(Bank(b["name"], b["full"], tuple(b.get("aliases", ()))) for b in data["bank"])


@cache
def _index() -> dict[str, Bank]:
    index: dict[str, Bank] = {}
    for bank in banks():
        for name in (bank.name, bank.full, *bank.aliases):
            k = key(name)
            if k.endswith("vietnam") and len(k) > len("vietnam") + 3:
                index.setdefault(k.removesuffix("vietnam"), bank)  # "Ngoại thương Việt Nam" -> "ngoaithuong"
            if k:
                index.setdefault(k, bank)
            if k.endswith("bank") and len(k) > len("bank") + 1:
                index.setdefault(k.removesuffix("bank"), bank)  # "Vietin" for VietinBank, "Nam A" for Nam A Bank
    return index


def match(text: str) -> Bank | None:
    """The bank the answer names, or None when it names none of the list (or too vaguely)."""
    typed = key(text)
    if not typed:
        return None
    index = _index()
    for candidate in (typed, typed.removesuffix("bank"), typed.removesuffix("vietnam")):
        if candidate in index:
            return index[candidate]
    if len(typed) < FUZZY_MIN_LEN:
        return None
    long_keys = [k for k in index if len(k) >= FUZZY_MIN_LEN]
    found = process.extract(typed, long_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3)
    if not found:
        return None
    best = index[found[0][0]]
    if any(index[k] != best and score >= found[0][1] - 3 for k, score, _i in found[1:]):
        return None  # two banks about as close: do not guess
    return best


def named_in(text: str) -> Bank | None:
    """The one bank a longer answer names among its words ("chuyển qua tài khoản vietcombank", "ck vcb"): a run
    of up to three words that is exactly a bank's name or alias; None for none or several."""
    words = fold(nfc(text)).split()
    index = _index()
    found = {
        index[k].name: index[k]
        for size in (3, 2, 1)
        for i in range(len(words) - size + 1)
        if len(k := key(" ".join(words[i : i + size]))) >= 2 and k in index
    }
    return next(iter(found.values())) if len(found) == 1 else None
