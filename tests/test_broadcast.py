"""Officials' announcements: audiences and area limits, composing in the chat, the delivery worker
against the fake Bot API (429s, 403s, a crash), cancelling, the CLI and citizens' opt-out."""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from sqlalchemy import func, select, update

from bot import announcement_sender as broadcaster
from bot.announcement_sender import Pacer, run_broadcasts
from bot.app import HoTro
from bot.channels.telegram import TelegramTransport
from bot.config import Settings
from bot.pauses import REPLIES_FIRST
from bot.transport import Held, PermanentFailure
from handlers import app_code
from handlers.announce import chat
from handlers.announce import service as announcements
from messages.catalog import PO, read
from storage import broadcasts as store
from storage.broadcasts import Audience, AudienceError, Outcome
from storage.models import Application, Broadcast, ChannelUser, Delivery, Official, OutboxMessage
from storage.officials import add_official
from tests.chat import Chat, joined
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent

PROVINCE = 20  # Tỉnh Lạng Sơn
HUU_LUNG, CHI_LANG = 186, 187
NHAT_TIEN, YEN_BINH = 6418, 6391  # communes of Huyện Hữu Lũng
VAN_AN = 6469  # a commune of Huyện Chi Lăng
DISTRICT_OF = {NHAT_TIEN: HUU_LUNG, YEN_BINH: HUU_LUNG, VAN_AN: CHI_LANG}


@pytest.fixture
async def bc_app(app: HoTro) -> HoTro:
    """The app with the announcement handlers routed (until handlers/routes.py registers them)."""
    if "/thongbao" not in app.engine.router.commands:
        app.engine.router.include(chat.router)
    return app


# ---- data ------------------------------------------------------------------------------------------


async def citizen(
    app: HoTro,
    chat_id: str,
    *,
    channel: str = "telegram",
    status: str = "active",
    commune: int | None = None,
    kind: str = "household_business",
    app_status: str = "submitted",
) -> ChannelUser:
    """A channel user, with an application in `commune` when given."""
    async with app.sessions.begin() as session:
        user = ChannelUser(channel=channel, user_id=chat_id, chat_id=chat_id, status=status)
        session.add(user)
        await session.flush()
        if commune is not None:
            session.add(
                Application(
                    code=app_code.new_code("HK"),
                    kind=kind,
                    policy_id=kind,
                    status=app_status,
                    channel=channel,
                    chat_id=chat_id,
                    channel_user_id=user.id,
                    full_name=f"Người {chat_id}",
                    phone="0912345678",
                    phone_hash=f"phone-{channel}-{chat_id}",
                    id_kind="cccd",
                    id_number_enc="dummy",
                    id_hash=f"id-{channel}-{chat_id}-{kind}",
                    province_code=PROVINCE,
                    district_code=DISTRICT_OF[commune],
                    commune_code=commune,
                    payment_method="cash",
                    fields={},
                )
            )
        return user


async def official(
    app: HoTro, user_id: str, role: str, area: int | None, channel: str = "test", *, with_chat: bool = False
) -> Official:
    async with app.sessions.begin() as session:
        if with_chat:
            session.add(ChannelUser(channel=channel, user_id=user_id, chat_id=user_id, status="active"))
        return await add_official(session, channel, user_id, role, area, f"Cán bộ {user_id}")


async def chats_of(app: HoTro, who: Official, audience: Audience) -> set[str]:
    async with app.sessions() as session:
        rows = await session.execute(store.recipients(who, audience))
        return {chat_id for _channel, chat_id in rows.all()}


async def queued(app: HoTro, who: Official, audience: Audience, text: str) -> int:
    async with app.sessions.begin() as session:
        draft = await store.create(session, who, audience, text, datetime.now(UTC))
        total = await store.queue(session, draft, who, announcements.render_message(text, who), datetime.now(UTC))
        assert total > 0
        return draft.id


async def deliveries(app: HoTro, broadcast_id: int) -> list[Delivery]:
    async with app.sessions() as session:
        rows = await session.execute(select(Delivery).where(Delivery.broadcast_id == broadcast_id))
        return list(rows.scalars())


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


# ---- audiences ------------------------------------------------------------------------------------


