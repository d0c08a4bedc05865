"""`python -m bot …` for the tests, without paying Python's start-up and HoTro's imports each time.

A test that runs a command to completion (`subprocess.run([sys.executable, "-m", "bot", …])`) spends
about 0.8 s of CPU importing the bot before the command does anything: the suite ran ~30 of them.
`run_bot` gives the same result from a prestarted process: one server per test process (so per
pytest-xdist worker) imports `bot.cli` and what the commands load on first use, and forks a child
for each command. The child is a real process of its own: it gets the test's environment, working
directory, argv and stdin, runs `bot/__main__.py` as `python -m bot` would, and its stdout, stderr
and exit status come back as a `subprocess.CompletedProcess`.

Tests about the process itself (signals, kill -9, polling) still spawn the interpreter.

Protocol: one JSON line per request on the server's stdin ({"argv", "env", "cwd", "input", "timeout"}),
one JSON line per answer on its stdout ({"returncode", "stdout", "stderr"} or {"timeout": true}).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import runpy
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# ---- the server (`python -m tests.prestarted`) ----------------------------------------------------


def _child(request: dict[str, Any], stdin: int, stdout: int, stderr: int) -> None:
    """In the forked child: become `python -m bot <argv>` and never return."""
    code = 1
    try:
        os.dup2(stdin, 0)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [str(ROOT / "bot" / "__main__.py"), *request["argv"]]
        sys.path[0] = request["cwd"]  # what `python -m` puts first
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - the process's own stdio
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False, errors="backslashreplace")  # noqa: SIM115
        try:
            runpy.run_module("bot", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:  # what the interpreter does with it at the top level
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except KeyboardInterrupt:
            code = 128 + signal.SIGINT
        except BaseException:
            traceback.print_exc()
            code = 1
        import logging

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _run(request: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hotro-run-") as tmp:
        paths = {name: os.path.join(tmp, name) for name in ("stdin", "stdout", "stderr")}
        Path(paths["stdin"]).write_text(request.get("input") or "", encoding="utf-8")
        fds = [
            os.open(paths["stdin"], os.O_RDONLY),
            os.open(paths["stdout"], os.O_WRONLY | os.O_CREAT, 0o600),
            os.open(paths["stderr"], os.O_WRONLY | os.O_CREAT, 0o600),
        ]
        pid = os.fork()
        if pid == 0:
            _child(request, *fds)
        for fd in fds:
            os.close(fd)
        deadline = time.monotonic() + float(request.get("timeout") or 60)
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"timeout": True}
            time.sleep(0.005)
        code = os.waitstatus_to_exitcode(status)
        read = {name: Path(paths[name]).read_text(encoding="utf-8", errors="replace") for name in ("stdout", "stderr")}
        return {"returncode": code, **read}


def serve() -> None:
    # numpy's BLAS would otherwise start threads here, which a forked child does not get back.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    requests, answers = sys.stdin, sys.stdout
    import bot.cli  # noqa: F401 - what every command imports
    from bot.app import FIRST_USE_LIBRARIES
    from handlers.ask.questions import classify

    # What commands import on first use, which each child would import again: the handlers' libraries, Alembic
    # (a first start migrates), the metrics of an app (`hotro chat`) and the check of an official's e-mail address.
    for name in (*FIRST_USE_LIBRARIES, "alembic.command", "prometheus_client", "email_validator"):
        importlib.import_module(name)

    classify.classifier()  # scikit-learn (~0.7 s) and the training a question's first answer needs
    answers.write("ready\n")
    answers.flush()
    for line in requests:
        answers.write(json.dumps(_run(json.loads(line))) + "\n")
        answers.flush()


# ---- the client (tests) ---------------------------------------------------------------------------


class _Server:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None

    def _started(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "tests.prestarted"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                cwd=ROOT,
            )
            assert self._proc.stdout is not None
            if self._proc.stdout.readline() != "ready\n":
                raise RuntimeError("the prestarted bot did not start")
            atexit.register(self.stop)
        return self._proc

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            proc = self._started()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            answer = proc.stdout.readline()
        if not answer:
            raise RuntimeError("the prestarted bot ended")
        result: dict[str, Any] = json.loads(answer)
        return result

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(10)
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()


_server = _Server()


def run_bot(
    *argv: str,
    env: dict[str, str],
    cwd: Path | str | None = None,
    input: str = "",  # subprocess.run's name
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """What `subprocess.run([sys.executable, "-m", "bot", *argv], input=input, capture_output=True,
    text=True, env=env, cwd=cwd, timeout=timeout)` returns, from a prestarted process."""
    request = {"argv": list(argv), "env": env, "cwd": str(cwd or os.getcwd()), "input": input, "timeout": timeout}
    answer = _server.run(request)
    command = [sys.executable, "-m", "bot", *argv]
    if answer.get("timeout"):
        raise subprocess.TimeoutExpired(command, timeout)
    return subprocess.CompletedProcess(command, answer["returncode"], answer["stdout"], answer["stderr"])


if __name__ == "__main__":
    serve()
