"""Payment confirmation: the question some days after a payment, the answers, once across processes, the report."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select, true, update

from bot import payment_confirm
from bot.app import HoTro, create_app
from bot.config import Settings
from handlers import app_code
from handlers.report.service import render_report
from handlers.review import lifecycle
from messages.vocabulary import ApplicationStatus
from storage.models import Application, ChannelUser, OutboxMessage, Payment
from storage.officials import add_official
from storage.report_figures import area_report
from tests.applications import NHAT_TIEN, submit_household
from tests.chat import Chat, joined
from tests.commands import migrated_url
from tests.fakes.telegram_api import FakeTelegram
from tests.test_review import register_official
from tests.tg_driver import telegram_user

__all__ = ["migrated_url"]  # the fixture, used by name

QUESTION = "Bạn đã nhận được 3.000.000\xa0₫ chưa?"


async def approve_and_pay(app: HoTro, official: Chat, application: Application) -> None:
    """The commune official records the approval and the payment in the chat."""
    await official.tap(f"of:o:{application.id}")
    await official.press("Bắt đầu xem xét")
    await official.press("Xác nhận")
    await official.tap(f"of:o:{application.id}")
    await official.press("Ghi nhận phê duyệt")
    await official.say("1234/QĐ-UBND")
    await official.say("hôm nay")
    await official.press("Xác nhận")
    await official.tap(f"of:o:{application.id}")
    await official.press("Ghi nhận đã chi trả")
    await official.press("Bỏ qua")
    await official.press("Xác nhận")


async def age_payment(app: HoTro, age: timedelta) -> None:
    """As if the payment had been recorded `age` ago."""
    async with app.sessions.begin() as session:
        await session.execute(update(Payment).values(recorded_at=datetime.now(UTC) - age))


async def payment(app: HoTro) -> Payment:
    async with app.sessions() as session:
        return (await session.execute(select(Payment))).scalar_one()


async def questions_queued(app: HoTro) -> int:
    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxMessage.payload))).scalars().all()
    return sum(QUESTION in app.protector.open_json(p, context="outbox.payload")["text"] for p in rows)


async def test_asked_days_after_the_payment_and_the_answer_is_counted(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    await approve_and_pay(app, Chat(app, "xa"), application)
    await age_payment(app, timedelta(days=2, hours=23))
    assert await payment_confirm.ask_due(app, datetime.now(UTC)) == 0  # too early
    await age_payment(app, timedelta(days=3, minutes=1))
    assert await payment_confirm.ask_due(app, datetime.now(UTC)) == 1
    assert await payment_confirm.ask_due(app, datetime.now(UTC) + timedelta(days=1)) == 0  # once per payment
    await app.sender.deliver()
    assert QUESTION in citizen.last_text and app_code.display(application.code) in citizen.last_text
    labels = [b["label"] for b in citizen.buttons()]
    assert labels == ["✅ Đã nhận", "❌ Chưa nhận"]

    official = Chat(app, "xa")
    assert "chưa trả lời" in joined(await official.tap(f"of:o:{application.id}"))
    replies = await citizen.press("Đã nhận")
    assert "Cảm ơn bạn đã xác nhận" in joined(replies)
    assert "Người dân đã xác nhận nhận được 3.000.000\xa0₫" in joined(await official.tap(f"of:o:{application.id}"))
    stored = await payment(app)
    assert stored.confirmation == "confirmed" and stored.confirmed_at is not None

    again = await citizen.tap(f"pc:n:{stored.id}")  # a second press of the old keyboard changes nothing
    assert "đã được ghi nhận" in joined(again)
    assert (await payment(app)).confirmation == "confirmed"

    async with app.sessions() as session:
        data = await area_report(session, true(), date.today(), datetime.now(UTC))
    assert (data.confirmed, data.denied, data.unanswered) == (1, 0, 0)
    assert "đã nhận 1, chưa nhận 0, chưa trả lời 0" in render_report(data, "Tất cả địa bàn", date.today())


async def test_not_received_tells_the_commune_and_is_counted(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    await register_official(app, "xa_khac", "commune", 6382)  # another commune: not told
    official = Chat(app, "xa")
    other = Chat(app, "xa_khac")
    await approve_and_pay(app, official, application)
    await age_payment(app, timedelta(days=3, minutes=1))
    assert await payment_confirm.ask_due(app, datetime.now(UTC)) == 1
    await app.sender.deliver()

    replies = await citizen.press("Chưa nhận")
    assert "chưa nhận được 3.000.000\xa0₫" in joined(replies) and "Mã phản ánh của bạn là PA-" in joined(replies)
    assert (await payment(app)).confirmation == "denied"
    async with app.sessions() as session:  # the complaints service opened one, about this application
        from storage.models import Complaint

        [complaint] = (await session.execute(select(Complaint))).scalars().all()
    assert complaint.category == "payment" and complaint.application_id == application.id
    assert f"phản ánh {app_code.display(complaint.code)}" in official.all_text()
    notice = official.last_text
    assert "CHƯA nhận được khoản chi trả 3.000.000\xa0₫" in notice and app_code.display(application.code) in notice
    assert [b["action"] for b in official.buttons()] == [f"of:o:{application.id}"]
    assert "CHƯA nhận" not in other.all_text()
    view = joined(await official.press("Mở hồ sơ"))
    assert "Người dân báo CHƯA nhận được 3.000.000\xa0₫" in view  # the official's view of the application

    async with app.sessions() as session:
        data = await area_report(session, true(), date.today(), datetime.now(UTC))
    assert (data.confirmed, data.denied) == (0, 1)


async def test_a_button_for_another_chats_payment_is_refused(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    await submit_household(app, citizen)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    application = (await _applications(app))[0]
    await approve_and_pay(app, Chat(app, "xa"), application)
    stranger = Chat(app, "stranger")
    pay = await payment(app)
    replies = await stranger.tap(f"pc:n:{pay.id}")
    assert "không còn hiệu lực" in joined(replies)
    assert (await payment(app)).confirmation is None


async def _applications(app: HoTro) -> list[Application]:
    async with app.sessions() as session:
        return list((await session.execute(select(Application))).scalars())


async def insert_paid(app: HoTro, channel: str, chat_id: str, recorded_at: datetime, commune: int = NHAT_TIEN) -> int:
    """A paid application straight in the database (as `hotro import` leaves one); returns the payment id."""
    async with app.sessions.begin() as session:
        user = (
            await session.execute(
                select(ChannelUser).where(ChannelUser.channel == channel, ChannelUser.user_id == chat_id)
            )
        ).scalar_one_or_none() or ChannelUser(channel=channel, user_id=chat_id, chat_id=chat_id)
        session.add(user)
        await session.flush()
        application = Application(
            code=app_code.new_code("HK"),
            kind="household_business",
            policy_id="household_business",
            status=ApplicationStatus.APPROVED,
            channel=channel,
            chat_id=chat_id,
            channel_user_id=user.id,
            full_name="Vũ Thị Lan",
            phone="*******678",
            phone_hash="p",
            id_kind="cccd",
            id_number_enc=app.protector.encrypt("001175012345", context="id_number"),
            id_hash=app.protector.blind_index("id_number", "001175012345"),
            province_code=20,
            district_code=186,
            commune_code=commune,
            payment_method="cash",
            fields={},
            approved_amount=3_000_000,
            decision_number="1/QĐ-UBND",
            decision_date=date(2021, 9, 1),
            submitted_at=datetime(2021, 8, 2, 3, 0, tzinfo=UTC),
        )
        session.add(application)
        await session.flush()
        await lifecycle.transition(
            session,
            application,
            ApplicationStatus.PAID,
            actor="official:1",
            now=recorded_at,
            protector=app.protector,
            payment=lifecycle.PaymentInfo(3_000_000, date(2021, 9, 10), "cash"),
        )
        return (await session.execute(select(Payment.id))).scalar_one()


async def test_two_processes_ask_once(app: HoTro) -> None:
    now = datetime.now(UTC)
    await insert_paid(app, "test", "citizen", now - timedelta(days=3, minutes=5))
    second = await create_app(app.settings)
    try:
        results = await asyncio.gather(payment_confirm.ask_due(app, now), payment_confirm.ask_due(second, now))
    finally:
        await second.close()
    assert sorted(results) == [0, 1]
    assert await questions_queued(app) == 1


async def test_old_payments_are_not_asked_when_the_feature_starts(app: HoTro) -> None:
    now = datetime.now(UTC)
    await insert_paid(app, "test", "citizen", now - timedelta(days=3 + 31))  # beyond the 30-day window
    assert await payment_confirm.ask_due(app, now) == 0
    async with app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one() == 0


async def test_payment_confirmation_through_telegram(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    payment_id = await insert_paid(app, "telegram", "5101", datetime.now(UTC) - timedelta(days=4))
    async with app.sessions.begin() as session:
        await add_official(session, "telegram", "7101", "commune", NHAT_TIEN, "Cán bộ xã")
    lan = telegram_user(client, fake_telegram, app, 5101)
    officer = telegram_user(client, fake_telegram, app, 7101)
    await lan.say("/start")
    await officer.say("/start")
    assert await payment_confirm.ask_due(app, datetime.now(UTC)) == 1
    await app.sender.deliver()
    assert QUESTION in lan.last_text
    assert [b["text"] for b in lan.buttons()] == ["✅ Đã nhận", "❌ Chưa nhận"]
    sent = await lan.press("Chưa nhận")
    assert "chưa nhận được 3.000.000\xa0₫" in sent[-1].text
    await fake_telegram.wait_for_messages(7101, 2)
    assert "CHƯA nhận được khoản chi trả" in officer.last_text
    async with app.sessions() as session:
        assert (await session.get(Payment, payment_id)).confirmation == "denied"  # type: ignore[union-attr]


async def test_payment_confirmation_in_the_console(tmp_path: Path, settings: Settings, migrated_url: str) -> None:
    """`hotro chat` shows the question that waited for the citizen; typing the answer records it, and the
    commune official sees the denial when they open their console."""
    from tests.test_console import run_chat

    chat_db = migrated_url  # the commands and `settings` share the database (and SQLite's key beside it)
    run_chat(tmp_path, ["/menu"], user="citizen-1", db_url=chat_db)  # the citizen has used the bot before
    app = await create_app(settings)
    try:
        payment_id = await insert_paid(app, "console", "citizen-1", datetime.now(UTC) - timedelta(days=4))
        async with app.sessions.begin() as session:
            await add_official(session, "console", "xa-1", "commune", NHAT_TIEN, None)
        assert await payment_confirm.ask_due(app, datetime.now(UTC)) == 1
    finally:
        await app.close()
    out = run_chat(tmp_path, ["Chưa nhận"], user="citizen-1", db_url=chat_db)
    assert QUESTION in out and "[2] ❌ Chưa nhận" in out
    assert "chưa nhận được 3.000.000\xa0₫" in out
    official = run_chat(tmp_path, [], user="xa-1", db_url=chat_db)
    assert "CHƯA nhận được khoản chi trả 3.000.000\xa0₫" in official
    app = await create_app(settings)
    try:
        async with app.sessions() as session:
            assert (await session.get(Payment, payment_id)).confirmation == "denied"  # type: ignore[union-attr]
    finally:
        await app.close()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("rồi", "confirmed"), ("nhận rồi ạ", "confirmed"), ("đã nhận được rồi, cảm ơn", "confirmed"),
     ("chưa", "denied"), ("chưa nhận được", "denied"), ("em vẫn chưa nhận được tiền", "denied")],
)  # fmt: skip
async def test_the_answer_may_be_typed(app: HoTro, typed: str, stored: str) -> None:
    """ "chưa nhận được" typed under "Bạn đã nhận được … chưa?" showed the application as paid, and nothing was
    recorded or told to the commune; "nhận rồi ạ" was not counted."""
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    await approve_and_pay(app, Chat(app, "xa"), application)
    await age_payment(app, timedelta(days=3, minutes=1))
    await payment_confirm.ask_due(app, datetime.now(UTC))
    await app.sender.deliver()
    await citizen.say(typed)
    assert (await payment(app)).confirmation == stored