async def test_audiences_stay_inside_the_officials_area_and_skip_opted_out_users(bc_app: HoTro) -> None:
    app = bc_app
    await citizen(app, "1", commune=NHAT_TIEN)
    await citizen(app, "1b", commune=NHAT_TIEN, kind="free_worker")  # same commune, another person
    await citizen(app, "2", commune=YEN_BINH, kind="free_worker", app_status="approved")
    await citizen(app, "3", commune=VAN_AN)
    await citizen(app, "4", commune=NHAT_TIEN, status="stopped")
    await citizen(app, "5", commune=NHAT_TIEN, status="blocked")
    await citizen(app, "6")  # subscribed, no application
    await citizen(app, "7", channel="console", commune=NHAT_TIEN)  # cannot receive a push
    async with app.sessions.begin() as session:  # one person with two applications gets one message
        user = (await session.execute(select(ChannelUser).where(ChannelUser.user_id == "1"))).scalar_one()
        session.add(
            Application(
                code=app_code.new_code("TD"),
                kind="free_worker",
                policy_id="free_worker",
                status="approved",
                channel="telegram",
                chat_id="1",
                channel_user_id=user.id,
                full_name="Người 1",
                phone="0912345678",
                phone_hash="p",
                id_kind="cccd",
                id_number_enc="dummy",
                id_hash="id-1-second",
                province_code=PROVINCE,
                district_code=HUU_LUNG,
                commune_code=NHAT_TIEN,
                payment_method="cash",
                fields={},
            )
        )
    commune = await official(app, "xa", "commune", NHAT_TIEN)
    district = await official(app, "huyen", "district", HUU_LUNG)
    province = await official(app, "tinh", "province", PROVINCE)
    admin = await official(app, "admin", "admin", None)

    assert await chats_of(app, commune, Audience("area", "commune", NHAT_TIEN)) == {"1", "1b"}
    assert await chats_of(app, commune, Audience("kind", kind="household_business")) == {"1"}
    assert await chats_of(app, commune, Audience("status", status="approved")) == {"1"}
    assert await chats_of(app, district, Audience("kind", kind="free_worker")) == {"1", "1b", "2"}
    assert await chats_of(app, district, Audience("area", "commune", YEN_BINH)) == {"2"}
    assert await chats_of(app, province, Audience("all")) == {"1", "1b", "2", "3", "6"}
    assert await chats_of(app, admin, Audience("kind", kind="household_business")) == {"1", "3"}

    # A commune official cannot target another commune, the district, or everyone.
    for audience in (Audience("area", "commune", YEN_BINH), Audience("area", "district", HUU_LUNG)):
        with pytest.raises(AudienceError) as error:
            announcements.check(commune, audience)
        assert error.value.code == "outside_area"
    with pytest.raises(AudienceError) as error:
        announcements.check(commune, Audience("all"))
    assert error.value.code == "all_not_allowed"
    with pytest.raises(AudienceError):
        announcements.check(district, Audience("area", "commune", VAN_AN))  # another district's commune
    announcements.check(district, Audience("area", "commune", NHAT_TIEN))
    announcements.check(province, Audience("area", "commune", VAN_AN))
    announcements.check(province, Audience("all"))
    # Even if a caller skipped the check, the SQL keeps to the official's area.
    assert await chats_of(app, commune, Audience("area", "commune", YEN_BINH)) == set()
    with pytest.raises(AudienceError):
        store.recipients(commune, Audience("all"))

    # Queueing expands the recipients into deliveries in one statement, each chat once.
    broadcast_id = await queued(app, district, Audience("area", "district", HUU_LUNG), "Họp dân lúc 8 giờ")
    rows = await deliveries(app, broadcast_id)
    assert sorted(r.chat_id for r in rows) == ["1", "1b", "2"]
    assert {r.status for r in rows} == {"queued"}
    async with app.sessions() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        assert (broadcast.status, broadcast.total) == ("queued", 3)
        assert "Họp dân lúc 8 giờ" in (broadcast.message or "") and "/tatthongbao" in (broadcast.message or "")
    async with app.sessions.begin() as session:  # confirming twice does nothing the second time
        again = await session.get(Broadcast, broadcast_id)
        assert again is not None
        assert await store.queue(session, again, district, "x", datetime.now(UTC)) == -1
    assert len(await deliveries(app, broadcast_id)) == 3


def test_audience_specs_round_trip() -> None:
    for spec in ("all", "area:commune:6418", "kind:free_worker", "status:approved"):
        assert Audience.parse(spec, ["approved"]).spec() == spec
        assert Audience.from_json(Audience.parse(spec).to_json()) == Audience.parse(spec)
    for bad in ("everyone", "area:town:1", "area:commune:x", "kind:other", "status:nope"):
        with pytest.raises(AudienceError):
            Audience.parse(bad, ["approved"])


