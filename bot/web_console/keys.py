"""Names shared by the console's modules: request keys, session keys, the app key."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import Session
from telegram import Bot

from bot.app import HoTro
from bot.web_console.dashboard import FigureCache

APP_KEY = web.AppKey("hotro_console", HoTro)
OFFICIAL = "official"  # request key: the logged-in Official
DB = "db"  # request key: the request's AsyncSession
FIGURES = web.AppKey("overview_figures", FigureCache)  # the overview's figures, per area, for a minute
BOT = web.AppKey("telegram_bot", Bot)  # the Bot for attachments (absent without Telegram)

OFFICIAL_KEY = "official"  # session keys
CSRF_KEY = "csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(session: Session) -> str:
    return str(session.get(CSRF_KEY, ""))
