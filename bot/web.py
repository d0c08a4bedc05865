"""The aiohttp server: Telegram webhook, health check."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from telegram import Bot, Update

from bot.app import HoTro
from bot.channels.telegram import TelegramAdapter, webhook_secret
from bot.channels.zalo import setup_zalo, zalo_configured
from storage import outbox

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/telegram/webhook"
APP_KEY = web.AppKey("hotro", HoTro)


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    try:
        async with app.db.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    await app.sender.flush_marks()  # sent replies whose mark waits for its batch are not waiting messages
    async with app.sessions() as session:
        app.metrics.outbox_depth.set(await outbox.pending_count(session))
    return web.Response(body=app.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


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
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app[APP_KEY] = app
    web_app.add_routes([web.get("/healthz", healthz), web.get("/metrics", metrics)])
    if bot is not None:
        web_app.add_routes([telegram_route(TelegramAdapter(app, bot), webhook_secret(app.settings))])
    if zalo_configured(app.settings):
        setup_zalo(web_app, app)  # POST /zalo/webhook and the "zalo" transport
    return web_app
