"""`hotro serve`: the web server (webhooks, /healthz, /metrics) and the background workers of one process."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.app import settle_heap
from bot.channels.telegram import make_bot, webhook_secret
from bot.channels.telegram_webhook import check_webhook_settings, connect_telegram
from bot.config import Settings
from bot.startup import open_app
from bot.web import TELEGRAM_PATH, build_metrics_app, build_web_app, make_runner
from bot.workers import start_workers

log = logging.getLogger("hotro")


async def serve(settings: Settings, port: int, stop: asyncio.Event) -> None:
    """Serve until `stop` is set, then shut down gracefully."""
    bot = make_bot(settings) if settings.telegram_token else None
    if bot is not None:
        check_webhook_settings(settings, webhook_secret(settings))
    app = await open_app(settings)
    if settings.warm_start:
        settle_heap(settings)
    runners: list[web.AppRunner] = []
    connecting: asyncio.Task[bool] | None = None
    workers: list[asyncio.Task[None]] = []
    try:
        runner = make_runner(build_web_app(app, bot), settings)
        runners.append(runner)
        await runner.setup()
        await web.TCPSite(runner, settings.web_host, port).start()
        if settings.metrics_port is not None:
            metrics_runner = make_runner(build_metrics_app(app), settings)
            runners.append(metrics_runner)
            await metrics_runner.setup()
            await web.TCPSite(metrics_runner, settings.metrics_host, settings.metrics_port).start()
        if bot is not None:
            # In the background: an unreachable Bot API must not take Zalo and /healthz down with it.
            url = settings.telegram_webhook_url.rstrip("/") + TELEGRAM_PATH if settings.telegram_webhook_url else None
            connecting = asyncio.create_task(
                connect_telegram(
                    bot, url, webhook_secret(settings), app.problems, stop, first_delay=settings.telegram_retry_seconds
                )
            )
        log.info("serving on %s:%s", settings.web_host, port)
        workers = start_workers(app, stop)
        await stop.wait()
    finally:
        # Graceful: stop taking requests and let those in flight finish, then stop the workers.
        for runner in runners:
            await runner.cleanup()
        stop.set()
        await asyncio.gather(*workers, *([connecting] if connecting else []), return_exceptions=True)
        if bot is not None:
            await bot.shutdown()
        await app.close()
