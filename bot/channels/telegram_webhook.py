"""Registering the Telegram webhook: settings checked at start, transient failures retried in the background.

Rules from the Bot API reference (core.telegram.org/bots/api#setwebhook): the URL must be HTTPS;
"Ports currently supported for webhooks: 443, 80, 88, 8443"; secret_token is "1-256 characters.
Only characters A-Z, a-z, 0-9, _ and - are allowed". A 429 carries parameters.retry_after.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

from bot.config import Settings
from messages.i18n import _
from messages.vocabulary import Channel

log = logging.getLogger(__name__)

# my_chat_member: a private chat's member update tells when a user blocks or unblocks the bot; edited_message:
# an answer corrected in place, which the citizen must be told is not taken (bot.channels.telegram.to_incoming).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_BACKOFF = 60.0


def webhook_problems(url: str, secret: str) -> list[str]:
    """What Telegram would refuse in these settings, in Vietnamese for the operator; empty when fine."""
    problems: list[str] = []
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return [_("HOTRO_TELEGRAM_WEBHOOK_URL is not a valid URL.")]
    if parts.scheme != "https" or not parts.hostname:
        problems.append(_("HOTRO_TELEGRAM_WEBHOOK_URL must be an https:// address (Telegram accepts only HTTPS)."))
    if port is not None and port not in WEBHOOK_PORTS:
        problems.append(
            _("HOTRO_TELEGRAM_WEBHOOK_URL uses port {port}; Telegram accepts only ports 443, 80, 88 and 8443.").format(
                port=port
            )
        )
    if not SECRET_TOKEN.fullmatch(secret):
        problems.append(
            _("HOTRO_TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters, using only A-Z, a-z, 0-9, “_” and “-”.")
        )
    return problems


def check_webhook_settings(settings: Settings, secret: str) -> None:
    """Exit with one clear message per problem before anything starts (a wrong setting is not transient)."""
    if not settings.telegram_webhook_url:
        return
    problems = webhook_problems(settings.telegram_webhook_url, secret)
    if problems:
        raise SystemExit("\n".join(problems))


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


async def connect_telegram(
    bot: Bot,
    url: str | None,
    secret: str,
    problems: dict[str, str],
    stop: asyncio.Event,
    first_delay: float = 1.0,
) -> bool:
    """getMe, then setWebhook when `url` is given, until they succeed: an unreachable Bot API, a 429 or a
    5xx is retried with backoff while the server goes on serving. `problems["telegram"]` says why the
    channel is degraded meanwhile (/healthz). A refusal (400, a bad token) is not retried: it stays in
    `problems` and is logged."""
    delay = first_delay
    problems[Channel.TELEGRAM] = "Bot API not reached yet" if url is None else "webhook not registered yet"
    while not stop.is_set():
        try:
            await bot.initialize()  # getMe; a no-op once it has succeeded
            if url is not None:
                await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            problems[Channel.TELEGRAM] = f"Bot API rate limited: retrying in {wait:g}s"
        except (BadRequest, InvalidToken) as exc:
            problems[Channel.TELEGRAM] = f"Bot API refused: {exc}"
            log.error("Telegram refused the bot token or the webhook %s: %s", url, exc)
            return False
        except NetworkError as exc:  # unreachable, timed out, 5xx
            wait = delay
            delay = min(delay * 2, MAX_BACKOFF)
            problems[Channel.TELEGRAM] = f"Bot API call failed ({exc}): retrying in {wait:g}s"
        else:
            problems.pop(Channel.TELEGRAM, None)
            if url is not None:
                log.info("Telegram webhook registered at %s", url)
            return True
        log.warning("%s", problems[Channel.TELEGRAM])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
    return False
