"""The test suite's wall time and CPU time (the suite's processes and every process they start).

    .venv/bin/python bench/suite.py                              # this checkout's suite, as configured
    .venv/bin/python bench/suite.py --baseline ../main            # also another checkout's, for the ratio
    .venv/bin/python bench/suite.py -- -n 0 tests/test_intake.py  # arguments after -- go to pytest

The machine is shared: wall time depends on what else runs, CPU time much less, so both are printed,
and a baseline run in the same invocation (alternating with this checkout's, `--rounds` each) gives a
ratio measured under the same load. Each checkout runs with its own .venv. HOTRO_TEST_DATABASE_URL,
when set, selects the PostgreSQL suite as usual.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(tree: Path, pytest_args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the suite and its children, pytest's last line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [str(tree / ".venv" / "bin" / "pytest"), "-p", "no:warnings", *pytest_args],
        cwd=tree,
        # As `make test` runs it: with Python's bytecode cache, whatever the environment says (see Makefile).
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return wall, cpu, lines[-1] if lines else result.stderr[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="another checkout (with its own .venv) to compare with")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each checkout, alternating")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args()
    trees = [("this", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name, _tree in trees}
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    for round_ in range(args.rounds):
        for name, tree in trees:
            wall, cpu, last = run(tree, args.pytest_args)
            figures[name].append((wall, cpu))
            load = os.getloadavg()[0]
            print(f"round {round_ + 1} {name:8} wall {wall:6.1f} s  CPU {cpu:6.1f} s  load {load:.1f}  {last}")
    best = {name: (min(w for w, _c in runs), min(c for _w, c in runs)) for name, runs in figures.items()}
    for name, (wall, cpu) in best.items():
        print(f"best     {name:8} wall {wall:6.1f} s  CPU {cpu:6.1f} s")
    if args.baseline:
        (wall, cpu), (base_wall, base_cpu) = best["this"], best["baseline"]
        print(f"ratio this/baseline: wall {wall / base_wall:.2f}, CPU {cpu / base_cpu:.2f}")


if __name__ == "__main__":
    sys.exit(main())
