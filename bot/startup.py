"""Opening the application for a long-running command, with one clear line when the database is unreachable."""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.app import HoTro, create_app
from bot.config import Settings
from messages.i18n import _

# What a database that is down, unreachable or misnamed raises while connecting: asyncpg lets the
# socket's errors through (refused, unknown host, timeout); the server's own refusals and SQLite's
# "unable to open database file" come as DBAPIError. Other OSErrors (e.g. the key file) are not the database.
UNREACHABLE = (ConnectionError, socket.gaierror, TimeoutError, DBAPIError)


def _where(settings: Settings) -> str:
    try:
        return make_url(settings.sqlalchemy_url()).render_as_string(hide_password=True)
    except ArgumentError:
        return "?"


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split()) or type(cause).__name__
    return text[:200]


async def open_app(settings: Settings) -> HoTro:
    """create_app, or exit non-zero with one Vietnamese line (no traceback) when the database cannot be reached."""
    try:
        return await create_app(settings)
    except UNREACHABLE as exc:
        message = _(
            "Cannot connect to the database {where}: {reason}. Check HOTRO_DATABASE_URL and that the database "
            "server is running."
        ).format(where=_where(settings), reason=_reason(exc))
        raise SystemExit(message) from None
