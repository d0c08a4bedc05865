"""The console channel as a new user runs it: `hotro chat` with a script on stdin."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import PG_URL, TEST_KEY
from tests.prestarted import run_bot


def run_chat(tmp_path: Path, lines: list[str], user: str = "citizen-1", db_url: str | None = None) -> str:
    env = {**os.environ, "HOTRO_DATA_DIR": str(tmp_path / "data")}
    if db_url:
        env["HOTRO_DATABASE_URL"] = db_url
        if PG_URL:
            env["HOTRO_DATA_KEY"] = TEST_KEY  # PostgreSQL needs a given key; SQLite's is beside its file
    else:
        env.pop("HOTRO_DATABASE_URL", None)
    result = run_bot("chat", "--user-id", user, input="\n".join(lines) + "\n", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def chat_db(db_url: str) -> str | None:
    return db_url if PG_URL else None


def test_scripted_chat_greets_and_presses_buttons(tmp_path: Path, chat_db: str | None) -> None:
    out = run_chat(tmp_path, ["Trợ giúp", "#6", "/huy"], db_url=chat_db)
    assert out.startswith("Xin chào! Tôi là HoTro")
    assert "[6] Trợ giúp" in out
    assert out.count("Cách dùng HoTro") == 2  # pressed by its label, then by its number
    assert "Hiện không có việc gì để hủy." in out
    if not chat_db:
        assert (tmp_path / "data" / "hotro.db").exists()  # the embedded default: SQLite in data/


def test_running_again_continues_the_same_conversation(tmp_path: Path, chat_db: str | None) -> None:
    first = run_chat(tmp_path, ["/help"], db_url=chat_db)
    assert "Xin chào" in first
    second = run_chat(tmp_path, ["/menu"], db_url=chat_db)
    assert "Xin chào" not in second  # no second greeting: the conversation goes on
    assert "Bạn muốn làm gì?" in second
    other = run_chat(tmp_path, [], user="citizen-2", db_url=chat_db)
    assert "Xin chào" in other
