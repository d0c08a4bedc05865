"""The engine alone: CPU and SQL statements per update, without HTTP or python-telegram-bot.

    .venv/bin/python bench/engine.py                       # SQLite file in a temporary directory
    .venv/bin/python bench/engine.py --db postgres         # database bench_engine (public schema is DROPPED)
    .venv/bin/python bench/engine.py --profile 25          # also print the 25 costliest functions (cProfile)

Each citizen runs the benchmark's script (bench/common.py household_steps: the household-business
application, then "status") through HoTro.handle with a transport that only records, one citizen after
another, so the figures are the cost of a turn with nothing else running: engine, handlers, storage,
outbox and the after-commit bookkeeping. Printed: updates, CPU ms per update (process time), SQL
statements per update (counted with a before_cursor_execute listener), on SQLite the round trips to
aiosqlite's thread per update (each queues a call and wakes the event loop with its result), wall time
per update and the slowest updates (p99 and max: one at a time, so a long one is a stall, not a queue).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.common import household_steps, reset_postgres  # noqa: E402
from bot.app import HoTro, create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from handlers.turn import Incoming  # noqa: E402
from tests.recording import RecordingTransport  # noqa: E402

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_engine"
BENCH_KEY = "a" * 43  # 32 bytes, url-safe base64 without padding


def count_trips() -> Counter[str]:
    """Count the calls aiosqlite hands to its thread (every one goes through Connection._execute)."""
    import aiosqlite

    trips: Counter[str] = Counter()
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips[getattr(fn, "__name__", "?")] += 1
        return await original(self, fn, *args, **kwargs)

    aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
    return trips


async def run_citizens(app: HoTro, first: int, count: int, walls: list[float] | None = None) -> int:
    updates = 0
    for i in range(first, first + count):
        chat = str(7_000_000 + i)
        for kind, value in household_steps(i):
            updates += 1
            incoming = Incoming(
                "telegram",
                chat,
                chat,
                f"{chat}-{updates}",
                text=value if kind == "text" else None,
                action=value if kind == "tap" else None,
                display_name="Bình",
            )
            started = time.perf_counter()
            await app.handle(incoming)
            if walls is not None:
                walls.append(time.perf_counter() - started)
    return updates


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if args.db == "postgres":
            await reset_postgres(args.pg_url)
            settings = Settings(data_dir=Path(tmp), database_url=args.pg_url, data_key=BENCH_KEY)
        else:
            settings = Settings(data_dir=Path(tmp), data_key=BENCH_KEY)
        transport = RecordingTransport("telegram")
        app = await create_app(settings, {"telegram": transport})
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(app.db.sync_engine, "before_cursor_execute", count)
        trips = count_trips() if args.db == "sqlite" else None
        await run_citizens(app, 0, args.warm_up)  # caches, prepared statements, the .mo catalog
        statements = 0
        if trips is not None:
            trips.clear()
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        walls: list[float] = []
        updates = await run_citizens(app, args.warm_up, args.citizens, walls)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        await app.close()
    print(f"database           {args.db}")
    print(f"updates            {updates} ({args.citizens} citizens x {updates // args.citizens})")
    print(f"messages sent      {len(transport.sent)}")
    print(f"CPU per update     {cpu / updates * 1000:.2f} ms")
    print(f"wall per update    {wall / updates * 1000:.2f} ms")
    walls.sort()
    print(f"slowest updates    p99 {walls[int(len(walls) * 0.99)] * 1000:.1f} ms, max {walls[-1] * 1000:.1f} ms")
    print(f"SQL per update     {statements / updates:.2f} statements")
    if trips is not None:
        print(f"thread trips       {sum(trips.values()) / updates:.2f} per update (aiosqlite)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--citizens", type=int, default=100)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    asyncio.run(main(parser.parse_args()))