# ---- composing in the chat ----------------------------------------------------------------------------


async def test_compose_preview_confirm_list_and_cancel_in_the_chat(bc_app: HoTro) -> None:
    app = bc_app
    await citizen(app, "11", commune=NHAT_TIEN)
    await citizen(app, "12", commune=YEN_BINH)
    await citizen(app, "13", commune=VAN_AN)
    await citizen(app, "14", commune=NHAT_TIEN, status="stopped")
    await official(app, "huyen", "district", HUU_LUNG)
    official_chat = Chat(app, "huyen")

    # Citizens cannot use it.
    assert "chỉ dành cho cán bộ" in joined(await Chat(app, "citizen").say("/thongbao"))

    home = joined(await official_chat.say("/thongbao"))
    assert "Thông báo đến người dân" in home
    asked = joined(await official_chat.press("Thông báo mới"))
    assert "gửi thông báo đến ai" in asked
    labels = [b["label"] for b in official_chat.buttons()]
    assert "Tất cả người dân đang nhận thông báo" not in labels  # only province officials and admins
    await official_chat.press("một huyện hoặc xã")
    # Typing a commune outside the district finds nothing; a commune inside is found by name.
    assert "Không tìm thấy" in joined(await official_chat.say("Vân An"))
    prompt = joined(await official_chat.say("yen binh"))
    assert "Nhập nội dung thông báo" in prompt
    await official_chat.press("Quay lại")
    await official_chat.press("Nhật Tiến")
    preview = joined(await official_chat.say("Ngày 15/8, UBND xã chi trả hỗ trợ tại nhà văn hóa."))
    assert "Xem trước" in preview
    assert "Ngày 15/8, UBND xã chi trả hỗ trợ tại nhà văn hóa." in preview
    assert "Số người nhận: 1 (người đăng ký hỗ trợ tại Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn)" in preview
    assert "/tatthongbao" in preview

    # The longest text still fits in one Telegram message with the preview around it; a longer one is refused.
    await official_chat.press("Sửa nội dung")
    assert "quá dài (3.501 ký tự)" in joined(await official_chat.say("á" * 3501))
    longest = await official_chat.say("á" * 3500)
    assert "á" * 3500 in joined(longest) and len(longest[-1]["text"]) <= 4096

    # Change the text, then choose the whole district instead.
    await official_chat.press("Sửa nội dung")
    assert "Nhập nội dung thông báo" in official_chat.last_text
    await official_chat.press("Quay lại")
    await official_chat.press("Quay lại")
    await official_chat.press("toàn địa bàn")
    preview = joined(await official_chat.say("Họp dân   lúc 8 giờ sáng mai."))
    assert "Họp dân lúc 8 giờ sáng mai." in preview
    assert "Số người nhận: 2 (người đăng ký hỗ trợ tại Huyện Hữu Lũng, Tỉnh Lạng Sơn)" in preview
    send = next(b["action"] for b in official_chat.buttons() if "Gửi đến 2 người" in b["label"])
    assert len(send.encode()) <= 64
    done = joined(await official_chat.tap(send))
    assert "đã được xếp hàng để gửi đến 2 người" in done
    assert "đã được xác nhận trước đó" in joined(await official_chat.tap(send))  # a second press

    async with app.sessions() as session:
        broadcasts = list((await session.execute(select(Broadcast).where(Broadcast.status != "draft"))).scalars())
    assert len(broadcasts) == 1 and broadcasts[0].status == "queued" and broadcasts[0].total == 2
    broadcast_id = broadcasts[0].id
    assert sorted(d.chat_id for d in await deliveries(app, broadcast_id)) == ["11", "12"]

    listing = joined(await official_chat.say("/thongbao")) + joined(await official_chat.press("Thông báo gần đây"))
    assert f"#{broadcast_id}" in listing and "Đang chờ gửi" in listing
    assert "đã gửi 0 · lỗi 0 · bị chặn 0 · còn lại 2 (trên tổng số 2)" in listing
    assert "Gửi đến: người đăng ký hỗ trợ tại Huyện Hữu Lũng, Tỉnh Lạng Sơn" in listing
    asked = joined(await official_chat.press(f"Dừng thông báo số {broadcast_id}"))
    assert "2 tin chưa gửi sẽ không được gửi nữa" in asked
    stopped = joined(await official_chat.press("Đồng ý, dừng gửi"))
    assert f"Đã dừng gửi thông báo số {broadcast_id}" in stopped
    assert "dừng trước khi gửi 2" in stopped
    assert {d.status for d in await deliveries(app, broadcast_id)} == {"cancelled"}

    # Another official cannot see or stop it.
    await official(app, "xa", "commune", NHAT_TIEN)
    other = Chat(app, "xa")
    assert "không phải do bạn tạo" in joined(await other.tap(f"bc:cy:{broadcast_id}"))


