"""The daily progress report: figures per area, the chat text, /baocao, the daily push, `hotro report`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot import report_jobs as daily
from bot.app import HoTro, create_app
from bot.config import Settings
from handlers import app_code
from handlers.report import chat as report
from handlers.report import service as progress_report
from messages import fmt
from messages.catalog import PO, read
from messages.vocabulary import STATUSES, status_label
from storage import deadlines, outbox
from storage.models import Application, ChannelUser, JobRun, Official, OutboxMessage, Payment
from storage.officials import add_official, scope
from storage.report_figures import OLDEST_OVERDUE, ReportData, area_report, last_review_overdue_day
from tests.chat import Chat, joined

ROOT = Path(__file__).resolve().parent.parent

PROVINCE = 20  # Tỉnh Lạng Sơn
HUU_LUNG, CHI_LANG = 186, 187  # districts
NHAT_TIEN, YEN_BINH = 6418, 6391  # communes of Huyện Hữu Lũng
VAN_AN = 6469  # a commune of Huyện Chi Lăng
DISTRICT_OF = {NHAT_TIEN: HUU_LUNG, YEN_BINH: HUU_LUNG, VAN_AN: CHI_LANG}

# Thursday 6 May 2021, 14:30 in Hà Nội. 30/4 (Fri), 1/5 (Sat) and 3/5 (Mon, in lieu of 1/5) are
# holidays, so the working days before it are 5/5, 4/5, 29/4, 28/4, 27/4...
TODAY = date(2021, 5, 6)


def vn(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time as an aware UTC datetime (how the database stores times)."""
    return datetime(y, m, d, hour, minute, tzinfo=fmt.TZ).astimezone(UTC)


NOW = vn(2021, 5, 6, 14, 30)


