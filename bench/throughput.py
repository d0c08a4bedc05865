"""Throughput and latency of HoTro's Telegram webhook, with a bare python-telegram-bot echo bot as the ceiling.

Usage:
    .venv/bin/python bench/throughput.py                 # 200 citizens, SQLite and PostgreSQL (about 6 minutes)
    .venv/bin/python bench/throughput.py --quick         # 20 citizens, think 0.5-1.5 s, 20 s boxes (about 2 minutes)
    .venv/bin/python bench/throughput.py --citizens 100 --think 1,3 --db sqlite
Options:
    --citizens N        simulated citizens per phase (default 200; 20 with --quick)
    --think LO,HI       think time in seconds before each message in the latency phase (default 1,3)
    --seconds S         time box of a capacity phase (default 45; 20 with --quick); a latency phase gets
                        at least S, and enough for a citizen's 23 messages with their think times
    --db LIST           comma-separated: sqlite, postgres (default both)
    --pg-url URL        PostgreSQL database to use; its public schema is DROPPED and recreated
                        (default postgresql+asyncpg://postgres@127.0.0.1:5432/bench_tp)
    --no-echo-latency   skip the echo bot's latency phase (about a minute)
    --no-latency        capacity phases only
    --keep DIR          keep the logs and the SQLite file in DIR
    --pool N            Bot API connections of both servers (default: HOTRO_TELEGRAM_CONNECTION_POOL or 8)

Every citizen runs the full household-business application of tests/test_multiprocess.py (with its own
valid CCCD and phone) and then presses "status": 23 webhook updates. Each target is a separate server
process on loopback: a minimal PTB echo webhook (bench/common.py echo), then `hotro serve` on a SQLite
file and on PostgreSQL. All of them send their replies to one fake Bot API process (bench/common.py
fake-api). The load generator is this process. Each server first serves 5 warm-up citizens, closed loop
and not time-boxed, whose applications are checked like the others'.

Two phases per target, each with its own citizens:
  capacity  closed loop: each citizen posts its next update as soon as the previous one was answered
            (HoTro answers 200 once the turn is committed and its replies sent). Reported: updates/s and
            the HoTro/echo ratio (target >= 0.5). No update is started after the time box; the ones in
            flight finish.
  latency   each citizen waits a random think time before each update. Reported: p50/p95/p99 of the
            webhook response time (target p99 < 100 ms), the rate offered and the rate achieved.
After each HoTro phase it checks, from the fake Bot API and the database, that every citizen whose
confirmation was answered got its application code exactly once and that the database holds exactly
that one application for it (and none for citizens who did not get that far), that "status" showed the
code, and that no outbox row is left queued or sending. The CPU used by each process is printed too (from
/proc), so a saturated fake Bot API or load generator, or other jobs on the machine ("other", which
includes PostgreSQL), would show.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bench.common import (  # noqa: E402
    CHAT_BASE,
    SECRET,
    STEPS_PER_CITIZEN,
    WEBHOOK_PATH,
    FakeApiClient,
    Updates,
    household_steps,
    log_problems,
    log_size,
    machine_cpu,
    process_cpu,
    reset_postgres,
    spawn_echo,
    spawn_fake_api,
    spawn_hotro,
    stop,
    wait_for_port,
)
from bot.config import Settings  # noqa: E402
from storage.models import Application, OutboxMessage  # noqa: E402
from tests.net import free_port  # noqa: E402

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_tp"
CONFIRM_STEP = next(n for n, (_kind, value) in enumerate(household_steps(0)) if value == "f:ok") + 1
CPU_KEYS = ("server", "fake API", "load gen", "other")
WARM_UP = 5  # citizens


def latency_box(think: tuple[float, float], seconds: float) -> float:
    """Long enough for a citizen to get through its script when answers are fast."""
    script = think[1] + (STEPS_PER_CITIZEN - 1) * sum(think) / 2
    return max(seconds, script * 1.15 + 5)


@dataclass
class Phase:
    target: str
    mode: str  # warm-up | capacity | latency
    indices: range
    think: tuple[float, float] | None
    updates: int = 0
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    answered: Counter[int] = field(default_factory=Counter)  # citizen index -> steps answered with 200
    cut: bool = False  # the time box ended it before every citizen was through
    cpu: dict[str, float] = field(default_factory=dict)  # percent of one core; "machine": of all cores
    server_cpu_ms: float = 0.0  # the server's CPU per update: unlike the rates, other jobs barely move it
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.updates / self.wall if self.wall else 0.0

    @property
    def completed(self) -> int:
        return sum(1 for i in self.indices if self.answered[i] == STEPS_PER_CITIZEN)

    @property
    def offered(self) -> float:
        """The rate the citizens would send at if every answer were instant."""
        return len(self.indices) / (sum(self.think) / 2) if self.think and sum(self.think) else float("inf")

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000


@dataclass
class Target:
    name: str
    port: int
    pid: int
    db_url: str | None  # None for the echo bot
    log: Path


# ---- the load generator -------------------------------------------------------------------------
async def drive(
    session: aiohttp.ClientSession, port: int, phase: Phase, updates: Updates, seconds: float, seed: int
) -> None:
    """Every citizen of the phase runs its script; none starts a new update after `seconds`."""
    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    think = phase.think

    async def citizen(i: int) -> None:
        if think:  # spread the first messages over one think time, as real arrivals are
            await asyncio.sleep(rng.uniform(0, think[1]))
        for n, (kind, value) in enumerate(household_steps(i)):
            if think and n:
                await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() >= deadline:
                phase.cut = True
                return
            update = updates.build(CHAT_BASE + i, kind, value)
            started = time.perf_counter()
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                phase.errors[type(exc).__name__] += 1
                return  # the script cannot go on without this answer
            phase.latencies.append(time.perf_counter() - started)
            phase.updates += 1
            if status != 200:
                phase.errors[f"HTTP {status}"] += 1
                return
            phase.answered[i] += 1

    started = time.perf_counter()
    await asyncio.gather(*(citizen(i) for i in phase.indices))
    phase.wall = time.perf_counter() - started


async def run_phase(
    target: Target,
    mode: str,
    indices: range,
    think: tuple[float, float] | None,
    seconds: float,
    updates: Updates,
    fake: FakeApiClient,
) -> Phase:
    phase = Phase(target.name, mode, indices, think)
    await fake.reset()
    fake_before = (await fake.stats())["cpu"]
    server_before, gen_before, (busy_before, total_before) = process_cpu(target.pid), time.process_time(), machine_cpu()
    log_before = log_size(target.log)
    connector = aiohttp.TCPConnector(limit=0)  # a connection per citizen, as Telegram may open several
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        await drive(session, target.port, phase, updates, seconds, seed=indices.start)
    stats = await fake.stats()
    busy, total = machine_cpu()
    wall = phase.wall or 1.0
    ours = {
        "server": process_cpu(target.pid) - server_before,
        "fake API": float(stats["cpu"]) - fake_before,
        "load gen": time.process_time() - gen_before,
    }
    ours["other"] = max(0.0, busy - busy_before - sum(ours.values()))
    phase.cpu = {key: 100 * value / wall for key, value in ours.items()}
    phase.server_cpu_ms = 1000 * ours["server"] / max(phase.updates, 1)
    phase.cpu["machine"] = 100 * (busy - busy_before) / max(total - total_before, 1e-9)
    logged = log_problems(target.log, log_before)
    if logged:
        phase.problems.append(f"{len(logged)} errors in the server log, e.g. {logged[0]}")
    if target.db_url is None:
        check_echo(phase, stats)
    else:
        await check_hotro(phase, target.db_url, fake)
    return phase


# ---- checks -----------------------------------------------------------------------------------------
def check_echo(phase: Phase, stats: dict[str, Any]) -> None:
    per_chat = stats["sent_per_chat"]
    good = sum(1 for i in phase.indices if per_chat.get(str(CHAT_BASE + i), 0) == phase.answered[i])
    phase.checks.append(f"one echo per answered update: {good}/{len(phase.indices)} citizens")
    if good != len(phase.indices):
        phase.problems.append(f"{len(phase.indices) - good} citizens did not get one echo per update")


async def check_hotro(phase: Phase, db_url: str, fake: FakeApiClient) -> None:
    """Citizens past the confirmation got exactly one code, stored once; the others got none."""
    engine = create_async_engine(db_url)
    pending_statuses = ["queued", "sending"]
    try:
        deadline = time.monotonic() + 5  # replies of the last turns may still be in the background sender
        while True:
            async with engine.connect() as conn:
                pending = (
                    await conn.execute(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(OutboxMessage.status.in_(pending_statuses))
                    )
                ).scalar_one()
                rows = (await conn.execute(select(Application.chat_id, Application.code))).all()
            if not pending or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()
    stats = await fake.stats()
    stored: dict[str, list[str]] = {}
    for chat_id, code in rows:
        stored.setdefault(chat_id, []).append(code)
    confirmed = bad = status_seen = 0
    for i in phase.indices:
        chat = str(CHAT_BASE + i)
        sent = [code.replace("-", "") for code in stats["codes"].get(chat, [])]
        in_db = stored.get(chat, [])
        if phase.answered[i] >= CONFIRM_STEP:
            confirmed += 1
            bad += not (len(sent) == 1 and in_db == sent)
        else:
            bad += bool(sent or in_db)
        if phase.answered[i] == STEPS_PER_CITIZEN and in_db:
            shown = [code.replace("-", "") for code in stats["status_codes"].get(chat, [])]
            status_seen += in_db[0] in shown
    n = len(phase.indices)
    phase.checks.append(
        f"{confirmed}/{n} confirmed: each got its code exactly once and the DB holds exactly that application; "
        f"inconsistent citizens: {bad}; status showed the code: {status_seen}/{phase.completed}; "
        f"outbox rows left queued/sending: {pending}"
    )
    if bad or status_seen != phase.completed or pending:
        phase.problems.append("application check failed (see the line above)")


# ---- targets --------------------------------------------------------------------------------------
async def bench_target(
    name: str,
    db_url: str | None,
    args: argparse.Namespace,
    workdir: Path,
    bot_api: str,
    updates: Updates,
    fake: FakeApiClient,
    latency: bool,
) -> list[Phase]:
    port = free_port()
    slug = name.split()[-1].strip("()").lower()
    log = workdir / f"{slug}.log"
    if db_url is None:
        proc = spawn_echo(port, bot_api, log)
    else:
        (workdir / f"data-{slug}").mkdir(exist_ok=True)
        proc = spawn_hotro(port, db_url, bot_api, workdir / f"data-{slug}", log)
    try:
        await wait_for_port(port, proc)
        target = Target(name, port, proc.pid, db_url, log)
        n = args.citizens
        # The first turns load code and data (admin units, catalogs), which a running server has done already.
        # These citizens also always get through the whole application, so it is checked end to end.
        phases = [await run_phase(target, "warm-up", range(2 * n, 2 * n + WARM_UP), None, 60, updates, fake)]
        print(f"  {name}: capacity, {n} citizens, closed loop, at most {args.seconds:g} s", flush=True)
        phases.append(await run_phase(target, "capacity", range(n), None, args.seconds, updates, fake))
        print(f"    {phases[-1].rate:.1f} updates/s", flush=True)
        if latency:
            box = latency_box(args.think, args.seconds)
            print(
                f"  {name}: latency, {n} citizens, think {args.think[0]:g}–{args.think[1]:g} s, at most {box:.0f} s",
                flush=True,
            )
            phases.append(await run_phase(target, "latency", range(n, 2 * n), args.think, box, updates, fake))
            print(f"    p99 {phases[-1].percentile(99):.1f} ms at {phases[-1].rate:.1f} updates/s", flush=True)
        return phases
    finally:
        await stop(proc)


# ---- report ---------------------------------------------------------------------------------------
def report(phases: list[Phase], setup: list[str]) -> None:
    rule = "-" * 120
    cpu_head = "CPU % of a core: server/fake API/load gen/other; machine %"
    print("\n" + rule)
    print("HoTro Telegram webhook benchmark")
    for item in setup:
        print("  " + item)
    print(rule)
    print("(a) CAPACITY: closed loop, each citizen sends its next update as soon as the previous one is answered")
    print(
        f"  {'target':<18}{'updates':>8}{'s':>6}{'done':>6}{'updates/s':>11}{'HoTro/echo':>12}{'p99 ms':>8}"
        f"{'CPU ms/upd':>12}  {cpu_head}"
    )
    echo = next((p for p in phases if p.mode == "capacity" and p.target.startswith("echo")), None)
    for p in (p for p in phases if p.mode == "capacity"):
        ratio = f"{p.rate / echo.rate:.2f}" if echo and echo.rate and p is not echo else "-"
        print(
            f"  {p.target:<18}{p.updates:>8}{p.wall:>6.0f}{p.completed:>6}{p.rate:>11.1f}{ratio:>12}"
            f"{p.percentile(99):>8.0f}{p.server_cpu_ms:>12.1f}  {_cpu(p)}"
        )
    print("  done = citizens through all 23 updates before the time box; target HoTro/echo >= 0.50")
    print("  CPU ms/upd = the server process's CPU per update (PostgreSQL's own work is under 'other')")
    print(rule)
    latency = [p for p in phases if p.mode == "latency"]
    if latency:
        think = latency[0].think or (0.0, 0.0)
        print(f"(b) LATENCY: each citizen waits {think[0]:g}–{think[1]:g} s (uniform) before each update")
        print(
            f"  {'target':<18}{'updates':>8}{'done':>6}{'offered/s':>10}{'rate/s':>8}"
            f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}  {cpu_head}"
        )
        for p in latency:
            print(
                f"  {p.target:<18}{p.updates:>8}{p.completed:>6}{p.offered:>10.0f}{p.rate:>8.1f}"
                f"{p.percentile(50):>8.1f}{p.percentile(95):>8.1f}"
                f"{p.percentile(99):>8.1f}{max(p.latencies, default=0) * 1000:>8.0f}  {_cpu(p)}"
            )
        print("  offered = citizens / mean think time (the rate if answers were instant); target p99 < 100 ms")
        print(rule)
    print("CHECKS")
    for p in phases:
        label = f"  {p.target} {p.mode}:"
        for check in p.checks:
            print(f"{label} {check}")
        errors = ", ".join(f"{n} {kind}" for kind, n in p.errors.items()) or "none"
        print(f"{label} request errors: {errors}{'; stopped by the time box' if p.cut else ''}")
        for problem in p.problems:
            print(f"{label} PROBLEM: {problem}")
    print(rule)
    print("VERDICT")
    for p in phases:
        if not p.target.startswith("HoTro"):
            continue
        if p.mode == "capacity" and echo and echo.rate:
            ratio = p.rate / echo.rate
            print(f"  {p.target}: capacity {p.rate:.1f}/s = {ratio:.2f} × echo ({_meets(ratio >= 0.5)} >= 0.50)")
            if p.server_cpu_ms:
                print(
                    f"  {p.target}: CPU per update {p.server_cpu_ms:.1f} ms vs echo {echo.server_cpu_ms:.1f} ms, "
                    f"a ratio of {echo.server_cpu_ms / p.server_cpu_ms:.2f} (less sensitive to other load)"
                )
        if p.mode == "latency":
            p99 = p.percentile(99)
            print(f"  {p.target}: p99 {p99:.1f} ms at {p.rate:.1f} updates/s ({_meets(p99 < 100)} < 100 ms)")


def _meets(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def _cpu(phase: Phase) -> str:
    ours = "/".join(f"{phase.cpu.get(key, 0):.0f}" for key in CPU_KEYS)
    return f"{ours}; {phase.cpu.get('machine', 0):.0f}"


# ---- main -----------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=None)
    parser.add_argument("--think", default=None, help="LO,HI seconds (default 1,3)")
    parser.add_argument("--seconds", type=float, default=None, help="time box of a capacity phase")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-echo-latency", dest="echo_latency", action="store_false")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--pool", type=int, default=None, help="Bot API connections of echo and HoTro alike")
    args = parser.parse_args()
    if args.pool is not None:  # both servers read it from the environment they inherit
        os.environ["HOTRO_TELEGRAM_CONNECTION_POOL"] = str(args.pool)
    args.citizens = args.citizens or (20 if args.quick else 200)
    args.seconds = args.seconds or (20.0 if args.quick else 45.0)
    lo, hi = (float(x) for x in (args.think or ("0.5,1.5" if args.quick else "1,3")).split(","))
    args.think = (lo, hi)
    args.dbs = [db.strip() for db in args.db.split(",") if db.strip()]
    if set(args.dbs) - {"sqlite", "postgres"} or not 1 <= args.citizens <= 100_000 or not 0 <= lo <= hi <= 60:
        parser.error("check --db, --citizens and --think")
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    if "@127.0.0.1" not in args.pg_url and "@localhost" not in args.pg_url:
        parser.error("--pg-url must point at this machine (127.0.0.1)")
    return args


async def background_load(seconds: float = 1.0) -> float:
    """How busy the machine is before we start (other jobs skew every figure)."""
    busy, total = machine_cpu()
    await asyncio.sleep(seconds)
    busy2, total2 = machine_cpu()
    return 100 * (busy2 - busy) / max(total2 - total, 1e-9)


async def main() -> None:
    args = parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="hotro-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    idle_load = await background_load()
    fake_port = free_port()
    fake_proc = spawn_fake_api(fake_port, workdir / "fake-api.log")
    phases: list[Phase] = []
    setup = [
        f"citizens: {args.citizens} per phase, {STEPS_PER_CITIZEN} updates each (household-business application, "
        f"then 'status'); capacity phases time-boxed at {args.seconds:g} s",
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        f"busy before start: {idle_load:.0f}% {'(OTHER LOAD: figures are pessimistic)' if idle_load > 10 else ''}",
        "processes: load generator (this one), fake Bot API, the server under test; all on 127.0.0.1",
        f"Bot API connections per server (echo and HoTro alike): {Settings().telegram_connection_pool}",
    ]
    try:
        await wait_for_port(fake_port, fake_proc)
        fake = FakeApiClient(fake_port)
        bot_api = f"http://127.0.0.1:{fake_port}/bot"
        updates = Updates()
        targets: list[tuple[str, str | None]] = [("echo (PTB)", None)]
        if "sqlite" in args.dbs:
            targets.append(("HoTro SQLite", f"sqlite+aiosqlite:///{workdir / 'bench.db'}"))
            setup.append("SQLite: a fresh file in a temp dir (WAL)")
        if "postgres" in args.dbs:
            version = await reset_postgres(args.pg_url)
            setup.append(f"{version} at {args.pg_url.split('@')[-1]} (schema reset)")
            targets.append(("HoTro PostgreSQL", args.pg_url))
        print(f"benchmark: {args.citizens} citizens; logs in {workdir}", flush=True)
        for name, db_url in targets:
            latency = not args.no_latency and (db_url is not None or args.echo_latency)
            phases += await bench_target(name, db_url, args, workdir, bot_api, updates, fake, latency)
    finally:
        await stop(fake_proc)
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    setup.append(f"total run time: {time.monotonic() - started:.0f} s")
    report(phases, setup)


if __name__ == "__main__":
    asyncio.run(main())
