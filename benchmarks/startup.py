"""How long one command takes to start: ``assembly --help`` against ``python -c "import typer"``,
and what each command's modules cost to import, each in a fresh interpreter, in one run.

A cycle loaded command by command pays this once per command (147 adoptions of the Convention's
cycle are 147 start-ups). ``assembly`` imports a command's modules only when that command runs
(``cli.lazy_group``), so ``--help`` pays for typer and its own listing alone. Target (issue 19,
part 6): ``assembly --help`` wall time / ``python -c "import typer"`` wall time <= 5. For
information: ``python -c pass``, ``assembly status`` on a one-entry ledger, and per command the
seconds its modules take to import once ``cli.main`` is loaded (the lazy loader's own
``register_modules``, timed inside the interpreter).

Exit status 1 when the target fails, 2 when a command cannot be measured.

Usage: python benchmarks/startup.py [--repeats 5] [--import-repeats 3]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli.command_index import ENTRIES  # noqa: E402  (the index only: no command is imported)

ASSEMBLY = [sys.executable, "-m", "cli"]
TYPER = 'python -c "import typer"'
TARGET = 5.0  # assembly --help / python -c "import typer"

IMPORT_TIME = """
import sys, time
import cli.main
from cli.lazy_group import register_modules
start = time.perf_counter()
register_modules(tuple(sys.argv[1:]))
print(time.perf_counter() - start)
"""


def run(command: list[str], cwd: Path) -> str:
    """Run ``command`` (it must succeed) and return its standard output."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False, text=True)
    if done.returncode != 0:
        print(f"cannot measure: {' '.join(command)} exited {done.returncode}", file=sys.stderr)
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(2)
    return done.stdout


def timed(command: list[str], cwd: Path) -> float:
    """Seconds one run of ``command`` takes, start to exit."""
    start = time.perf_counter()
    run(command, cwd)
    return time.perf_counter() - start


def median_of(command: list[str], cwd: Path, repeats: int) -> float:
    timed(command, cwd)  # warm the file cache
    return statistics.median(timed(command, cwd) for _ in range(repeats))


def import_times(cwd: Path, repeats: int) -> list[tuple[str, str, str]]:
    """Per set of modules of the command index: the commands it holds, its modules and the
    median seconds they take to import."""
    rows = []
    for modules in dict.fromkeys(entry.modules for entry in ENTRIES):
        command = [sys.executable, "-c", IMPORT_TIME, *modules]
        run(command, cwd)  # warm the file cache
        seconds = statistics.median(float(run(command, cwd)) for _ in range(repeats))
        names = ", ".join(entry.name for entry in ENTRIES if entry.modules == modules)
        shown = ", ".join(module.removeprefix("cli.") for module in modules)
        rows.append((names, shown, f"{seconds:.3f}"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--import-repeats", type=int, default=3, help="per set of modules")
    options = parser.parse_args()
    os.environ["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        run([*ASSEMBLY, "init"], folder)
        baseline = median_of([sys.executable, "-c", "pass"], folder, options.repeats)
        typer = median_of([sys.executable, "-c", "import typer"], folder, options.repeats)
        measured = {"python -c pass": baseline, TYPER: typer}
        for name, args in (("assembly --help", ["--help"]), ("assembly status", ["status"])):
            measured[name] = median_of([*ASSEMBLY, *args], folder, options.repeats)
        imports = import_times(folder, options.import_repeats)
    print(
        render_table(
            ("command", "median s", "x bare interpreter", "x import typer"),
            [
                (name, f"{s:.3f}", f"{s / baseline:.1f}", f"{s / typer:.1f}")
                for name, s in measured.items()
            ],
            right={1, 2, 3},
        )
    )
    print()
    print(render_table(("commands", "modules", "import s (median)"), imports, right={2}))
    ratio = measured["assembly --help"] / typer
    verdict = "pass" if ratio <= TARGET else "FAIL"
    print()
    print(
        render_table(
            ("check", "ratio", "target", "result"),
            [(f"assembly --help / {TYPER}", f"{ratio:.2f}", f"<= {TARGET}", verdict)],
            right={1},
        )
    )
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    raise SystemExit(main())
