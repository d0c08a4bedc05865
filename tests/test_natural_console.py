"""Issue 18 in the console (`hotro chat` with a script on stdin): natural answers, and a helper registering
a citizen who then follows the application from a console session of their own."""

from __future__ import annotations

import re
from pathlib import Path

from tests.commands import migrated_url
from tests.test_cli_messages import hotro
from tests.test_console import run_chat

__all__ = ["migrated_url"]  # the fixture, used by name


def test_natural_answers_in_the_console(tmp_path: Path, migrated_url: str) -> None:
    out = run_chat(
        tmp_path,
        [
            "📝 Đăng ký hỗ trợ",
            "#2",  # free worker
            "Tôi đồng ý",
            *["trần thị bình", "2/3/1990", "nữ", "001190012345", "0912345679"],
            *["lạng sơn", "huu lung", "nhat tien", "thôn Đồng Lâm"],
            "vâng",
            "xe ôm",
            "bến xe Hữu Lũng",
            "15/07/2021",
            "hqua",
            "chuyển khoản",
            "VCB",
            "0011 2233 4455",
            "NGUYEN VAN AN",
            "Bỏ qua",
        ],
        db_url=migrated_url,
    )
    summary = out[out.rindex("Bạn vui lòng kiểm tra lại thông tin") :]
    assert "Lái xe mô tô 2 bánh chở khách (xe ôm), xích lô" in summary
    assert "Vietcombank" in summary and "NGUYEN VAN AN" in summary


def test_a_helper_registers_in_the_console_and_the_citizen_follows(tmp_path: Path, migrated_url: str) -> None:
    # `hotro chat` and `hotro officials` share the database.
    chat_url = migrated_url
    added = hotro(
        tmp_path, migrated_url, "officials", "add", "--channel", "console", "--user-id", "truong-thon",
        "--role", "helper", "--area", "6418",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    out = run_chat(
        tmp_path,
        [
            "📝 Đăng ký hộ người dân",
            "#1",  # household business
            "Người dân đã đồng ý trực tiếp",
            "Bán hàng rong",
            *["hoàng thị mai", "12/03/1960", "001160012345"],
            "Bỏ qua",  # no phone
            "Bỏ qua",  # no business name
            *["bán rau", "thôn Đồng Lâm", "01/08/2021", "31/08/2021", "Chỉ thị 16", "tiền mặt"],
            "Bỏ qua",
            "✅ Xác nhận và gửi hồ sơ",
        ],
        user="truong-thon",
        db_url=chat_url,
    )
    assert "Đã đăng ký hồ sơ cho Hoàng Thị Mai" in out, out[-2000:]
    code = re.findall(r"HK-[0-9A-Z]{4}-[0-9A-Z]{4}", out)[-1]
    followed = run_chat(
        tmp_path, ["🔎 Hồ sơ của tôi", "🔎 Tra cứu bằng mã hồ sơ", code, "2345", "Theo dõi hồ sơ này"], user="mai",
        db_url=chat_url,
    )  # fmt: skip
    assert "gắn với cuộc trò chuyện này" in followed
    mine = run_chat(tmp_path, ["🔎 Hồ sơ của tôi"], user="mai", db_url=chat_url)
    assert code in mine
