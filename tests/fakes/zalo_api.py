"""A fake Zalo API on loopback: OA customer-service messages, the OAuth v4 token refresh, and
signed webhook events built the way Zalo builds them, and the images users sent (the URL of a
user_send_image event, which the bot downloads like any URL).

Like Zalo, errors come back as HTTP 200 with {"error": <negative>, "message": ...}. The fake
validates access tokens (-216 when unknown or expired), makes refresh tokens single-use, checks
the limits of text and buttons, resolves a reply's recipient.message_id to the user who sent that
message, and records every call. Its MAC is computed here independently of the module under test.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = "4301337000000000001"
APP_SECRET = "test-app-secret"
OA_SECRET_KEY = "test-oa-secret-key"
OA_ID = "2811888000000000002"


# Error codes in the body of an HTTP 200, as public compilations of developers.zalo.me's table give them
# (none of them checked against the live API): -216 access token invalid (chatwoot
# lib/integrations/zalo), -213 the user does not follow the OA / no interaction within 48 h, -230 no
# interaction within 7 days (khoicodedao/Poto_platform docs/FIX_ERROR_230.md: "Zalo returns -230 for
# the 7-day rule"), -201 an invalid parameter, also an unknown or no longer accepted recipient.
TOKEN_INVALID = -216
NOT_FOLLOWING = -213
NO_INTERACTION_7_DAYS = -230
INVALID_PARAMETER = -201


@dataclass
class ZaloSent:
    user_id: str
    text: str
    buttons: list[dict[str, Any]]
    recipient: dict[str, str]
    access_token: str
    at: float


@dataclass
class FakeZalo:
    app_id: str = APP_ID
    app_secret: str = APP_SECRET
    oa_secret_key: str = OA_SECRET_KEY
    access_tokens: set[str] = field(default_factory=lambda: {"AT-1"})
    refresh_tokens: set[str] = field(default_factory=lambda: {"RT-1"})
    # Errors to answer the next sends with (HTTP 200, error in the body), oldest first.
    send_errors: list[dict[str, Any]] = field(default_factory=list)
    refresh_delay: float = 0.0
    # While set to an unset Event, sends are not answered until it is set: a slow Zalo, for exactly as
    # long as a test needs (e.g. to see the webhook answer first), not for a fixed time.
    send_hold: asyncio.Event | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[ZaloSent] = field(default_factory=list)
    refreshes: int = 0
    message_ids_expired: bool = False
    unfollowed: set[str] = field(default_factory=set)  # users who unfollowed the OA: sends answer -213
    images: dict[str, bytes] = field(default_factory=dict)  # served at /img/<name>, like Zalo's photo CDN

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._msg_owner: dict[str, str] = {}
        self.runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- webhook events -------------------------------------------------------------------
    def text_event(self, user_id: str, text: str, msg_id: str | None = None) -> dict[str, Any]:
        msg_id = msg_id or f"msg{next(self._ids):08d}"
        self._msg_owner[msg_id] = user_id
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"app-{user_id}",
            "event_name": "user_send_text",
            "timestamp": str(int(time.time() * 1000)),
            "sender": {"id": user_id},
            "recipient": {"id": OA_ID},
            "message": {"text": text, "msg_id": msg_id},
        }

    def message_event(
        self, event_name: str, user_id: str, attachment: dict[str, Any], text: str | None = None
    ) -> dict[str, Any]:
        """A user's non-text message: message.attachments = [{"type", "payload"}] with an optional caption
        in message.text (shapes as handled by chatwoot's app/services/zalo/incoming_message_service.rb)."""
        event = self.text_event(user_id, text or "")
        if text is None:
            del event["message"]["text"]
        event["event_name"] = event_name
        event["message"]["attachments"] = [attachment]
        return event

    def image_event(
        self, user_id: str, url: str = "https://photo-stal.zdn.vn/a/b.jpg", caption: str | None = None
    ) -> dict[str, Any]:
        return self.message_event(
            "user_send_image", user_id, {"type": "image", "payload": {"url": url, "thumbnail": url}}, caption
        )

    def image_url(self, name: str, content: bytes) -> str:
        """A URL for an image a user sends (user_send_image's payload.url), served by this fake."""
        self.images[name] = content
        return f"{self.base_url}/img/{name}"

    async def _image(self, request: web.Request) -> web.Response:
        content = self.images.get(request.match_info["name"])
        return web.Response(status=404) if content is None else web.Response(body=content, content_type="image/jpeg")

    def file_event(self, user_id: str, name: str = "giay-phep.pdf") -> dict[str, Any]:
        payload = {"url": f"https://f.zdn.vn/{name}", "name": name, "size": "52133", "type": "pdf", "checksum": "c"}
        return self.message_event("user_send_file", user_id, {"type": "file", "payload": payload})

    def follow_event(self, user_id: str) -> dict[str, Any]:
        """{"event_name": "follow", "follower": {"id"}, …}: no sender, no message (public integrations)."""
        return {
            "app_id": self.app_id,
            "oa_id": OA_ID,
            "event_name": "follow",
            "source": "oa_profile",
            "timestamp": str(int(time.time() * 1000)),
            "follower": {"id": user_id},
            "user_id_by_app": f"app-{user_id}",
        }

    def unfollow_event(self, user_id: str) -> dict[str, Any]:
        """The same shape as follow, with event_name "unfollow"; the user stops following the OA."""
        self.unfollowed.add(user_id)
        return {**self.follow_event(user_id), "event_name": "unfollow"}

    def expire_message_ids(self) -> None:
        """From now on a reply addressed by message_id gets -201 (the id is no longer accepted)."""
        self.message_ids_expired = True

    def other_event(self, event_name: str, user_id: str) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "event_name": event_name,
            "timestamp": str(int(time.time() * 1000)),
            "sender": {"id": user_id},
            "recipient": {"id": OA_ID},
            "message": {"msg_id": f"msg{next(self._ids):08d}", "attachments": [{"type": "sticker"}]},
        }

    def signed(self, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers Zalo would POST: mac = sha256(app_id + body + timestamp + OA secret)."""
        try:
            body = json.dumps(event, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate can only travel as a JSON \u escape
            body = json.dumps(event).encode()
        raw = event["app_id"].encode() + body + event["timestamp"].encode() + self.oa_secret_key.encode()
        return body, {
            "X-ZEvent-Signature": "mac=" + hashlib.sha256(raw).hexdigest(),
            "Content-Type": "application/json",
        }

    # ---- controls and inspection --------------------------------------------------------
    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def fail_next_send(self, code: int, message: str) -> None:
        self.send_errors.append({"error": code, "message": message})

    def to(self, user_id: str) -> list[ZaloSent]:
        return [s for s in self.sent if s.user_id == user_id]

    def texts_to(self, user_id: str) -> list[str]:
        return [s.text for s in self.to(user_id)]

    # ---- server ---------------------------------------------------------------------------
    async def start(self) -> FakeZalo:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        app.router.add_get("/img/{name}", self._image)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    @staticmethod
    def _error(code: int, message: str) -> web.Response:
        return web.json_response({"error": code, "message": message})  # HTTP 200, like Zalo

    async def _send(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        body = await request.json()
        self.calls.append(("message/cs", {"access_token": token, **body}))
        if self.send_hold is not None:
            await self.send_hold.wait()
        if token not in self.access_tokens:
            return self._error(TOKEN_INVALID, "Access token is invalid")
        if self.send_errors:
            error = self.send_errors.pop(0)
            return self._error(error["error"], error["message"])
        recipient = body.get("recipient") or {}
        if recipient.get("message_id") and self.message_ids_expired:
            return self._error(INVALID_PARAMETER, "message_id is invalid")
        user_id = recipient.get("user_id") or self._msg_owner.get(recipient.get("message_id", ""))
        if not user_id:
            return self._error(INVALID_PARAMETER, "recipient is invalid!")
        if user_id in self.unfollowed:
            return self._error(NOT_FOLLOWING, "User has not followed OA")
        message = body.get("message") or {}
        text = message.get("text")
        if not isinstance(text, str) or not text or len(text) > 2000:
            return self._error(-201, "text is invalid!")
        buttons: list[dict[str, Any]] = []
        if "attachment" in message:
            attachment = message["attachment"]
            buttons = attachment.get("payload", {}).get("buttons", [])
            if attachment.get("type") != "template" or not 1 <= len(buttons) <= 5:
                return self._error(-201, "attachment is invalid!")
            for button in buttons:
                if button.get("type") not in {"oa.query.show", "oa.query.hide"} or not button.get("title"):
                    return self._error(-201, "button is invalid!")
                if len(button["title"]) > 100 or len(str(button.get("payload", ""))) > 1000:
                    return self._error(-210, "Parameter exceeds allowable limit")
        self.sent.append(ZaloSent(user_id, text, buttons, recipient, token, time.monotonic()))
        return web.json_response(
            {"error": 0, "message": "Success", "data": {"message_id": f"oa{next(self._ids)}", "user_id": user_id}}
        )

    async def _refresh(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.calls.append(("access_token", {"secret_key": request.headers.get("secret_key", ""), **form}))
        if self.refresh_delay:
            await asyncio.sleep(self.refresh_delay)
        if request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return web.json_response({"error": -14002, "error_name": "Invalid app", "error_description": "bad app"})
        token = str(form.get("refresh_token", ""))
        if form.get("grant_type") != "refresh_token" or token not in self.refresh_tokens:
            return web.json_response(
                {
                    "error": -14014,
                    "error_name": "Invalid refresh token",
                    "error_description": "Refresh token is invalid",
                }
            )
        self.refreshes += 1
        self.refresh_tokens.discard(token)  # single use
        n = next(self._ids)
        access, refresh = f"AT-r{n}", f"RT-r{n}"
        self.access_tokens = {access}  # the previous access token stops working
        self.refresh_tokens.add(refresh)
        return web.json_response({"access_token": access, "refresh_token": refresh, "expires_in": "90000"})
