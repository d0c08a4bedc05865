"""Names shared by the console's modules: request keys (and their typed accessors), session keys, the app key."""

from __future__ import annotations

from datetime import UTC, date, datetime

from aiohttp import web
from aiohttp_session import Session
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from bot.app import HoTro
from bot.web_console.dashboard import FigureCache
from handlers import validators
from messages import fmt
from storage.models import Official

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


def app_of(request: web.Request) -> HoTro:
    return request.config_dict[APP_KEY]


def db_of(request: web.Request) -> AsyncSession:
    """The request's session (opened by auth's middleware, committed after the handler)."""
    db: AsyncSession = request[DB]
    return db


def official_of(request: web.Request) -> Official:
    official: Official = request[OFFICIAL]
    return official


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return fmt.today_local(utc_now())


def typed_date(text: str | None) -> date | None:
    """A date as officials type it, day first ("05/07/2021", "5/7/2021", "hôm nay"), or ISO (the values the
    console itself carries): the console's date boxes are text, not the browser's date picker, whose order
    follows the browser's language (mm/dd/yyyy in an English one)."""
    if not text:
        return None
    result = validators.parse_date(text, today=local_today())
    return result.value if isinstance(result, validators.Valid) else None
