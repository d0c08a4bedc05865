"""The data directory, the SQLite files and the key are the owner's only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import create_app
from bot.config import Settings
from tests.chat import Chat


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
async def test_created_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = await create_app(Settings(_env_file=None, data_dir=data, database_url=None, data_key=None))  # type: ignore[call-arg]
    try:
        await Chat(app).say("/start")  # a turn: the WAL and shared-memory files exist now
        assert mode(data) == 0o700
        for name in ("hotro.db", "hotro.db-wal", "hotro.db-shm", "hotro.key"):
            assert mode(data / name) == 0o600, name
    finally:
        await app.close()


@pytest.mark.usefixtures("permissive_umask")
async def test_files_left_readable_by_an_older_version_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "hotro.db").touch(mode=0o644)
    (data / "hotro.key").write_text("k" * 43 + "\n")
    os.chmod(data / "hotro.key", 0o644)
    app = await create_app(Settings(_env_file=None, data_dir=data, database_url=None, data_key=None))  # type: ignore[call-arg]
    await app.close()
    assert mode(data) == 0o700 and mode(data / "hotro.db") == 0o600 and mode(data / "hotro.key") == 0o600
