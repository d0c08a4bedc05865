"""The `hotro` command speaks Vietnamese to officials: the help of every command, and argparse's own
words (usage, options, its errors), which come from the catalog like every other text."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.prestarted import run_bot

COMMANDS = ["chat", "telegram", "serve", "migrate", "officials", "report", "export", "import", "broadcast"]
COMMANDS += ["rotate-key", "purge", "posting"]
NESTED = [["officials", "add"], ["officials", "remove"], ["officials", "list"], ["officials", "login-link"]]
ENGLISH = ["usage:", "positional arguments", "options:", "show this help message", "error:", "required"]


def undescribed(shown: str) -> list[str]:
    """The options of a --help that have no line saying what they are for."""
    lines = shown.splitlines()
    bare = []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        option = re.fullmatch(r"  (-\S.*?)(\s{2,}\S.*)?", line)
        if option and not option.group(2) and not re.match(r" {10,}\S", after):
            bare.append(option.group(1))
    return bare


def hotro(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return run_bot(*argv, env={**os.environ, "HOTRO_DATA_DIR": str(tmp_path / "data")}, cwd=tmp_path)


VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.I)


def test_the_help_of_every_command_is_vietnamese(tmp_path: Path) -> None:
    top = hotro(tmp_path, "--help")
    assert top.returncode == 0, top.stderr
    assert "cách dùng: hotro" in top.stdout and "tùy chọn:" in top.stdout
    listed = dict(re.findall(r"^    ([a-z-]+) +(.+)$", top.stdout, re.M))
    assert sorted(listed) == sorted(COMMANDS)
    for command, help_text in listed.items():
        assert VIETNAMESE.search(help_text), f"{command}: {help_text!r}"
    for argv in [[command] for command in COMMANDS] + NESTED:
        shown = hotro(tmp_path, *argv, "--help")
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith(f"cách dùng: hotro {' '.join(argv)}"), shown.stdout[:200]
        for word in ENGLISH:
            assert word not in shown.stdout, f"hotro {' '.join(argv)} --help: {word!r}"
        assert undescribed(shown.stdout) == [], f"hotro {' '.join(argv)} --help"


def test_argparse_refusals_are_vietnamese(tmp_path: Path) -> None:
    missing = hotro(tmp_path, "officials", "add")
    assert missing.returncode == 2
    assert "hotro officials add: lỗi: thiếu các tham số bắt buộc: --channel, --user-id, --role" in missing.stderr
    wrong = hotro(tmp_path, "officials", "add", "--channel", "fax", "--user-id", "1", "--role", "commune")
    assert wrong.returncode == 2
    assert (
        "tham số --channel: lựa chọn không hợp lệ: 'fax' (chọn một trong 'telegram', 'zalo', 'console')" in wrong.stderr
    )
    role = ["officials", "add", "--channel", "zalo", "--user-id", "1", "--role", "x"]
    for argv, first in ((role, "'commune'"), (["export", "--status", "x"], "'submitted'")):
        refused = hotro(tmp_path, *argv)
        assert refused.returncode == 2 and f"(chọn một trong {first}, " in refused.stderr, refused.stderr
        assert "<" not in refused.stderr.splitlines()[-1]  # a StrEnum's repr is <Role.COMMUNE: 'commune'>
    unknown = hotro(tmp_path, "migrate", "--now")
    assert unknown.returncode == 2 and "lỗi: tham số không nhận ra: --now" in unknown.stderr
    number = hotro(tmp_path, "serve", "--port", "tám")
    assert number.returncode == 2 and "giá trị int không hợp lệ: 'tám'" in number.stderr
    for refusal in (missing, wrong, unknown, number):
        assert refusal.stderr.startswith("cách dùng: hotro")


def test_polling_without_a_token_says_what_to_set_in_vietnamese(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HOTRO_TELEGRAM_TOKEN"}
    refused = run_bot("telegram", env={**env, "HOTRO_DATA_DIR": str(tmp_path / "data")}, cwd=tmp_path)
    assert refused.returncode == 1  # before opening anything: the token is checked first
    assert refused.stderr.strip() == "Chưa đặt HOTRO_TELEGRAM_TOKEN (xem README, mục “Connecting a real Telegram bot”)."
