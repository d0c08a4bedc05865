"""Issue 14, the command line officials use: refusals with a Vietnamese reason and a non-zero exit,
no alembic chatter, and announcements that say why console users get nothing."""

from __future__ import annotations

import argparse
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot import announcement_sender as broadcaster
from bot import exchange
from bot.app import HoTro
from bot.config import Settings
from tests.applications import NHAT_TIEN
from tests.conftest import PG_URL, TEST_KEY
from tests.prestarted import run_bot
from tests.test_broadcast import citizen, official
from tests.test_exchange import NOW, add_application, export, fill, protector_of, row_of


def hotro(tmp_path: Path, db_url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`db_url`: the `db_url` fixture's (empty: the command's first start migrates it) or `migrated_url`."""
    env = {**os.environ, "HOTRO_DATA_DIR": str(tmp_path / "data"), "HOTRO_DATABASE_URL": db_url}
    if PG_URL:
        env["HOTRO_DATA_KEY"] = TEST_KEY  # PostgreSQL needs a given key; SQLite's is beside its file
    return run_bot(*argv, env=env, cwd=tmp_path)


def test_officials_commands_speak_vietnamese_and_fail_loudly(tmp_path: Path, db_url: str) -> None:
    removed = hotro(tmp_path, db_url, "officials", "remove", "--channel", "telegram", "--user-id", "nobody")
    assert removed.returncode != 0 and "Không có cán bộ" in removed.stderr
    admin = hotro(
        tmp_path,
        db_url,
        "officials",
        "add",
        "--channel",
        "telegram",
        "--user-id",
        "1",
        "--role",
        "admin",
        "--area",
        "6418",
    )
    assert admin.returncode != 0 and "Quản trị viên không gắn với một địa bàn" in admin.stderr
    added = hotro(
        tmp_path,
        db_url,
        "officials",
        "add",
        "--channel",
        "telegram",
        "--user-id",
        "2",
        "--role",
        "commune",
        "--area",
        "6418",
    )
    assert added.returncode == 0 and "cán bộ cấp xã – Xã Nhật Tiến" in added.stdout
    listed = hotro(tmp_path, db_url, "officials", "list")
    assert "đang hoạt động" in listed.stdout and "active" not in listed.stdout
    gone = hotro(tmp_path, db_url, "officials", "remove", "--channel", "telegram", "--user-id", "2")
    assert gone.returncode == 0 and "Đã gỡ cán bộ telegram:2" in gone.stdout
    again = hotro(tmp_path, db_url, "officials", "remove", "--channel", "telegram", "--user-id", "2")
    assert again.returncode != 0  # already removed
    for result in (removed, admin, added, listed, gone):
        assert "INFO" not in result.stderr and "alembic" not in result.stderr  # no migration chatter
    migrated = hotro(tmp_path, db_url, "migrate")
    assert "Cơ sở dữ liệu đã được cập nhật" in migrated.stdout and "INFO" not in migrated.stderr


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotro")
    exchange.add_commands(parser.add_subparsers(dest="command"))
    broadcaster.add_commands(parser._subparsers._group_actions[0])  # type: ignore[union-attr]
    return parser.parse_args(list(argv))


async def test_export_refuses_a_name_that_is_not_xlsx_or_csv(app: HoTro, settings: Settings, tmp_path: Path) -> None:
    for name, extra in (("x.pdf", ()), ("x.csv", ("--format", "xlsx")), ("x", ())):
        args = parse(
            "export", "--area-role", "commune", "--area", str(NHAT_TIEN), "--out", str(tmp_path / name), *extra
        )
        with pytest.raises(SystemExit, match=r"\.xlsx hoặc \.csv"):
            await args.func(settings, args)
        assert not (tmp_path / name).exists()


async def test_export_refuses_an_area_for_admin(app: HoTro, settings: Settings, tmp_path: Path) -> None:
    args = parse("export", "--area-role", "admin", "--area", str(NHAT_TIEN), "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(SystemExit, match="bao gồm mọi địa bàn"):
        await args.func(settings, args)


async def test_import_refuses_an_approval_dated_before_the_submission(app: HoTro, tmp_path: Path) -> None:
    async with app.sessions.begin() as session:
        application = await add_application(session, protector_of(app), id_number="020085000001")
    submitted = application.submitted_at.date()
    out = tmp_path / "xa.xlsx"
    await export(app, out, kind="household_business")
    wb = load_workbook(out)
    ws = wb.active
    fill(ws, row_of(ws, application.code), result="Phê duyệt", decision_number="5/QĐ-UBND", decision_date="02/07/2021")
    wb.save(out)
    assert date(2021, 7, 2) < submitted
    report = await exchange.import_file(
        app.sessions, out, official=None, actor="official:9", now=NOW, protector=app.protector
    )
    assert any("trước ngày nộp hồ sơ" in problem for _line, problem in report.errors), report.errors
    async with app.sessions() as session:
        from storage.models import Application

        assert (await session.get(Application, application.id)).status == "forwarded"  # type: ignore[union-attr]


async def test_broadcast_lists_the_valid_audiences(app: HoTro, settings: Settings) -> None:
    xa = await official(app, "xa", "commune", NHAT_TIEN)
    args = parse("broadcast", "--official-id", str(xa.id), "--audience", "bogus", "--text", "Họp dân")
    with pytest.raises(SystemExit) as refused:
        await args.func(settings, args)
    message = str(refused.value.code)
    assert "“bogus”" in message and "area:<province|district|commune>" in message and "kind:free_worker" in message
    assert "needs_info" in message


async def test_console_only_announcement_says_why_no_one_is_reached(
    app: HoTro, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await citizen(app, "local", channel="console", commune=NHAT_TIEN)
    xa = await official(app, "xa", "commune", NHAT_TIEN)
    args = parse("broadcast", "--official-id", str(xa.id), "--audience", f"area:commune:{NHAT_TIEN}", "--text", "Họp")
    await args.func(settings, args)
    out = capsys.readouterr().out
    assert "Số người nhận: 0" in out and "1 người phù hợp dùng giao diện dòng lệnh" in out


def test_officials_read_the_help_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("export", "import", "broadcast"):
        with pytest.raises(SystemExit):
            parse(command, "--help")
    out = capsys.readouterr().out
    assert "tệp cần ghi (.xlsx hoặc .csv)" in out and "tệp .xlsx hoặc .csv huyện gửi lại" in out
    assert "the file to write" not in out and "xếp hàng để gửi" in out
