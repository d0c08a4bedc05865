"""Telegram through python-telegram-bot v22: update -> Incoming, outbox payload -> sendMessage."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import ssl
import warnings
from datetime import timedelta
from typing import Any, TypedDict

import httpx
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot import private_chats
from bot.app import HoTro
from bot.channels.inbound import clean, clean_incoming
from bot.channels.long_text import split_text
from bot.channels.telegram_bot import TelegramBot
from bot.channels.telegram_webhook import ALLOWED_UPDATES
from bot.config import TELEGRAM_CONNECTIONS, Settings
from bot.files import FileTooLarge, FileUnavailable
from bot.transport import NEVER_OPENED, Blocked, Held, PermanentFailure, RateLimited, RetryLater
from bot.workers import start_workers
from handlers.turn import Attachment, Incoming
from messages.i18n import _
from messages.vocabulary import Channel
from storage.conversations import mark_blocked, mark_unblocked

log = logging.getLogger(__name__)

CHANNEL: str = Channel.TELEGRAM
# Infrastructure failures worth a redelivery; anything else is a bad update and is dropped.
TEMPORARY_ERRORS = (DBAPIError, SQLAlchemyTimeoutError, ConnectionError, TimeoutError)


# sendMessage: "Text of the message to be sent, 1-4096 characters after entities parsing" (Bot API).
MAX_TEXT_CHARS = 4096

# 403 "Forbidden: bot can't initiate conversation with a user", as the Bot API words it.
CANNOT_INITIATE = "can't initiate conversation"


# Message contents the bot cannot use (Message fields of the Bot API), answered with what it accepts.
# A video or an animation with a caption is read as its caption.
UNSUPPORTED = ("sticker", "voice", "audio", "video", "video_note", "animation", "location", "venue", "dice")


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's own default context (certifi's CA bundle), made once per process: otherwise each httpx
    client loads the bundle again (~30 ms of CPU), and a Bot has two clients, rebuilt after a shutdown."""
    return httpx.create_ssl_context()


class BotRequests(TypedDict):
    request: HTTPXRequest
    get_updates_request: HTTPXRequest


def api_requests(connection_pool_size: int) -> BotRequests:
    """A Bot's `request` and `get_updates_request`: PTB's defaults (pool of 1 for getUpdates), one TLS context."""
    verify = {"verify": _tls()}
    return BotRequests(
        request=HTTPXRequest(connection_pool_size=connection_pool_size, httpx_kwargs=verify),
        get_updates_request=HTTPXRequest(connection_pool_size=1, httpx_kwargs=verify),
    )


