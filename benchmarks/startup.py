"""How long one command takes to start: ``assembly --help`` and ``assembly status`` on a small
ledger, each in a fresh interpreter, against a fresh interpreter that does nothing.

A cycle loaded command by command pays this once per command (147 adoptions of the Convention's
cycle are 147 start-ups), so it is kept measured here. The baseline is taken in the same run:
``python -c pass`` with the same interpreter. The ratio has no target yet (the issue on speed
sets one); the script prints the figures and exits 0 unless it cannot measure (2).

Usage: python benchmarks/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import render_table  # type: ignore[import-not-found]

ASSEMBLY = [sys.executable, "-m", "cli"]


def timed(command: list[str], cwd: Path) -> float:
    """Seconds one run of ``command`` takes, start to exit (it must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(f"cannot measure: {' '.join(command)} exited {done.returncode}", file=sys.stderr)
        print(done.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
        raise SystemExit(2)
    return elapsed


def median_of(command: list[str], cwd: Path, repeats: int) -> float:
    timed(command, cwd)  # warm the file cache
    return statistics.median(timed(command, cwd) for _ in range(repeats))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    os.environ["PYTHONPATH"] = str(root)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        timed([*ASSEMBLY, "init"], folder)
        baseline = median_of([sys.executable, "-c", "pass"], folder, options.repeats)
        rows = [("python -c pass", f"{baseline:.3f}", "1.00")]
        for name, args in (("assembly --help", ["--help"]), ("assembly status", ["status"])):
            seconds = median_of([*ASSEMBLY, *args], folder, options.repeats)
            rows.append((name, f"{seconds:.3f}", f"{seconds / baseline:.1f}"))
    print(render_table(("command", "median s", "x bare interpreter"), rows, right={1, 2}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