async def test_a_commune_official_cannot_choose_another_area_in_the_chat(bc_app: HoTro) -> None:
    app = bc_app
    await citizen(app, "21", commune=NHAT_TIEN)
    await official(app, "xa", "commune", NHAT_TIEN)
    xa = Chat(app, "xa")
    await xa.say("/thongbao")
    await xa.press("Thông báo mới")
    labels = [b["label"] for b in xa.buttons()]
    assert not any("một huyện hoặc xã" in label or "Tất cả" in label for label in labels)
    # A forged action for another official's draft, or for another area, goes nowhere.
    await official(app, "xa2", "commune", YEN_BINH)
    async with app.sessions.begin() as session:
        other = (await session.execute(select(Official).where(Official.user_id == "xa2"))).scalar_one()
        draft = await store.create(session, other, Audience("area", "commune", YEN_BINH), "x", datetime.now(UTC))
    assert "không phải do bạn tạo" in joined(await xa.tap(f"bc:ok:{draft.id}"))
    # An empty audience is refused at the preview.
    await xa.say("/thongbao")
    await xa.press("Thông báo mới")
    await xa.press("theo trạng thái")
    await xa.press("Đã chi trả")
    assert "Không có người nhận thông báo nào" in joined(await xa.say("Thông báo chi trả"))


# ---- citizens' opt-out ---------------------------------------------------------------------------------


async def test_citizens_opt_out_and_back_in(bc_app: HoTro) -> None:
    app = bc_app
    province = await official(app, "tinh", "province", PROVINCE)
    lan = Chat(app, "lan", channel="telegram")
    await lan.say("/start")
    reply = joined(await lan.say("/tatthongbao"))
    assert "không nhận thông báo của chính quyền nữa" in reply and "/batthongbao" in reply

    async def status() -> str:
        async with app.sessions() as session:
            user = (await session.execute(select(ChannelUser).where(ChannelUser.user_id == "lan"))).scalar_one()
            return user.status

    assert await status() == "stopped"
    assert await chats_of(app, province, Audience("all")) == set()
    await lan.say("Hỗ trợ hộ kinh doanh")  # writing again does not subscribe them again
    assert await status() == "stopped"
    # Blocking the bot and coming back later does not subscribe them again either.
    lan.transport.blocked.add("lan")
    await lan.say("Xin chào")
    lan.transport.blocked.discard("lan")
    await lan.say("Hỗ trợ hộ kinh doanh")
    assert await status() == "stopped"
    reply = joined(await lan.say("/batthongbao"))
    assert "nhận lại thông báo" in reply and "/tatthongbao" in reply
    assert await status() == "active"
    assert await chats_of(app, province, Audience("all")) == {"lan"}


# ---- the delivery worker against the fake Bot API -----------------------------------------------------


@asynccontextmanager
async def worker(
    app: HoTro, fake: FakeTelegram, *, rate: float, chat_interval: float, lease: float = 60
) -> AsyncIterator[asyncio.Event]:
    bot = fake.bot()
    async with bot:
        app.sender.transports["telegram"] = TelegramTransport(bot)
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(
                run_broadcasts(app, stop, rate=rate, chat_interval=chat_interval, lease=lease, poll_interval=0.1)
            ),
            asyncio.create_task(app.sender.run(poll_interval=0.1, stop=stop)),
        ]
        try:
            yield stop
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 15)


