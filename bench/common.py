"""Shared pieces of the load benchmarks: the citizen script, the processes they drive, CPU readings.

Also runnable, to start the helper processes on their own:

    .venv/bin/python bench/common.py fake-api --port 9001
    .venv/bin/python bench/common.py echo --port 9002 --base-url http://127.0.0.1:9001/bot

`fake-api` is tests/fakes/telegram_api.py's fake Bot API plus two bench endpoints
(GET /_bench/stats, POST /_bench/reset), so it can run in its own process and never compete
with the load generator for the same event loop. `echo` is the ceiling: a bare
python-telegram-bot webhook bot that answers every update with one sendMessage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from tests.fakes.telegram_api import TOKEN, FakeTelegram  # noqa: E402
from tests.journeys import household_application  # noqa: E402

SECRET = "bench-webhook-secret"
DATA_KEY = "bench-data-key-" + "x" * 40  # >= 32 characters, as HOTRO_DATA_KEY requires
WEBHOOK_PATH = "/telegram/webhook"
CODE_RE = re.compile(r"Mã hồ sơ: ([0-9A-Z]+-[0-9A-Z]{4}-[0-9A-Z]{4})")  # the confirmation
STATUS_RE = re.compile(r"^Hồ sơ ([0-9A-Z]+-[0-9A-Z]{4}-[0-9A-Z]{4}) – ")  # a "status" answer
CHAT_BASE = 20_000_000  # citizen i chats as CHAT_BASE + i


# ---- the citizen's script -------------------------------------------------------------------
def household_steps(i: int) -> list[tuple[str, str]]:
    """The tests' household-business application for citizen i (tests/journeys.py), then a status check."""
    return [*household_application(i), ("tap", "status")]


STEPS_PER_CITIZEN = len(household_steps(0))


class Updates:
    """Builds Telegram updates with unique ids (the fake's builders, without starting a server)."""

    def __init__(self) -> None:
        self._fake = FakeTelegram()

    def build(self, chat_id: int, kind: str, value: str) -> dict[str, Any]:
        if kind == "text":
            return self._fake.text_update(chat_id, value)
        return self._fake.callback_update(chat_id, value)


# ---- databases --------------------------------------------------------------------------------
async def ensure_pg_database(url: str) -> None:
    """CREATE DATABASE for a benchmark if it does not exist yet (through the maintenance database)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    conn = await asyncpg.connect(
        host=target.host, port=target.port, user=target.username, password=target.password, database="postgres"
    )
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", target.database):
            await conn.execute(f'CREATE DATABASE "{target.database}"')
    finally:
        await conn.close()


async def reset_postgres(url: str) -> str:
    """An empty public schema in the benchmark's own database (created if missing); returns the server version."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    await ensure_pg_database(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
            version = (await conn.execute(text("SHOW server_version"))).scalar_one()
    finally:
        await engine.dispose()
    return f"PostgreSQL {str(version).split()[0]}"


# ---- processes --------------------------------------------------------------------------------
async def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until the process accepts connections; fails fast if it died."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"process {proc.pid} exited with {proc.returncode} before listening on {port}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listening on {port} after {timeout} s")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return


def hotro_env(db_url: str, bot_api: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOTRO_DATABASE_URL": db_url,
        "HOTRO_TELEGRAM_TOKEN": TOKEN,
        "HOTRO_TELEGRAM_BASE_URL": bot_api,
        "HOTRO_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HOTRO_DATA_KEY": DATA_KEY,
        "HOTRO_DATA_DIR": str(data_dir),
        "HOTRO_WEB_HOST": "127.0.0.1",
    }


def spawn(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *args], env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )


def spawn_hotro(port: int, db_url: str, bot_api: str, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    return spawn(["-m", "bot", "serve", "--port", str(port)], log, hotro_env(db_url, bot_api, data_dir))


def spawn_fake_api(port: int, log: Path) -> subprocess.Popen[bytes]:
    return spawn([str(Path(__file__)), "fake-api", "--port", str(port)], log)


def spawn_echo(port: int, bot_api: str, log: Path) -> subprocess.Popen[bytes]:
    return spawn([str(Path(__file__)), "echo", "--port", str(port), "--base-url", bot_api], log)


async def stop(proc: subprocess.Popen[bytes], timeout: float = 40) -> None:
    """SIGTERM (graceful), then SIGKILL if it takes longer than `timeout`."""
    if proc.poll() is None:
        proc.terminate()
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)


