"""Attachments on demand: a Telegram file through the Bot API's getFile and its file URL, a Zalo image by
its URL. Nothing is stored by the console; the official's browser gets the bytes (or is sent to the URL)."""

from __future__ import annotations

import logging
import mimetypes

from aiohttp import web
from telegram import Bot
from telegram.error import TelegramError

from bot.web_console.keys import BOT
from bot.web_console.render import problem
from messages.i18n import _
from messages.vocabulary import Channel
from storage.models import Attachment

log = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024  # the Bot API serves files of at most 20 MB through getFile


async def fetch(request: web.Request, item: Attachment) -> web.StreamResponse:
    if item.channel == Channel.TELEGRAM:
        bot: Bot | None = request.config_dict.get(BOT)
        if bot is None:
            return await problem(request, 503, _("Telegram is not connected: the file cannot be fetched now."))
        try:
            tg_file = await bot.get_file(item.file_id)
            data = bytes(await tg_file.download_as_bytearray())
        except TelegramError:
            log.warning("attachment %s: the Bot API did not give the file", item.id)
            return await problem(request, 502, _("Telegram did not give the file. Try again later."))
        name = (tg_file.file_path or "").rsplit("/", 1)[-1] or item.file_name or f"tep-{item.id}"
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return web.Response(
            body=data[:MAX_BYTES],
            content_type=content_type,
            headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"},
        )
    if item.channel == Channel.ZALO and item.file_id.startswith("https://"):
        raise web.HTTPFound(item.file_id)  # Zalo's CDN URL of the image the citizen sent
    return await problem(request, 404, _("This file cannot be shown here."))
