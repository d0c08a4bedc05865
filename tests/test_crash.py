"""A kill -9 in the middle of an application loses nothing the citizen had confirmed."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.commands import migrated_url
from tests.conftest import PG_URL, TEST_KEY

__all__ = ["migrated_url"]  # the fixture, used by name


def spawn(tmp_path: Path, db_url: str | None) -> subprocess.Popen[str]:
    env = {**os.environ, "HOTRO_DATA_DIR": str(tmp_path / "data")}
    if db_url:
        env["HOTRO_DATABASE_URL"] = db_url
        if PG_URL:
            env["HOTRO_DATA_KEY"] = TEST_KEY  # PostgreSQL needs a given key; SQLite's is beside its file
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--user-id", "kill-test"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def reader(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def send_until(proc: subprocess.Popen[str], lines: queue.Queue[str], text: str, expect: str) -> str:
    """Type one line and wait until the bot's answer contains `expect`."""
    assert proc.stdin is not None
    proc.stdin.write(text + "\n")
    proc.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 30
    while expect not in seen:
        assert time.monotonic() < deadline, f"waited for {expect!r}, got {seen!r}"
        with contextlib.suppress(queue.Empty):
            seen += lines.get(timeout=0.5)
    return seen


def test_kill_during_the_flow_then_continue(tmp_path: Path, migrated_url: str) -> None:
    url = migrated_url  # what is tested is the kill, not the first start: the database is migrated
    proc = spawn(tmp_path, url)
    out = reader(proc)
    send_until(proc, out, "/menu", "Đăng ký hỗ trợ")
    send_until(proc, out, "Đăng ký hỗ trợ", "Hộ kinh doanh")
    send_until(proc, out, "#1", "Tôi đồng ý")
    send_until(proc, out, "Tôi đồng ý", "Có đăng ký kinh doanh")
    send_until(proc, out, "#1", "Họ và tên")
    send_until(proc, out, "Hoàng Thị Mai", "Ngày sinh")
    send_until(proc, out, "12/12/1980", "CCCD")
    os.kill(proc.pid, signal.SIGKILL)  # no goodbye, no flush
    proc.wait(10)

    again = spawn(tmp_path, url)
    out = reader(again)
    seen = send_until(again, out, "001180012345", "điện thoại")  # the ID number step is where it stopped
    assert "Ngày sinh" not in seen
    for answer, expect in [
        ("0912345678", "Tên hộ"),
        ("Tạp hóa Mai", "kinh doanh mặt hàng"),
        ("tạp hóa", "mã số thuế"),
        ("Bỏ qua", "tỉnh"),
        ("lang son", "huyện"),
        ("huu lung", "xã"),
        ("nhat tien", "Số nhà"),
        ("thôn Đồng Lâm", "từ ngày"),
        ("01/08/2021", "Đến ngày"),
        ("31/08/2021", "Văn bản"),
        ("Chỉ thị 16", "hình thức"),
        ("Nhận tiền mặt tại UBND xã", "Bỏ qua"),
        ("Bỏ qua", "Xác nhận"),
    ]:
        seen = send_until(again, out, answer, expect)
    assert "Hoàng Thị Mai" in seen and "12/12/1980" in seen  # answers from before the kill
    seen = send_until(again, out, "#1", "Mã hồ sơ")
    assert again.stdin is not None
    again.stdin.close()
    again.wait(10)