def make_bot(settings: Settings) -> Bot:
    if not settings.telegram_token:
        raise SystemExit(_("HOTRO_TELEGRAM_TOKEN is not set (see the README, “Connecting a real Telegram bot”)."))
    return TelegramBot(
        settings.telegram_token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        **api_requests(settings.telegram_connection_pool),
    )


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the token so every process agrees on it."""
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    return hashlib.sha256(f"hotro-webhook:{settings.telegram_token}".encode()).hexdigest()


class TelegramTransport:
    channel = CHANNEL

    def __init__(self, bot: Bot, max_calls: int = TELEGRAM_CONNECTIONS) -> None:
        self.bot = bot
        # Bot API calls beyond the connection pool wait here rather than in httpcore's queue, which is
        # rescanned on every request and release and so costs CPU in proportion to its length.
        self.calls = asyncio.Semaphore(max_calls)

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        rows = payload.get("buttons") or []
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(b["label"], callback_data=b["action"]) for b in row] for row in rows]
            )
            if rows
            else None
        )
        pieces = split_text(payload["text"], MAX_TEXT_CHARS)
        try:
            for n, piece in enumerate(pieces, 1):
                # A retry resends the whole payload: a split reply that failed half-way may repeat its first
                # parts (rare: replies are short, and long lists are paged).
                async with self.calls:
                    await self.bot.send_message(
                        chat_id=int(chat_id), text=piece, reply_markup=markup if n == len(pieces) else None
                    )
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                after = exc.retry_after
            raise RateLimited(after.total_seconds() if isinstance(after, timedelta) else float(after)) from exc
        except Forbidden as exc:
            if CANNOT_INITIATE in str(exc).lower():
                # Not a block: this person never opened a chat with the bot (e.g. an official added with
                # `hotro officials add`). Keep the message until they first write.
                raise Held(NEVER_OPENED) from exc
            raise Blocked(str(exc)) from exc
        except BadRequest as exc:
            raise PermanentFailure(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:
            raise RetryLater(5, str(exc)) from exc


class TelegramFiles:
    """A photo or document a user sent: getFile, then its download (core.telegram.org/bots/api#getfile)."""

    def __init__(self, bot: Bot, calls: asyncio.Semaphore) -> None:
        self.bot = bot
        self.calls = calls

    async def fetch(self, file_id: str, max_bytes: int) -> bytes:
        try:
            async with self.calls:
                file = await self.bot.get_file(file_id)
                if file.file_size is not None and file.file_size > max_bytes:
                    raise FileTooLarge(f"{file.file_size} bytes")
                data = bytes(await file.download_as_bytearray())
        except BadRequest as exc:
            if "too big" in str(exc).lower():  # getFile refuses files over 20 MB
                raise FileTooLarge(str(exc)) from exc
            raise FileUnavailable(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:
            raise FileUnavailable(str(exc)) from exc
        if len(data) > max_bytes:  # file_size is optional in the File object
            raise FileTooLarge(f"{len(data)} bytes")
        return data


def to_incoming(update: Update) -> Incoming | None:
    """The parts of a Telegram update the engine understands; None for anything else."""
    event_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is None or query.data is None:
            return None
        return Incoming(
            CHANNEL,
            str(message.chat.id),
            str(query.from_user.id),
            event_id,
            action=query.data,
            display_name=query.from_user.first_name,
        )
    edited = update.edited_message
    if update.message is None and edited is not None and edited.from_user is not None:
        # An earlier message changed in place: its new text may answer a step passed long ago, so nothing is
        # taken from it; the citizen is told how to change an answer (handlers.media).
        return Incoming(
            CHANNEL,
            str(edited.chat.id),
            str(edited.from_user.id),
            event_id,
            display_name=edited.from_user.first_name,
            unsupported="edited",
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    attachment = None
    if message.photo:
        attachment = Attachment("photo", message.photo[-1].file_id)
    elif message.document is not None and message.animation is None:  # a GIF also comes as a document
        doc = message.document
        attachment = Attachment("document", doc.file_id, doc.file_name, doc.mime_type)
    text = message.text or message.caption
    if text is None and message.contact is not None:
        # A contact card shared from the attachment menu (Bot API: Contact.phone_number): read as the number
        # typed, so at the phone step it is the answer, and elsewhere it gets the typed number's reply.
        text = message.contact.phone_number
    unsupported = None
    if text is None and attachment is None:
        unsupported = next((kind for kind in UNSUPPORTED if getattr(message, kind, None) is not None), None)
        if unsupported is None:
            return None  # a service message (pinned, joined, …): nothing to answer
    return Incoming(
        CHANNEL,
        str(message.chat.id),
        str(message.from_user.id),
        event_id,
        text=text,
        attachment=attachment,
        display_name=message.from_user.first_name,
        unsupported=unsupported,
    )


class TelegramAdapter:
    def __init__(self, app: HoTro, bot: Bot) -> None:
        self.app = app
        self.bot = bot
        self.transport = TelegramTransport(bot, app.settings.telegram_connection_pool)
        app.sender.transports[CHANNEL] = self.transport
        app.engine.files[CHANNEL] = TelegramFiles(bot, self.transport.calls)

    async def process_update(self, update: Update) -> bool:
        """Handle one update; never raises, so one bad update cannot block the others.

        Returns False when the database was unavailable, so the webhook can ask Telegram to
        deliver the update again (a committed turn is deduplicated on the retry).
        """
        # The button's spinner is stopped while the turn runs: one Bot API round trip less to wait for.
        answering = (
            asyncio.create_task(self._answer(update.callback_query, update.update_id))
            if update.callback_query is not None
            else None
        )
        try:
            if update.my_chat_member is not None:
                await self._membership_changed(update)
                return True
            incoming = to_incoming(update)
            if incoming is not None:
                await self._handle_private(update, clean_incoming(incoming))
        except TEMPORARY_ERRORS:
            log.exception("update %s: database unavailable, asking for redelivery", update.update_id)
            return False
        except Exception:
            log.exception("update %s could not be processed", update.update_id)
        finally:
            if answering is not None:
                await answering
        return True

    async def _handle_private(self, update: Update, incoming: Incoming) -> None:
        """Private chats reach the engine; a group gets its note once; another bot's command nothing."""
        chat = update.effective_chat
        username = self._username()
        match private_chats.audience(chat.type if chat else None, incoming.text, username):
            case private_chats.Audience.PRIVATE:
                await self.app.handle(incoming)
            case private_chats.Audience.GROUP:
                await private_chats.note_once(self.app, CHANNEL, incoming.chat_id, incoming.event_id, username)

    def _username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # getMe not called yet: commands cannot be told apart by addressee
            return None

    async def _membership_changed(self, update: Update) -> None:
        """A private chat's my_chat_member: the user blocked ("kicked") or unblocked the bot."""
        change = update.my_chat_member
        assert change is not None
        if change.chat.type != "private":
            return
        chat_id = clean(str(change.chat.id))
        async with self.app.sessions.begin() as session:
            if change.new_chat_member.status == "kicked":
                await mark_blocked(session, CHANNEL, chat_id)
            elif change.new_chat_member.status == "member":
                await mark_unblocked(session, CHANNEL, chat_id)

    async def _answer(self, query: CallbackQuery, update_id: int) -> None:
        try:
            async with self.transport.calls:
                await query.answer()
        except Exception:  # the spinner stops by itself; the turn matters more
            log.warning("answerCallbackQuery failed for update %s", update_id)

    async def _ptb_callback(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.process_update(update)


async def run_polling(app: HoTro, bot: Bot, stop: asyncio.Event, poll_timeout: int = 10) -> None:
    """Long polling with PTB's Updater until `stop` is set; the outbox loop runs alongside."""
    adapter = TelegramAdapter(app, bot)
    application = ApplicationBuilder().bot(bot).build()
    application.add_handler(TypeHandler(Update, adapter._ptb_callback))
    workers = start_workers(app, stop)
    try:
        async with application:
            await bot.delete_webhook()
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
            await stop.wait()
            try:
                await application.updater.stop()  # re-raises what the polling loop last failed with
            except Exception:
                log.exception("the Telegram polling loop ended with an error")
            finally:
                await application.stop()  # so that leaving the context can shut the application down
    finally:
        stop.set()
        await asyncio.gather(*workers, return_exceptions=True)
