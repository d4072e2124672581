"""The monitor's catch-up against ``assembly verify`` on the same ledger (issue 20, part 3).

What it measures, in one run, on a ledger of ``--entries`` (the builder of
``benchmarks/projections.py``: 7 signed entries per recommendation, cached where it caches
them), its log checkpointed once before timing:

1. verify: entries per second of ``verification_report`` on the database (one worker process
   per core, the default), best of ``--repeats``;
2. monitor: entries per second of a first run of ``cli.monitor.monitor`` (a fresh state
   folder) against ``assembly serve`` on loopback in another process: the checkpoint, every
   entry bundle over HTTP, the root, every entry re-verified (the same checks as verify, with
   the monitor's own default workers, ``cli.monitor.default_workers``: here forked, none below
   4,096 new entries, else one per core), the fold and the comparison with every row of
   ``/api/status``, no page read (``--pages none``: verify reads none); best of ``--repeats``;
3. resumed: new entries per second of a later run, once ``--grow`` entries (7 per new
   recommendation) were appended to the served copy and checkpointed: the consistency proof,
   the new bundles, the walk and fold taken up where the first run's ended, every row of the
   board, and the pages of the recommendations changed (the default ``--pages changed``).
   Printed, without a target.

Target: monitor / verify >= 0.8. Exit status 1 when it is not met.

    python benchmarks/monitor.py [--entries 20000] [--repeats 3] [--grow 700] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

from cli.monitor import Watched, monitor
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer, verification_report
from ledger.tree import issue_checkpoint
from tlog.note import SignerKey
from tlog.tiles import TilesUnavailable

RATIO_TARGET = 0.8
ORIGIN = "bench.assembly.example/ledger"
LOG_KEY = SignerKey(ORIGIN, bytes([7]) * 32)
ROOT = Path(__file__).parents[1]
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def checkpointed(path: Path) -> int:
    """Sign a checkpoint of the whole ledger; return its size."""
    book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
    try:
        return issue_checkpoint(book.recorder, LOG_KEY, origin=ORIGIN).size
    finally:
        book.close()


def verify_rate(path: Path) -> float:
    policy = RolePolicy(ROLE_GRANTS)
    book = Ledger.open(str(path), policy)
    try:
        began = time.perf_counter()
        report = verification_report(book.recorder, policy, workers=None)
        return report.entries / (time.perf_counter() - began)
    finally:
        book.close()


def monitor_rate(url: str) -> float:
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as state:
        began = time.perf_counter()
        watched = watch(url, Path(state), pages="none")
        return watched.checkpoint.size / (time.perf_counter() - began)


def watch(url: str, state: Path, *, pages: str) -> Watched:
    policy = RolePolicy(ROLE_GRANTS)
    return monitor(url, state, policy, vkey=LOG_KEY.verifier_key, pages=pages)


def resumed_rate(url: str, path: Path, builder: ModuleType, grow: int) -> tuple[float, Watched]:
    """New entries per second of a run after ``grow`` entries were added to the ledger at
    ``path`` (served at ``url``), and what it saw."""
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as state:
        watch(url, Path(state), pages="none")
        grown(path, builder, grow // 7)
        checkpointed(path)
        began = time.perf_counter()
        watched = watch(url, Path(state), pages="changed")
        return watched.verified / (time.perf_counter() - began), watched


def grown(path: Path, builder: ModuleType, count: int) -> None:
    """Append ``count`` recommendations to the built ledger, as its builder does (7 entries
    each, by the same keys), dated just after its last entry."""
    with closing(sqlite3.connect(path)) as conn:
        query = "SELECT COUNT(*), MAX(recorded_at) FROM ledger_entries"
        entries, last = conn.execute(query).fetchone()
    clock = builder.Clock(datetime.fromisoformat(last) + timedelta(minutes=1))
    roles = ("secretariat", "government", "commission")
    signers = {role: Signer.from_seed(bytes([n]) * 32) for n, role in enumerate(roles, start=2)}
    first = (entries - 1 - len(signers)) // 7
    book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS), clock=clock)
    try:
        book.moved_here()  # a copy of the built ledger: the same entries, written on here
        for role, version, events in (
            ("secretariat", 0, builder.secretariat_events),
            ("government", 2, builder.government_events),
            ("commission", 6, builder.commission_events),
        ):
            clock.now += timedelta(minutes=1)
            batches = [
                (builder.recommendation_stream(n // builder.PER_PANEL + 1,
                                               n % builder.PER_PANEL + 1),
                 version, events(n, clock.now))
                for n in range(first, first + count)
            ]  # fmt: skip
            book.append_new_batches(signers[role], batches)
    finally:
        book.close()


def started(path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``assembly serve`` on the ledger, on loopback, once it answers."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (str(ROOT),
               os.environ.get("PYTHONPATH")))))  # fmt: skip
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), "--ledger", str(path)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)  # polling a port: there is nothing to await
    process.kill()
    raise SystemExit(f"assembly serve did not start:\n{log.read_text()[-2000:]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000, help="ledger size (20000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (3)")
    parser.add_argument("--grow", type=int, default=700, help="entries a resumed run finds (700)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached ledger again")
    args = parser.parse_args(argv)
    # Here, not above: the signature workers start by importing this file, without this folder
    # on their path (``load_builder`` takes it off).
    from common import load_builder, render_table

    builder = load_builder()
    cached = builder.cached_ledger(args.entries, fresh=args.rebuild)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="monitor-bench-serve-") as folder:
        path = Path(folder) / "ledger.db"  # a copy: the resumed run grows it
        with closing(sqlite3.connect(cached)) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
        size = checkpointed(path)
        server = started(path, port, Path(folder) / "serve.log")
        url = f"http://127.0.0.1:{port}"
        try:
            monitor_rate(url)  # warm: the server's first reads
            verify_rates, monitor_rates = [], []
            for _ in range(args.repeats):  # interleaved, so both see the same machine
                verify_rates.append(verify_rate(path))
                monitor_rates.append(monitor_rate(url))
            resumed, seen = resumed_rate(url, path, builder, args.grow)
        except TilesUnavailable:
            print(f"the server's log:\n{(Path(folder) / 'serve.log').read_text()[-4000:]}")
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    verify_best, monitor_best = max(verify_rates), max(monitor_rates)
    ratio = monitor_best / verify_best
    verdict = "pass" if ratio >= RATIO_TARGET else "FAIL"
    row = (
        f"catch-up (best of {args.repeats})",
        f"{verify_best:,.0f}",
        f"{monitor_best:,.0f}",
        f"{ratio:.2f}",
        f">= {RATIO_TARGET}",
        verdict,
    )
    header = (f"{size:,} entries", "verify /s", "monitor /s", "ratio", "target", "result")
    print(render_table(header, [row], right={1, 2, 3}))
    print(
        f"resumed run: {seen.verified:,} new entries of {seen.checkpoint.size:,}, "
        f"{seen.recommendations:,} rows of the board and {seen.pages:,} changed pages compared, "
        f"at {resumed:,.0f} new entries/s (no target)"
    )
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
