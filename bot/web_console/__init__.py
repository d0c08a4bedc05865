"""The officials' web console (issue 16), served by `hotro serve` under /canbo/.

Server-rendered pages (aiohttp-jinja2), a login by one-time link, an encrypted session cookie and CSRF
tokens (auth.py); every domain call goes through services.py, the same functions the chat and the CLI use.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from telegram import Bot

from bot.app import HoTro
from bot.web_console import auth, render, routes
from bot.web_console.dashboard import FigureCache
from bot.web_console.keys import APP_KEY, BOT, FIGURES

PREFIX = "/canbo"
STATIC = Path(__file__).parent / "static"
UPLOAD_LIMIT = 16 * 1024 * 1024  # an XLSX of the district's list


def build_console(app: HoTro, bot: Bot | None) -> web.Application:
    console = web.Application()
    console[APP_KEY] = app
    console[FIGURES] = FigureCache()
    if bot is not None:
        console[BOT] = bot
    auth.setup(console, app)
    console.middlewares.append(auth.console_middleware)
    render.setup(console)
    routes.setup(console)
    console.router.add_static("/static", STATIC, name="static")
    return console


def setup_console(web_app: web.Application, app: HoTro, bot: Bot | None = None) -> None:
    web_app.add_subapp(PREFIX, build_console(app, bot))

    async def to_console(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{PREFIX}/")

    web_app.router.add_get(PREFIX, to_console)
