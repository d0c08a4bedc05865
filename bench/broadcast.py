"""Announcement delivery against a rate-limited fake Bot API: throughput, losses, duplicates, crash.

Usage:
    .venv/bin/python bench/broadcast.py                       # the suite below, on a file SQLite DB
    .venv/bin/python bench/broadcast.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/bench
        (the bench DROPS and recreates the public schema of that database)

Suite (each a fresh database and a fresh fake server on 127.0.0.1):
  1. clean   – N recipients (default 5,000; 1 % have blocked the bot), the fake enforces --limit
               messages/s (default 100: 5,000 take under a minute) and 1 message/s per chat with
               429 + retry_after; the worker (bot.broadcaster.run_broadcasts in a subprocess) runs at
               --worker-rate (default 0.98 × limit). --limit 200 also works on an idle machine; the
               python-telegram-bot/httpx stack costs a few ms of CPU per message, so on a small, busy
               machine the worker becomes CPU-bound before it reaches such a limit.
  2. crash   – the same, but the worker is killed with SIGKILL at ~40 % and started again.
  3. prod    – the production setting: limit 30/s, worker at its default 25/s, fewer recipients, while
               a citizen gets a reply through the normal outbox every 0.25 s (do replies keep flowing?).

Printed per run: the command line, the limit, the achieved delivery rate and its ratio to the limit
(measured on the fake server from the first to the last accepted message), 429s and 403s, lost and
duplicated messages (counted per chat on the server side), and the database's view of the result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from telegram import Bot  # noqa: E402

from bench.common import DATA_KEY, reset_postgres  # noqa: E402
from bot.announcement_sender import run_broadcasts  # noqa: E402
from bot.app import HoTro, create_app  # noqa: E402
from bot.channels.telegram import TelegramTransport  # noqa: E402
from bot.config import Settings  # noqa: E402
from handlers.announce import service as announcements  # noqa: E402
from storage import broadcasts as store  # noqa: E402
from storage import outbox  # noqa: E402
from storage.broadcasts import Audience  # noqa: E402
from storage.models import Broadcast, ChannelUser, Delivery  # noqa: E402
from storage.officials import add_official  # noqa: E402
from tests.fakes.telegram_api import TOKEN, FakeTelegram  # noqa: E402

FIRST_CHAT = 10_000_000
OFFICIAL_CHAT = 999
REPLY_CHAT = 998  # and the 49 chats below it


# ---- the worker subprocess ----------------------------------------------------------------------------


async def worker_main(args: argparse.Namespace) -> None:
    """A bot process without the chat side: the broadcast worker and the outbox sender."""
    if args.skip_sniffio:
        # httpcore tries `import sniffio` on every request; without the package (anyio 4 no longer pulls
        # it in) each failed import scans sys.path. Installing sniffio has the same effect as this.
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    settings = Settings(_env_file=None, database_url=args.db, data_dir=Path(args.data_dir), data_key=DATA_KEY)  # type: ignore[call-arg]
    bot = Bot(TOKEN, base_url=args.base_url)
    app = await create_app(settings, {"telegram": TelegramTransport(bot)})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with bot:
        await asyncio.gather(
            run_broadcasts(
                app, stop, rate=args.rate, chat_interval=args.chat_interval, lease=args.lease, poll_interval=0.2
            ),
            app.sender.run(poll_interval=0.2, stop=stop),
        )
    await app.close()


def start_worker(
    args: argparse.Namespace, db: str, data_dir: str, fake: FakeTelegram, rate: float, chat_interval: float
) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "worker",
        "--db",
        db,
        "--data-dir",
        data_dir,
        "--base-url",
        fake.base_url,
        "--rate",
        str(rate),
        "--chat-interval",
        str(chat_interval),
        "--lease",
        str(args.lease),
        *(["--skip-sniffio"] if args.skip_sniffio else []),
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


# ---- set-up -----------------------------------------------------------------------------------------------


async def fresh_database(url: str) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)


async def seed(app: HoTro, recipients: int, label: str) -> int:
    """Channel users straight in the database, an admin on Telegram, one queued announcement to all."""
    now = datetime.now(UTC)
    async with app.sessions.begin() as session:
        rows = [
            {"channel": "telegram", "user_id": str(c), "chat_id": str(c), "status": "active", "created_at": now}
            for c in range(FIRST_CHAT, FIRST_CHAT + recipients)
        ]
        for start in range(0, len(rows), 1000):
            await session.execute(insert(ChannelUser), rows[start : start + 1000])
        admin = await add_official(session, "telegram", str(OFFICIAL_CHAT), "admin", None, "bench")
        draft = await store.create(session, admin, Audience("all"), f"Thông báo {label}", now)
        total = await store.queue(session, draft, admin, announcements.render_message(f"Thông báo {label}", admin), now)
        assert total == recipients
        return draft.id


@dataclass
class Result:
    delivered: int
    lost: int
    duplicated: int
    rate: float
    calls_rate: float
    first_to_last: float
    rejected_429: int
    rejected_403: int
    db_status: dict[str, int]
    broadcast_status: str
    report_received: bool


async def wait_done(app: HoTro, broadcast_id: int, fake: FakeTelegram, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with app.sessions() as session:
            status = (await session.execute(select(Broadcast.status).where(Broadcast.id == broadcast_id))).scalar_one()
        if status == "done" and fake.texts_to(OFFICIAL_CHAT):
            return
        await asyncio.sleep(0.25)
    raise SystemExit(f"broadcast {broadcast_id} not done within {timeout:.0f} s")


async def measure(app: HoTro, broadcast_id: int, fake: FakeTelegram, label: str, recipients: int) -> Result:
    sent = [s for s in fake.sent if f"Thông báo {label}" in s.text]
    per_chat = fake.deliveries(f"Thông báo {label}")
    expected = set(range(FIRST_CHAT, FIRST_CHAT + recipients)) - fake.blocked
    times = sorted(s.at for s in sent)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    async with app.sessions() as session:
        counts = dict(
            (
                await session.execute(
                    select(Delivery.status, func.count())
                    .where(Delivery.broadcast_id == broadcast_id)
                    .group_by(Delivery.status)
                )
            ).all()
        )
        status = (await session.execute(select(Broadcast.status).where(Broadcast.id == broadcast_id))).scalar_one()
    return Result(
        delivered=len(per_chat),
        lost=len(expected - set(per_chat)),
        duplicated=sum(n - 1 for n in per_chat.values() if n > 1),
        rate=(len(sent) - 1) / span if span else 0.0,
        calls_rate=(len(sent) - 1 + fake.rejected_403 + fake.rejected_429) / span if span else 0.0,
        first_to_last=span,
        rejected_429=fake.rejected_429,
        rejected_403=fake.rejected_403,
        db_status={k: int(v) for k, v in counts.items()},
        broadcast_status=status,
        report_received=bool(fake.texts_to(OFFICIAL_CHAT)),
    )


def show(title: str, limit: float, worker_rate: float, result: Result, extra: list[str] | None = None) -> None:
    print(f"\n== {title}")
    print(f"   limit on the fake server: {limit:g} messages/s, 1 per chat per second; worker rate {worker_rate:g}/s")
    print(
        f"   delivered {result.delivered} in {result.first_to_last:.1f} s (first to last): "
        f"{result.rate:.1f} msg/s = {result.rate / limit:.3f} of the limit, {result.rate / worker_rate:.3f} of the "
        "worker rate"
    )
    print(
        f"   API calls (delivered + 403 + 429) {result.calls_rate:.1f}/s = {result.calls_rate / limit:.3f} of the limit"
    )
    print(
        f"   lost {result.lost}, duplicated {result.duplicated}; 429 answers {result.rejected_429}, 403 answers "
        f"{result.rejected_403}"
    )
    print(
        f"   database: deliveries {result.db_status}, broadcast {result.broadcast_status}, "
        f"report to the official received: {result.report_received}"
    )
    for line in extra or []:
        print(f"   {line}")


# ---- runs ------------------------------------------------------------------------------------------------


async def run(
    args: argparse.Namespace,
    *,
    title: str,
    recipients: int,
    limit: float,
    worker_rate: float,
    crash_at: float | None = None,
    replies: bool = False,
) -> Result:
    label = title.split()[0]
    workdir = tempfile.mkdtemp(prefix="hotro-bench-")
    db = args.db or f"sqlite+aiosqlite:///{workdir}/bench.db"
    await fresh_database(db)
    blocked = {FIRST_CHAT + i for i in range(0, recipients, 100)}  # 1 %
    fake = await FakeTelegram(global_rate=limit, per_chat_interval=1.0, blocked=blocked).start()
    settings = Settings(_env_file=None, database_url=db, data_dir=Path(workdir), data_key=DATA_KEY)  # type: ignore[call-arg]
    bot = Bot(TOKEN, base_url=fake.base_url)
    app = await create_app(settings, {"telegram": TelegramTransport(bot)})
    extra: list[str] = []
    try:
        broadcast_id = await seed(app, recipients, label)
        started = time.monotonic()
        proc = start_worker(args, db, workdir, fake, worker_rate, 1.0)
        reply_latencies: list[float] = []
        reply_task = asyncio.create_task(citizen_replies(app, fake, reply_latencies)) if replies else None
        if crash_at is not None:
            while len(fake.sent) < crash_at * recipients:  # cheap to poll: nothing else is sent yet
                await asyncio.sleep(0.01)
                if proc.poll() is not None:
                    raise SystemExit("worker exited early")
            proc.kill()  # SIGKILL: no clean-up, claimed rows stay 'sending'
            proc.wait()
            at_kill = len(fake.deliveries(f"Thông báo {label}"))
            async with app.sessions() as session:
                held = (
                    await session.execute(
                        select(func.count()).where(Delivery.broadcast_id == broadcast_id, Delivery.status == "sending")
                    )
                ).scalar_one()
            extra.append(
                f"killed at {at_kill} delivered ({at_kill / recipients:.0%}), {held} rows left 'sending'; "
                f"restarted; lease {args.lease:g} s"
            )
            proc = start_worker(args, db, workdir, fake, worker_rate, 1.0)
        await wait_done(app, broadcast_id, fake, timeout=recipients / worker_rate * 3 + 60)
        wall = time.monotonic() - started
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        if reply_task is not None:
            reply_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reply_task
            if reply_latencies:
                extra.append(
                    f"citizen replies during the broadcast: {len(reply_latencies)}, latency median "
                    f"{statistics.median(reply_latencies) * 1000:.0f} ms, max {max(reply_latencies) * 1000:.0f} ms"
                )
        result = await measure(app, broadcast_id, fake, label, recipients)
        extra.append(f"wall time from worker start to the official's report: {wall:.1f} s")
        show(
            f"{title}: {recipients} recipients, {len(blocked)} blocked, db {db.split(':')[0]}",
            limit,
            worker_rate,
            result,
            extra,
        )
        return result
    finally:
        await app.close()
        await fake.stop()


async def citizen_replies(app: HoTro, fake: FakeTelegram, latencies: list[float]) -> None:
    """Citizens chatting while the announcement goes out: a reply through the outbox every 0.25 s,
    each to another chat (one chat may only get one message a second)."""
    n = 0
    while True:
        n += 1
        chat_id, body = REPLY_CHAT - n % 50, f"reply {n}"
        async with app.sessions.begin() as session:
            row = await outbox.enqueue(
                session, "telegram", str(chat_id), {"text": body, "buttons": []}, datetime.now(UTC), app.protector
            )
            await session.flush()
            row_id = row.id
        enqueued = time.monotonic()
        await app.sender.deliver([row_id])
        while not any(s.text == body for s in fake.sent if s.chat_id == chat_id):
            await asyncio.sleep(0.02)
            await app.sender.deliver()
        latencies.append(time.monotonic() - enqueued)
        await asyncio.sleep(0.25)


async def suite(args: argparse.Namespace) -> None:
    print("command:", shlex.join([sys.executable, *sys.argv]))
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # a killed worker's cut connections
    worker_rate = args.worker_rate or round(args.limit * 0.98, 2)
    runs = set(args.runs.split(","))
    results = []
    if "clean" in runs:
        results.append(
            await run(args, title="clean run", recipients=args.recipients, limit=args.limit, worker_rate=worker_rate)
        )
    if "crash" in runs:
        results.append(
            await run(
                args,
                title="crash run (SIGKILL at 40 %)",
                recipients=args.recipients,
                limit=args.limit,
                worker_rate=worker_rate,
                crash_at=0.4,
            )
        )
    if "prod" in runs:
        results.append(
            await run(
                args,
                title="production setting (Telegram's ~30/s, worker at the default 25/s, replies flowing)",
                recipients=args.prod_recipients,
                limit=30,
                worker_rate=25,
                replies=True,
            )
        )
    print("\nsummary: lost", sum(r.lost for r in results), "duplicated", [r.duplicated for r in results])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode")
    w = sub.add_parser("worker")
    w.add_argument("--db", required=True)
    w.add_argument("--data-dir", required=True)
    w.add_argument("--base-url", required=True)
    w.add_argument("--rate", type=float, required=True)
    w.add_argument("--chat-interval", type=float, required=True)
    w.add_argument("--lease", type=float, required=True)
    w.add_argument("--skip-sniffio", action="store_true")
    parser.add_argument("--db", help="database URL (default: a new SQLite file); PostgreSQL's public schema is reset")
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--limit", type=float, default=100, help="the fake server's global limit, messages/s")
    parser.add_argument("--worker-rate", type=float, help="the worker's rate (default 0.98 × limit)")
    parser.add_argument("--lease", type=float, default=5, help="claim lease, s (production: 60)")
    parser.add_argument(
        "--skip-sniffio", action="store_true", help="spare httpcore's failing `import sniffio` per request (see worker)"
    )
    parser.add_argument("--prod-recipients", type=int, default=600, help="recipients of the 30/s run")
    parser.add_argument("--runs", default="clean,crash,prod", help="which runs, comma-separated")
    args = parser.parse_args()
    if args.mode == "worker":
        asyncio.run(worker_main(args))
    else:
        asyncio.run(suite(args))


if __name__ == "__main__":
    main()
