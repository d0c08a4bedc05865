"""The Zalo OA channel: signed webhook events in, customer-service messages out, against a fake Zalo API."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select, update

from bot.app import HoTro
from bot.channels.zalo import (
    ACTION_MARKER,
    CHANNEL,
    TOKENS_KEY,
    WEBHOOK_PATH,
    TokenStore,
    ZaloChannel,
    ZaloClient,
    ZaloConfig,
    ZaloHttp,
    build_messages,
    event_signature,
    numbered_hint,
    setup_zalo,
    to_incoming,
)
from bot.transport import Held
from storage import outbox
from storage.models import Application, ChannelUser, KeyValue, OutboxMessage, ProcessedEvent
from tests.fakes.zalo_api import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZalo, ZaloSent

ON_POSTGRES = bool(os.environ.get("HOTRO_TEST_DATABASE_URL"))


def zalo_config(fake: FakeZalo, **changes: Any) -> ZaloConfig:
    values: dict[str, Any] = {
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "oa_secret_key": OA_SECRET_KEY,
        "access_token": "AT-1",
        "refresh_token": "RT-1",
        "api_base": fake.base_url,
        "oauth_base": fake.base_url,
        "http_timeout": 5.0,
    }
    return ZaloConfig(**{**values, **changes})


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    fake = await FakeZalo().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def zalo(app: HoTro, fake_zalo: FakeZalo) -> AsyncIterator[tuple[TestClient, ZaloChannel]]:
    web_app = web.Application()
    channel = setup_zalo(web_app, app, zalo_config(fake_zalo))
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    yield client, channel
    await client.close()  # runs on_cleanup: pending turns finish, the HTTP session closes


class ZaloUser:
    """A citizen writing to the OA: events are signed like Zalo's and handled before returning."""

    def __init__(self, zalo: tuple[TestClient, ZaloChannel], fake: FakeZalo, user_id: str) -> None:
        self.client, self.channel = zalo
        self.fake = fake
        self.user_id = user_id

    async def post(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        body, signed_headers = self.fake.signed(event)
        response = await self.client.post(WEBHOOK_PATH, data=body, headers=headers or signed_headers)
        await self.channel.drain()
        return response.status

    async def post_and_read(self, event: dict[str, Any]) -> list[ZaloSent]:
        """Post any event of this user; the replies it got."""
        before = len(self.fake.to(self.user_id))
        assert await self.post(event) == 200
        return self.fake.to(self.user_id)[before:]

    async def say(self, text: str) -> list[ZaloSent]:
        before = len(self.fake.to(self.user_id))
        assert await self.post(self.fake.text_event(self.user_id, text)) == 200
        return self.fake.to(self.user_id)[before:]

    def choices(self) -> list[tuple[str, str]]:
        """(label, what pressing it sends) of the latest buttons or numbered list."""
        for sent in reversed(self.fake.to(self.user_id)):
            if sent.buttons:
                return [(b["title"], b["payload"]) for b in sent.buttons]
            if numbered_hint() in sent.text:
                return [(m[2], f"#{m[1]}") for m in re.finditer(r"^(\d+)\. (.+)$", sent.text, re.MULTILINE)]
        return []

    async def press(self, label_part: str) -> list[ZaloSent]:
        for label, payload in self.choices():
            if label_part.casefold() in label.casefold():
                return await self.say(payload)  # Zalo sends an oa.query.* payload back as the user's text
        raise AssertionError(f"no choice {label_part!r} in {[label for label, _ in self.choices()]}")

    @property
    def last_text(self) -> str:
        return self.fake.texts_to(self.user_id)[-1]


def joined(sent: list[ZaloSent]) -> str:
    return "\n".join(s.text for s in sent)


async def test_citizen_journey_through_the_zalo_webhook(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5550001")
    sent = await lan.say("/start")
    menu = sent[-1]
    # Six entries since issue 17 added "Phản ánh, kiến nghị": more than Zalo's 5 buttons, so a numbered list.
    assert not menu.buttons and numbered_hint() in menu.text and "5. 📣 Phản ánh, kiến nghị" in menu.text

    listing = await lan.press("Tìm hiểu chính sách")
    assert not listing[-1].buttons and "Hỗ trợ hộ kinh doanh" in listing[-1].text  # 13 choices: a numbered list
    assert numbered_hint() in listing[-1].text
    await lan.press("Hỗ trợ hộ kinh doanh")  # typed as "#10"
    assert "3.000.000" in joined(await lan.press("Mức hỗ trợ"))
    answer = joined(await lan.say("quan pho nha toi phai dong cua 20 ngay thi duoc ho tro bao nhieu"))
    # Issue 12: the days in the question decide, so the answer is computed (was: the amount section).
    assert answer.startswith("Có. Hỗ trợ hộ kinh doanh: 3.000.000") and "20 ngày liên tục" in answer

    consent = (await lan.press("Đăng ký ngay"))[-1]
    assert consent.buttons and all(b["type"] == "oa.query.hide" for b in consent.buttons)
    assert all(b["payload"].startswith(ACTION_MARKER) for b in consent.buttons)
    await lan.press("Tôi đồng ý")
    await lan.press("Bán hàng rong")
    for text in ["Vũ Thị Lan", "3/4/1975", "001175012345", "0912345678"]:
        await lan.say(text)
    await lan.press("Bỏ qua")
    for text in ["bán bánh mì", "lạng sơn"]:
        await lan.say(text)
    await lan.press("Huyện Hữu Lũng")
    for text in ["Nhật Tiến", "chợ Hữu Lũng", "5/8/2021", "25/8/2021", "Chỉ thị 16"]:
        await lan.say(text)
    await lan.press("Nhận tiền mặt")
    summary = joined(await lan.press("Bỏ qua"))
    assert "Vũ Thị Lan" in summary and "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn" in summary
    assert "Mã hồ sơ" in joined(await lan.press("Xác nhận"))

    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
        user = (await session.execute(select(ChannelUser).where(ChannelUser.channel == CHANNEL))).scalar_one()
    assert application.channel == CHANNEL and application.chat_id == "5550001"
    assert user.window_replies <= 8
    # Every reply referred to the citizen's latest message, so Zalo counts it as a free reply.
    assert all(s.recipient.get("message_id") for s in fake_zalo.sent)
    assert all(len(s.text) <= 2000 for s in fake_zalo.sent)


async def test_the_webhook_answers_before_the_turn_is_done(
    fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    client, channel = zalo
    # Zalo wants an answer within ~2 s whatever the turn costs: here the turn's sends stay unanswered
    # until the webhook has answered (a webhook that waited for the turn would not answer in time).
    fake_zalo.send_hold = hold = asyncio.Event()
    body, headers = fake_zalo.signed(fake_zalo.text_event("5550002", "/start"))
    started = time.monotonic()
    try:
        response = await asyncio.wait_for(client.post(WEBHOOK_PATH, data=body, headers=headers), 2)
        assert response.status == 200 and time.monotonic() - started < 0.4
        assert not fake_zalo.sent
    finally:
        hold.set()
    await channel.drain()
    assert fake_zalo.texts_to("5550002")


async def test_bad_or_missing_signatures_are_rejected_and_nothing_is_processed(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    mallory = ZaloUser(zalo, fake_zalo, "6660001")
    event = fake_zalo.text_event("6660001", "/start")
    body, headers = fake_zalo.signed(event)
    assert await mallory.post(event, {"Content-Type": "application/json"}) == 401
    assert await mallory.post(event, {**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}) == 403
    wrong_key = hashlib.sha256(APP_ID.encode() + body + event["timestamp"].encode() + b"guess").hexdigest()
    assert await mallory.post(event, {**headers, "X-ZEvent-Signature": "mac=" + wrong_key}) == 403
    tampered = {**event, "message": {**event["message"], "text": "/huy"}}
    assert await mallory.post(tampered, headers) == 403  # the MAC of another body
    other_app = {**event, "app_id": "999"}
    other_body, other_headers = fake_zalo.signed(other_app)
    assert await mallory.post(other_app, other_headers) == 403  # signed right, but for another app
    client, _channel = zalo
    response = await client.post(WEBHOOK_PATH, data=b"not json", headers={"X-ZEvent-Signature": "mac=x"})
    assert response.status == 403
    assert other_body != body and fake_zalo.sent == []
    async with app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(ChannelUser))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(ProcessedEvent))).scalar_one() == 0


async def test_unsupported_events_are_acknowledged_and_ignored(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    user = ZaloUser(zalo, fake_zalo, "5550003")
    for name in ["user_seen_message", "user_received_message", "oa_send_text", "unfollow"]:
        assert await user.post(fake_zalo.other_event(name, "5550003")) == 200
    assert fake_zalo.sent == []
    async with app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(ProcessedEvent))).scalar_one() == 0


