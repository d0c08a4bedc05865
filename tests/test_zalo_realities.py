"""Zalo as it behaves (issue 14): photos and files, follow, stickers and the like, -201 on a reply's
msg_id, and events signed far from now; against the fake Zalo API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.app import HoTro
from bot.channels.zalo import ACTION_MARKER, ZaloChannel, setup_zalo
from storage import outbox
from storage.models import Application, Attachment, OutboxMessage, ProcessedEvent
from tests.fakes.zalo_api import FakeZalo
from tests.journeys import household_application
from tests.test_zalo import ZaloUser, joined, zalo_config


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
    await client.close()


async def _up_to_documents(citizen: ZaloUser) -> None:
    """The household-business journey up to the supporting-documents step."""
    steps = household_application(3)
    for kind, value in steps[: steps.index(("tap", "f:skip"), 13)]:  # the step after the payment choice
        await citizen.say(value if kind == "text" else ACTION_MARKER + value)


async def test_a_photo_and_a_file_at_the_document_step_are_attachments(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5560001")
    await _up_to_documents(lan)
    assert "Đã nhận" in joined(await lan.post_and_read(fake_zalo.image_event("5560001", caption="giấy phép")))
    assert "Đã nhận" in joined(await lan.post_and_read(fake_zalo.file_event("5560001")))
    summary = joined(await lan.say(ACTION_MARKER + "f:done"))
    assert "2 tệp" in summary
    await lan.say(ACTION_MARKER + "f:ok")
    async with app.sessions() as session:
        assert (await session.execute(select(Application))).scalar_one()
        files = (await session.execute(select(Attachment).order_by(Attachment.id))).scalars().all()
    assert [(f.kind, f.file_name) for f in files] == [("photo", "giấy phép"), ("document", "giay-phep.pdf")]
    assert files[0].file_id == "https://photo-stal.zdn.vn/a/b.jpg"


async def test_a_file_answers_an_officials_request_for_information(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5560002")
    for kind, value in household_application(4):
        await lan.say(value if kind == "text" else ACTION_MARKER + value)
    async with app.sessions.begin() as session:
        application = (await session.execute(select(Application))).scalar_one()
        code = application.code
        await session.execute(
            update(Application)
            .where(Application.id == application.id)
            .values(status="needs_info", info_request="Gửi ảnh giấy phép kinh doanh")
        )
    await lan.say(ACTION_MARKER + f"ans:{code}")
    answer = joined(await lan.post_and_read(fake_zalo.file_event("5560002", "giay-phep-kinh-doanh.pdf")))
    assert "Cảm ơn" in answer
    async with app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
        files = (await session.execute(select(Attachment))).scalars().all()
    assert application.status == "under_review"  # no longer "needs_info"
    assert [f.file_name for f in files] == ["giay-phep-kinh-doanh.pdf"]


async def test_a_photo_outside_a_form_gets_a_polite_answer(
    fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5560003")
    await lan.say("/start")
    reply = joined(await lan.post_and_read(fake_zalo.image_event("5560003")))
    assert "Đăng ký hỗ trợ" in reply and "chưa được lưu" in reply


async def test_follow_gets_the_welcome(fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5560004")
    sent = await lan.post_and_read(fake_zalo.follow_event("5560004"))
    assert sent and sent[0].text.startswith("Xin chào")
    assert all("user_id" in s.recipient for s in sent)  # a follow has no msg_id to reply to
    assert not any(c[1]["recipient"].get("message_id") for c in fake_zalo.calls if c[0] == "message/cs")


@pytest.mark.parametrize(
    ("event_name", "attachment", "named"),
    [
        ("user_send_sticker", {"type": "sticker", "payload": {"id": "1", "url": "https://s.zdn.vn/1"}}, "nhãn dán"),
        (
            "user_send_location",
            {"type": "location", "payload": {"coordinates": {"latitude": 21.8, "longitude": 106.7}}},
            "vị trí",
        ),
        ("user_send_audio", {"type": "audio", "payload": {"url": "https://v.zdn.vn/a.aac"}}, "tệp âm thanh"),
    ],
)
async def test_stickers_locations_and_audio_get_a_short_answer(
    fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel], event_name: str, attachment: dict, named: str
) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5560005")
    await lan.say("/start")
    reply = joined(await lan.post_and_read(fake_zalo.message_event(event_name, "5560005", attachment)))
    assert named in reply and "gõ" in reply


async def test_minus_201_on_the_reply_s_msg_id_falls_back_to_the_user_id(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5560006")
    await lan.say("/start")
    fake_zalo.expire_message_ids()
    sent = await lan.say("trợ giúp")
    assert sent and "Cách dùng HoTro" in joined(sent)
    assert all(s.recipient == {"user_id": "5560006"} for s in sent)
    await app.sender.flush_marks()
    async with app.sessions() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert set(statuses) == {"sent"}


@pytest.mark.parametrize("offset_s", [-2 * 3600, 2 * 3600, -400 * 24 * 3600])
async def test_events_signed_far_from_now_are_refused(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel], offset_s: int
) -> None:
    lan = ZaloUser(zalo, fake_zalo, "5560007")
    event = fake_zalo.text_event("5560007", "/start")
    event["timestamp"] = str(int((time.time() + offset_s) * 1000))
    assert await lan.post(event) == 403
    assert fake_zalo.sent == []
    async with app.sessions() as session:
        assert (await session.execute(select(ProcessedEvent))).first() is None
    near = fake_zalo.text_event("5560007", "/start")
    near["timestamp"] = str(int((time.time() - 50 * 60) * 1000))  # within the hour
    assert await lan.post(near) == 200 and fake_zalo.sent


async def test_an_outbox_row_is_not_lost_when_both_addresses_fail(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    from datetime import UTC, datetime

    lan = ZaloUser(zalo, fake_zalo, "5560008")
    await lan.say("/start")
    fake_zalo.fail_next_send(-201, "message is invalid!")
    fake_zalo.fail_next_send(-201, "message is invalid!")
    async with app.sessions.begin() as session:
        row = await outbox.enqueue(
            session, "zalo", "5560008", {"text": "Thông báo", "buttons": []}, datetime.now(UTC), app.protector
        )
    await app.sender.deliver()
    async with app.sessions() as session:
        failed = await session.get(OutboxMessage, row.id)
    assert failed is not None and failed.status == "failed" and "-201" in (failed.error or "")


async def test_a_notice_to_someone_who_unfollowed_waits_until_they_follow_again(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    from datetime import UTC, datetime

    lan = ZaloUser(zalo, fake_zalo, "5560009")
    await lan.say("/start")
    fake_zalo.unfollowed.add("5560009")
    async with app.sessions.begin() as session:
        row = await outbox.enqueue(
            session, "zalo", "5560009", {"text": "Hồ sơ đã được duyệt", "buttons": []}, datetime.now(UTC), app.protector
        )
    await app.sender.deliver()
    async with app.sessions() as session:
        held = await session.get(OutboxMessage, row.id)
    assert held is not None and held.status == "held"  # -213: not lost, not failed
    fake_zalo.unfollowed.discard("5560009")
    sent = await lan.post_and_read(fake_zalo.follow_event("5560009"))
    assert [s.text for s in sent][:1] == ["Hồ sơ đã được duyệt"]  # what waited goes first
    assert any(s.text.startswith("Xin chào") for s in sent)


async def test_unfollow_marks_the_user_blocked_and_follow_makes_them_active(
    app: HoTro, fake_zalo: FakeZalo, zalo: tuple[TestClient, ZaloChannel]
) -> None:
    from storage.models import ChannelUser

    lan = ZaloUser(zalo, fake_zalo, "5560010")
    await lan.say("/start")

    async def status() -> str:
        async with app.sessions() as session:
            return (await session.execute(select(ChannelUser.status))).scalar_one()

    assert await lan.post(fake_zalo.unfollow_event("5560010")) == 200
    assert await status() == "blocked"  # no announcement goes to them
    fake_zalo.unfollowed.discard("5560010")
    await lan.post(fake_zalo.follow_event("5560010"))
    assert await status() == "active"
