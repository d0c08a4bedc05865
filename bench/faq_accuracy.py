"""How well free-text questions are answered: the question answering (handlers.ask.questions) against today's matcher.

Usage: .venv/bin/python bench/faq_accuracy.py [--misses N]

Every question of tests/data/questions.tsv goes through the real engine (HoTro.handle, SQLite in a
temporary directory, a recording transport) as a fresh citizen who has pressed /start, and the reply
the citizen sees (each message's text and its buttons, numbered as the console shows them) is checked
with tests.questions.answer_matches. Reported separately for the dev part (and its rows written for
issue 12) and the held-out part (and its rows that equal no training example, and each later held-out batch,
"# held-out batch: DATE" in the file): answer accuracy, topic
accuracy, the share answered "unsure" and the latency of the question's turn (mean, p95). Baseline in
the same run: today's matcher (handlers.ask.policy_search) answering through its own chat path
(handlers.policies.question), with its topic accuracy (its best policy; it knows no general topic).
Misses are printed for dev rows only: held-out rows are never shown.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import HoTro, create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from handlers.ask import policies as legacy  # noqa: E402
from handlers.ask import policy_search  # noqa: E402
from handlers.ask.questions import classify  # noqa: E402
from handlers.ask.questions.answer import understood_topic  # noqa: E402
from handlers.ask.questions.facts import extract  # noqa: E402
from handlers.menu import fallback, start  # noqa: E402
from handlers.router import StateSpec  # noqa: E402
from handlers.turn import Incoming, Turn  # noqa: E402
from messages.normalize import search_key  # noqa: E402
from tests.questions import answer_matches, load_questions  # noqa: E402
from tests.recording import RecordingTransport  # noqa: E402

# The unsure replies, new and old (Vietnamese, as the citizen sees them).
SPLITS = ("dev", "heldout")
UNSURE_MARKS = ("Có phải bạn muốn hỏi", "chưa tìm thấy")


@dataclass
class Tally:
    n: int = 0
    answered: int = 0
    topic: int = 0
    unsure: int = 0
    latencies: list[float] = field(default_factory=list)

    def row(self, name: str) -> str:
        if not self.n:
            return f"{name:<44} {'-':>6}"
        lat = sorted(self.latencies)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] * 1000
        return (
            f"{name:<44} {self.n:>5} {self.answered / self.n:>8.1%} {self.topic / self.n:>8.1%} "
            f"{self.unsure / self.n:>8.1%} {statistics.mean(lat) * 1000:>8.1f} {p95:>8.1f}"
        )


async def _legacy_idle(turn: Turn) -> None:
    """The router's idle state as it was before handlers.ask.questions: today's matcher answers."""
    if turn.state == "start":
        await start(turn)
        if turn.text and not turn.action:
            await legacy.question(turn)
        return
    if turn.text and not turn.action:
        await legacy.question(turn)
        return
    await fallback(turn)


async def _app(directory: Path, legacy_path: bool) -> HoTro:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite+aiosqlite:///{directory / 'faq.db'}", data_dir=directory
    )
    app = await create_app(settings, transports={"bench": RecordingTransport("bench")})
    if legacy_path:
        for state in ("start", "menu"):
            app.engine.router.states[state] = StateSpec(_legacy_idle)
    return app


async def _ask(app: HoTro, transport: RecordingTransport, chat: str, text: str) -> tuple[list[str], float]:
    """The messages the citizen sees in reply to `text`, and the turn's wall time."""
    await app.handle(Incoming("bench", chat, chat, f"{chat}-start", text="/start", display_name="An"))
    before = len(transport.sent)
    started = time.perf_counter()
    await app.handle(Incoming("bench", chat, chat, f"{chat}-q", text=text, display_name="An"))
    elapsed = time.perf_counter() - started
    # Each message as the console shows it: its text, then its buttons numbered.
    reply = [
        "\n".join([p["text"], *(f"{n}. {b['label']}" for n, b in enumerate((b for r in p["buttons"] for b in r), 1))])
        for c, p in transport.sent[before:]
        if c == chat
    ]
    return reply, elapsed


def _predicted_topic_new(text: str) -> str:
    return understood_topic(text)


