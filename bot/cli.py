"""`hotro` command line: chat (console), telegram (polling), serve (webhooks), migrate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from bot import broadcaster, datakey, exchange, officials_cli, reports, retention
from bot.app import create_app, settle_heap
from bot.config import Settings
from bot.logs import configure as configure_logging
from messages.i18n import _

# Modules that add their own subcommands.
EXTENSIONS = [officials_cli, reports, exchange, broadcaster, datakey, retention]


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> None:
    from bot.channels.console import run_console

    app = await create_app(settings)
    try:
        await run_console(app, args.user_id)
    finally:
        await app.close()


async def cmd_telegram(settings: Settings, args: argparse.Namespace) -> None:
    from bot.channels.telegram import make_bot, run_polling

    bot = make_bot(settings)
    app = await create_app(settings)
    settle_heap(settings)
    stop = asyncio.Event()
    _stop_on_signals(stop)
    try:
        await run_polling(app, bot, stop)
    finally:
        await app.close()


async def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from aiohttp import web

    from bot.channels.telegram import make_bot, webhook_secret
    from bot.web import TELEGRAM_PATH, build_web_app

    bot = make_bot(settings) if settings.telegram_token else None
    app = await create_app(settings)
    settle_heap(settings)
    stop = asyncio.Event()
    _stop_on_signals(stop)
    if bot is not None:
        await bot.initialize()
    runner = web.AppRunner(build_web_app(app, bot), shutdown_timeout=30, access_log=None)
    await runner.setup()
    port = args.port or settings.web_port
    await web.TCPSite(runner, settings.web_host, port).start()
    if bot is not None and settings.telegram_webhook_url:
        await bot.set_webhook(
            settings.telegram_webhook_url.rstrip("/") + TELEGRAM_PATH,
            secret_token=webhook_secret(settings),
            allowed_updates=["message", "callback_query"],
        )
    logging.getLogger("hotro").info("serving on %s:%s", settings.web_host, port)
    workers = app.start_workers(stop)
    try:
        await stop.wait()
    finally:
        # Graceful: stop taking requests and let those in flight finish, then stop the workers.
        await runner.cleanup()
        stop.set()
        await asyncio.gather(*workers, return_exceptions=True)
        if bot is not None:
            await bot.shutdown()
        await app.close()


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    from storage.db import make_engine, migrate

    db = make_engine(settings.sqlalchemy_url())
    try:
        await migrate(db)
    finally:
        await db.dispose()
    print(_("The database is up to date."))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotro", description="HoTro citizen-support chatbot")
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="chat with the bot in this terminal (default)")
    chat.add_argument("--user-id", default="local", help="console user id (same id continues the conversation)")
    chat.set_defaults(func=cmd_chat)
    sub.add_parser("telegram", help="run the Telegram bot with long polling").set_defaults(func=cmd_telegram)
    serve = sub.add_parser("serve", help="run the web server (Telegram webhook, /healthz)")
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    for module in EXTENSIONS:
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args = build_parser().parse_args(["chat", *(argv or [])])
    settings = Settings()
    configure_logging(logging.WARNING if args.command == "chat" else logging.INFO, settings.log_json)
    asyncio.run(args.func(settings, args))


if __name__ == "__main__":
    main()
