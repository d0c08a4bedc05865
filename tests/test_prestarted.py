"""tests/prestarted.py stands in for `python -m bot`: the same exit status, stdout and stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.prestarted import run_bot


def test_a_prestarted_command_answers_as_a_spawned_one(tmp_path: Path) -> None:
    env = {**os.environ, "HOTRO_DATA_DIR": str(tmp_path / "data")}
    env.pop("HOTRO_DATABASE_URL", None)
    argv = ["officials", "remove", "--channel", "telegram", "--user-id", "x"]  # migrates, then refuses
    spawned = subprocess.run(
        [sys.executable, "-m", "bot", *argv], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    prestarted = run_bot(*argv, env=env, cwd=tmp_path)
    assert spawned.returncode == 1 and "Không có cán bộ" in spawned.stderr and "Traceback" not in spawned.stderr
    assert (prestarted.returncode, prestarted.stdout, prestarted.stderr) == (
        spawned.returncode,
        spawned.stdout,
        spawned.stderr,
    )
    usage = run_bot("no-such-command", env=env, cwd=tmp_path)  # argparse's own exit
    assert usage.returncode == 2 and "lựa chọn không hợp lệ" in usage.stderr and usage.stdout == ""
