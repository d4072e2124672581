"""The monitor's catch-up against ``assembly verify`` on the same ledger (issue 20, part 3).

What it measures, in one run, on a ledger of ``--entries`` (the builder of
``benchmarks/projections.py``: 7 signed entries per recommendation, cached where it caches
them), its log checkpointed once before timing:

1. verify: entries per second of ``verification_report`` on the database (one worker process
   per core, the default), best of ``--repeats``;
2. monitor: entries per second of a first run of ``cli.monitor.monitor`` (a fresh state
   folder) against ``assembly serve`` on loopback in another process: the checkpoint, every
   entry bundle over HTTP, the root, every entry re-verified (the same checks and workers as
   verify), the fold and the comparison with every row of ``/api/status``; best of
   ``--repeats``.

Target: monitor / verify >= 0.8. Exit status 1 when it is not met.

    python benchmarks/monitor.py [--entries 20000] [--repeats 3] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from cli.monitor import monitor
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, verification_report
from ledger.tree import issue_checkpoint
from tlog.note import SignerKey

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
        watched = monitor(url, Path(state), RolePolicy(ROLE_GRANTS), vkey=LOG_KEY.verifier_key)
        return watched.checkpoint.size / (time.perf_counter() - began)


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
    parser.add_argument("--rebuild", action="store_true", help="build the cached ledger again")
    args = parser.parse_args(argv)
    # Here, not above: the signature workers start by importing this file, without this folder
    # on their path (``load_builder`` takes it off).
    from common import load_builder, render_table

    path = load_builder().cached_ledger(args.entries, fresh=args.rebuild)
    size = checkpointed(path)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="monitor-bench-serve-") as folder:
        server = started(path, port, Path(folder) / "serve.log")
        try:
            monitor_rate(f"http://127.0.0.1:{port}")  # warm: the server's first reads
            verify_rates, monitor_rates = [], []
            for _ in range(args.repeats):  # interleaved, so both see the same machine
                verify_rates.append(verify_rate(path))
                monitor_rates.append(monitor_rate(f"http://127.0.0.1:{port}"))
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
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