def _predicted_topic_old(text: str) -> str | None:
    result = policy_search.answer(text)
    return result.best.policy_id if result.best else None


async def run(
    questions: Sequence[Any], legacy_path: bool, topic_of: Callable[[str], str | None]
) -> tuple[dict[str, Tally], list[tuple[Any, list[str], str | None]]]:
    tallies = {"dev": Tally(), "heldout": Tally(), "dev12": Tally(), "heldout_unseen": Tally()}
    tallies |= {f"heldout@{b}": Tally() for b in sorted({q.held_out_batch for q in questions if q.held_out_batch})}
    trained = {search_key(e.text) for e in classify.training_examples()}
    misses: list[tuple[Any, list[str], str | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = await _app(Path(tmp), legacy_path)
        transport = app.sender.transports["bench"]
        assert isinstance(transport, RecordingTransport)
        try:
            for i, q in enumerate(questions):
                reply, elapsed = await _ask(app, transport, f"{'old' if legacy_path else 'new'}-{i}", q.text)
                ok = answer_matches(q, reply)
                topic = topic_of(q.text)
                # The dev rows written for issue 12 (batch 0) are also counted on their own.
                keys = [q.split]
                if q.split == "dev" and q.batch == 0:
                    keys.append("dev12")
                # Held-out rows that happen to equal a training example (folded) are also left out once.
                if q.split == "heldout" and search_key(q.text) not in trained:
                    keys.append("heldout_unseen")
                if q.held_out_batch:
                    keys.append(f"heldout@{q.held_out_batch}")
                for key in keys:
                    tally = tallies[key]
                    tally.n += 1
                    tally.latencies.append(elapsed)
                    tally.answered += ok
                    tally.topic += topic == q.topic
                    tally.unsure += any(mark in message for mark in UNSURE_MARKS for message in reply)
                if not ok and q.split == "dev":
                    misses.append((q, reply, topic))
                transport.sent.clear()
        finally:
            await app.close()
    return tallies, misses


def _header() -> str:
    return f"{'':<44} {'n':>5} {'answer':>8} {'topic':>8} {'unsure':>8} {'mean ms':>8} {'p95 ms':>8}"


async def main_async(show_misses: int) -> None:
    questions = load_questions()
    classify.classifier()  # trained at start-up, outside the timing
    policy_search.search("khởi động")
    started = time.perf_counter()
    new, new_misses = await run(questions, False, _predicted_topic_new)
    old, _old_misses = await run(questions, True, _predicted_topic_old)
    predict_times = []
    for q in questions:
        t = time.perf_counter()
        classify.predict(q.text, extract(q.text))
        predict_times.append(time.perf_counter() - t)
    print(_header())
    for split, label in (
        ("dev", "dev (tuned on)"),
        ("dev12", "dev, issue-12 rows"),
        ("heldout", "held-out (never tuned on)"),
        ("heldout_unseen", "held-out, rows not in training"),
        *((key, f"held-out, batch of {key.removeprefix('heldout@')}") for key in new if key.startswith("heldout@")),
    ):
        print(new[split].row(f"questions: {label}"))
        print(old[split].row(f"baseline policy_search: {label}"))
    trained = {search_key(e.text) for e in classify.training_examples()}
    overlap = {split: sum(search_key(q.text) in trained for q in questions if q.split == split) for split in SPLITS}
    print(f"benchmark questions also in the training data (folded, exact): {overlap}")
    print(
        f"classifier alone: {statistics.mean(predict_times) * 1000:.2f} ms mean per question; "
        f"run {time.perf_counter() - started:.0f} s"
    )
    if show_misses:
        print(f"\ndev misses ({len(new_misses)}), first {show_misses}:")
        for q, reply, topic in new_misses[:show_misses]:
            first = " // ".join(reply).replace("\n", " / ")[:200]
            want = " ; ".join(("^" if r.at_start else "") + " | ".join(r.alternatives) for r in q.must_contain)
            print(f"- [{q.topic}/{q.kind} -> {topic}] {q.text}\n    want: {want}\n    got:  {first}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", type=int, default=40, help="dev misses to print (held-out ones never are)")
    args = parser.parse_args()
    asyncio.run(main_async(args.misses))


if __name__ == "__main__":
    main()
