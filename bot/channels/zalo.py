"""Zalo Official Account channel: wire format, API client, transport (reply window) and webhook.

Every Zalo wire-format detail lives in the first section of this module, so that a correction
needs one edit. Sources, marked on each item:
  [SDK]  the official PHP SDK, zaloplatform/zalo-php-sdk (src/Builder/MessageBuilder.php and
         README "Gửi tin nhắn text"): a text message with a template attachment of at most 5
         buttons; oa.query.show / oa.query.hide buttons carry a string payload; the recipient
         is {"user_id": …} or {"message_id": …}.
  [2nd]  secondary pages and open-source integrations, not Zalo's own reference:
         chatwoot (app/jobs/webhooks/zalo_events_job.rb: the webhook MAC; lib/integrations/zalo/:
         the v4 refresh with header secret_key, -216 = token invalid); the Zalo OA help centre
         (zalooa.freshdesk.com: 8 free replies within 48 h of the user's last message, reset when
         they write; an API reply without message_id counts as a proactive, paid message); error
         tables compiled from developers.zalo.me "mã lỗi" in public repositories; eSMS docs
         (2000-character text); redai-zalo-sdk (button title ≤ 100, query payload ≤ 1000).
Nothing here was checked against the live API: verify the [2nd] items first. One of those
compilations reports that since 2026-01-01 replies within 48 h are no longer capped at 8;
ZaloConfig.window_max_replies keeps the cap configurable.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import HoTro
from bot.channels.inbound import clean, clean_incoming
from bot.channels.long_text import split_text
from bot.config import Settings
from bot.files import UrlFiles
from bot.transport import Blocked, Held, PermanentFailure, RateLimited, RetryLater
from handlers.turn import MAX_ACTION_BYTES, Attachment, Incoming
from messages.i18n import _
from messages.vocabulary import Channel
from storage import keyvalues
from storage.conversations import give_back_reply_slots, mark_blocked, take_reply_slots

log = logging.getLogger(__name__)

CHANNEL: str = Channel.ZALO
WEBHOOK_PATH = "/zalo/webhook"

# =============================================================================================
# Wire format (all of it)
# =============================================================================================

SEND_PATH = "/v3.0/oa/message/cs"  # [2nd] customer-service ("tư vấn") message, API v3; SDK v2 used /v2.0/oa/message
REFRESH_PATH = "/v4/oa/access_token"  # [2nd] OAuth v4, form-encoded, header secret_key = app secret
SIGNATURE_HEADER = "X-ZEvent-Signature"  # [2nd] "mac=" + sha256(app_id + raw body + timestamp + OA secret key)
EVENT_USER_TEXT = "user_send_text"  # [2nd] {app_id, sender.id, recipient.id, message.text, message.msg_id, timestamp}
# [2nd: chatwoot app/jobs/webhooks/zalo_events_job.rb SUPPORTED_EVENTS and
# app/services/zalo/incoming_message_service.rb] A user's other messages carry message.msg_id,
# message.text (a caption, optional) and message.attachments = [{"type": "image" | "file" | "sticker" |
# "gif" | "audio" | "video" | "location" | "link", "payload": {"url", "thumbnail", "name", "size",
# "type" (file extension), "coordinates": {...}}}].
ATTACHMENT_EVENTS = {"user_send_image": "photo", "user_send_file": "document"}
UNSUPPORTED_EVENTS = {
    "user_send_sticker": "sticker",
    "user_send_gif": "animation",
    "user_send_audio": "audio",
    "user_send_video": "video",
    "user_send_location": "location",
    "user_send_link": "link",
    "user_send_business_card": "contact",
}
# [2nd: public integrations] {"event_name": "follow", "follower": {"id": …}, "timestamp", "app_id", "oa_id"}.
EVENT_FOLLOW = "follow"
EVENT_UNFOLLOW = "unfollow"  # the same shape as follow
FOLLOW_EVENT_PREFIX = "follow:"  # the event id of a follow, which carries no msg_id
# Events signed more than this far from our clock are refused: a captured event cannot be replayed
# later (the MAC covers the timestamp, so it cannot be refreshed). Zalo stamps events in milliseconds.
EVENT_MAX_SKEW = timedelta(hours=1)

# A pressed oa.query.* button comes back as an ordinary user_send_text whose text is the button's
# payload [SDK: "query" buttons; 2nd: examples use "#..." payloads]. "hide" keeps that text out
# of the chat; the marker tells a pressed button from typed text, and is stripped again here.
BUTTON_TYPE = "oa.query.hide"  # [SDK]
ACTION_MARKER = "#hotro:"
MAX_BUTTONS = 5  # [SDK] "only support 5 buttons"
MAX_BUTTON_TITLE_CHARS = 100  # [2nd]
MAX_PAYLOAD_CHARS = 1000  # [2nd]
MAX_TEXT_CHARS = 2000  # [2nd] longer replies are split into several messages

# Errors come back with HTTP 200 and {"error": <non-zero>, "message": ...} [2nd].
TOKEN_ERRORS = frozenset({-216, -220})  # access token invalid / expired or removed: refresh once
WINDOW_ERRORS = frozenset({-213, -230, -232})  # not following / no interaction lately: wait for the user
BLOCKED_ERRORS = frozenset({-227, -244})  # banned or inactive 45 days / restricted messages from this OA
RATE_ERRORS = frozenset({-32})  # app or OA reached its API call limit (per minute)
PERMANENT_ERRORS = frozenset({-201, -210, -233, -248})  # invalid parameter / over limit / bad type / policy
# -201 "invalid parameter" is also the answer to a message_id Zalo no longer accepts as the one a reply
# refers to: the transport then addresses the user by user_id before giving up.
INVALID_PARAMETER = -201
# Anything else (-200 send failed, -211 out of quota, ...) is retried later with backoff.


def event_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The X-ZEvent-Signature Zalo sends with a webhook event [2nd: chatwoot ZaloEventsJob]."""
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()).hexdigest()
    return f"mac={digest}"


