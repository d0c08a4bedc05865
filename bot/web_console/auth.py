"""Who is calling: the encrypted session cookie, the official behind it, and CSRF.

The session cookie (aiohttp-session's EncryptedCookieStorage: Fernet, with a key derived from the data
key) is HttpOnly, SameSite=Lax, Secure behind https, and expires after settings.web_session_hours.
It holds the official's id and a CSRF token. On every request the official is read again from the
database: a removed (inactive) official is logged out at once. Every state-changing request must carry
the session's CSRF token (a hidden form field or an X-CSRF-Token header), or it gets 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HoTro
from bot.web_console.keys import APP_KEY, CSRF_FIELD, CSRF_HEADER, CSRF_KEY, DB, OFFICIAL, OFFICIAL_KEY, csrf_token
from bot.web_console.render import problem
from messages.i18n import _
from storage.models import Official
from storage.officials import may_change

COOKIE = "hotro_canbo"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages with personal data: never framed (a confirmation button under someone else's page), never cached,
# no Referer (the login link's token), scripts and styles from the console only (its few inline handlers).
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup(console: web.Application, app: HoTro) -> None:
    secure = app.settings.public_url.startswith("https://")
    storage = EncryptedCookieStorage(
        app.protector.web_session_key,
        cookie_name=COOKIE,
        max_age=int(app.settings.web_session_hours * 3600),
        path="/canbo",
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    setup_sessions(console, storage)


def is_public(request: web.Request) -> bool:
    """The pages anyone may open: the login explanation, the login links, the style sheet."""
    name = request.match_info.route.name or ""
    return name in {"login_help", "login", "login_post", "static"}


async def log_in(request: web.Request, official: Official) -> None:
    session = await new_session(request)  # a fresh session: nothing carried over from before the login
    session[OFFICIAL_KEY] = official.id
    session[CSRF_KEY] = secrets.token_urlsafe(32)


async def log_out(request: web.Request) -> None:
    session = await get_session(request)
    session.invalidate()


async def _given_csrf(request: web.Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


@web.middleware
async def console_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One database session per request; the official checked on each one; CSRF on every change."""
    app = request.config_dict[APP_KEY]
    async with app.sessions() as db:
        request[DB] = db
        if not is_public(request):
            session = await get_session(request)
            official = await _current_official(db, session)
            if official is None:
                session.invalidate()
                raise web.HTTPFound("/canbo/dang-nhap")
            request[OFFICIAL] = official
            if request.method not in SAFE_METHODS:
                expected = csrf_token(session)
                given = await _given_csrf(request)
                if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
                    return await problem(
                        request,
                        403,
                        _(
                            "This form has expired or did not come from the console. "
                            "Go back, reload the page and try again."
                        ),
                    )
        response = await handler(request)
        await db.commit()
        response.headers.update(SECURITY_HEADERS)
        return response


async def _current_official(db: AsyncSession, session: Session) -> Official | None:
    official_id = session.get(OFFICIAL_KEY)
    if not isinstance(official_id, int):
        return None
    official = await db.get(Official, official_id)
    # A monitor is read only: the console has no such mode yet (handlers/review/console_login.py gives no link).
    return official if official is not None and may_change(official) else None
