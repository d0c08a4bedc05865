"""`hotro serve` against slow clients, an unreachable database, and who may read /metrics (issues 13, 14)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bot.app import HoTro
from bot.config import Settings
from bot.web import build_metrics_app, build_web_app, make_runner
from tests.fakes.telegram_api import FakeTelegram
from tests.net import free_port
from tests.prestarted import run_bot

SLOW_CLIENTS = 40


@asynccontextmanager
async def served(app: HoTro, fake: FakeTelegram, read_timeout: float) -> AsyncIterator[int]:
    app.settings.web_read_timeout_seconds = read_timeout
    bot = fake.bot()
    await bot.initialize()
    runner = make_runner(build_web_app(app, bot), app.settings)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()
        await bot.shutdown()


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    try:
        async with asyncio.timeout(within):
            while await reader.read(1024):
                pass  # an error response (408) may come first; then the connection must close
        return True
    except TimeoutError:
        return False


async def _trickle(writer: asyncio.StreamWriter, data: bytes, stop: asyncio.Event) -> None:
    for byte in data:
        if stop.is_set() or writer.is_closing():
            return
        writer.write(bytes([byte]))
        try:
            await writer.drain()
        except ConnectionError:
            return
        await asyncio.sleep(0.1)


async def test_slow_headers_and_slow_bodies_are_timed_out(app: HoTro, fake_telegram: FakeTelegram) -> None:
    headers = b"POST /zalo/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\nX-Padding: " + b"a" * 200
    async with served(app, fake_telegram, read_timeout=0.5) as port:  # the clients send a byte every 0.1 s
        stop = asyncio.Event()
        conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(SLOW_CLIENTS)]
        body_conn = await asyncio.open_connection("127.0.0.1", port)
        body_conn[1].write(b"POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")
        started = time.monotonic()
        tricklers = [asyncio.create_task(_trickle(w, headers, stop)) for _r, w in conns]
        tricklers.append(asyncio.create_task(_trickle(body_conn[1], b"{" * 500, stop)))
        try:
            closed = await asyncio.gather(*(_closed_by_server(r, within=6.0) for r, _w in [*conns, body_conn]))
        finally:
            stop.set()
            await asyncio.gather(*tricklers)
            for _r, w in [*conns, body_conn]:
                w.close()
        assert all(closed), f"still open: {[i for i, c in enumerate(closed) if not c]}"
        assert time.monotonic() - started < 6.0


async def test_metrics_are_not_served_on_the_webhook_port_by_default(app: HoTro) -> None:
    client = TestClient(TestServer(build_web_app(app), host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/metrics")).status == 404
        assert (await client.get("/healthz")).status == 200
    finally:
        await client.close()


async def test_metrics_behind_a_token_on_the_webhook_port(app: HoTro) -> None:
    app.settings.metrics_token = "scrape-secret-123"
    client = TestClient(TestServer(build_web_app(app), host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/metrics")).status == 401
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-123"})
        assert ok.status == 200 and "hotro_outbox_depth" in await ok.text()
    finally:
        await client.close()


async def test_metrics_on_their_own_listener_answer_during_a_database_outage(app: HoTro) -> None:
    client = TestClient(TestServer(build_metrics_app(app), host="127.0.0.1"))
    await client.start_server()
    broken = create_async_engine("sqlite+aiosqlite:////nonexistent-dir/hotro.db")
    working = app.sessions
    try:
        assert (await client.get("/metrics")).status == 200
        app.sessions = async_sessionmaker(broken)  # a real connection failure
        response = await client.get("/metrics")
        text = await response.text()
        assert response.status == 200
        assert "hotro_database_up 0.0" in text and "hotro_turn_seconds" in text
        app.sessions = working
        assert "hotro_database_up 1.0" in await (await client.get("/metrics")).text()
    finally:
        app.sessions = working
        await client.close()
        await broken.dispose()


@pytest.mark.parametrize("command", ["serve", "chat"])
def test_an_unreachable_database_at_start_prints_one_clear_line(command: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HOTRO_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/hotro",
        "HOTRO_DATA_DIR": str(tmp_path),
        "HOTRO_DATA_KEY": "k" * 44,
        "HOTRO_WEB_PORT": str(free_port()),
    }
    env.pop("HOTRO_TELEGRAM_TOKEN", None)
    result = run_bot(command, env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "cơ sở dữ liệu" in lines[0]


def test_settings_for_metrics_exist() -> None:
    settings = Settings(_env_file=None, metrics_port=9100)  # type: ignore[call-arg]
    assert settings.metrics_host == "127.0.0.1" and settings.metrics_port == 9100 and settings.metrics_token is None