def _text_field(value: Any) -> str:
    """Ids and timestamps arrive as JSON strings; tolerate numbers."""
    return value if isinstance(value, str) else "" if value is None else str(value)


def signature_ok(header: str, body: bytes, event: dict[str, Any], oa_secret_key: str) -> bool:
    expected = event_signature(
        _text_field(event.get("app_id")), body, _text_field(event.get("timestamp")), oa_secret_key
    )
    return hmac.compare_digest(header.strip().encode(), expected.encode())


def event_time_ok(event: dict[str, Any], now: datetime, skew: timedelta = EVENT_MAX_SKEW) -> bool:
    """The event's timestamp (milliseconds since the epoch) is within `skew` of `now`."""
    try:
        stamp = datetime.fromtimestamp(int(_text_field(event.get("timestamp"))) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return False
    return abs(now - stamp) <= skew


def unfollowed_by(event: dict[str, Any]) -> str:
    """The user id of an `unfollow` event ({"event_name": "unfollow", "follower": {"id"}}), else ""."""
    if event.get("event_name") != EVENT_UNFOLLOW:
        return ""
    follower = event.get("follower")
    return _text_field(follower.get("id")) if isinstance(follower, dict) else ""


def to_incoming(event: dict[str, Any]) -> Incoming | None:
    """A user's message (text, a pressed button, a photo or file, or something the bot cannot read) or
    a new follower as the engine's Incoming; None for anything else.

    The engine dedupes on event_id, so it is the message's msg_id: Zalo redelivers the same one.
    """
    name = event.get("event_name")
    if name == EVENT_FOLLOW:
        follower = event.get("follower")
        user_id = _text_field(follower.get("id")) if isinstance(follower, dict) else ""
        if not user_id:
            return None
        event_id = f"{FOLLOW_EVENT_PREFIX}{user_id}:{_text_field(event.get('timestamp'))}"[:96]
        return Incoming(CHANNEL, user_id, user_id, event_id, text="/start")  # the welcome
    sender = event.get("sender")
    message = event.get("message")
    if not isinstance(sender, dict) or not isinstance(message, dict):
        return None
    user_id = _text_field(sender.get("id"))
    msg_id = _text_field(message.get("msg_id"))
    text = message.get("text")
    if not user_id or not msg_id:
        return None
    if name in ATTACHMENT_EVENTS or name in UNSUPPORTED_EVENTS:
        caption = text if isinstance(text, str) and text.strip() else None
        if name in UNSUPPORTED_EVENTS:
            return Incoming(CHANNEL, user_id, user_id, msg_id[:96], unsupported=UNSUPPORTED_EVENTS[name])
        attachment = _attachment(ATTACHMENT_EVENTS[str(name)], message, msg_id)
        return Incoming(CHANNEL, user_id, user_id, msg_id[:96], text=caption, attachment=attachment)
    if name != EVENT_USER_TEXT or not isinstance(text, str):
        return None
    action = action_from_text(text)
    if action:
        return Incoming(CHANNEL, user_id, user_id, msg_id[:96], action=action)
    return Incoming(CHANNEL, user_id, user_id, msg_id[:96], text=text)


MAX_FILE_REF = 256  # Attachment.file_id's column


def _attachment(kind: str, message: dict[str, Any], msg_id: str) -> Attachment:
    """The first attachment's URL is the file reference; one too long to store is referred to by the
    message id instead (an official finds it in the OA's chat)."""
    items = message.get("attachments")
    first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    raw_payload = first.get("payload")
    payload: dict[str, Any] = raw_payload if isinstance(raw_payload, dict) else {}
    url = _text_field(payload.get("url") or payload.get("thumbnail"))
    ref = url if url and len(url) <= MAX_FILE_REF else f"zalo-msg:{msg_id}"[:MAX_FILE_REF]
    name = _text_field(payload.get("name"))[:256] or None
    extension = _text_field(payload.get("type"))[:16] or None
    return Attachment(kind, ref, name, extension)


def action_from_text(text: str) -> str | None:
    """The button action in a pressed button's text. Anyone can type the marker, as anyone can
    forge Telegram callback data: handlers check actions against the state either way."""
    stripped = text.strip()
    if not stripped.startswith(ACTION_MARKER):
        return None
    action = stripped[len(ACTION_MARKER) :].strip()
    return action if action and len(action.encode()) <= MAX_ACTION_BYTES else None


def recipient(user_id: str, reply_to_msg_id: str | None) -> dict[str, str]:
    """By message_id when replying (counted as a free reply), else by user_id [SDK: withMessageId/withUserId]."""
    return {"message_id": reply_to_msg_id} if reply_to_msg_id else {"user_id": user_id}


def numbered_hint() -> str:
    return _("Type the number (for example #1) or the name of your choice.")


def build_messages(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """An outbox payload as Zalo "message" objects: text, with the buttons on the last one.

    Buttons that fit Zalo's limits become a template attachment [SDK]. Otherwise they are
    listed as "1. …" under the text: the engine maps a typed "#1" or label to the button.
    """
    text: str = payload["text"]
    flat = [button for row in payload.get("buttons") or [] for button in row]
    fits = len(flat) <= MAX_BUTTONS and all(
        len(b["label"]) <= MAX_BUTTON_TITLE_CHARS and len(ACTION_MARKER + b["action"]) <= MAX_PAYLOAD_CHARS
        for b in flat
    )
    if flat and not fits:
        listing = "\n".join(f"{n}. {b['label']}" for n, b in enumerate(flat, 1))
        text = f"{text}\n\n{listing}\n{numbered_hint()}"
    messages: list[dict[str, Any]] = [{"text": chunk} for chunk in split_text(text, MAX_TEXT_CHARS)]
    if flat and fits:
        buttons = [{"title": b["label"], "type": BUTTON_TYPE, "payload": ACTION_MARKER + b["action"]} for b in flat]
        messages[-1]["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
    return messages


class ZaloRefused(PermanentFailure):
    """An error Zalo gives for this message as sent (its code tells which)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def error_for(code: int, message: str) -> Exception:
    """The transport outcome of an error returned in the body (HTTP 200)."""
    reason = f"zalo error {code}: {message}"
    if code in WINDOW_ERRORS:
        return Held(reason)
    if code in BLOCKED_ERRORS:
        return Blocked(reason)
    if code in RATE_ERRORS:
        return RateLimited(60, reason)
    if code in PERMANENT_ERRORS:
        return ZaloRefused(code, reason)
    return RetryLater(30, reason)


def refresh_request(app_id: str, app_secret: str, refresh_token: str) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form of the access-token refresh [2nd: chatwoot Integrations::Zalo::Auth]."""
    headers = {"secret_key": app_secret}
    form = {"app_id": app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
    return headers, form


def tokens_from_refresh(data: dict[str, Any], previous: Tokens, now: datetime) -> Tokens:
    """{"access_token", "refresh_token", "expires_in": "90000"} on success [2nd]; on failure the
    body carries "error" with "error_name"/"error_description" instead of an access token."""
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        detail = data.get("error_description") or data.get("error_name") or data.get("message") or data
        raise RefreshFailed(f"token refresh rejected: {detail}")
    expires_in = data.get("expires_in")
    try:
        expires_at = now + timedelta(seconds=int(expires_in)) if expires_in is not None else None
    except (TypeError, ValueError):
        expires_at = None
    refresh = data.get("refresh_token")
    # Single-use: the answer carries the next refresh token; without one, keep the old (best effort).
    return Tokens(access, refresh if isinstance(refresh, str) and refresh else previous.refresh_token, expires_at)


# =============================================================================================
# Configuration and token storage
# =============================================================================================


@dataclass(frozen=True)
class ZaloConfig:
    app_id: str = ""
    app_secret: str = ""  # refreshes the access token
    oa_secret_key: str = ""  # verifies webhook events
    access_token: str = ""  # initial tokens; refreshed ones are kept in kv_store
    refresh_token: str = ""
    api_base: str = Settings.model_fields["zalo_api_base"].default  # the defaults are the settings'
    oauth_base: str = Settings.model_fields["zalo_oauth_base"].default
    window: timedelta = timedelta(hours=48)
    window_max_replies: int = 8
    # Reply by the user's last msg_id so Zalo counts it as a free reply [2nd: OA help centre].
    reply_by_message_id: bool = True
    event_max_skew: timedelta = EVENT_MAX_SKEW
    http_timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ZaloConfig:
        """The HOTRO_ZALO_* settings (unset secrets as ""); the window and timeouts are the adapter's own."""
        return cls(
            app_id=settings.zalo_app_id or "",
            app_secret=settings.zalo_app_secret or "",
            oa_secret_key=settings.zalo_oa_secret_key or "",
            access_token=settings.zalo_access_token or "",
            refresh_token=settings.zalo_refresh_token or "",
            api_base=settings.zalo_api_base,
            oauth_base=settings.zalo_oauth_base,
        )

    def missing(self) -> list[str]:
        """Settings without which the channel cannot work (HOTRO_ZALO_* names)."""
        needed = {
            "HOTRO_ZALO_APP_ID": self.app_id,
            "HOTRO_ZALO_APP_SECRET": self.app_secret,
            "HOTRO_ZALO_OA_SECRET_KEY": self.oa_secret_key,
            "HOTRO_ZALO_REFRESH_TOKEN": self.refresh_token,
        }
        return [name for name, val in needed.items() if not val]


def zalo_configured(settings: Any) -> bool:
    return not ZaloConfig.from_settings(settings).missing()


class RefreshFailed(Exception):
    """Zalo refused the refresh token (used, expired, revoked): an operator must re-authorise."""


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime | None = None
    # Which configured refresh token these descend from: new HOTRO_ZALO_* tokens replace the stored ones.
    seed: str = ""

    def to_json(self) -> str:
        expires = self.expires_at.isoformat() if self.expires_at else None
        return json.dumps(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": expires,
                "seed": self.seed,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Tokens:
        data = json.loads(text)
        expires = datetime.fromisoformat(data["expires_at"]) if data.get("expires_at") else None
        return cls(data["access_token"], data["refresh_token"], expires, data.get("seed", ""))


TOKENS_KEY = "zalo:oa_tokens"
LAST_MSG_KEY = "zalo:last_msg:"  # + user id: the msg_id replies refer to
EXPIRY_MARGIN = timedelta(minutes=5)


def _seed(refresh_token: str) -> str:
    return hashlib.sha256(f"hotro-zalo-seed:{refresh_token}".encode()).hexdigest()[:16] if refresh_token else ""


class TokenStore:
    """The OA's access and single-use refresh tokens, shared by all processes through kv_store.

    A refresh runs under an asyncio.Lock in the process and, on PostgreSQL, under
    SELECT … FOR UPDATE on the kv row, so one refresh happens at a time and the others re-read
    what it stored. Both new tokens are committed before the new access token is used.
    On SQLite (one process) the HTTP call runs outside the transaction: there BEGIN IMMEDIATE
    takes the database write lock, which would stall every turn meanwhile.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], config: ZaloConfig, http: ZaloHttp) -> None:
        self.sessions = sessions
        self.config = config
        self.http = http
        self._tokens: Tokens | None = None
        self._lock = asyncio.Lock()
        self.refreshes = 0  # refresh calls made by this process (observability, tests)

    async def access_token(self) -> str:
        if self._tokens is None:
            await self._load()
        assert self._tokens is not None
        expires = self._tokens.expires_at
        if expires is not None and datetime.now(UTC) >= expires - EXPIRY_MARGIN:
            return await self.refresh(self._tokens.access_token)
        return self._tokens.access_token

    async def stored(self) -> Tokens | None:
        async with self.sessions() as session:
            row = await keyvalues.get(session, TOKENS_KEY)
            return Tokens.from_json(row.value) if row else None

    async def _load(self) -> None:
        seed = _seed(self.config.refresh_token)
        configured = Tokens(self.config.access_token, self.config.refresh_token, None, seed)
        async with self.sessions.begin() as session:
            if self.config.refresh_token:
                # Never overwrite here: another process may already have rotated the tokens.
                await keyvalues.put_if_absent(session, TOKENS_KEY, configured.to_json(), datetime.now(UTC))
            row = await keyvalues.locked(session, TOKENS_KEY)
            if row is None:
                raise RetryLater(300, "no Zalo tokens: set HOTRO_ZALO_ACCESS_TOKEN and HOTRO_ZALO_REFRESH_TOKEN")
            tokens = Tokens.from_json(row.value)
            if seed and tokens.seed != seed:
                # The operator configured new tokens (re-authorised the OA): they replace the stored ones.
                tokens = configured
                row.value, row.version, row.updated_at = tokens.to_json(), row.version + 1, datetime.now(UTC)
        self._tokens = tokens

    async def refresh(self, stale: str) -> str:
        """A valid access token in place of `stale`: refreshed here, or by whoever did it first."""
        async with self._lock:
            if self._tokens is not None and self._tokens.access_token != stale:
                return self._tokens.access_token  # another task of this process refreshed meanwhile
            async with self.sessions.begin() as session:
                row = await keyvalues.locked(session, TOKENS_KEY)
                if row is None:
                    raise RetryLater(300, "no Zalo tokens stored")
                current = Tokens.from_json(row.value)
                if current.access_token != stale:
                    self._tokens = current  # another process refreshed: use what it stored
                    return current.access_token
                fresh: Tokens | None = None
                if keyvalues.holds_row_lock(session):  # the row lock makes the other processes wait for our result
                    fresh = await self._call_refresh(current)
                    row.value, row.version, row.updated_at = fresh.to_json(), row.version + 1, datetime.now(UTC)
            if fresh is None:
                fresh = await self._call_refresh(current)
                async with self.sessions.begin() as session:
                    await keyvalues.put(session, TOKENS_KEY, fresh.to_json(), datetime.now(UTC))
            self._tokens = fresh  # only now, after both new tokens are committed
            return fresh.access_token

    async def _call_refresh(self, current: Tokens) -> Tokens:
        if not self.config.app_id or not self.config.app_secret:
            raise RetryLater(300, "cannot refresh the Zalo token: HOTRO_ZALO_APP_ID / HOTRO_ZALO_APP_SECRET unset")
        headers, form = refresh_request(self.config.app_id, self.config.app_secret, current.refresh_token)
        self.refreshes += 1
        data = await self.http.post_form(self.config.oauth_base + REFRESH_PATH, form, headers)
        try:
            fresh = tokens_from_refresh(data, current, datetime.now(UTC))
        except RefreshFailed as exc:
            log.error("Zalo refused the refresh token; re-authorise the OA and set new tokens: %s", exc)
            raise RetryLater(300, str(exc)) from exc
        log.info("Zalo access token refreshed")
        return replace(fresh, seed=current.seed)


# =============================================================================================
# HTTP client
# =============================================================================================


class ZaloHttp:
    """aiohttp calls with Zalo's failure modes mapped to the transport's exceptions."""

    def __init__(self, timeout: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        return await self._request(url, headers, json=body)

    async def post_form(self, url: str, form: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
        return await self._request(url, headers, data=form)

    async def _request(self, url: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        try:
            async with self._client().post(url, headers=headers, **body) as resp:
                if resp.status == 429:
                    raise RateLimited(_retry_after(resp.headers.get("Retry-After")), "HTTP 429")
                if resp.status >= 500:
                    raise RetryLater(10, f"HTTP {resp.status}")
                if resp.status != 200:
                    raise PermanentFailure(f"HTTP {resp.status}: {(await resp.text())[:200]}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(5, f"network: {exc!r}") from exc
        except ValueError as exc:  # not JSON
            raise RetryLater(10, f"unreadable answer: {exc}") from exc
        if not isinstance(data, dict):
            raise RetryLater(10, "unexpected answer")
        return data


def _retry_after(value: str | None) -> float:
    try:
        return max(float(value or 30), 1.0)
    except ValueError:
        return 30.0


class ZaloClient:
    """Sends customer-service messages, refreshing the access token once when Zalo rejects it."""

    def __init__(self, config: ZaloConfig, tokens: TokenStore, http: ZaloHttp) -> None:
        self.config = config
        self.tokens = tokens
        self.http = http

    async def send_message(self, body: dict[str, Any]) -> dict[str, Any]:
        url = self.config.api_base + SEND_PATH
        token = await self.tokens.access_token()
        data = await self.http.post_json(url, body, {"access_token": token})
        if _code(data) in TOKEN_ERRORS:
            token = await self.tokens.refresh(token)
            data = await self.http.post_json(url, body, {"access_token": token})
            if _code(data) in TOKEN_ERRORS:
                raise RetryLater(60, f"access token rejected right after a refresh: {data.get('message')}")
        code = _code(data)
        if code != 0:
            raise error_for(code, str(data.get("message", "")))
        result = data.get("data")
        return result if isinstance(result, dict) else {}


def _code(data: dict[str, Any]) -> int:
    try:
        return int(data.get("error", -1))
    except (TypeError, ValueError):
        return -1


# =============================================================================================
# Transport: the reply window, then the send
# =============================================================================================


class ZaloTransport:
    """Sends outbox payloads to Zalo users, within the free-reply window.

    Zalo allows a few free replies (8) within 48 h of the user's last message. Each send first
    takes its slots with one conditional UPDATE … RETURNING (atomic across processes); outside
    the window it raises Held, so the outbox keeps the message until the user writes again.
    """

    channel = CHANNEL

    def __init__(self, sessions: async_sessionmaker[AsyncSession], config: ZaloConfig, client: ZaloClient) -> None:
        self.sessions = sessions
        self.config = config
        self.client = client

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        messages = build_messages(payload)
        reply_to = await self._take_slots(chat_id, len(messages))
        sent = 0
        try:
            for message in messages:
                try:
                    await self.client.send_message({"recipient": recipient(chat_id, reply_to), "message": message})
                except ZaloRefused as exc:
                    if exc.code != INVALID_PARAMETER or reply_to is None:
                        raise
                    # The msg_id is no longer accepted (e.g. too old): address the user instead, which
                    # Zalo may count as a proactive message, rather than lose the reply.
                    log.warning("Zalo refused the reply to msg_id of %s (%s): sending by user_id", chat_id, exc)
                    reply_to = None
                    await self.client.send_message({"recipient": recipient(chat_id, None), "message": message})
                sent += 1
        except Exception:
            # Unsent parts give their slots back. A retry resends the whole payload: a split
            # reply that failed half-way may repeat its first part (rare: replies are short).
            await self._give_back(chat_id, len(messages) - sent)
            raise

    async def _take_slots(self, chat_id: str, count: int) -> str | None:
        """Reserve `count` replies in the user's window; the msg_id to reply to, or Held."""
        cutoff = datetime.now(UTC) - self.config.window
        async with self.sessions.begin() as session:
            taken = await take_reply_slots(
                session, CHANNEL, chat_id, count, since=cutoff, most=self.config.window_max_replies
            )
            if not taken:
                raise Held(f"outside the Zalo reply window of {chat_id}")
            if not self.config.reply_by_message_id:
                return None
            row = await keyvalues.get(session, LAST_MSG_KEY + chat_id)
            return row.value if row else None

    async def _give_back(self, chat_id: str, count: int) -> None:
        if count <= 0:
            return
        try:
            async with self.sessions.begin() as session:
                await give_back_reply_slots(session, CHANNEL, chat_id, count)
        except Exception:  # the count is advisory; the send's own error matters more
            log.exception("could not give back Zalo reply slots for %s", chat_id)


# =============================================================================================
# Webhook
# =============================================================================================


@dataclass
class _Lane:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ZaloChannel:
    """The Zalo side of `hotro serve`: webhook route, background turns, the transport."""

    def __init__(self, app: HoTro, config: ZaloConfig | None = None) -> None:
        self.app = app
        self.config = config or ZaloConfig.from_settings(app.settings)
        if not self.config.oa_secret_key:
            raise ValueError("Zalo webhook needs HOTRO_ZALO_OA_SECRET_KEY")
        self.http = ZaloHttp(self.config.http_timeout)
        self.tokens = TokenStore(app.sessions, self.config, self.http)
        self.client = ZaloClient(self.config, self.tokens, self.http)
        self.transport = ZaloTransport(app.sessions, self.config, self.client)
        app.sender.transports[CHANNEL] = self.transport
        # A user_send_image event carries the image's URL in message.attachments[0].payload.url (and a
        # thumbnail), a plain HTTPS link to Zalo's photo CDN [2nd: chatwoot
        # app/services/zalo/incoming_message_service.rb; redai-zalo-sdk docs/WEBHOOK_EVENTS.md, typed
        # from Zalo's OA webhook reference, which was not available to check]. The engine fetches it
        # when a handler reads the photo (the ID card's QR code), at most the handler's size.
        app.engine.files[CHANNEL] = UrlFiles(self.config.http_timeout)
        self._tasks: set[asyncio.Task[None]] = set()
        self._lanes: dict[str, _Lane] = {}

    def routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self.webhook)]

    async def webhook(self, request: web.Request) -> web.Response:
        """Verify, acknowledge at once, handle in the background (Zalo wants an answer within ~2 s)."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return web.Response(status=401)
        body = await request.read()
        try:
            event = json.loads(body)
        except ValueError:
            return web.Response(status=403)  # unverifiable: the MAC covers fields inside the body
        if not isinstance(event, dict) or not signature_ok(signature, body, event, self.config.oa_secret_key):
            return web.Response(status=403)
        if self.config.app_id and _text_field(event.get("app_id")) != self.config.app_id:
            return web.Response(status=403)
        if not event_time_ok(event, datetime.now(UTC), self.config.event_max_skew):
            log.warning("Zalo event %s refused: its timestamp is outside ±%s", event.get("event_name"), EVENT_MAX_SKEW)
            return web.Response(status=403)
        unfollower = unfollowed_by(event)
        if unfollower:
            self._track(self._unfollowed(clean(unfollower)), f"zalo-unfollow-{unfollower}")
            return web.json_response({"error": 0})
        incoming = to_incoming(event)
        if incoming is not None:
            incoming = clean_incoming(incoming)
        if incoming is None:
            log.debug("Zalo event %s acknowledged and ignored", event.get("event_name"))
        else:
            self._spawn(incoming)
        return web.json_response({"error": 0})

    async def _unfollowed(self, user_id: str) -> None:
        """The user left the OA: like a Telegram block, no announcement goes to them until they write
        or follow again (which makes them active)."""
        try:
            async with self.app.sessions.begin() as session:
                await mark_blocked(session, CHANNEL, user_id)
        except Exception:
            log.exception("could not record that a Zalo user unfollowed")

    def _track(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)  # keep a reference until done, or the task may be collected
        task.add_done_callback(self._tasks.discard)

    def _spawn(self, incoming: Incoming) -> None:
        self._track(self._run(incoming), f"zalo-{incoming.event_id}")

    async def _run(self, incoming: Incoming) -> None:
        # One lane per user: a user's messages are handled in the order they arrived (asyncio.Lock
        # wakes waiters first-in first-out). Across processes the conversation row lock still serialises.
        lane = self._lanes.setdefault(incoming.chat_id, _Lane())
        lane.users += 1
        try:
            async with lane.lock:
                await self._handle(incoming)
        except Exception:
            log.exception("Zalo event %s could not be processed", incoming.event_id)
        finally:
            lane.users -= 1
            if lane.users == 0:
                self._lanes.pop(incoming.chat_id, None)

    async def _handle(self, incoming: Incoming) -> None:
        # Replies refer to the user's latest message so that Zalo counts them as free replies.
        if not incoming.event_id.startswith(FOLLOW_EVENT_PREFIX):  # a follow is no message to refer to
            async with self.app.sessions.begin() as session:
                await keyvalues.put(session, LAST_MSG_KEY + incoming.chat_id, incoming.event_id, datetime.now(UTC))
        await self.app.handle(incoming)

    async def drain(self) -> None:
        """Wait for the events received so far (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
        await self.http.close()


def setup_zalo(web_app: web.Application, app: HoTro, config: ZaloConfig | None = None) -> ZaloChannel:
    """Adds the webhook to `web_app` and finishes pending turns and closes HTTP on cleanup."""
    channel = ZaloChannel(app, config)
    web_app.add_routes(channel.routes())

    async def _cleanup(_web_app: web.Application) -> None:
        await channel.close()

    web_app.on_cleanup.append(_cleanup)
    return channel


__all__ = [
    "CHANNEL",
    "WEBHOOK_PATH",
    "ZaloChannel",
    "ZaloClient",
    "ZaloConfig",
    "ZaloTransport",
    "build_messages",
    "event_signature",
    "setup_zalo",
    "to_incoming",
    "zalo_configured",
]
