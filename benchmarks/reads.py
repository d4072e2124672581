"""Reading one recommendation costs the same on a ledger 100 times larger; the status board's time.

Target: ``assembly show REC --format json``, run in-process through the command's own code path,
takes on a 1,000,000-entry ledger no more than 2x its time on a 10,000-entry ledger (indexed
reads, no scans): the median over ``--repeats`` rounds of the first, middle and last
recommendation of each ledger, the sizes interleaved. Exit status 1 when the target fails, 2
when a command fails (nothing measured).

In-process means the typer app's click command, built once (as ``cli.main.run`` builds it once
per process), called with the arguments a user types, its stdout captured. Building that
command costs more than a ``show`` does; ``typer.testing.CliRunner.invoke(app)`` builds it
again on every call, so it is timed apart and reported, not counted in the target.

For information, no target: the wall time of ``assembly show`` as a subprocess on each size
(what a user waits for, mostly start-up), and of ``assembly status --format json`` for 10,000
recommendations (a ledger of 70,004 entries), in-process and as a subprocess.

The ledgers come from the builder of ``benchmarks/projections.py`` (7 signed entries per
recommendation) and are cached where it caches them; the status projection is brought up to
date once per ledger before any timing, so every timed command finds it current.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import load_builder, render_table
from typer.main import get_command

builder = load_builder()

from cli.main import app  # noqa: E402
from domain.roles import ROLE_GRANTS  # noqa: E402
from ledger import Ledger, RolePolicy  # noqa: E402
from projections import catch_up  # noqa: E402

RATIO_TARGET = 2.0
ENROLMENTS = 4  # the charter's own entry and three enrolments come before the recommendations
PER_RECOMMENDATION = 7
SMALL = 100_000  # --skip-large leaves out the sizes above this
SUBPROCESS_RUNS = 3
POSITIONS = ("first", "middle", "last")
REPOSITORY = Path(__file__).resolve().parents[1]


class CommandFailed(Exception):
    """A timed command raised, or did not print what was asked for."""


class Command:
    """The ``assembly`` command, built once, run in this process with its stdout captured."""

    def __init__(self) -> None:
        began = time.perf_counter()
        self.click = get_command(app)
        self.build_seconds = time.perf_counter() - began

    def __call__(self, args: Sequence[str]) -> tuple[float, str]:
        """Seconds taken by ``assembly ARGS``, and what it printed."""
        printed = io.StringIO()
        began = time.perf_counter()
        try:
            with contextlib.redirect_stdout(printed):
                self.click.main(args=list(args), prog_name="assembly", standalone_mode=False)
        except Exception as error:
            raise CommandFailed(f"assembly {' '.join(args)}: {error!r}") from error
        return time.perf_counter() - began, printed.getvalue()


def show_args(path: Path, ref: str) -> list[str]:
    return ["show", ref, "--ledger", str(path), "--format", "json"]


def status_args(path: Path) -> list[str]:
    return ["status", "--ledger", str(path), "--format", "json"]


def show_seconds(command: Command, path: Path, ref: str) -> float:
    """Seconds for one in-process ``show``, checked to print that recommendation."""
    seconds, printed = command(show_args(path, ref))
    if json.loads(printed).get("ref") != ref:
        raise CommandFailed(f"show {ref} on {path} printed another recommendation")
    return seconds


def status_seconds(command: Command, path: Path, expected: int) -> float:
    """Seconds for one in-process ``status``, checked to print ``expected`` rows."""
    seconds, printed = command(status_args(path))
    if len(json.loads(printed)) != expected:
        raise CommandFailed(f"status on {path} did not print {expected} rows")
    return seconds


def subprocess_seconds(args: Sequence[str]) -> float:
    """Wall seconds of ``assembly ARGS`` as a new process (start-up included)."""
    command = Path(sys.executable).with_name("assembly")
    began = time.perf_counter()
    done = subprocess.run([str(command), *args], capture_output=True, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise CommandFailed(f"assembly {' '.join(args)}: exit {done.returncode}: {done.stderr!r}")
    return elapsed


def prepared(entries: int, *, fresh: bool) -> tuple[Path, int]:
    """A cached ledger of about ``entries`` entries, its projection current; its entry count."""
    path = builder.cached_ledger(entries, fresh=fresh)
    book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
    try:
        began = time.perf_counter()
        if applied := catch_up(book):
            seconds = time.perf_counter() - began
            print(f"caught up {applied:,} entries in {seconds:.0f} s: {path}", file=sys.stderr)
        return path, book.count()
    finally:
        book.close()


def references(entries: int) -> dict[str, str]:
    """The first, middle and last recommendation the builder wrote, as PANEL/NUMBER."""
    count = (entries - ENROLMENTS) // PER_RECOMMENDATION
    chosen = {"first": 0, "middle": count // 2, "last": count - 1}
    per_panel = builder.PER_PANEL
    return {name: f"{n // per_panel + 1}/{n % per_panel + 1}" for name, n in chosen.items()}


def chosen_sizes(text: str, *, skip_large: bool, status_entries: int) -> list[int]:
    """The ledger sizes ``show`` is timed on, smallest first; with ``skip_large``, the status
    ledger stands in for the large ones (a weaker check, but no long build)."""
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if skip_large:
        sizes = [size for size in sizes if size <= SMALL]
        if len(sizes) < 2:
            sizes = sorted({*sizes, status_entries})
    return sizes


Timings = dict[int, dict[str, list[float]]]


def measure_show(
    command: Command,
    ledgers: dict[int, tuple[Path, int]],
    refs: dict[int, dict[str, str]],
    *,
    repeats: int,
) -> tuple[Timings, dict[int, list[float]]]:
    """``show`` in-process per size and position (after one untimed call of each), then as a
    subprocess on each size's last recommendation. Every round visits the sizes in turn, in
    alternating order, so that each sees the same caches and the same neighbours' load."""
    sizes = list(refs)
    for size in sizes:
        for ref in refs[size].values():
            show_seconds(command, ledgers[size][0], ref)
    timed: Timings = {size: {name: [] for name in POSITIONS} for size in sizes}
    for round_ in range(repeats):
        for turn, name in enumerate(POSITIONS):
            for size in sizes if (round_ + turn) % 2 == 0 else sizes[::-1]:
                path, ref = ledgers[size][0], refs[size][name]
                timed[size][name].append(show_seconds(command, path, ref))
    spawned: dict[int, list[float]] = {size: [] for size in sizes}
    for round_ in range(SUBPROCESS_RUNS):
        for size in sizes if round_ % 2 == 0 else sizes[::-1]:
            spawned[size].append(
                subprocess_seconds(show_args(ledgers[size][0], refs[size]["last"]))
            )
    return timed, spawned


