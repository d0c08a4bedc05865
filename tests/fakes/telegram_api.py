"""A fake Telegram Bot API server on loopback, for the real python-telegram-bot stack.

It serves getMe, getUpdates (long polling on queued updates), setWebhook/deleteWebhook,
sendMessage, answerCallbackQuery, editMessageReplyMarkup and getFile, and records every call; files
put in `files` are downloaded from /file/bot<token>/<file_path> as the Bot API serves them.
Optional rate limits answer 429 with parameters.retry_after; chats listed in `blocked` get 403
"bot was blocked by the user", users in `never_started` 403 "bot can't initiate conversation with
a user". setWebhook and sendMessage check the documented limits (see each method).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot

from bot.channels.telegram import api_requests

BOT_ID = 7000001
TOKEN = "7000001:TEST-token"


@dataclass
class Sent:
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]]
    at: float


@dataclass
class FakeTelegram:
    token: str = TOKEN
    global_rate: float | None = None  # messages per second for the whole bot
    per_chat_interval: float | None = None  # seconds between messages to one chat
    blocked: set[int] = field(default_factory=set)
    # Users who never opened a chat with the bot: Telegram answers 403 "Forbidden: bot can't initiate
    # conversation with a user" until they write to it (public reports, e.g. TelegramBotAPI/errors#2).
    never_started: set[int] = field(default_factory=set)
    retry_after: int | None = None  # every 429's retry_after (default: 1 s, or the per-chat interval)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    rejected_429: int = 0
    rejected_403: int = 0
    delay: float = 0.0  # seconds every call takes, to see how many a client has in flight
    max_in_flight: int = 0
    # Answers for the next setWebhook calls, oldest first: (HTTP status, retry_after or None).
    set_webhook_failures: list[tuple[int, int | None]] = field(default_factory=list)
    webhook: dict[str, Any] | None = None  # the registered setWebhook parameters
    # What users sent, by file_id: getFile describes them and /file/bot<token>/<file_path> serves them.
    files: dict[str, bytes] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)  # the file_paths downloaded

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._window: list[float] = []
        self._last_per_chat: dict[int, float] = defaultdict(float)
        self.runner: web.AppRunner | None = None
        self.port = 0
        self._in_flight = 0
        self._stopping = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def bot(self, connection_pool_size: int = 256) -> Bot:
        """A python-telegram-bot Bot talking to this fake: PTB's default pools (256, and 1 for getUpdates)
        with the process's one TLS context, as make_bot builds them (not a new CA bundle load per client)."""
        return Bot(
            self.token, base_url=self.base_url, base_file_url=self.base_file_url, **api_requests(connection_pool_size)
        )

    # ---- building updates -------------------------------------------------
    def user(self, user_id: int, name: str = "Lan") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "vi"}

    def text_update(self, user_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
        return {
            "update_id": update_id or next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
                "from": self.user(user_id),
                "text": text,
                **(
                    {"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
                    if text.startswith("/")
                    else {}
                ),
            },
        }

    def edited_update(self, user_id: int, text: str, message_id: int) -> dict[str, Any]:
        """A message the user edited (Update.edited_message, core.telegram.org/bots/api#update): the Message as it
        now reads, with its own message_id and `edit_date`; sent only when allowed_updates asks for it."""
        return {
            "update_id": next(self._update_ids),
            "edited_message": {
                "message_id": message_id,
                "date": int(time.time()) - 60,
                "edit_date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
                "from": self.user(user_id),
                "text": text,
            },
        }

    def photo_update(self, user_id: int, file_id: str = "photo-file-1", content: bytes | None = None) -> dict[str, Any]:
        """A photo message; with `content`, the file the bot can then fetch (getFile + download)."""
        if content is not None:
            self.files[file_id] = content
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": self.user(user_id),
                "photo": [{"file_id": file_id, "file_unique_id": file_id + "-u", "width": 90, "height": 90}],
            },
        }

    def message_update(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        """A private message with any Message content (core.telegram.org/bots/api#message)."""
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": self.user(user_id),
                **content,
            },
        }

    def callback_update(self, user_id: int, data: str) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cq{next(self._message_ids)}",
                "from": self.user(user_id),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private"},
                    "text": "…",
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "HoTro"},
                },
            },
        }

    # Groups and channels, as the Bot API documents them (core.telegram.org/bots/api#chat: "type" is
    # "private", "group", "supergroup" or "channel"; groups and channels have negative ids and a title;
    # #update: a channel's posts arrive as "channel_post", whose "from" is absent and "sender_chat" the
    # channel; core.telegram.org/bots/features#commands: in groups, "/command@bot_username").
    def group_text_update(self, chat_id: int, user_id: int, text: str, chat_type: str = "group") -> dict[str, Any]:
        update = self.text_update(user_id, text)
        update["message"]["chat"] = {"id": chat_id, "type": chat_type, "title": "Tổ dân phố 3"}
        return update

    def group_callback_update(self, chat_id: int, user_id: int, data: str) -> dict[str, Any]:
        update = self.callback_update(user_id, data)
        update["callback_query"]["message"]["chat"] = {"id": chat_id, "type": "supergroup", "title": "Tổ dân phố 3"}
        return update

    def channel_post_update(self, chat_id: int, text: str) -> dict[str, Any]:
        channel = {"id": chat_id, "type": "channel", "title": "Tin tức phường"}
        post = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": channel, "text": text}
        return {"update_id": next(self._update_ids), "channel_post": {**post, "sender_chat": channel}}

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        self.opened(update)
        self.updates.append(update)
        self._new_update.set()
        return update

    def opened(self, update: dict[str, Any]) -> None:
        """A user who writes to the bot has opened the chat: from now on the bot may message them."""
        sender = (update.get("message") or update.get("edited_message") or update.get("callback_query") or {}).get(
            "from"
        ) or {}
        self.never_started.discard(sender.get("id"))

    def deliveries(self, text_part: str = "") -> Counter[int]:
        """How many accepted messages (containing text_part) each chat got: duplicates show as counts > 1."""
        return Counter(s.chat_id for s in self.sent if text_part in s.text)

    def texts_to(self, chat_id: int) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id]

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 10) -> list[Sent]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = [s for s in self.sent if s.chat_id == chat_id]
            if len(got) >= count:
                return got
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} messages to {chat_id}, got {self.texts_to(chat_id)}")

    # ---- server ---------------------------------------------------------------
    async def start(self) -> FakeTelegram:
        return await self._start_on(0)

    async def _start_on(self, port: int) -> FakeTelegram:
        """Listen on `port` (0: any free one), e.g. a port a client already tried while nothing listened."""
        self._stopping = False
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        # A long poll the client gave up on (PTB cancels it when it stops) still holds its handler here,
        # and aiohttp's cleanup waits for the handlers: end them now, as an empty answer.
        self._stopping = True
        self._new_update.set()
        if self.runner is not None:
            await self.runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        data = await request.post()
        import json

        out: dict[str, Any] = {}
        for key, value in data.items():
            text = value if isinstance(value, str) else ""
            try:
                out[key] = json.loads(text)
            except ValueError:
                out[key] = text
        return out

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if self.delay:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            await asyncio.sleep(self.delay)
            self._in_flight -= 1
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        return await handler(params)

    @staticmethod
    def ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    async def _m_getme(self, params: dict[str, Any]) -> web.Response:
        return self.ok(
            {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "HoTro",
                "username": "HoTroTestBot",
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def _m_getupdates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout and not self._stopping:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return self.ok([u for u in self.updates if u["update_id"] >= offset])

    def _limited(self, chat_id: int) -> float | None:
        now = time.monotonic()
        if self.global_rate:
            self._window = [t for t in self._window if now - t < 1.0]
            if len(self._window) >= self.global_rate:
                return 1.0
        if self.per_chat_interval and now - self._last_per_chat[chat_id] < self.per_chat_interval:
            return self.per_chat_interval
        self._window.append(now)
        self._last_per_chat[chat_id] = now
        return None

    async def _m_sendmessage(self, params: dict[str, Any]) -> web.Response:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            self.rejected_403 += 1
            return self.error(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.never_started:
            self.rejected_403 += 1
            return self.error(403, "Forbidden: bot can't initiate conversation with a user")
        retry = self._limited(chat_id)
        if retry is not None:
            self.rejected_429 += 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry later",
                    "parameters": {"retry_after": self.retry_after or max(1, int(retry))},
                },
                status=429,
            )
        markup = params.get("reply_markup") or {}
        buttons = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        # sendMessage: "Text of the message to be sent, 1-4096 characters"; InlineKeyboardButton.callback_data:
        # "1-64 bytes" (core.telegram.org/bots/api#sendmessage, #inlinekeyboardbutton).
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return self.error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return self.error(400, "Bad Request: message is too long")
        for row in buttons:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    return self.error(400, "Bad Request: BUTTON_DATA_INVALID")
        self.sent.append(Sent(chat_id, params["text"], buttons, time.monotonic()))
        return self.ok(
            {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params["text"],
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "HoTro"},
            }
        )

    @staticmethod
    def error(code: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=code)

    async def _m_setwebhook(self, params: dict[str, Any]) -> web.Response:
        """The rules of core.telegram.org/bots/api#setwebhook: an HTTPS URL; "Ports currently supported
        for webhooks: 443, 80, 88, 8443"; secret_token "1-256 characters. Only characters A-Z, a-z, 0-9,
        _ and - are allowed". The descriptions are those the Bot API answers (as quoted in public bug
        reports, e.g. tdlib/telegram-bot-api#665 for the HTTPS one)."""
        if self.set_webhook_failures:
            status, retry_after = self.set_webhook_failures.pop(0)
            descriptions = {429: f"Too Many Requests: retry after {retry_after}", 502: "Bad Gateway"}
            return self.error(status, descriptions.get(status, "Internal Server Error"), retry_after)
        url = str(params.get("url", ""))
        secret = params.get("secret_token")
        parts = urlsplit(url)
        if url and parts.scheme != "https":
            return self.error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if url and (parts.port or 443) not in {80, 88, 443, 8443}:
            return self.error(400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            return self.error(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = params
        return self.ok(True)

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> web.Response:
        return self.ok(True)

    # https://core.telegram.org/bots/api#getfile: "Use this method to get basic information about a file and
    # prepare it for downloading. For the moment, bots can download files of up to 20MB in size. On
    # success, a File object is returned. The file can then be downloaded via the link
    # https://api.telegram.org/file/bot<token>/<file_path> [...] It is guaranteed that the link will be
    # valid for at least 1 hour." https://core.telegram.org/bots/api#file: file_id, file_unique_id,
    # file_size (optional), file_path (optional). The error descriptions are those the Bot API answers,
    # as public bug reports quote them.
    MAX_DOWNLOAD = 20 * 1024 * 1024

    async def _m_getfile(self, params: dict[str, Any]) -> web.Response:
        file_id = str(params.get("file_id", ""))
        content = self.files.get(file_id)
        if content is None and file_id.startswith("photo-file"):  # photos sent without content: 3 bytes
            content = b"\xff\xd8\xff"
        if content is None:
            return self.error(400, "Bad Request: invalid file_id")
        if len(content) > self.MAX_DOWNLOAD:
            return self.error(400, "Bad Request: file is too big")
        return self.ok(
            {
                "file_id": file_id,
                "file_unique_id": file_id + "-u",
                "file_size": len(content),
                "file_path": f"photos/{file_id}.jpg",
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: the file's bytes (core.telegram.org/bots/api#getfile)."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_path = request.match_info["file_path"]
        name = file_path.removeprefix("photos/").removesuffix(".jpg")
        content = self.files.get(name)
        if content is None:
            return web.Response(status=404)
        self.downloads.append(file_path)
        self.calls.append(("download", {"file_path": file_path}))
        return web.Response(body=content, content_type="image/jpeg")