class Factory:
    """Application rows straight in the database, with just the columns the schema requires."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.codes: dict[str, str] = {}  # name -> stored (compact) code
        self._citizen: ChannelUser | None = None

    async def citizen(self) -> ChannelUser:
        if self._citizen is None:
            self._citizen = ChannelUser(channel="test", user_id="citizen", chat_id="citizen")
            self.session.add(self._citizen)
            await self.session.flush()
        return self._citizen

    async def app(
        self,
        name: str,
        commune: int,
        status: str,
        submitted_at: datetime,
        *,
        approved_amount: int | None = None,
        decision_date: date | None = None,
        status_changed_at: datetime | None = None,
        paid: tuple[int, date] | None = None,
    ) -> Application:
        user = await self.citizen()
        code = app_code.new_code("HK")
        application = Application(
            code=code,
            kind="household_business",
            policy_id="household_business",
            status=status,
            channel="test",
            chat_id="citizen",
            channel_user_id=user.id,
            full_name=f"Người {name}",
            phone="0912345678",
            phone_hash=f"phone-{name}",
            id_kind="cccd",
            id_number_enc="dummy",
            id_hash=f"id-{name}",
            province_code=PROVINCE,
            district_code=DISTRICT_OF[commune],
            commune_code=commune,
            payment_method="cash",
            fields={},
            approved_amount=approved_amount,
            decision_number="123/QĐ-UBND" if decision_date else None,
            decision_date=decision_date,
            status_changed_at=status_changed_at or submitted_at,
            submitted_at=submitted_at,
            updated_at=submitted_at,
        )
        self.session.add(application)
        await self.session.flush()
        if paid is not None:
            amount, paid_on = paid
            self.session.add(
                Payment(application_id=application.id, amount=amount, paid_on=paid_on, method="cash", recorded_by="t")
            )
        self.codes[name] = code
        return application


async def seed(app: HoTro) -> dict[str, str]:
    """Three communes in two districts; returns the codes by name."""
    async with app.sessions.begin() as session:
        f = Factory(session)
        # Xã Nhật Tiến
        await f.app("nt_new", NHAT_TIEN, "submitted", vn(2021, 5, 6, 8))
        await f.app("nt_new_midnight", NHAT_TIEN, "submitted", vn(2021, 5, 6, 0, 10))  # 5/5 17:10 UTC: today in VN
        await f.app("nt_late_review", NHAT_TIEN, "under_review", vn(2021, 4, 27, 10))  # 5 working days ago, due 4/5
        await f.app("nt_late_review2", NHAT_TIEN, "submitted", vn(2021, 4, 28, 16))  # due 5/5
        # Received 29/4 (28/4 in UTC): the 3 working days are 4/5, 5/5 and 6/5 (holidays 30/4–3/5), so due today.
        await f.app("nt_holiday_edge", NHAT_TIEN, "submitted", vn(2021, 4, 29, 0, 30))
        await f.app("nt_needs_info", NHAT_TIEN, "needs_info", vn(2021, 4, 20))  # waiting for the citizen
        await f.app("nt_forwarded", NHAT_TIEN, "forwarded", vn(2021, 4, 21))
        await f.app(  # approved 10 days ago, unpaid: due 3/5
            "nt_late_pay",
            NHAT_TIEN,
            "approved",
            vn(2021, 4, 5),
            approved_amount=3_000_000,
            decision_date=date(2021, 4, 26),
        )
        await f.app(  # approved 29/4: due 6/5, not yet overdue
            "nt_pay_edge",
            NHAT_TIEN,
            "approved",
            vn(2021, 4, 5),
            approved_amount=1_855_000,
            decision_date=date(2021, 4, 29),
        )
        await f.app(  # no decision date: the approval day is the status change's (25/4), due 2/5
            "nt_late_pay_nodate",
            NHAT_TIEN,
            "approved",
            vn(2021, 4, 5),
            approved_amount=3_710_000,
            status_changed_at=vn(2021, 4, 25, 10),
        )
        await f.app(  # approved 29/4 00:30 in VN (28/4 in UTC): due 6/5, not overdue; no amount yet
            "nt_pay_nodate_edge", NHAT_TIEN, "approved", vn(2021, 4, 5), status_changed_at=vn(2021, 4, 29, 0, 30)
        )
        await f.app(
            "nt_paid_today",
            NHAT_TIEN,
            "paid",
            vn(2021, 4, 5),
            approved_amount=3_000_000,
            decision_date=date(2021, 4, 30),
            paid=(3_000_000, TODAY),
        )
        await f.app(
            "nt_paid_earlier",
            NHAT_TIEN,
            "paid",
            vn(2021, 4, 5),
            approved_amount=1_855_000,
            decision_date=date(2021, 4, 28),
            paid=(1_855_000, date(2021, 5, 4)),
        )
        await f.app("nt_rejected", NHAT_TIEN, "rejected", vn(2021, 4, 20))
        await f.app("nt_withdrawn", NHAT_TIEN, "withdrawn", vn(2021, 4, 20))
        # Xã Yên Bình, same district
        await f.app("yb_late_review", YEN_BINH, "submitted", vn(2021, 4, 20))  # 21/4 is a holiday: due 26/4
        await f.app(
            "yb_paid",
            YEN_BINH,
            "paid",
            vn(2021, 4, 5),
            approved_amount=2_000_000,
            decision_date=date(2021, 5, 4),
            paid=(2_000_000, TODAY),
        )
        await f.app("yb_new", YEN_BINH, "submitted", vn(2021, 5, 6, 9))
        # Xã Vân An, Huyện Chi Lăng
        await f.app(
            "va_late_pay",
            VAN_AN,
            "approved",
            vn(2021, 3, 20),
            approved_amount=5_000_000,
            decision_date=date(2021, 4, 1),
        )
        await f.app("va_yesterday", VAN_AN, "submitted", vn(2021, 5, 5, 23, 59))  # not new today, due 10/5
        return f.codes


def official(role: str, area: int | None) -> Official:
    return Official(channel="test", user_id=f"{role}-{area}", role=role, area_code=area)


async def report_for(app: HoTro, role: str, area: int | None, today: date = TODAY) -> ReportData:
    async with app.sessions() as session:
        return await area_report(session, scope(official(role, area)), today, NOW)


def zeros(**counts: int) -> dict[str, int]:
    return {status: counts.get(status, 0) for status in STATUSES}


# --- the figures -----------------------------------------------------------------------------------------


async def test_commune_report_counts_only_its_commune(app: HoTro) -> None:
    codes = await seed(app)
    data = await report_for(app, "commune", NHAT_TIEN)
    assert data.counts == zeros(
        submitted=4, under_review=1, needs_info=1, forwarded=1, approved=4, paid=2, rejected=1, withdrawn=1
    )
    assert data.total == 15
    assert data.new_today == 2  # 08:00 and 00:10 today, Vietnam time
    assert data.approved_amount == 3_000_000 + 1_855_000 + 3_710_000 + 3_000_000 + 1_855_000
    assert data.paid_amount == 4_855_000
    assert (data.paid_today_amount, data.paid_today_count) == (3_000_000, 1)
    assert (data.overdue_review, data.overdue_payment) == (2, 2)
    assert [(i.code, i.kind, i.due) for i in data.oldest_overdue] == [
        (codes["nt_late_pay_nodate"], "payment", date(2021, 5, 2)),
        (codes["nt_late_pay"], "payment", date(2021, 5, 3)),
        (codes["nt_late_review"], "review", date(2021, 5, 4)),
        (codes["nt_late_review2"], "review", date(2021, 5, 5)),
    ]
    listed = {i.code for i in data.oldest_overdue}
    assert codes["nt_holiday_edge"] not in listed and codes["yb_late_review"] not in listed


async def test_district_report_adds_its_communes_only(app: HoTro) -> None:
    codes = await seed(app)
    data = await report_for(app, "district", HUU_LUNG)
    assert data.counts == zeros(
        submitted=6, under_review=1, needs_info=1, forwarded=1, approved=4, paid=3, rejected=1, withdrawn=1
    )
    assert data.new_today == 3
    assert data.approved_amount == 15_420_000
    assert data.paid_amount == 6_855_000
    assert (data.paid_today_amount, data.paid_today_count) == (5_000_000, 2)
    assert (data.overdue_review, data.overdue_payment) == (3, 2)
    assert data.oldest_overdue[0].code == codes["yb_late_review"]
    assert data.oldest_overdue[0].due == date(2021, 4, 26)  # 21/4 (Giỗ Tổ Hùng Vương) is not a working day
    assert codes["va_late_pay"] not in {i.code for i in data.oldest_overdue}


async def test_admin_and_province_reports_cover_everything(app: HoTro) -> None:
    codes = await seed(app)
    for role, area in (("admin", None), ("province", PROVINCE)):
        data = await report_for(app, role, area)
        assert data.counts == zeros(
            submitted=7, under_review=1, needs_info=1, forwarded=1, approved=5, paid=3, rejected=1, withdrawn=1
        )
        assert data.total == 20
        assert data.new_today == 3  # 23:59 yesterday is not today
        assert data.approved_amount == 20_420_000
        assert data.paid_amount == 6_855_000
        assert (data.overdue_review, data.overdue_payment) == (3, 3)
        assert [i.code for i in data.oldest_overdue[:2]] == [codes["va_late_pay"], codes["yb_late_review"]]
    async with app.sessions() as session:
        everything = await area_report(session, true(), TODAY, NOW)
    assert everything.counts == data.counts


async def test_an_area_without_applications_reports_zeros(app: HoTro) -> None:
    await seed(app)
    data = await report_for(app, "commune", 6385)  # Thị trấn Hữu Lũng: nothing registered
    assert data.counts == zeros() and len(data.counts) == len(STATUSES)
    assert (data.new_today, data.approved_amount, data.paid_amount, data.overdue_review) == (0, 0, 0, 0)
    assert data.oldest_overdue == []


async def test_sql_overdue_matches_the_deadline_rules_on_every_day(app: HoTro) -> None:
    """The SQL cutoffs agree with handlers.deadlines.overdue() row by row, across the 30/4–3/5 holidays."""
    await seed(app)
    async with app.sessions() as session:
        rows = (await session.execute(select(Application))).scalars().all()
    day = date(2021, 4, 15)
    while day <= date(2021, 5, 20):
        data = await report_for(app, "admin", None, today=day)
        expected = [deadlines.overdue(row, day) for row in rows]
        assert (data.overdue_review, data.overdue_payment) == (expected.count("review"), expected.count("payment")), day
        day += timedelta(days=1)


def test_review_cutoff_skips_weekends_and_holidays() -> None:
    # On 6/5/2021 the deadline has passed for everything received up to 28/4 (due 5/5), not 29/4 (due 6/5).
    assert last_review_overdue_day(date(2021, 5, 6)) == date(2021, 4, 28)
    # On Monday 10/5 it has passed for up to Tuesday 4/5 (due 7/5).
    assert last_review_overdue_day(date(2021, 5, 10)) == date(2021, 5, 4)


async def test_only_the_ten_most_overdue_codes_are_listed(app: HoTro) -> None:
    async with app.sessions.begin() as session:
        f = Factory(session)
        for n in range(OLDEST_OVERDUE + 3):
            await f.app(f"late{n}", YEN_BINH, "submitted", vn(2021, 4, 1) + timedelta(hours=n))
    data = await report_for(app, "commune", YEN_BINH)
    assert data.overdue_review == OLDEST_OVERDUE + 3
    assert [i.code for i in data.oldest_overdue] == [f.codes[f"late{n}"] for n in range(OLDEST_OVERDUE)]


# --- the text ----------------------------------------------------------------------------------------------


async def test_rendered_report_is_vietnamese_with_amounts_and_overdue_codes(app: HoTro) -> None:
    codes = await seed(app)
    data = await report_for(app, "commune", NHAT_TIEN)
    area = progress_report.area_name(official("commune", NHAT_TIEN))
    assert area == "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn"
    text = progress_report.render_report(data, area, TODAY)
    assert text.startswith(
        "BÁO CÁO TIẾN ĐỘ HỖ TRỢ THEO NQ 68 – Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn – ngày 06/05/2021"
        " (số liệu đến 14:30)"
    )
    assert "Tổng số hồ sơ: 15 (mới trong ngày: 2)" in text
    for status, count in data.counts.items():
        assert f"• {status_label(status)}: {count}" in text
    assert "Kinh phí đã phê duyệt: 13.420.000\xa0₫" in text
    assert "Kinh phí đã chi trả: 4.855.000\xa0₫" in text
    assert "Chi trả trong ngày: 3.000.000\xa0₫ (1 hồ sơ)" in text
    assert "⚠️ Quá hạn xem xét (quá 3 ngày làm việc): 2 hồ sơ" in text
    assert "⚠️ Quá hạn chi trả (quá 7 ngày kể từ khi phê duyệt): 2 hồ sơ" in text
    assert f"• {app_code.display(codes['nt_late_pay'])} – hạn chi trả 03/05/2021" in text
    assert f"• {app_code.display(codes['nt_late_review'])} – hạn xem xét 04/05/2021" in text
    assert app_code.display(codes["nt_holiday_edge"]) not in text
    assert len(text) < 4096


async def test_rendered_report_without_overdue_says_so(app: HoTro) -> None:
    data = await report_for(app, "admin", None)
    text = progress_report.render_report(data, progress_report.area_name(official("admin", None)), TODAY)
    assert "Tất cả địa bàn" in text
    assert "✅ Không có hồ sơ quá hạn." in text and "⚠️" not in text
    assert "Kinh phí đã phê duyệt: 0\xa0₫" in text


def test_area_names_for_each_level() -> None:
    assert progress_report.area_name(official("district", HUU_LUNG)) == "Huyện Hữu Lũng, Tỉnh Lạng Sơn"
    assert progress_report.area_name(official("province", PROVINCE)) == "Tỉnh Lạng Sơn"
    assert progress_report.area_name(official("commune", 999_999)) == "địa bàn mã 999999"


# --- /baocao in the chat -------------------------------------------------------------------------------------


async def test_baocao_gives_an_official_the_report_of_their_commune(app: HoTro) -> None:
    codes = await seed(app)
    async with app.sessions.begin() as session:
        await add_official(session, "test", "c1", "commune", NHAT_TIEN, "Cán bộ Lan")
    chat = Chat(app)
    text = joined(await chat.say("/baocao"))
    assert "BÁO CÁO TIẾN ĐỘ HỖ TRỢ THEO NQ 68 – Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn" in text
    assert f"ngày {fmt.day(fmt.today_local())}" in text  # the real today: the engine's clock
    assert "Tổng số hồ sơ: 15" in text
    # Years later, every open application of the commune is overdue; other communes stay out.
    assert app_code.display(codes["nt_late_pay"]) in text
    assert app_code.display(codes["yb_late_review"]) not in text
    assert "🔄 Cập nhật" in [b["label"] for b in chat.buttons()]
    # The Refresh button runs the report again.
    assert "Tổng số hồ sơ: 15" in joined(await chat.press("Cập nhật"))


async def test_baocao_politely_refuses_a_citizen(app: HoTro) -> None:
    await seed(app)
    chat = Chat(app, chat_id="c2")
    text = joined(await chat.say("/baocao"))
    assert "chỉ dành cho cán bộ" in text
    assert "BÁO CÁO" not in text and "Tổng số hồ sơ" not in text


# --- the daily push ------------------------------------------------------------------------------------------


async def add_officials(app: HoTro) -> None:
    async with app.sessions.begin() as session:
        await add_official(session, "test", "c1", "commune", NHAT_TIEN, None)
        await add_official(session, "test", "d1", "district", HUU_LUNG, None)
        await add_official(session, "test", "a1", "admin", None, None)
        gone = await add_official(session, "test", "x1", "commune", VAN_AN, None)
        gone.active = False
        await add_official(session, "test", "b1", "commune", YEN_BINH, None)
        # d1 wrote to the bot from a chat whose id differs from the user id; b1 blocked the bot.
        session.add(ChannelUser(channel="test", user_id="d1", chat_id="chat-d1"))
        session.add(ChannelUser(channel="test", user_id="b1", chat_id="b1", status="blocked"))


async def outbox_texts(app: HoTro) -> dict[str, list[str]]:
    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    texts: dict[str, list[str]] = {}
    for row in rows:
        texts.setdefault(row.chat_id, []).append(outbox.payload_of(row, app.protector)["text"])
    return texts


async def test_daily_reports_are_queued_once_per_official_and_day(app: HoTro) -> None:
    await seed(app)
    await add_officials(app)
    assert await daily.send_daily_reports(app, TODAY, NOW) == 3
    texts = await outbox_texts(app)
    assert sorted(texts) == ["a1", "c1", "chat-d1"]  # not the inactive x1, not b1 who blocked the bot
    assert "Xã Nhật Tiến" in texts["c1"][0] and "Tổng số hồ sơ: 15" in texts["c1"][0]
    assert "– Huyện Hữu Lũng, Tỉnh Lạng Sơn –" in texts["chat-d1"][0] and "Tổng số hồ sơ: 18" in texts["chat-d1"][0]
    assert "Tất cả địa bàn" in texts["a1"][0] and "Tổng số hồ sơ: 20" in texts["a1"][0]
    # Another process, the same day: nothing more.
    assert await daily.send_daily_reports(app, TODAY, NOW + timedelta(minutes=1)) == 0
    assert sum(map(len, (await outbox_texts(app)).values())) == 3
    async with app.sessions() as session:
        assert (await session.get(JobRun, daily.JOB_NAME)).last_run_on == TODAY  # type: ignore[union-attr]
    # The next day is a new report.
    assert await daily.send_daily_reports(app, TODAY + timedelta(days=1), NOW + timedelta(days=1)) == 3


async def test_two_processes_at_once_queue_the_reports_once(app: HoTro, settings: Settings) -> None:
    await add_officials(app)
    other = await create_app(settings)  # a second process on the same database
    try:
        results = await asyncio.gather(
            daily.send_daily_reports(app, TODAY, NOW), daily.send_daily_reports(other, TODAY, NOW)
        )
    finally:
        await other.close()
    assert sorted(results) == [0, 3]
    assert sum(map(len, (await outbox_texts(app)).values())) == 3


async def test_a_crash_while_queueing_leaves_the_day_to_be_sent_again(
    app: HoTro, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_officials(app)
    real_enqueue = daily.outbox.enqueue
    calls = 0

    async def crash_on_second(*args: object, **kwargs: object) -> OutboxMessage:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("process killed")
        return await real_enqueue(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(daily.outbox, "enqueue", crash_on_second)
    with pytest.raises(RuntimeError):
        await daily.send_daily_reports(app, TODAY, NOW)
    assert await queued(app) == 0  # the claim and the first report were rolled back together
    monkeypatch.setattr(daily.outbox, "enqueue", real_enqueue)
    assert await daily.send_daily_reports(app, TODAY, NOW) == 3


async def test_daily_reports_reach_the_official_through_the_sender(app: HoTro) -> None:
    await add_officials(app)
    chat = Chat(app)  # installs the recording transport for channel "test"
    await daily.send_daily_reports(app, TODAY, NOW)
    await app.sender.deliver()
    assert "BÁO CÁO TIẾN ĐỘ" in chat.last_text
    assert [b["action"] for b in chat.buttons()] == [report.REPORT_ACTION]


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.reads = 0  # the scheduler reads the clock once at the start of each check

    def __call__(self) -> datetime:
        self.reads += 1
        return self.now


async def checks(clock: FakeClock, n: int = 3) -> None:
    """Until the scheduler has made `n` whole checks since now (the one in progress may have read the
    clock before it was set): a check that was to send has queued its reports by then."""
    target = clock.reads + n + 1
    async with asyncio.timeout(5):
        while clock.reads < target:
            await asyncio.sleep(0.005)


async def queued(app: HoTro) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def wait_until_queued(app: HoTro, n: int, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while await queued(app) < n:
        assert asyncio.get_running_loop().time() < deadline, f"fewer than {n} reports queued"
        await asyncio.sleep(0.01)


async def test_scheduler_sends_after_the_report_time_once_a_day(app: HoTro) -> None:
    await add_officials(app)
    assert daily.report_time(app.settings).strftime("%H:%M") == "14:30"
    clock = FakeClock(vn(2021, 5, 6, 14, 29))
    stop = asyncio.Event()
    task = asyncio.create_task(daily.run_scheduler(app, stop, clock=clock, interval=0.01))
    try:
        await checks(clock)  # checks before 14:30
        assert await queued(app) == 0
        clock.now = vn(2021, 5, 6, 14, 31)
        await wait_until_queued(app, 3)
        clock.now = vn(2021, 5, 6, 16, 0)
        await checks(clock)
        assert await queued(app) == 3  # once a day
        clock.now = vn(2021, 5, 7, 9, 0)
        await checks(clock)
        assert await queued(app) == 3  # the next morning: not before 14:30
        clock.now = vn(2021, 5, 7, 14, 30)
        await wait_until_queued(app, 6)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)  # stops promptly, without an error


async def test_scheduler_started_late_sends_unless_another_process_has(app: HoTro) -> None:
    await add_officials(app)
    assert await daily.send_daily_reports(app, TODAY, NOW) == 3  # another process, at 14:30
    stop = asyncio.Event()
    clock = FakeClock(vn(2021, 5, 6, 20))
    task = asyncio.create_task(daily.run_scheduler(app, stop, clock=clock, interval=0.01))
    await checks(clock)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert await queued(app) == 3


# --- hotro report -----------------------------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotro")
    daily.add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(["report", *argv])


async def test_hotro_report_writes_the_area_report_to_a_file(
    app: HoTro, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = await seed(app)
    out = tmp_path / "reports" / "nhat-tien.txt"
    args = parse("--area-role", "commune", "--area", str(NHAT_TIEN), "--date", "2021-05-06", "--out", str(out))
    await args.func(settings, args)
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "BÁO CÁO TIẾN ĐỘ HỖ TRỢ THEO NQ 68 – Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn – ngày 06/05/2021"
    )
    assert "Tổng số hồ sơ: 15 (mới trong ngày: 2)" in text
    assert app_code.display(codes["nt_late_pay"]) in text
    assert str(out.resolve()) in capsys.readouterr().out


async def test_hotro_report_for_an_official_or_everything(app: HoTro, settings: Settings, tmp_path: Path) -> None:
    await seed(app)
    async with app.sessions.begin() as session:
        district = await add_official(session, "test", "d1", "district", HUU_LUNG, None)
    args = parse("--official-id", str(district.id), "--date", "2021-05-06", "--out", str(tmp_path / "d.txt"))
    await args.func(settings, args)
    assert "Huyện Hữu Lũng, Tỉnh Lạng Sơn" in (tmp_path / "d.txt").read_text(encoding="utf-8")
    args = parse("--date", "2021-05-06", "--out", str(tmp_path / "all.txt"))
    await args.func(settings, args)
    assert "Tất cả địa bàn" in (tmp_path / "all.txt").read_text(encoding="utf-8")
    with pytest.raises(SystemExit, match="của một xã"):
        args = parse("--area-role", "commune", "--area", "999999", "--out", str(tmp_path / "x.txt"))
        await args.func(settings, args)
    with pytest.raises(SystemExit, match="cần đi kèm --area-role"):
        args = parse("--area", str(NHAT_TIEN), "--out", str(tmp_path / "x.txt"))
        await args.func(settings, args)
    assert not (tmp_path / "x.txt").exists()


# --- translations ------------------------------------------------------------------------------------------


def test_every_report_msgid_has_a_vietnamese_translation() -> None:
    """Each msgid of the report modules is translated in hotro.po."""
    known = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read(PO) if m.id and m.string}
    found, missing = [], []
    for module in (
        "handlers/report/chat.py",
        "handlers/report/service.py",
        "bot/report_jobs.py",
        "storage/report_figures.py",
    ):
        for _lineno, message, _comments, _context in extract_from_file(
            "python", ROOT / module, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
        ):
            msgid = message if isinstance(message, str) else message[0]
            found.append(msgid)
            if msgid not in known:
                missing.append(msgid)
    assert len(found) >= 15 and "All areas" in found
    assert missing == []