def log_size(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def log_problems(log: Path, since: int = 0) -> list[str]:
    """ERROR/CRITICAL lines written after byte `since`, each with the exception line of its traceback."""
    if not log.exists():
        return []
    with log.open("rb") as handle:
        handle.seek(since)
        lines = handle.read().decode(errors="replace").splitlines()
    found: list[str] = []
    for n, line in enumerate(lines):
        if " ERROR " in line or " CRITICAL " in line:
            # The traceback's last line says what went wrong: the first line after it that is not indented.
            cause = next((nxt for nxt in lines[n + 1 : n + 200] if nxt and not nxt.startswith((" ", "Traceback"))), "")
            found.append(f"{line.strip()[:160]} | {cause.strip()[:200]}")
    return found


# ---- CPU readings (Linux /proc; zero elsewhere) -------------------------------------------------
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14 and 15)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


class FakeApiClient:
    """Talks to the fake Bot API process's bench endpoints."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}/_bench"

    async def stats(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.get(self.base + "/stats") as response:
            return dict(await response.json())

    async def reset(self) -> None:
        async with aiohttp.ClientSession() as session, session.post(self.base + "/reset") as response:
            response.raise_for_status()


# ---- the fake Bot API process ---------------------------------------------------------------
class BenchFakeTelegram(FakeTelegram):
    """The test fake plus /_bench/stats and /_bench/reset; keeps no per-call parameters."""

    async def start_on(self, port: int) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/_bench/stats", self._stats)
        app.router.add_post("/_bench/reset", self._reset)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.port = port
        self.methods: Counter[str] = Counter()

    async def _dispatch(self, request: web.Request) -> web.Response:
        self.methods[request.match_info["method"]] += 1
        response = await super()._dispatch(request)
        self.calls.clear()  # only the counts matter here; the list would grow without bound
        return response

    async def _stats(self, _request: web.Request) -> web.Response:
        codes: dict[str, list[str]] = {}
        status: dict[str, list[str]] = {}
        per_chat: Counter[int] = Counter()
        for sent in self.sent:
            per_chat[sent.chat_id] += 1
            codes.setdefault(str(sent.chat_id), []).extend(CODE_RE.findall(sent.text))
            status.setdefault(str(sent.chat_id), []).extend(STATUS_RE.findall(sent.text))
        return web.json_response(
            {
                "cpu": time.process_time(),
                "methods": dict(self.methods),
                "sent": len(self.sent),
                "sent_per_chat": {str(k): v for k, v in per_chat.items()},
                "codes": {k: v for k, v in codes.items() if v},
                "status_codes": {k: v for k, v in status.items() if v},
            }
        )

    async def _reset(self, _request: web.Request) -> web.Response:
        self.sent.clear()
        self.methods.clear()
        self._window.clear()
        self._last_per_chat.clear()
        return web.json_response({"ok": True})


async def serve_fake_api(port: int) -> None:
    fake = BenchFakeTelegram()
    await fake.start_on(port)
    await _until_terminated()
    await fake.stop()


# ---- the echo bot (the ceiling) ---------------------------------------------------------------
async def serve_echo(port: int, base_url: str) -> None:
    """A bare PTB webhook bot: parse the update, answer callbacks, send one message back.

    It calls the Bot API as `hotro serve` does (bot/channels/telegram.py): the same connection pool, with
    the calls beyond it waiting on a semaphore. So the two differ only in the work between receiving an
    update and answering it."""
    from telegram import Bot, Update
    from telegram.request import HTTPXRequest

    from bot.config import Settings

    pool = Settings().telegram_connection_pool
    bot = Bot(TOKEN, base_url=base_url, request=HTTPXRequest(connection_pool_size=pool))
    calls = asyncio.Semaphore(pool)
    await bot.initialize()

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), SECRET.encode()):
            return web.Response(status=403)
        update = Update.de_json(await request.json(), bot)
        if update.callback_query is not None and update.callback_query.message is not None:
            async with calls:
                await bot.answer_callback_query(update.callback_query.id)
            async with calls:
                await bot.send_message(update.callback_query.message.chat.id, update.callback_query.data or "?")
        elif update.message is not None:
            async with calls:
                await bot.send_message(update.message.chat.id, update.message.text or "?")
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await _until_terminated()
    await runner.cleanup()
    await bot.shutdown()


async def _until_terminated() -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fake = sub.add_parser("fake-api", help="the fake Telegram Bot API with bench endpoints")
    fake.add_argument("--port", type=int, required=True)
    echo = sub.add_parser("echo", help="the bare python-telegram-bot echo webhook")
    echo.add_argument("--port", type=int, required=True)
    echo.add_argument("--base-url", required=True, help="the Bot API base URL, e.g. http://127.0.0.1:9001/bot")
    args = parser.parse_args()
    if args.command == "fake-api":
        asyncio.run(serve_fake_api(args.port))
    else:
        asyncio.run(serve_echo(args.port, args.base_url))


if __name__ == "__main__":
    main()
