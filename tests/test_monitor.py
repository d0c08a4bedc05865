"""Issue 17, the monitor role (the Fatherland Front's representative, MTTQ): read-only and area-scoped.

Like the officials' access-control tests (tests/test_review.py): a monitor sees the applications, posting
lists, complaints and audit trail of their area, with personal numbers masked, and every action that would
change something is refused, whether through a button shown or a payload forged."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import exchange, officials_cli
from bot import report_jobs as daily
from bot.app import HoTro
from bot.config import Settings
from handlers.complaints import service as complaints
from handlers.posting import service as posting
from handlers.review import lifecycle
from handlers.review.console_login import new_login_link
from storage import broadcasts, outbox
from storage.models import Application, Broadcast, Complaint, DecisionPosting, Official, OutboxMessage, StatusEvent
from storage.officials import add_official
from tests.applications import HUU_LUNG, NHAT_TIEN, submit_household
from tests.chat import Chat
from tests.test_exchange import NOW, protector_of
from tests.test_posting import D1, seed
from tests.test_review import reload

NHAT_TIEN_OTHER = 6382


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotro")
    officials_cli.add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(["officials", *argv])


async def cli_monitor(settings: Settings, user: str, area: int, *level: str) -> None:
    args = parse("add", "--channel", "console", "--user-id", user, "--role", "monitor", "--area", str(area), *level)
    await args.func(settings, args)


async def add_monitor(app: HoTro, user: str, area: int, level: str = "commune") -> None:
    async with app.sessions.begin() as session:
        await add_official(session, "test", user, "monitor", area, None, level=level)


async def world(app: HoTro, settings: Settings) -> tuple[Application, Application, Complaint]:
    """A submitted application, an approved one with a decision, a complaint about the area; a monitor."""
    submitted = await submit_household(app, Chat(app, "citizen"), id_number="020085009999")
    approved = (await seed(app))[0]
    async with app.sessions.begin() as session:
        complaint, _notices = await complaints.submit(
            session,
            protector_of(app),
            category="procedure",
            text="Cán bộ thôn không nhận hồ sơ",
            attachments=[],
            commune_code=NHAT_TIEN,
            application=None,
            channel="test",
            chat_id="citizen",
            anonymous=False,
            now=NOW,
            deadlines=complaints.Deadlines(),
        )
    await add_monitor(app, "mttq", NHAT_TIEN)
    return submitted, approved, complaint


async def snapshot(app: HoTro) -> tuple[object, ...]:
    async with app.sessions() as session:
        statuses = tuple((await session.execute(select(Application.status).order_by(Application.id))).scalars())
        counts = [
            (await session.execute(select(func.count()).select_from(model))).scalar_one()
            for model in (StatusEvent, DecisionPosting, Broadcast)
        ]
        complaint_states = tuple((await session.execute(select(Complaint.status, Complaint.acknowledged_at))).all())
    return statuses, tuple(counts), complaint_states


async def test_the_cli_registers_a_monitor_at_a_level(
    app: HoTro, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await cli_monitor(settings, "mttq", NHAT_TIEN)
    assert "thành viên giám sát (Mặt trận Tổ quốc, chỉ xem) – Xã Nhật Tiến" in capsys.readouterr().out
    await cli_monitor(settings, "mttq-huyen", HUU_LUNG, "--level", "district")
    assert "Huyện Hữu Lũng" in capsys.readouterr().out
    async with app.sessions() as session:
        rows = (await session.execute(select(Official.role, Official.area_level).order_by(Official.id))).all()
    assert rows == [("monitor", "commune"), ("monitor", "district")]
    with pytest.raises(SystemExit, match="của một xã"):
        await cli_monitor(settings, "x", HUU_LUNG)  # a district's code is no commune
    with pytest.raises(SystemExit, match="chỉ dùng cho thành viên giám sát"):
        args = parse(
            "add",
            "--channel",
            "console",
            "--user-id",
            "y",
            "--role",
            "commune",
            "--area",
            "6418",
            "--level",
            "district",
        )
        await args.func(settings, args)


async def test_a_monitor_sees_the_area_with_numbers_masked_and_no_action(app: HoTro, settings: Settings) -> None:
    submitted, approved, complaint = await world(app, settings)
    monitor = Chat(app, "mttq")
    await monitor.say("/canbo")
    assert "Giám sát (chỉ xem)" in monitor.last_text and "Số hồ sơ trên địa bàn: 6" in monitor.last_text
    labels = [b["label"] for b in monitor.buttons()]
    assert "📋 Niêm yết công khai" in labels and "📝 Phản ánh, kiến nghị" in labels
    assert not any("Thông báo" in label for label in labels)

    await monitor.tap(f"of:o:{submitted.id}")
    view = monitor.last_text
    assert "Nguyễn Văn An" in view and "0200******99" in view and "020085009999" not in monitor.all_text()
    assert "0912.345.678" not in view and "0912345678" not in view
    # No action; the world's two applications share a name and birth date, so the cross-locality check links
    # the other one (a view, which a monitor may open).
    labels = [b["label"] for b in monitor.buttons() if not b["label"].startswith("Mở ")]
    assert labels == ["🕓 Lịch sử", "« Menu cán bộ"]
    await monitor.press("Lịch sử")
    assert "Lịch sử hồ sơ" in monitor.last_text and "Đã nộp" in monitor.last_text

    await monitor.tap("pst")
    await monitor.press(D1)
    assert "Quyết định số 1234/QĐ-UBND" in monitor.last_text
    assert [b["label"] for b in monitor.buttons()] == ["« Niêm yết công khai"]

    await monitor.tap("pa:of")
    await monitor.press(complaints.display_code(complaint.code))
    assert "Cán bộ thôn không nhận hồ sơ" in monitor.last_text
    assert not any(b["label"] in ("Xác nhận đã tiếp nhận", "Trả lời") for b in monitor.buttons())
    assert approved.status == "approved"


async def test_every_state_changing_action_is_refused_to_a_monitor(app: HoTro, settings: Settings) -> None:
    submitted, approved, complaint = await world(app, settings)
    monitor = Chat(app, "mttq")
    before = await snapshot(app)
    forged = [f"of:t:{submitted.id}:{target}" for target in ("under_review", "needs_info", "forwarded", "rejected")]
    forged += [f"of:t:{approved.id}:paid", "bc", "bc:new"]
    forged += [f"pa:ack:{complaint.id}", f"pa:ans:{complaint.id}"]
    forged += [f"pst:r:{approved.id}", f"pst:y:{approved.id}"]
    for payload in forged:
        await monitor.tap(payload)
        assert "giám sát" in monitor.last_text, payload  # told why, not a silent failure
        if any("Xác nhận" in b["label"] for b in monitor.buttons()):
            await monitor.press("Xác nhận")
        await monitor.say("Từ chối vì lý do giả mạo")  # an answer typed into any form it might have opened
    assert await snapshot(app) == before
    assert (await reload(app, submitted)).status == "submitted"


async def test_the_services_refuse_a_monitor_too(app: HoTro, settings: Settings, tmp_path: Path) -> None:
    _submitted, _approved, complaint = await world(app, settings)
    async with app.sessions.begin() as session:
        monitor = (await session.execute(select(Official).where(Official.user_id == "mttq"))).scalar_one()
        row = await session.get(Complaint, complaint.id)
        assert row is not None
        with pytest.raises(complaints.NotAllowed):
            await complaints.acknowledge(session, protector_of(app), monitor, row, NOW)
        with pytest.raises(complaints.NotAllowed):
            await complaints.answer(session, protector_of(app), monitor, row, "trả lời", NOW)
        with pytest.raises(posting.NotAllowed):
            await posting.record_posting(
                session,
                commune_code=NHAT_TIEN,
                decision_number=D1,
                posted_on=NOW.date(),
                actor="official:x",
                now=NOW,
                official=monitor,
            )
        monitor_id = monitor.id
    with pytest.raises(SystemExit, match="thành viên giám sát"):
        args = exchange_parse("export", "--official-id", str(monitor_id), "--out", str(tmp_path / "x.xlsx"))
        await args.func(settings, args)
    assert not (tmp_path / "x.xlsx").exists()


def exchange_parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotro")
    exchange.add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(list(argv))


async def test_a_monitor_sees_only_their_area(app: HoTro, settings: Settings) -> None:
    submitted, _approved, complaint = await world(app, settings)
    await add_monitor(app, "other", NHAT_TIEN_OTHER)
    other = Chat(app, "other")
    await other.tap(f"of:o:{submitted.id}")
    assert "không thuộc địa bàn" in other.last_text and "Nguyễn Văn An" not in other.all_text()
    await other.tap(f"pa:o:{complaint.id}")
    assert "không thuộc địa bàn" in other.last_text and "không nhận hồ sơ" not in other.all_text()
    await add_monitor(app, "district", HUU_LUNG, "district")
    district = Chat(app, "district")
    await district.tap(f"pa:o:{complaint.id}")
    assert "không nhận hồ sơ" in district.last_text  # the district's monitor covers the commune
    async with app.sessions.begin() as session:
        await add_official(session, "test", "admin", "admin", None, None)
    await district.tap(f"of:o:{submitted.id}")
    assert "Nguyễn Văn An" in district.last_text


async def test_the_lifecycle_and_announcements_refuse_a_monitor_whoever_calls_them(
    app: HoTro, settings: Settings
) -> None:
    """The web console and the import call these services directly: the refusal is in them, not only in the chat."""
    submitted, _approved, _complaint = await world(app, settings)
    async with app.sessions.begin() as session:
        monitor = (await session.execute(select(Official).where(Official.user_id == "mttq"))).scalar_one()
        application = await session.get(Application, submitted.id)
        assert application is not None
        with pytest.raises(lifecycle.TransitionError, match="monitor"):
            await lifecycle.transition(
                session, application, "under_review", actor=f"official:{monitor.id}", now=NOW, protector=app.protector
            )
        with pytest.raises(PermissionError):
            await broadcasts.create(session, monitor, broadcasts.Audience("all"), "Thông báo", NOW)
    assert (await reload(app, submitted)).status == "submitted"


async def test_each_monitor_gets_the_daily_report_of_their_own_level(app: HoTro) -> None:
    """Code 1 is both Phường Phúc Xá (a commune) and Quận Ba Đình (a district): two monitors, two reports."""
    await add_monitor(app, "ward", 1)
    await add_monitor(app, "district", 1, "district")
    assert await daily.send_daily_reports(app, NOW.date(), NOW) == 2
    async with app.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    texts = {row.chat_id: outbox.payload_of(row, app.protector)["text"] for row in rows}
    assert "Phường Phúc Xá" in texts["ward"] and "Quận Ba Đình" in texts["district"]
    assert "Phường Phúc Xá" not in texts["district"]


async def test_a_monitor_gets_a_link_to_the_read_only_web_console(app: HoTro) -> None:
    """The console has a read-only view for monitors (bot/web_console/auth.py): /dangnhap gives a link."""
    await add_monitor(app, "mttq", NHAT_TIEN)
    monitor = Chat(app, "mttq")
    await monitor.say("/dangnhap")
    assert "/canbo/login/" in monitor.last_text
    async with app.sessions() as session:
        official = (await session.execute(select(Official).where(Official.user_id == "mttq"))).scalar_one()
        url = await new_login_link(session, official, "http://127.0.0.1:8080", NOW)
    assert url.startswith("http://127.0.0.1:8080/canbo/login/")
