"""What natural answers cost per typed answer (issue 18): yes/no, a choice by part of its name, a bank.

Usage: .venv/bin/python bench/natural_answers.py [--rounds N]

Each matcher runs over the answers of its table in tests/test_natural_answers.py (good and bad ones)
N times; printed: microseconds per answer, and the ratio to validators.clean_text on the same answers
in the same run (the baseline: what a free-text step already does with every message). A chat turn
through the engine takes milliseconds (bench/engine.py), so these are to show they are not the cost.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers import validators  # noqa: E402
from messages.free_worker_scheme import DEFAULT_OCCUPATIONS  # noqa: E402

YES_NO = ["có", "Có ạ", "ừ", "vâng", "đúng rồi", "ko", "k", "không có", "chưa", "không biết", "maybe", "😀"]
OCCUPATION = ["bán vé số", "xe ôm", "chạy xe ôm", "van chuyenn", "phế liệu", "bán", "thợ hồ", "nấu ăn"]
BANKS = ["vietcombank", "VCB", "ngân hàng ngoại thương", "vietcombak", "nông nghiệp", "MB bank", "liên việt",
         "BIDV chi nhánh Lạng Sơn", "Quỹ tín dụng nhân dân Nhật Tiến", "0123 4567 8901"]  # fmt: skip
OPTIONS = [(name, name) for name in DEFAULT_OCCUPATIONS] + [("Nghề khác", "other")]


def per_answer(fn: Callable[[str], object], answers: list[str], rounds: int) -> float:
    """Microseconds per answer."""
    start = time.perf_counter()
    for _ in range(rounds):
        for answer in answers:
            fn(answer)
    return (time.perf_counter() - start) / (rounds * len(answers)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    rounds = parser.parse_args().rounds
    validators.bank_name("warm up")  # the bank index is built once, on first use
    rows = [
        ("yes/no", lambda t: validators.yes_no(t, unsure=True), YES_NO),
        ("occupation", lambda t: validators.choice(t, OPTIONS), OCCUPATION),
        ("bank", validators.bank_name, BANKS),
    ]
    print(f"{'matcher':<12} {'µs/answer':>10} {'baseline µs':>12} {'ratio':>7}")
    for name, fn, answers in rows:
        cost = per_answer(fn, answers, rounds)
        base = per_answer(validators.clean_text, answers, rounds)
        print(f"{name:<12} {cost:>10.1f} {base:>12.1f} {cost / base:>6.1f}x")


if __name__ == "__main__":
    main()
