"""`hotro` command line: chat (console), telegram (polling), serve (webhooks), migrate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal

from bot import announcement_sender as broadcaster
from bot import datakey, exchange, officials_cli, posting_cli, retention
from bot import report_jobs as reports
from bot.app import settle_heap
from bot.cli_words import speak_vietnamese
from bot.config import Settings
from bot.logs import configure as configure_logging
from bot.startup import open_app
from messages.i18n import _
from messages.vocabulary import Channel

# Modules that add their own subcommands.
EXTENSIONS = [officials_cli, reports, exchange, broadcaster, datakey, retention, posting_cli]


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> None:
    from bot.channels.console import run_console

    app = await open_app(settings)
    try:
        await run_console(app, args.user_id)
    finally:
        await app.close()


async def cmd_telegram(settings: Settings, args: argparse.Namespace) -> None:
    from bot.channels.telegram import make_bot, run_polling
    from bot.channels.telegram_webhook import connect_telegram

    bot = make_bot(settings)
    app = await open_app(settings)
    if settings.warm_start:
        settle_heap(settings)
    stop = asyncio.Event()
    _stop_on_signals(stop)
    try:
        # getMe until the Bot API answers (an unreachable one is retried); a refused token ends here.
        if not await connect_telegram(bot, None, "", app.problems, stop, first_delay=settings.telegram_retry_seconds):
            if not stop.is_set():
                raise SystemExit(
                    _("Telegram refused the bot token ({reason}). Check HOTRO_TELEGRAM_TOKEN.").format(
                        reason=app.problems.get(Channel.TELEGRAM, "?")
                    )
                )
            return
        await run_polling(app, bot, stop)
    finally:
        await bot.shutdown()
        await app.close()


async def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from bot.server import serve

    stop = asyncio.Event()
    _stop_on_signals(stop)
    await serve(settings, args.port or settings.web_port, stop)


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    from bot.database import open_db

    async with open_db(settings):
        pass  # opening migrates
    print(_("The database is up to date."))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotro", description=_("HoTro, the citizen-support chatbot"))
    sub = parser.add_subparsers(dest="command", title=_("commands"))
    chat = sub.add_parser("chat", help=_("chat with the bot in this terminal (the default)"))
    chat.add_argument(
        "--user-id", default="local", help=_("the console user (the same one continues the conversation)")
    )
    chat.set_defaults(func=cmd_chat)
    polling = _("run the Telegram bot with long polling")
    sub.add_parser("telegram", help=polling).set_defaults(func=cmd_telegram)  # not vocabulary: a command name
    serve = sub.add_parser("serve", help=_("run the web server (Telegram and Zalo webhooks, web console, /healthz)"))
    serve.add_argument("--port", type=int, default=None, help=_("the port to listen on (default: HOTRO_WEB_PORT)"))
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help=_("apply the database migrations")).set_defaults(func=cmd_migrate)
    for module in EXTENSIONS:
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    # What the imports made (~100,000 objects) lives as long as the process: no garbage collection walks it
    # again, during the command or at the interpreter's exit (~250 ms of CPU a command). O(1); settle_heap
    # freezes a server's indexes the same way.
    gc.freeze()
    speak_vietnamese()
    args = build_parser().parse_args(argv)
    if args.command is None:
        args = build_parser().parse_args(["chat", *(argv or [])])
    settings = Settings()
    configure_logging(logging.WARNING if args.command == "chat" else logging.INFO, settings.log_json)
    asyncio.run(args.func(settings, args))


if __name__ == "__main__":
    main()
