"""The cross-locality duplicate check at a million applications: how long a submission waits for it.

    .venv/bin/python bench/duplicates.py                 # PostgreSQL, 1,000,000 rows, database hotro_confirm
    .venv/bin/python bench/duplicates.py --reuse         # keep the rows of a previous run (same db, rows, seed)
    .venv/bin/python bench/duplicates.py --db sqlite     # SQLite, 200,000 rows

Not run in CI. The rows come from bench/storage.py's builder (rebuild(): the schema from the migrations, then
synthetic applications loaded with COPY); it owns the database's `public` schema, so do not point it at a
database that tests use at the same time. Each submission runs the check once (handlers.apply.duplicates.matches:
the same ID number, or the same name + birth date index, anywhere, then the exclusivity and commune rules).

Timed in the same run, each after warm-up, as the median and p95 in ms:
- baseline: the refusal look-up every submission already makes (storage.applications.find_active_by_id_hash,
  the unique index on policy_id + id_hash);
- the check, for a person already in the database (a hit: an existing row's ID number and name + birth date,
  submitted for the other policy in another commune) and for a new person (a miss: random hashes);
- the check without its two indexes (ix_applications_id_hash of migration 0008, ix_applications_person_hash of 0010,
  dropped and re-created inside the run): what they save.
Ratios are against the baseline.

One run here (PostgreSQL 15, 1,000,000 rows, 2 cores shared with other work, ~5 min with the load): refusal
look-up 7.98 ms median; the check 11.85 ms for a hit (1.49x), 8.15 ms for a miss (1.02x); without the two
indexes 1,070 ms (134x). Each figure includes opening a session, as a submission's turn does.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT))]

from sqlalchemy import func, select, text  # noqa: E402

from bench import storage as builder  # noqa: E402
from bench.common import ensure_pg_database  # noqa: E402
from handlers.apply import duplicates  # noqa: E402
from storage.applications import find_active_by_id_hash  # noqa: E402
from storage.db import make_engine, session_factory  # noqa: E402
from storage.models import Application  # noqa: E402

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/hotro_confirm"
INDEXES = {
    "ix_applications_id_hash": "CREATE INDEX ix_applications_id_hash ON applications (id_hash)",
    "ix_applications_person_hash": "CREATE INDEX ix_applications_person_hash ON applications (person_hash)",
}


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


async def timed(runs: int, warmup: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    for i in range(warmup):
        await call(i)
    ms = []
    for i in range(runs):
        started = time.perf_counter()
        await call(warmup + i)
        ms.append((time.perf_counter() - started) * 1000)
    return ms


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


async def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    rows = args.rows or builder.DEFAULT_ROWS[args.db]
    if args.db == "postgres":
        await ensure_pg_database(args.url)
        url = args.url
    else:
        args.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{args.sqlite_path}"
    engine = make_engine(url)
    sessions = session_factory(engine)
    try:
        wanted = {"db": engine.dialect.name, "rows": rows, "seed": args.seed}
        if not (args.reuse and await builder.read_marker(engine) == wanted):
            progress(f"building {rows:,} applications on {engine.dialect.name} (bench/storage.py's builder)")
            args.chunk = 50_000
            await builder.rebuild(engine, args, rows)
        async with sessions() as session:
            count = (await session.execute(select(func.count()).select_from(Application))).scalar_one()
            sample = list(
                (
                    await session.execute(select(Application).order_by(func.random()).limit(args.runs + args.warmup))
                ).scalars()
            )
            for row in sample:
                session.expunge(row)

        def probe(i: int, hit: bool) -> Application:
            """A submission: an existing person for the other policy in another commune, or a new person."""
            row = sample[i % len(sample)]
            other = "free_worker" if row.policy_id == "household_business" else "household_business"
            return Application(
                id=None,
                policy_id=other,
                commune_code=row.commune_code + 1,
                id_hash=row.id_hash if hit else secrets.token_hex(32),
                person_hash=row.person_hash if hit else secrets.token_hex(32),
            )

        found_per_hit: list[int] = []

        async def baseline(i: int) -> None:
            async with sessions() as session:
                row = sample[i % len(sample)]
                await find_active_by_id_hash(session, row.policy_id, secrets.token_hex(32))

        async def check_hit(i: int) -> None:
            async with sessions() as session:
                found_per_hit.append(len(await duplicates.matches(session, probe(i, True))))

        async def check_miss(i: int) -> None:
            async with sessions() as session:
                await duplicates.matches(session, probe(i, False))

        progress("timing")
        results: list[tuple[str, list[float]]] = [
            ("baseline: find_active_by_id_hash (refusal look-up)", await timed(args.runs, args.warmup, baseline)),
            ("duplicate check, person already applied (hit)", await timed(args.runs, args.warmup, check_hit)),
            ("duplicate check, new person (miss)", await timed(args.runs, args.warmup, check_miss)),
        ]
        if args.without_indexes:
            progress("timing without the id_hash and person_hash indexes")
            async with engine.begin() as conn:
                for name in INDEXES:
                    await conn.execute(text(f"DROP INDEX {name}"))
            try:
                slow_runs = max(5, args.runs // 20)
                results.append(
                    ("duplicate check without its two indexes (miss)", await timed(slow_runs, 1, check_miss))
                )
            finally:
                async with engine.begin() as conn:
                    for sql in INDEXES.values():
                        await conn.execute(text(sql))
                    if engine.dialect.name == "postgresql":
                        await conn.execute(text("ANALYZE applications"))
                    else:
                        await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()

    base = statistics.median(results[0][1])
    out = [
        f"HoTro cross-locality duplicate check — {engine.dialect.name}, {count:,} applications",
        f"(each check: one session, one SELECT; {args.runs} timed runs after {args.warmup} warm-up, median and p95)",
        "",
        f"  {'operation':<52} {'median ms':>10} {'p95 ms':>9} {'× baseline':>11} {'runs':>6}",
    ]
    for name, ms in results:
        median = statistics.median(ms)
        out.append(f"  {name:<52} {median:>10.2f} {p95(ms):>9.2f} {median / base:>11.2f} {len(ms):>6}")
    hits = sum(1 for n in found_per_hit if n)
    out += [
        "",
        f"  hits flagged: {hits}/{len(found_per_hit)} (each probe is an existing person in another commune)",
        f"Total run time {time.perf_counter() - started:,.0f} s",
    ]
    print("\n".join(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--rows", type=int, help="applications to generate (default 1,000,000; SQLite 200,000)")
    parser.add_argument("--url", default=PG_URL, help="the PostgreSQL database it owns (default %(default)s)")
    parser.add_argument("--sqlite-path", type=Path, default=builder.SQLITE_PATH.with_name("duplicates.db"))
    parser.add_argument("--seed", type=int, default=68)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded rows if db, rows and seed match")
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--no-without-indexes", dest="without_indexes", action="store_false", help="skip the run without indexes"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