def measure_status(
    command: Command, path: Path, recommendations: int, *, repeats: int
) -> tuple[list[float], list[float]]:
    """``status`` in-process (after one untimed call) ``repeats`` times, then as a subprocess."""
    status_seconds(command, path, recommendations)
    inside = [status_seconds(command, path, recommendations) for _ in range(repeats)]
    return inside, [subprocess_seconds(status_args(path)) for _ in range(SUBPROCESS_RUNS)]


def profile_repository(label: str, work: Callable[[], object], *, top: int = 20) -> None:
    """Run ``work`` under cProfile; print the cumulative time of this repository's functions
    (the ledger, the projections, the commands), which is where a scan shows."""
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in stats.values())
    print(f"\nprofile: {label} (total {total:.3f} s under cProfile), cumulative:")
    ours = [
        (cumulative, calls, f"{name} ({Path(path).relative_to(REPOSITORY)}:{line})")
        for (path, line, name), (_, calls, _, cumulative, _) in stats.items()
        if path.startswith(str(REPOSITORY)) and not {".venv", "benchmarks"} & set(Path(path).parts)
    ]
    for cumulative, calls, where in sorted(ours, reverse=True)[:top]:
        print(f"  {1000 * cumulative:9.1f} ms  {calls:>7}x  {where}")


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="show's ledgers (10000,1000000)")
    parser.add_argument("--repeats", type=int, default=9, help="timed rounds (9; median kept)")
    parser.add_argument(
        "--status-recommendations", type=int, default=10_000, help="on status's ledger (10,000)"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the cached ledgers again")
    parser.add_argument(
        "--skip-large", action="store_true", help="leave out sizes above 100,000 (quick check)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile a show on each size, and a status"
    )
    args = parser.parse_args(argv)
    status_size = ENROLMENTS + PER_RECOMMENDATION * args.status_recommendations
    sizes = chosen_sizes(args.sizes, skip_large=args.skip_large, status_entries=status_size)
    if len(sizes) < 2:
        parser.error("--sizes needs two sizes at least")
    ledgers = {size: prepared(size, fresh=args.rebuild) for size in sorted({*sizes, status_size})}
    refs = {size: references(ledgers[size][1]) for size in sizes}
    status_path, status_entries = ledgers[status_size]
    command = Command()
    try:
        shown, spawned = measure_show(command, ledgers, refs, repeats=args.repeats)
        inside, outside = measure_status(
            command, status_path, args.status_recommendations, repeats=args.repeats
        )
    except CommandFailed as error:
        print(f"cannot measure: {error}", file=sys.stderr)
        return 2

    print(
        render_table(
            ("entries", "position", "recommendation", "show in-process ms (median)", "best ms"),
            [
                (
                    f"{ledgers[size][1]:,}",
                    name,
                    refs[size][name],
                    ms(statistics.median(shown[size][name])),
                    ms(min(shown[size][name])),
                )
                for size in sizes
                for name in POSITIONS
            ],
            right={0, 3, 4},
        )
    )
    medians = {
        size: statistics.median(t for ts in shown[size].values() for t in ts) for size in sizes
    }
    small, large = sizes[0], sizes[-1]
    ratio = medians[large] / medians[small]
    verdict = "pass" if ratio <= RATIO_TARGET else "FAIL"
    print()
    print(
        render_table(
            ("show", "small: ms (median)", "large: ms (median)", "ratio", "target", "result"),
            [
                (
                    f"{ledgers[small][1]:,} vs {ledgers[large][1]:,} entries",
                    ms(medians[small]),
                    ms(medians[large]),
                    f"{ratio:.2f}",
                    f"<= {RATIO_TARGET}",
                    verdict,
                )
            ],
            right={1, 2, 3},
        )
    )
    info = [
        (
            f"show {refs[size]['last']}",
            f"{ledgers[size][1]:,}",
            f"{statistics.median(shown[size]['last']):.3f}",
            f"{min(shown[size]['last']):.3f}",
            f"{statistics.median(spawned[size]):.2f}",
        )
        for size in sizes
    ]
    info.append(
        (
            f"status ({args.status_recommendations:,} recommendations)",
            f"{status_entries:,}",
            f"{statistics.median(inside):.3f}",
            f"{min(inside):.3f}",
            f"{statistics.median(outside):.2f}",
        )
    )
    print()
    print(
        render_table(
            (
                "command (--format json)",
                "entries",
                "in-process s (median)",
                "best s",
                f"subprocess s (median of {SUBPROCESS_RUNS})",
            ),
            info,
            right={1, 2, 3, 4},
        )
    )
    print(
        f"\nbuilding the click command from the typer app: {ms(command.build_seconds)} ms "
        "(once per process; CliRunner.invoke(app) pays it on every call)"
    )
    if args.profile:
        for size in sizes:
            path, ref = ledgers[size][0], refs[size]["last"]
            label = f"show {ref} on {ledgers[size][1]:,} entries"
            profile_repository(label, lambda path=path, ref=ref: show_seconds(command, path, ref))
        label = f"status on {status_entries:,} entries"
        expected = args.status_recommendations
        profile_repository(label, lambda: status_seconds(command, status_path, expected))
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
