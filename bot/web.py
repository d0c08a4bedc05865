"""The aiohttp server: Telegram webhook, Zalo webhook, health check, metrics, the officials' web console,
and the optional public posting page."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Bot, Update

from bot import web_console
from bot.app import HoTro
from bot.channels.telegram import TelegramAdapter, webhook_secret
from bot.channels.zalo import setup_zalo, zalo_configured
from bot.config import Settings
from handlers import admin_units
from handlers.posting import files as posting_files
from handlers.posting import service as posting
from messages import fmt
from messages.vocabulary import AreaLevel
from storage import outbox
from storage.db import ping

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/telegram/webhook"
PUBLIC_POSTING_PATH = "/cong-khai/{code}"
APP_KEY = web.AppKey("hotro", HoTro)


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    try:
        await ping(app.db)
    except Exception:
        log.exception("health check: database unreachable")
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    if app.problems:  # still serving (200), but a channel is not fully working
        return web.json_response({"status": "degraded", **app.problems})
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    """Always 200: during a database outage the process's own figures still matter (database_up 0)."""
    app = request.app[APP_KEY]
    try:
        await app.sender.flush_marks()  # sent replies whose mark waits for its batch are not waiting messages
        async with app.sessions() as session:
            app.metrics.outbox_depth.set(await outbox.pending_count(session))
        app.metrics.database_up.set(1)
    except Exception:
        log.warning("metrics: database unreachable, outbox depth not refreshed")
        app.metrics.database_up.set(0)
    return web.Response(body=app.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def metrics_with_token(token: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def guarded(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        return await metrics(request)

    return guarded


def read_timeout_middleware(seconds: float, larger: dict[str, int] | None = None) -> web.middleware:  # type: ignore[valid-type]
    """The whole body within `seconds` (a client trickling it byte by byte is cut off with 408);
    the headers are bounded by the runner's keepalive timeout (see make_runner). Bodies are limited to
    the app's client_max_size, or to `larger[prefix]` under a path prefix (the console's XLSX uploads)."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        for prefix, limit in (larger or {}).items():
            if request.path.startswith(prefix):
                request = request.clone(client_max_size=limit)
                break
        if request.can_read_body:
            try:
                async with asyncio.timeout(seconds):
                    if request.content_type == "multipart/form-data":
                        await request.post()  # parsed from the stream once, cached for the handler's post()
                    else:
                        await request.read()  # cached: the handler's read() or json() gets it at once
            except TimeoutError:
                log.warning("request body not received within %ss: connection closed", seconds)
                raise web.HTTPRequestTimeout(headers={"Connection": "close"}) from None
        return await handler(request)

    return middleware


async def public_posting(request: web.Request) -> web.Response:
    """/cong-khai/<commune code>: the lists the commune has posted (ID numbers masked; no phone, no account).

    No login: it shows only what the commune posted on its notice board, decisions recorded as posted."""
    app = request.app[APP_KEY]
    code = request.match_info["code"]
    if (
        not (code.isascii() and code.isdigit() and len(code) <= 6)
        or admin_units.get(AreaLevel.COMMUNE, int(code)) is None
    ):
        raise web.HTTPNotFound()
    async with app.sessions() as session:
        listed = await posting.build(session, app.protector, int(code), today=fmt.today_local(), posted_only=True)
    return web.Response(
        text=posting_files.render_html(listed),
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


def telegram_route(adapter: TelegramAdapter, secret: str) -> web.RouteDef:
    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), adapter.bot)
        except Exception:
            log.warning("webhook: unreadable update ignored")
            return web.Response(status=200)  # a poison update must not be redelivered forever
        # Handled before answering, so a 200 means the turn is committed (or failed for good);
        # 503 when the database was unavailable, so that Telegram delivers the update again.
        processed = await adapter.process_update(update)
        return web.Response(status=200 if processed else 503)

    return web.post(TELEGRAM_PATH, webhook)


def build_web_app(app: HoTro, bot: Bot | None = None) -> web.Application:
    uploads = {f"{web_console.PREFIX}/": web_console.UPLOAD_LIMIT}
    web_app = web.Application(
        client_max_size=1024 * 1024,
        middlewares=[read_timeout_middleware(app.settings.web_read_timeout_seconds, uploads)],
    )
    web_app[APP_KEY] = app
    web_app.add_routes([web.get("/healthz", healthz)])
    web_console.setup_console(web_app, app, bot)  # the officials' web console under /canbo/
    if app.settings.metrics_token:  # never to anyone who can reach the webhook port
        web_app.add_routes([web.get("/metrics", metrics_with_token(app.settings.metrics_token))])
    if bot is not None:
        web_app.add_routes([telegram_route(TelegramAdapter(app, bot), webhook_secret(app.settings))])
    if zalo_configured(app.settings):
        setup_zalo(web_app, app)  # POST /zalo/webhook and the "zalo" transport
    if app.settings.public_posting_page:  # off by default: a deployment decides to publish
        web_app.add_routes([web.get(PUBLIC_POSTING_PATH, public_posting)])
    return web_app


def build_metrics_app(app: HoTro) -> web.Application:
    """/metrics (and /healthz) alone, for the separate listener at metrics_host:metrics_port."""
    web_app = web.Application()
    web_app[APP_KEY] = app
    web_app.add_routes([web.get("/metrics", metrics), web.get("/healthz", healthz)])
    return web_app


def make_runner(web_app: web.Application, settings: Settings) -> web.AppRunner:
    # aiohttp closes a connection that has not completed a request's headers within the keepalive
    # timeout (counted from the connection's start or its previous response), so it bounds slow headers.
    # After an early answer (408, 403) aiohttp keeps reading the unread body for lingering_time (10 s
    # by default) before closing: one second is enough for a client to read its answer.
    return web.AppRunner(
        web_app,
        shutdown_timeout=30,
        access_log=None,
        keepalive_timeout=settings.web_read_timeout_seconds,
        lingering_time=1.0,
    )
