"""Application codes given to citizens: short, random, typo-checked.

Form: an optional kind prefix, 7 random characters and 1 check character,
shown as "HK-7QX4-M9P7" and stored compact ("HK7QX4M9P7").

Alphabet: the 31 characters 2-9 and A-Z without I, L and O, so nothing can be
misread as 0/O or 1/I/L (those characters are simply not used, which is why
``normalize`` cannot map them to anything). 31 is prime, which gives a simple
check with proven guarantees: the code c_1..c_m satisfies

    sum((m - i + 1) * value(c_i) for i in 1..m) == 0  (mod 31)

With distinct non-zero weights (m <= 30) and a prime modulus, every single
substitution changes the sum by w * d with 0 < w, |d| < 31, and every
transposition of two characters (adjacent or not) by (w_i - w_j) * d, neither
of which is 0 mod 31: all are detected (the ISBN-10 construction, mod 31).

Codes are random (``secrets``), not sequential, so they reveal nothing about
how many applications exist. 31**7 is about 2.75e10: the storage layer must
still keep codes unique (unique index, retry on the rare collision).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from enum import StrEnum

from messages.i18n import N_, _

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MODULUS = len(ALPHABET)  # 31, prime
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

RANDOM_LEN = 7
BODY_LEN = RANDOM_LEN + 1  # with the check character

# Kind prefixes. Letters must come from ALPHABET (no L: "TD" rather than "LĐ").
KINDS: dict[str, str] = {
    "HK": "hộ kinh doanh (household business)",
    "TD": "lao động tự do (free worker)",
    "PA": "phản ánh, kiến nghị (a complaint, handlers.complaints)",
}

# How citizens type the free workers' prefix when they think "lao động" (đ is not in the alphabet either).
_FREE_WORKER_TYPED = frozenset({"LD", "LĐ"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.·/]+")


def _check_char(payload: str) -> str:
    m = len(payload) + 1
    total = sum((m - i) * _VALUE[ch] for i, ch in enumerate(payload))
    return ALPHABET[-total % MODULUS]  # the check character has weight 1


def new_code(prefix: str = "") -> str:
    """A fresh random code in compact form, e.g. "HK7QX4M9P7" (see ``display``)."""
    prefix = prefix.upper()
    if prefix and prefix not in KINDS:
        raise ValueError(f"unknown application kind prefix {prefix!r}; known: {sorted(KINDS)}")
    payload = prefix + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
    return payload + _check_char(payload)


def normalize(code: str) -> str:
    """Upper case, full-width forms folded, spaces/dashes/dots removed: " hk-7qx4 m9p7" -> "HK7QX4M9P7".

    It does not validate; use ``is_valid``.
    """
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", code)).upper()
    if compact[:2] in _FREE_WORKER_TYPED and len(compact) == 2 + BODY_LEN:
        return "TD" + compact[2:]  # "LĐ-…": the citizen thought "lao động"
    return compact


class CodeProblem(StrEnum):
    """Why a typed code is not one: what the citizen should check."""

    LENGTH = "length"  # not a kind prefix and 8 characters
    CHARACTERS = "characters"  # a character no code has (O, I, L, 0, 1, or another sign)
    PREFIX = "prefix"  # two letters before the 8 that are no kind's
    CHECK = "check"  # a character mistyped or two swapped: the check character disagrees


def problem(code: str) -> CodeProblem | None:
    """What is wrong with a typed code; None for a valid one."""
    compact = normalize(code)
    prefix = compact[:-BODY_LEN]
    if len(compact) not in (BODY_LEN, BODY_LEN + 2):
        return CodeProblem.LENGTH
    if any(ch not in _VALUE for ch in compact):
        return CodeProblem.CHARACTERS
    if prefix and prefix not in KINDS:
        return CodeProblem.PREFIX
    m = len(compact)
    if sum((m - i) * _VALUE[ch] for i, ch in enumerate(compact)) % MODULUS:
        return CodeProblem.CHECK
    return None


# What the citizen is asked to check, by problem. Example codes here and in the catalog are valid ones
# (tests/test_app_code.py): a citizen who types the example must not be told it is mistyped.
_TO_CHECK = {
    CodeProblem.LENGTH: N_(
        "An application code has 8 characters, usually after two letters (HK, TD), e.g. HK-7QX4-M9P7; "
        "you typed {count}."
    ),
    CodeProblem.CHARACTERS: N_(
        "Codes have no letters O, I, L and no digits 0, 1 (so that none is mistaken for another): please "
        "compare it with the code you received."
    ),
    CodeProblem.PREFIX: N_(
        "An application code starts with HK (household business) or TD (free worker), a complaint code with PA."
    ),
    CodeProblem.CHECK: N_(
        "A character may be mistyped, or two swapped: please compare each character with the code you received."
    ),
}


def what_to_check(code: str) -> str | None:
    """The citizen's hint for a typed code that is not one; None for a valid code."""
    found = problem(code)
    if found is None:
        return None
    return _(_TO_CHECK[found]).format(count=len(normalize(code)))


def split(code: str) -> tuple[str, str] | None:
    """(prefix, body) of a valid code, or None."""
    if problem(code) is not None:
        return None
    compact = normalize(code)
    return compact[:-BODY_LEN], compact[-BODY_LEN:]


def is_valid(code: str) -> bool:
    return split(code) is not None


def kind(code: str) -> str | None:
    """The kind prefix ("HK", "TD"), "" for none, None for an invalid code."""
    parts = split(code)
    return None if parts is None else parts[0]


def display(code: str) -> str:
    """ "HK7QX4M9P7" -> "HK-7QX4-M9P7"; "7QX4M9PY" -> "7QX4-M9PY"."""
    compact = normalize(code)
    prefix, body = compact[:-BODY_LEN], compact[-BODY_LEN:]
    groups = [body[:4], body[4:]]
    return "-".join([prefix, *groups] if prefix else groups)