async def test_worker_delivers_each_message_once_under_429s_and_marks_blocked_users(
    bc_app: HoTro, fake_telegram: FakeTelegram
) -> None:
    app, fake = bc_app, fake_telegram
    # The fake allows 20 messages/s and one per chat every 0.6 s; the worker is set too fast on
    # purpose (40/s, 0.1 s per chat) so both limits answer 429.
    fake.global_rate, fake.per_chat_interval = 20, 0.6
    chats = [str(1000 + i) for i in range(16)]
    blocked = {1003, 1007}
    fake.blocked |= blocked
    for chat_id in chats:
        await citizen(app, chat_id, commune=NHAT_TIEN)
    await citizen(app, "1099", commune=NHAT_TIEN, status="stopped")
    tinh = await official(app, "900", "province", PROVINCE, channel="telegram", with_chat=True)
    first = await queued(app, tinh, Audience("area", "commune", NHAT_TIEN), "Thông báo một")
    second = await queued(app, tinh, Audience("area", "commune", NHAT_TIEN), "Thông báo hai")

    async def both_done() -> bool:
        async with app.sessions() as session:
            statuses = (await session.execute(select(Broadcast.status).where(Broadcast.id.in_([first, second])))).all()
            reports = [t for t in fake.texts_to(900) if "đã được gửi xong" in t]
            return {s for (s,) in statuses} == {"done"} and len(reports) == 2

    started = time.monotonic()
    async with worker(app, fake, rate=40, chat_interval=0.1):
        await eventually(both_done, timeout=30)
    elapsed = time.monotonic() - started

    assert fake.rejected_429 > 0
    reachable = {int(c) for c in chats} - blocked
    for text in ("Thông báo một", "Thông báo hai"):
        got = fake.deliveries(text)
        assert set(got) == reachable, text  # nobody missed, nobody blocked or opted out reached
        assert set(got.values()) == {1}, got  # nobody twice
        assert all("/tatthongbao" in s.text and "/batthongbao" in s.text for s in fake.sent if text in s.text)
    # Blocked users: tried once per announcement, marked, never retried.
    for broadcast_id in (first, second):
        rows = {int(d.chat_id): d for d in await deliveries(app, broadcast_id)}
        assert {c for c, d in rows.items() if d.status == "blocked"} == blocked
        assert all(rows[c].attempts == 1 for c in blocked)
        assert {d.status for c, d in rows.items() if c not in blocked} == {"sent"}
    assert fake.rejected_403 <= 2 * len(blocked)
    async with app.sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(ChannelUser.chat_id, ChannelUser.status).where(ChannelUser.channel == "telegram")
                )
            ).all()
        )
        assert {c for c, s in statuses.items() if s == "blocked"} == {str(c) for c in blocked}
        done = (await session.execute(select(Broadcast).where(Broadcast.id == first))).scalar_one()
        assert (done.total, done.sent_count, done.failed_count, done.blocked_count) == (16, 14, 0, 2)
    report = next(t for t in fake.texts_to(900) if f"Thông báo số {first} đã được gửi xong" in t)
    assert "Số người nhận: 16" in report and "Gửi thành công: 14" in report
    assert "Gửi không thành công: 0" in report and "Đã chặn HoTro (không nhận được): 2" in report
    # Per chat, the two announcements came at least the fake's interval apart.
    for chat_id in reachable:
        times = [s.at for s in fake.sent if s.chat_id == chat_id]
        assert len(times) == 2 and times[1] - times[0] >= 0.6 - 0.01
    assert elapsed < 25