async def test_a_redelivered_event_is_handled_once(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    user = ZaloUser(zalo, fake_zalo, "5550004")
    event = fake_zalo.text_event("5550004", "/start", msg_id="dup-msg-1")
    assert await user.post(event) == 200
    first = len(fake_zalo.sent)
    assert first >= 1
    assert await user.post(event) == 200  # Zalo redelivers with the same msg_id
    client, channel = zalo
    body, headers = fake_zalo.signed(event)
    await asyncio.gather(*(client.post(WEBHOOK_PATH, data=body, headers=headers) for _ in range(3)))
    await channel.drain()
    assert len(fake_zalo.sent) == first
    async with app.sessions() as session:
        events = (await session.execute(select(ProcessedEvent.event_id))).scalars().all()
    assert events == ["dup-msg-1"]


async def test_an_expired_access_token_is_refreshed_once_and_the_refresh_token_rotated(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    _client, channel = zalo
    fake_zalo.expire_access_tokens()  # the configured AT-1 is no longer accepted
    user = ZaloUser(zalo, fake_zalo, "5550005")
    sent = await user.say("/start")
    assert sent and fake_zalo.refreshes == 1 and channel.tokens.refreshes == 1
    refresh_call = next(params for name, params in fake_zalo.calls if name == "access_token")
    assert refresh_call == {
        "secret_key": APP_SECRET,
        "app_id": APP_ID,
        "grant_type": "refresh_token",
        "refresh_token": "RT-1",
    }
    stored = await channel.tokens.stored()
    assert stored is not None and stored.refresh_token in fake_zalo.refresh_tokens and stored.refresh_token != "RT-1"
    assert stored.access_token in fake_zalo.access_tokens and stored.expires_at is not None
    assert "RT-1" not in fake_zalo.refresh_tokens  # single use: the stored one is the only valid one now
    assert all(s.access_token == stored.access_token for s in sent)

    await user.say("/menu")  # the new token is used as is
    assert fake_zalo.refreshes == 1
    async with app.sessions() as session:
        row = await session.get(KeyValue, TOKENS_KEY)
    assert row is not None and row.version == 2


async def test_a_token_refreshed_by_another_process_is_reused(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    _client, channel = zalo
    config = zalo_config(fake_zalo)
    other_http = ZaloHttp(5.0)
    other = ZaloClient(config, TokenStore(app.sessions, config, other_http), other_http)  # a second process
    try:
        body = {"recipient": {"user_id": "5550006"}, "message": {"text": "xin chào"}}
        await channel.client.send_message(body)
        await other.send_message(body)  # both hold AT-1 now
        fake_zalo.expire_access_tokens()
        await channel.client.send_message(body)  # refreshes
        await other.send_message(body)  # AT-1 rejected: re-reads the stored tokens instead of refreshing
        assert fake_zalo.refreshes == 1 and other.tokens.refreshes == 0
        assert len(fake_zalo.texts_to("5550006")) == 4
    finally:
        await other_http.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="several processes share tokens only on PostgreSQL (row lock)")
async def test_concurrent_refreshes_in_several_processes_use_the_refresh_token_once(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    _client, channel = zalo
    config = zalo_config(fake_zalo)
    clients = [channel.client]
    https = [ZaloHttp(5.0) for _ in range(2)]
    clients += [ZaloClient(config, TokenStore(app.sessions, config, http), http) for http in https]
    try:
        body = {"recipient": {"user_id": "5550007"}, "message": {"text": "xin chào"}}
        for client in clients:
            await client.tokens.access_token()
        fake_zalo.expire_access_tokens()
        fake_zalo.refresh_delay = 0.2  # all of them hit -216 while the first refresh is in flight
        await asyncio.gather(*(client.send_message(body) for client in clients for _ in range(3)))
        assert fake_zalo.refreshes == 1 and len(fake_zalo.texts_to("5550007")) == 9
    finally:
        for http in https:
            await http.close()


async def test_concurrent_sends_in_one_process_refresh_once(
    fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    _client, channel = zalo
    await channel.tokens.access_token()
    fake_zalo.expire_access_tokens()
    fake_zalo.refresh_delay = 0.1
    body = {"recipient": {"user_id": "5550008"}, "message": {"text": "xin chào"}}
    await asyncio.gather(*(channel.client.send_message(body) for _ in range(5)))
    assert fake_zalo.refreshes == 1 and len(fake_zalo.texts_to("5550008")) == 5


async def test_a_refused_refresh_token_keeps_the_message_for_later(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    fake_zalo.expire_access_tokens()
    fake_zalo.refresh_tokens.clear()  # e.g. the refresh token expired after 3 months
    user = ZaloUser(zalo, fake_zalo, "5550009")
    assert await user.say("/start") == []
    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert rows and all(r.status == "queued" for r in rows) and "refresh" in (rows[0].error or "")


async def _enqueue(app: HoTro, chat_id: str, text: str) -> int:
    async with app.sessions.begin() as session:
        payload = {"text": text, "buttons": []}
        row = await outbox.enqueue(session, CHANNEL, chat_id, payload, datetime.now(UTC), app.protector)
        await session.flush()
        return row.id


async def _status(app: HoTro, row_id: int) -> OutboxMessage:
    async with app.sessions() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        return row


async def _window_replies(app: HoTro, chat_id: str) -> int:
    async with app.sessions() as session:
        stmt = select(ChannelUser.window_replies).where(ChannelUser.channel == CHANNEL, ChannelUser.chat_id == chat_id)
        return int((await session.execute(stmt)).scalar_one())


async def test_a_notice_outside_the_48_hour_window_waits_until_the_user_writes(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    user = ZaloUser(zalo, fake_zalo, "5550010")
    await user.say("/start")
    async with app.sessions.begin() as session:
        await session.execute(
            update(ChannelUser)
            .where(ChannelUser.chat_id == "5550010")
            .values(last_inbound_at=datetime.now(UTC) - timedelta(hours=49), window_replies=0)
        )
    before = len(fake_zalo.sent)
    notice = await _enqueue(app, "5550010", "Hồ sơ HK-7QX4-M9PR đã được phê duyệt.")
    await app.sender.deliver()
    assert (await _status(app, notice)).status == "held" and len(fake_zalo.sent) == before

    sent = await user.say("/menu")
    assert sent[0].text == "Hồ sơ HK-7QX4-M9PR đã được phê duyệt."  # released first, then the reply
    assert len(sent) >= 2 and (await _status(app, notice)).status == "sent"


async def test_the_ninth_reply_in_the_window_is_held(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    user = ZaloUser(zalo, fake_zalo, "5550011")
    await user.say("/start")
    used = await _window_replies(app, "5550011")
    assert 1 <= used < 8
    ids = [await _enqueue(app, "5550011", f"Thông báo {n}") for n in range(9 - used)]
    await app.sender.deliver()
    statuses = [(await _status(app, row_id)).status for row_id in ids]
    assert statuses == ["sent"] * (8 - used) + ["held"]
    assert await _window_replies(app, "5550011") == 8

    sent = await user.say("Trợ giúp")  # writing again opens a new window
    assert sent[0].text == "Thông báo " + str(8 - used)
    assert (await _status(app, ids[-1])).status == "sent"


async def test_a_reply_window_slot_is_taken_atomically(app: HoTro, zalo: tuple[TestClient, ZaloChannel]) -> None:
    _client, channel = zalo
    async with app.sessions.begin() as session:
        session.add(
            ChannelUser(channel=CHANNEL, user_id="5550012", chat_id="5550012", last_inbound_at=datetime.now(UTC))
        )
    results = await asyncio.gather(
        *(channel.transport._take_slots("5550012", 1) for _ in range(12)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, Held)) == 4
    assert await _window_replies(app, "5550012") == 8


@pytest.mark.parametrize(
    ("code", "message", "status", "user_status"),
    [
        (-32, "Your OA reached limit call api", "queued", "active"),
        (-200, "Send message failed", "queued", "active"),
        (-201, "message is invalid!", "sent", "active"),  # sent again by user_id, and accepted
        (-210, "Parameter exceeds allowable limit", "failed", "active"),
        (-227, "User is banned or has been inactive for more than 45 days", "failed", "blocked"),
        (-230, "User has not interacted with the OA in the past 7 days", "held", "active"),
    ],
)
async def test_errors_in_the_body_of_an_http_200(
    app: HoTro,
    fake_zalo: FakeZalo,
    zalo: tuple[TestClient, ZaloChannel],
    code: int,
    message: str,
    status: str,
    user_status: str,
) -> None:
    user = ZaloUser(zalo, fake_zalo, "5550013")
    await user.say("/start")
    used = await _window_replies(app, "5550013")
    row_id = await _enqueue(app, "5550013", "Thông báo")
    fake_zalo.fail_next_send(code, message)
    await app.sender.deliver()
    row = await _status(app, row_id)
    assert row.status == status
    assert status in ("held", "sent") or user_status == "blocked" or str(code) in (row.error or "")
    # An unsent message gave its slot back; a sent one keeps it.
    assert await _window_replies(app, "5550013") == used + (status == "sent")
    async with app.sessions() as session:
        stmt = select(ChannelUser.status).where(ChannelUser.chat_id == "5550013")
        assert (await session.execute(stmt)).scalar_one() == user_status


def test_buttons_become_a_template_or_a_numbered_list() -> None:
    two = {
        "text": "Bạn có đồng ý không?",
        "buttons": [[{"label": "Có", "action": "yes"}, {"label": "Không", "action": "no"}]],
    }
    [message] = build_messages(two)
    assert message["text"] == "Bạn có đồng ý không?"
    assert message["attachment"] == {
        "type": "template",
        "payload": {
            "buttons": [
                {"title": "Có", "type": "oa.query.hide", "payload": ACTION_MARKER + "yes"},
                {"title": "Không", "type": "oa.query.hide", "payload": ACTION_MARKER + "no"},
            ]
        },
    }
    six = {"text": "Chọn tỉnh:", "buttons": [[{"label": f"Tỉnh {n}", "action": f"p:{n}"}] for n in range(1, 7)]}
    [message] = build_messages(six)
    assert "attachment" not in message
    assert "\n1. Tỉnh 1\n" in message["text"] and "\n6. Tỉnh 6\n" in message["text"]
    assert message["text"].endswith(numbered_hint())
    long_label = {"text": "x", "buttons": [[{"label": "L" * 101, "action": "a"}]]}
    assert "attachment" not in build_messages(long_label)[0]


def test_long_text_is_split_and_buttons_go_on_the_last_part() -> None:
    paragraph = "Điều kiện hỗ trợ hộ kinh doanh. " * 30
    payload = {"text": "\n\n".join([paragraph] * 4), "buttons": [[{"label": "Tiếp", "action": "next"}]]}
    messages = build_messages(payload)
    assert len(messages) >= 2 and all(len(m["text"]) <= 2000 for m in messages)
    assert "attachment" in messages[-1] and all("attachment" not in m for m in messages[:-1])
    assert "".join(m["text"] for m in messages).replace(" ", "").replace("\n", "") == payload["text"].replace(
        " ", ""
    ).replace("\n", "")


def test_events_map_to_text_or_button_actions() -> None:
    event = {
        "app_id": APP_ID,
        "event_name": "user_send_text",
        "timestamp": "1630000000000",
        "sender": {"id": "246845883529197922"},
        "recipient": {"id": "388613280878808645"},
        "message": {"text": "chào bạn", "msg_id": "96d3cdf3af150460909"},
    }
    typed = to_incoming(event)
    assert typed is not None and typed.text == "chào bạn" and typed.action is None
    assert (typed.channel, typed.chat_id, typed.user_id, typed.event_id) == (
        "zalo",
        "246845883529197922",
        "246845883529197922",
        "96d3cdf3af150460909",
    )
    pressed = to_incoming({**event, "message": {"text": ACTION_MARKER + "pol:f0_f1", "msg_id": "m2"}})
    assert pressed is not None and pressed.action == "pol:f0_f1" and pressed.text is None
    forged = to_incoming({**event, "message": {"text": ACTION_MARKER + "x" * 65, "msg_id": "m4"}})
    assert forged is not None and forged.action is None  # longer than any button action: just text
    image = to_incoming({**event, "event_name": "user_send_image"})
    assert image is not None and image.attachment is not None and image.attachment.kind == "photo"
    assert to_incoming({**event, "message": {"msg_id": "m3"}}) is None


def test_the_signature_is_zalo_s_mac() -> None:
    body = b'{"app_id":"1","timestamp":"2"}'
    expected = "mac=" + hashlib.sha256(b"1" + body + b"2" + b"secret").hexdigest()
    assert event_signature("1", body, "2", "secret") == expected


def test_config_from_settings_names_what_is_missing(settings: Any) -> None:
    config = ZaloConfig.from_settings(settings)
    assert config.api_base == "https://openapi.zalo.me" and config.oauth_base == "https://oauth.zaloapp.com"
    assert "HOTRO_ZALO_OA_SECRET_KEY" in config.missing()
    ready = settings.model_copy(
        update={"zalo_app_id": "1", "zalo_app_secret": "s", "zalo_oa_secret_key": "k", "zalo_refresh_token": "r"}
    )
    assert ZaloConfig.from_settings(ready).missing() == []


async def test_a_photo_of_the_card_through_zalo_is_downloaded_from_its_url(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    from tests.cards import card_photo

    lan = ZaloUser(zalo, fake_zalo, "5550077")
    await lan.say("/start")
    await lan.press("Đăng ký hỗ trợ")
    await lan.press("Lao động tự do")
    await lan.press("Tôi đồng ý")
    gone = fake_zalo.image_event("5550077", url=f"{fake_zalo.base_url}/img/removed.jpg")
    assert "không tải được ảnh" in joined(await lan.post_and_read(gone))
    url = fake_zalo.image_url("cccd.jpg", card_photo())
    sent = joined(await lan.post_and_read(fake_zalo.image_event("5550077", url=url)))
    assert "Mã QR trên CCCD của bạn cho biết:" in sent and "Nguyễn Văn An" in sent
    await lan.press("Đúng")
    assert "số điện thoại" in lan.last_text.lower()
    await lan.press("Quay lại")  # back goes to the question before the phone, as if it had been typed
    assert "CCCD" in lan.last_text and "12 số" in lan.last_text
