"""Application codes: format, randomness and exhaustive typo detection on samples."""

from __future__ import annotations

import random
import re

import pytest

from handlers import app_code as ac
from handlers.intents import code_in

SAMPLES = [ac.new_code(prefix) for prefix in ("", "HK", "TD") for _ in range(70)]


def test_alphabet_is_unambiguous_and_prime_sized() -> None:
    assert len(ac.ALPHABET) == 31 == ac.MODULUS
    assert all(ac.MODULUS % d for d in range(2, ac.MODULUS))  # prime
    assert not set("01OIL") & set(ac.ALPHABET)
    assert len(set(ac.ALPHABET)) == len(ac.ALPHABET)


@pytest.mark.parametrize("prefix", ["", "HK", "TD", "hk"])
def test_new_code_shape(prefix: str) -> None:
    code = ac.new_code(prefix)
    assert code.startswith(prefix.upper())
    assert len(code) == len(prefix) + 8
    assert set(code) <= set(ac.ALPHABET)
    assert ac.is_valid(code)
    assert ac.kind(code) == prefix.upper()


def test_unknown_prefix_is_refused() -> None:
    with pytest.raises(ValueError):
        ac.new_code("LD")  # L is not in the alphabet; free workers use "TD"
    with pytest.raises(ValueError):
        ac.new_code("XX")


def test_codes_are_random_not_sequential() -> None:
    codes = {ac.new_code("HK") for _ in range(2000)}
    assert len(codes) == 2000
    bodies = sorted(c[2:9] for c in codes)
    # consecutive sorted codes differ widely: no counter hidden in them
    assert len({b[:2] for b in bodies}) > 400


def test_display_and_normalize_round_trip() -> None:
    code = "HK" + "7QX4M9P"
    code += ac._check_char(code)
    shown = ac.display(code)
    assert shown == f"HK-7QX4-M9P{code[-1]}"
    assert ac.normalize(shown) == code
    assert ac.normalize(f"  {shown.lower()} ") == code
    assert ac.normalize(shown.replace("-", " – ")) == code
    assert ac.normalize("ＨＫ－７ＱＸ４") == "HK7QX4"  # full-width input
    assert ac.is_valid(shown.lower())
    no_prefix = ac.new_code()
    assert ac.display(no_prefix) == f"{no_prefix[:4]}-{no_prefix[4:]}"


def test_every_single_substitution_is_detected() -> None:
    for code in SAMPLES:
        for i, original in enumerate(code):
            for replacement in ac.ALPHABET:
                if replacement != original:
                    typo = code[:i] + replacement + code[i + 1 :]
                    assert not ac.is_valid(typo), (code, typo)


def test_every_adjacent_transposition_is_detected() -> None:
    for code in SAMPLES:
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert not ac.is_valid(swapped), (code, swapped)


def test_every_transposition_at_any_distance_is_detected() -> None:
    for code in SAMPLES[:60]:
        for i in range(len(code)):
            for j in range(i + 1, len(code)):
                if code[i] != code[j]:
                    chars = list(code)
                    chars[i], chars[j] = chars[j], chars[i]
                    assert not ac.is_valid("".join(chars)), (code, i, j)


def test_confusable_and_malformed_codes_are_invalid() -> None:
    code = ac.new_code("HK")
    assert not ac.is_valid(code[:-1])  # a character dropped
    assert not ac.is_valid(code + "2")  # one added
    assert not ac.is_valid(code[:3] + "0" + code[4:])  # 0 is never used
    assert not ac.is_valid(code[:3] + "O" + code[4:])
    assert not ac.is_valid("")
    assert not ac.is_valid("LD" + code[2:])
    assert ac.kind("nonsense") is None


def test_random_strings_rarely_pass() -> None:
    rng = random.Random(68)
    hits = sum(ac.is_valid("".join(rng.choice(ac.ALPHABET) for _ in range(8))) for _ in range(31_000))
    assert 500 < hits < 1500  # about 1 in 31, as the check character promises


def test_a_free_workers_code_typed_with_ld_for_lao_dong_is_read_as_td() -> None:
    """Citizens think "lao động" and type "LĐ-…" or "LD-…" for a "TD-…" code (the alphabet has no L)."""
    code = ac.new_code("TD")
    shown = ac.display(code)
    for typed in (shown.replace("TD", "LĐ", 1), shown.replace("TD", "LD", 1), shown.replace("TD", "lđ", 1)):
        assert ac.split(typed) == ("TD", code[2:]), typed
        assert code_in(f"mã hồ sơ của tôi là {typed} ạ") == typed


def test_what_is_wrong_with_a_code_is_told() -> None:
    """The look-up says what to check: the length, characters no code has, or a character mistyped."""
    good = ac.display(ac.new_code("HK"))
    assert ac.problem(good) is None and ac.problem(good.lower().replace("-", " ")) is None
    assert ac.problem("HK-1234") is ac.CodeProblem.LENGTH
    assert ac.problem(good + "X") is ac.CodeProblem.LENGTH
    assert ac.problem("HK-7QX4-M9PO") is ac.CodeProblem.CHARACTERS  # O, I, L, 0 and 1 are never used
    assert ac.problem("HK-7QX4-M91R") is ac.CodeProblem.CHARACTERS
    assert ac.problem("XY-7QX4-M9P7") is ac.CodeProblem.PREFIX
    typo = good[:-1] + next(ch for ch in ac.ALPHABET if ch != good[-1])
    assert ac.problem(typo) is ac.CodeProblem.CHECK


def test_the_example_codes_shown_to_citizens_are_valid_codes() -> None:
    """A citizen who types the example to see what happens is told it is not found, not that it is mistyped."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    shown = [root / "messages/locale/vi/LC_MESSAGES/hotro.po", *sorted((root / "messages/knowledge").glob("*.toml"))]
    examples = {m for path in shown for m in re.findall(r"\b(?:HK|TD|PA)-[0-9A-Z]{4}-[0-9A-Z]{4}\b", path.read_text())}
    assert examples and all(ac.is_valid(example) for example in examples), sorted(examples)