async def test_two_workers_share_a_broadcast_and_the_rate(bc_app: HoTro, fake_telegram: FakeTelegram) -> None:
    """Two worker loops stand for two processes: SKIP LOCKED / the lease split the rows, the shared
    schedule keeps them together under the limit."""
    app, fake = bc_app, fake_telegram
    fake.global_rate = 30
    for i in range(45):
        await citizen(app, str(4000 + i), commune=NHAT_TIEN)
    tinh = await official(app, "902", "province", PROVINCE, channel="telegram", with_chat=True)
    broadcast_id = await queued(app, tinh, Audience("all"), "Hai tiến trình")
    bot = fake.bot()
    async with bot:
        app.sender.transports["telegram"] = TelegramTransport(bot)
        stop = asyncio.Event()
        workers = [
            asyncio.create_task(run_broadcasts(app, stop, rate=28, chat_interval=1, poll_interval=0.05))
            for _ in range(2)
        ]

        async def done() -> bool:
            async with app.sessions() as session:
                return (await session.get(Broadcast, broadcast_id)).status == "done"  # type: ignore[union-attr]

        started = time.monotonic()
        await eventually(done)
        elapsed = time.monotonic() - started
        stop.set()
        await asyncio.wait_for(asyncio.gather(*workers), 15)
    got = fake.deliveries("Hai tiến trình")  # everyone subscribed: the 45 citizens and the official
    assert set(got) == {4000 + i for i in range(45)} | {902} and set(got.values()) == {1}
    # 28/s between them, not 28/s each (which would take half the time and draw a stream of 429s);
    # a busy test machine may still bunch a couple of sends.
    assert elapsed >= 46 / 28 - 0.3
    assert fake.rejected_429 <= 2
    async with app.sessions() as session:
        outbox_rows = (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
    assert outbox_rows == 1  # one final report, though both loops saw the broadcast finish


class FlakyTransport:
    """A channel whose sends fail in chosen ways, per chat."""

    channel = "flaky"

    def __init__(self, failures: dict[str, list[Exception]]) -> None:
        self.failures = failures
        self.sent: list[str] = []

    async def send(self, chat_id: str, payload: dict[str, object]) -> None:
        if self.failures.get(chat_id):
            raise self.failures[chat_id].pop(0)
        self.sent.append(chat_id)


async def test_permanent_and_transient_failures(bc_app: HoTro) -> None:
    app = bc_app
    for chat_id in ("ok", "bad", "flaky", "held"):
        await citizen(app, chat_id, channel="flaky", commune=NHAT_TIEN)
    xa = await official(app, "xa", "commune", NHAT_TIEN)
    broadcast_id = await queued(app, xa, Audience("area", "commune", NHAT_TIEN), "Lỗi")
    transport = FlakyTransport(
        {
            "bad": [PermanentFailure("Bad Request: chat not found")],
            "flaky": [ConnectionError("reset"), ConnectionError("reset")],
            "held": [Held()],
        }
    )
    app.sender.transports["flaky"] = transport

    async def settled() -> bool:
        rows = {r.chat_id: r for r in await deliveries(app, broadcast_id)}
        others = {rows[c].status for c in ("ok", "bad", "held")}
        return rows["flaky"].attempts == 1 and rows["flaky"].status == "queued" and not others & {"queued", "sending"}

    stop = asyncio.Event()
    task = asyncio.create_task(run_broadcasts(app, stop, rate=50, chat_interval=0, poll_interval=0.05))
    try:
        await eventually(settled)
        rows = {r.chat_id: r for r in await deliveries(app, broadcast_id)}
        assert (rows["bad"].status, rows["bad"].error) == ("failed", "Bad Request: chat not found")
        assert rows["held"].status == "failed"
        # A transient error is retried with backoff (2 s after the first attempt), not at once.
        assert rows["flaky"].next_attempt_at > datetime.now(UTC) + timedelta(seconds=1)
        assert "reset" in (rows["flaky"].error or "")
        async with app.sessions.begin() as session:  # time passes
            await session.execute(
                update(Delivery).where(Delivery.id == rows["flaky"].id).values(next_attempt_at=datetime.now(UTC))
            )

        async def again() -> bool:
            row = next(r for r in await deliveries(app, broadcast_id) if r.chat_id == "flaky")
            return row.attempts == 2 and row.status == "queued"

        await eventually(again)
        async with app.sessions.begin() as session:
            await session.execute(
                update(Delivery).where(Delivery.id == rows["flaky"].id).values(next_attempt_at=datetime.now(UTC))
            )

        async def finished() -> bool:
            async with app.sessions() as session:
                return (await session.get(Broadcast, broadcast_id)).status == "done"  # type: ignore[union-attr]

        await eventually(finished)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    assert sorted(transport.sent) == ["flaky", "ok"]
    async with app.sessions() as session:
        done = await session.get(Broadcast, broadcast_id)
        assert done is not None and (done.sent_count, done.failed_count, done.blocked_count) == (2, 2, 0)


async def test_a_crashed_claimers_rows_are_sent_after_the_lease_and_live_claims_are_left_alone(
    bc_app: HoTro, fake_telegram: FakeTelegram
) -> None:
    app, fake = bc_app, fake_telegram
    for i in range(10):
        await citizen(app, str(2000 + i), commune=NHAT_TIEN)
    xa = await official(app, "xa", "commune", NHAT_TIEN)
    broadcast_id = await queued(app, xa, Audience("area", "commune", NHAT_TIEN), "Lịch chi trả")
    now = datetime.now(UTC)
    async with app.sessions.begin() as session:
        # A worker that died two minutes ago holding four rows (it had sent one of them)...
        dead = await store.claim(session, "telegram", now, 4)
        await session.execute(
            update(Delivery).where(Delivery.id.in_([r.id for r in dead])).values(claimed_at=now - timedelta(minutes=2))
        )
        # ...and a live worker elsewhere holding two rows right now.
        alive = await store.claim(session, "telegram", now, 2)
    bot = fake.bot()
    async with bot:
        message = announcements.render_message("Lịch chi trả", xa)
        await TelegramTransport(bot).send(dead[0].chat_id, {"text": message, "buttons": []})
    alive_chats = {int(r.chat_id) for r in alive}

    async def others_sent() -> bool:
        rows = await deliveries(app, broadcast_id)
        return sum(r.status == "sent" for r in rows) == 8

    async with worker(app, fake, rate=50, chat_interval=0.1):
        await eventually(others_sent)
        await asyncio.sleep(0.3)
    got = fake.deliveries("Lịch chi trả")
    assert set(got) == {2000 + i for i in range(10)} - alive_chats  # nothing lost; live claims not taken
    assert got[int(dead[0].chat_id)] == 2  # sent before the crash and again: at most one repeat
    assert all(n == 1 for chat_id, n in got.items() if chat_id != int(dead[0].chat_id))
    rows = {r.chat_id: r for r in await deliveries(app, broadcast_id)}
    assert {rows[str(c)].status for c in alive_chats} == {"sending"}
    async with app.sessions() as session:
        assert (await session.get(Broadcast, broadcast_id)).status == "sending"  # type: ignore[union-attr]

    # The live worker's claim expires too (it died later): its rows are delivered, the broadcast ends.
    async with app.sessions.begin() as session:
        assert await store.recover_expired(session, datetime.now(UTC), timedelta(0)) == 2
    async with worker(app, fake, rate=50, chat_interval=0.1):

        async def finished() -> bool:
            async with app.sessions() as session:
                return (await session.get(Broadcast, broadcast_id)).status == "done"  # type: ignore[union-attr]

        await eventually(finished)
    assert set(fake.deliveries("Lịch chi trả")) == {2000 + i for i in range(10)}


async def test_a_result_is_recorded_only_while_the_claim_holds(bc_app: HoTro) -> None:
    app = bc_app
    await citizen(app, "31", commune=NHAT_TIEN)
    xa = await official(app, "xa", "commune", NHAT_TIEN)
    broadcast_id = await queued(app, xa, Audience("area", "commune", NHAT_TIEN), "x")
    async with app.sessions.begin() as session:
        (first,) = await store.claim(session, "telegram", datetime.now(UTC), 10)
    later = datetime.now(UTC) + timedelta(minutes=5)
    async with app.sessions.begin() as session:  # the lease ran out and another worker took the row
        await store.recover_expired(session, later, timedelta(seconds=60))
        (second,) = await store.claim(session, "telegram", later, 10)
    assert first.claimed_at != second.claimed_at
    async with app.sessions.begin() as session:
        stale = Outcome(first.id, first.claimed_at, "failed", datetime.now(UTC), error="late")  # type: ignore[arg-type]
        assert await store.record(session, [stale]) == 0
        fresh = Outcome(second.id, second.claimed_at, "sent", datetime.now(UTC))  # type: ignore[arg-type]
        assert await store.record(session, [fresh]) == 1
    (row,) = await deliveries(app, broadcast_id)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_cancelling_stops_the_remaining_deliveries_promptly(bc_app: HoTro, fake_telegram: FakeTelegram) -> None:
    app, fake = bc_app, fake_telegram
    for i in range(40):
        await citizen(app, str(3000 + i), commune=NHAT_TIEN)
    xa = await official(app, "901", "commune", NHAT_TIEN, channel="telegram", with_chat=True)
    broadcast_id = await queued(app, xa, Audience("area", "commune", NHAT_TIEN), "Sẽ bị dừng")
    async with worker(app, fake, rate=10, chat_interval=0.1):
        deadline = time.monotonic() + 10
        while len(fake.deliveries("Sẽ bị dừng")) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        async with app.sessions.begin() as session:
            assert await store.cancel(session, broadcast_id, datetime.now(UTC))
        at_cancel = sum(fake.deliveries("Sẽ bị dừng").values())

        async def settled() -> bool:  # no row left that a worker could still send
            return all(r.status in ("sent", "cancelled") for r in await deliveries(app, broadcast_id))

        await eventually(settled)
        after = sum(fake.deliveries("Sẽ bị dừng").values())
    assert after - at_cancel <= 8  # what was already in flight or due within the next half second
    rows = await deliveries(app, broadcast_id)
    assert sum(r.status == "sent" for r in rows) == after
    assert {r.status for r in rows} <= {"sent", "cancelled"}
    assert sum(r.status == "cancelled" for r in rows) == 40 - after
    async with app.sessions() as session:
        assert (await session.get(Broadcast, broadcast_id)).status == "cancelled"  # type: ignore[union-attr]
    assert not any("đã được gửi xong" in t for t in fake.texts_to(int(xa.user_id)))


async def test_a_429_pauses_every_process_sharing_the_channel(bc_app: HoTro) -> None:
    """Two pacers stand for two processes: together they keep to the rate, and a pause holds both."""
    app = bc_app
    one, two = Pacer(app.sessions, "telegram", 20), Pacer(app.sessions, "telegram", 20)
    started = time.monotonic()
    await asyncio.gather(*[p.acquire() for p in (one, two) for _ in range(10)])
    assert time.monotonic() - started >= 0.8  # 20 sends at 20/s between them, not 20/s each
    await one.pause(0.2)
    paused = time.monotonic()
    await one.acquire()  # the process that got the 429 waits for all of it, then the replies go first
    assert time.monotonic() - paused >= 0.2 + REPLIES_FIRST - 0.05
    paused = time.monotonic()
    await two.pause(1.0)
    # Another process may still use the slots it had reserved: the chunk in use and the next one, fetched
    # when half of it is used (here 15 slots, 0.75 s). The slot after them waits for the pause.
    held = len(one.slots)
    for _ in range(held + 1):
        await one.acquire()
    assert time.monotonic() - paused >= 0.95


# ---- `hotro broadcast` ---------------------------------------------------------------------------------


async def test_cli_preview_send_status_and_cancel(
    bc_app: HoTro, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = bc_app
    await citizen(app, "41", commune=NHAT_TIEN)
    await citizen(app, "42", commune=VAN_AN)
    xa = await official(app, "xa", "commune", NHAT_TIEN)
    parser = argparse.ArgumentParser()
    broadcaster.add_commands(parser.add_subparsers())

    async def run(*argv: str) -> str:
        args = parser.parse_args(["broadcast", *argv])
        await args.func(settings, args)
        return capsys.readouterr().out

    spec = ["--official-id", str(xa.id), "--audience", f"area:commune:{NHAT_TIEN}", "--text", "Họp dân tối nay"]
    out = await run(*spec)
    assert "Họp dân tối nay" in out and "Số người nhận: 1" in out and "--yes" in out
    async with app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Broadcast))).scalar_one() == 0
    out = await run(*spec, "--yes")
    assert "đã được xếp hàng để gửi đến 1 người" in out
    broadcast_id = int(re.search(r"số (\d+)", out).group(1))  # type: ignore[union-attr]
    out = await run("--status")
    assert f"#{broadcast_id}" in out and "còn lại 1" in out
    out = await run("--cancel", str(broadcast_id))
    assert f"Đã dừng gửi thông báo số {broadcast_id}" in out
    with pytest.raises(SystemExit, match="nằm ngoài địa bàn"):
        await run("--official-id", str(xa.id), "--audience", f"area:commune:{VAN_AN}", "--text", "x", "--yes")
    with pytest.raises(SystemExit, match="Chỉ cán bộ cấp tỉnh"):
        await run("--official-id", str(xa.id), "--audience", "all", "--text", "x")


# ---- translations -----------------------------------------------------------------------------------


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w*)\}", text))


def test_every_broadcast_msgid_has_a_vietnamese_translation() -> None:
    """Each msgid of the announcement modules is translated in hotro.po."""
    known = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read(PO) if m.id and m.string}
    found, missing = [], []
    for module in (
        "handlers/announce/chat.py",
        "handlers/announce/service.py",
        "bot/announcement_sender.py",
        "storage/broadcasts.py",
    ):
        for _lineno, message, _comments, _context in extract_from_file(
            "python", ROOT / module, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
        ):
            msgid = message if isinstance(message, str) else message[0]
            found.append(msgid)
            entry = known.get(msgid)
            if entry is None:
                missing.append(msgid)
                continue
            strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
            for translated in strings:
                assert _placeholders(translated) == _placeholders(msgid), msgid
                assert re.search(r"[^\x00-\x7f]", translated), f"no Vietnamese diacritics: {translated!r}"
    assert len(found) >= 40
    assert missing == []
