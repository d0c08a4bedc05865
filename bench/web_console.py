"""The officials' web console at scale: its pages' server time with a million applications in PostgreSQL.

    .venv/bin/python bench/web_console.py                  # PostgreSQL database hotro_web, 1,000,000 rows
    .venv/bin/python bench/web_console.py --reuse          # keep the rows of a previous run (same rows and seed)
    .venv/bin/python bench/web_console.py --quick          # a quarter of the repetitions
    .venv/bin/python bench/web_console.py --reuse --only overdue --only "list, first"   # some pages only

The data is bench/storage.py's (its generator and loader, imported from it): synthetic applications of six
provinces, with the schema of the project's migrations, this branch's indexes included. The console runs as
`hotro serve` runs it (bot.web.build_web_app on an AppRunner on loopback); an official of each area level
logs in through a one-time link and every page is requested over HTTP. The figure is the server's time for
each request (a middleware around the whole app measures it), median and p95 after warm-up, against the
targets of issue 16: list and search pages p95 < 100 ms, the dashboard < 200 ms. The dashboard keeps an
area's figures for a minute (bot/web_console/dashboard.py): "dashboard" is the page as officials get it
within that minute, "dashboard, recomputed" (?moi=1) pays the figures' SQL every time.

The bench data keeps phones in clear (as rows from before 0007 did) and its ID ciphertexts come from a
small pool, so the ID search is set up by giving a few rows the blind index of the number their ciphertext
holds. The database's data-key row is written for the bench key, so the app opens it without re-sealing.
The console's clock is set to bench/storage.py's NOW (31/12/2021, 14:30 in Vietnam), the data's last day.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT))]

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402

import bot.web_console.keys as console_keys  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.web import build_web_app  # noqa: E402
from storage import login_tokens  # noqa: E402
from storage.crypto import DataProtector  # noqa: E402
from storage.db import make_engine, session_factory  # noqa: E402
from storage.models import Application, DataKey, Official  # noqa: E402
from storage.officials import scope  # noqa: E402


def _bench_storage() -> Any:
    """bench/storage.py (its name is the project's `storage` package's, so it is loaded by path)."""
    spec = importlib.util.spec_from_file_location("bench_storage", HERE / "storage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_storage"] = module
    spec.loader.exec_module(module)
    return module


data_set = _bench_storage()
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/hotro_web"
TARGETS = {"dashboard": 200.0, "list": 100.0, "search": 100.0, "page": None, "computed": None}
ID_ROWS = 40


@dataclass
class Case:
    name: str
    group: str  # dashboard | list | search | page
    paths: list[str]


@dataclass
class Result:
    area: str
    case: Case
    server_ms: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)

    def pct(self, q: float) -> float:
        ordered = sorted(self.server_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timing_middleware(samples: list[float]) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            samples.append((time.perf_counter() - started) * 1000)

    return middleware


async def prepare(url: str, args: argparse.Namespace) -> None:
    """The bench data (built or reused), the data-key row, and a few rows findable by ID number."""
    await data_set.ensure_pg_database(url)
    engine = make_engine(url)
    try:
        wanted = {"db": "postgresql", "rows": args.rows, "seed": args.seed}
        if not (args.reuse and await data_set.read_marker(engine) == wanted):
            data_set.progress(f"building {args.rows:,} applications (bench/storage.py's data)")
            build_args = argparse.Namespace(seed=args.seed, chunk=args.chunk, sqlite_path=None)
            await data_set.rebuild(engine, build_args, args.rows)
        protector = DataProtector(data_set.DATA_KEY)
        sessions = session_factory(engine)
        async with sessions.begin() as session:
            if await session.get(DataKey, 1) is None:
                session.add(DataKey(id=1, key_id=protector.key_id, created_at=datetime.now(UTC)))
    finally:
        await engine.dispose()


async def id_rows(sessions: Any, protector: DataProtector, condition: Any, rng: random.Random) -> list[str]:
    """ID numbers to search for: rows of the area get the blind index of the number their ciphertext holds."""
    async with sessions.begin() as session:
        rows = (
            await session.execute(
                select(Application.id, Application.id_number_enc, Application.policy_id)
                .where(condition)
                .order_by(func.random())
                .limit(ID_ROWS * 4)
            )
        ).all()
        numbers: list[str] = []
        used: set[tuple[str, str]] = set()
        for app_id, token, policy in rows:
            number = protector.decrypt(token, context="id_number")
            digest = protector.blind_index("id_number", number)
            if (policy, digest) in used:
                continue
            taken = await session.execute(
                select(Application.id).where(Application.policy_id == policy, Application.id_hash == digest)
            )
            if taken.first() is None:
                await session.execute(update(Application).where(Application.id == app_id).values(id_hash=digest))
            used.add((policy, digest))
            numbers.append(number)
            if len(numbers) >= ID_ROWS:
                break
    return numbers


async def cases_for(sessions: Any, official: Official, ids: list[str], rng: random.Random) -> list[Case]:
    async with sessions() as session:
        sample = (
            await session.execute(
                select(Application.code, Application.phone, Application.full_name)
                .where(scope(official))
                .order_by(func.random())
                .limit(40)
            )
        ).all()
    codes = [row[0] for row in sample]
    phones = [row[1] for row in sample]
    names = [row[2] for row in sample]
    given = sorted({n.rsplit(" ", 1)[-1] for n in names})
    return [
        Case("dashboard", "dashboard", ["/canbo/"]),
        Case("dashboard, recomputed", "computed", ["/canbo/?moi=1"]),
        Case("list, first page", "list", ["/canbo/ho-so"]),
        Case("list, status submitted", "list", ["/canbo/ho-so?trang-thai=submitted"]),
        Case("list, overdue", "list", ["/canbo/ho-so?qua-han=1"]),
        Case("list, kind + date range", "list", ["/canbo/ho-so?loai=free_worker&tu=2021-09-01&den=2021-09-30"]),
        Case("list, page 40", "list", ["/canbo/ho-so?trang=40"]),
        Case("search by code", "search", [f"/canbo/ho-so?q={c}" for c in codes]),
        Case("search by phone", "search", [f"/canbo/ho-so?q={p}" for p in phones]),
        Case("search by ID number", "search", [f"/canbo/ho-so?q={n}" for n in ids]),
        Case("search by full name", "search", [f"/canbo/ho-so?q={n}" for n in names]),
        Case("search by given name", "search", [f"/canbo/ho-so?q={g}" for g in given]),
        Case("search, no such name", "search", ["/canbo/ho-so?q=Khúc Thừa Dụ"]),
        Case("application page", "page", [f"/canbo/ho-so/{c}" for c in codes]),
    ]


async def login(base: str, sessions: Any, official: Official) -> aiohttp.ClientSession:
    client = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with sessions.begin() as session:
        token = await login_tokens.issue(session, official, datetime.now(UTC))
    async with client.post(f"{base}/canbo/login/{token}", allow_redirects=False) as response:
        assert response.status == 303, response.status
    return client


async def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    await prepare(args.url, args)
    # The console's clock at the data's last day (as bench/storage.py times the report), so "today",
    # the overdue cut-offs and the dashboard's last 14 days fall inside the data.
    # keys.local_today() reads keys.utc_now at each call: the pages' "today" (the deadlines, the dashboard's
    # days); sessions and login tokens keep the real clock (the modules that imported utc_now by name).
    console_keys.utc_now = lambda: data_set.NOW
    settings = Settings(_env_file=None, database_url=args.url, data_key=data_set.DATA_KEY)  # type: ignore[call-arg]
    app = await create_app(settings)
    samples: list[float] = []
    web_app = build_web_app(app)
    web_app.middlewares.insert(0, timing_middleware(samples))
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(16)
    results: list[Result] = []
    try:
        areas = await data_set.pick_areas(app.sessions, 0)
        chosen = [areas["commune"], areas["district"], areas["province"], areas["admin"]]
        async with app.sessions.begin() as session:
            officials = []
            for n, area in enumerate(chosen):
                official = Official(
                    channel="console", user_id=f"bench-web-{n}", role=area.role, area_code=area.code, active=True
                )
                existing = (
                    await session.execute(select(Official).where(Official.user_id == official.user_id))
                ).scalar_one_or_none()
                if existing is not None:
                    existing.role, existing.area_code, existing.active = area.role, area.code, True
                    official = existing
                else:
                    session.add(official)
                officials.append(official)
            await session.flush()
        reps, warm = (args.reps // 4 or 3, 2) if args.quick else (args.reps, 3)
        for area, official in zip(chosen, officials, strict=True):
            data_set.progress(f"area {area.label}")
            ids = await id_rows(app.sessions, app.protector, scope(official), rng)
            client = await login(base, app.sessions, official)
            try:
                for case in await cases_for(app.sessions, official, ids, rng):
                    if args.only and not any(word in case.name for word in args.only):
                        continue
                    result = Result(area.label, case)
                    for i in range(warm + reps):
                        path = case.paths[i % len(case.paths)]
                        before = len(samples)
                        async with client.get(base + path, allow_redirects=False) as response:
                            await response.read()
                            result.statuses.add(response.status)
                        if i >= warm:
                            result.server_ms.append(samples[before])
                    results.append(result)
            finally:
                await client.close()
    finally:
        await runner.cleanup()
        await app.close()
    print_results(results, args, time.perf_counter() - started)


def print_results(results: list[Result], args: argparse.Namespace, seconds: float) -> None:
    out = [
        f"HoTro web console benchmark — PostgreSQL, {args.rows:,} applications (bench/storage.py's data)",
        "server time per request in ms (median, p95) after warm-up; targets (issue 16): list and search p95 < 100 ms,"
        " dashboard < 200 ms",
        "",
    ]
    header = f"{'area':<58} {'page':<26} {'n':>4} {'median':>8} {'p95':>8} {'target':>7}  verdict  HTTP"
    out += [header, "-" * len(header)]
    failures = 0
    for r in results:
        target = TARGETS[r.case.group]
        p95 = r.pct(0.95)
        verdict = "" if target is None else ("ok" if p95 < target else "SLOW")
        failures += verdict == "SLOW"
        statuses = ",".join(str(s) for s in sorted(r.statuses))
        out.append(
            f"{r.area[:58]:<58} {r.case.name:<26} {len(r.server_ms):>4} {statistics.median(r.server_ms):>8.1f} "
            f"{p95:>8.1f} {('' if target is None else f'{target:.0f}'):>7}  {verdict:<7}  {statuses}"
        )
    out += ["", f"{failures} page(s) over their target; total run time {seconds:,.0f} s"]
    print("\n".join(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=PG_URL, help="the PostgreSQL database it owns (default %(default)s)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=68)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--reps", type=int, default=40, help="timed requests per page and area")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded rows if rows and seed match")
    parser.add_argument("--quick", action="store_true", help="a quarter of the repetitions")
    parser.add_argument(
        "--only", action="append", metavar="TEXT", help="only the pages whose name holds TEXT (repeatable)"
    )
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
