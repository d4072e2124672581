"""From a write to its cosigned checkpoint, with three witnesses over HTTP (issue 20, Speed).

Three ``assembly witness serve`` processes on loopback ports, a policy naming them with a quorum
of 2, and ``assembly checkpoint --witnesses POLICY --every INTERVAL`` keeping the log witnessed,
each a process of its own, on a new ledger in a temporary folder. Each round makes one write
(``assembly keys enrol``, signed by the charter key) and times, from the moment that command is
started (so the command's own start-up, about a second, is counted too: the figure is an upper
bound), until the checkpoint process says a checkpoint covering it is cosigned with the quorum
met; the time after the command exited is printed beside it. The writes come at random moments
of the interval, as writes do.

Reported: each round's latency, their median and maximum, and the target: the configured
interval plus 1 s. Exit status 1 when the slowest round misses it, 2 when a checkpoint is never
cosigned.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from queue import Empty, Queue

NAMES = ("witness.example/w1", "witness.example/w2", "witness.example/w3")
ANSWERS_AT = re.compile(r"answers at (http://\S+)/add-checkpoint")
COSIGNED = re.compile(r"Checkpoint of (\d+) entries cosigned by (\d+) of \d+ witnesses.*quorum met")


def assembly(cwd: Path, *args: str) -> str:
    """Run ``assembly ARGS`` in ``cwd``; its stdout (a failure stops the benchmark)."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=cwd, capture_output=True, text=True, env=ENV
    )
    if done.returncode != 0:
        raise SystemExit(f"assembly {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


ENV = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLY_")} | {"COLUMNS": "400"}


@contextmanager
def running(cwd: Path, *args: str) -> Iterator[Queue[str]]:
    """``assembly ARGS`` as a process of its own until leaving, its stderr lines in a queue."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    lines: Queue[str] = Queue()
    stream = process.stderr
    assert stream is not None
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    try:
        yield lines
    finally:
        process.terminate()
        process.wait(timeout=30)


def next_match(lines: Queue[str], pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except Empty:
            break
        if found := pattern.search(line):
            return found
    print(f"nothing matching {pattern.pattern!r} within {timeout:.0f} s", file=sys.stderr)
    raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=10.0, help="checkpoint --every (s)")
    parser.add_argument("--rounds", type=int, default=5, help="writes timed")
    parser.add_argument("--seed", type=int, default=20, help="of the writes' random moments")
    args = parser.parse_args(argv)
    moments = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="witnessing-") as scratch, ExitStack() as stack:
        root = Path(scratch)
        book = root / "book"  # not "ledger": run from root, it would hide the package
        book.mkdir()
        assembly(book, "init")
        charter = ("charter", "--name", "Benchmark assembly", "--region", "Nowhere")
        origin = "assembly.example/witnessing"
        assembly(book, *charter, "--language", "en", "--log-origin", origin, "--key", "charter.key")
        assembly(book, "keys", "new", "--key", "log.key")
        enrol = ("keys", "enrol", "log.key.pub", "--role", "log", "--name", "Log operator")
        assembly(book, *enrol, "--key", "charter.key")
        vkey = assembly(book, "vkey").strip()
        policy = []
        for number, name in enumerate(NAMES, start=1):
            directory = root / f"w{number}"
            init = ("witness", "init", str(directory), "--name", name, "--origin", origin)
            key = assembly(root, *init, "--log-vkey", vkey).strip()
            served = stack.enter_context(
                running(root, "witness", "serve", str(directory), "--listen", "127.0.0.1:0")
            )
            url = next_match(served, ANSWERS_AT, 60).group(1)
            policy.append(f"witness {name} {key} {url}")
        (book / "witnesses.policy").write_text("\n".join([*policy, "quorum 2", ""]))
        every = ("--every", str(args.interval))
        checkpoints = stack.enter_context(
            running(
                book, "checkpoint", "--key", "log.key", "--witnesses", "witnesses.policy", *every
            )
        )
        size = int(next_match(checkpoints, COSIGNED, 60 + args.interval).group(1))
        latencies = []
        for round_ in range(1, args.rounds + 1):
            time.sleep(moments.uniform(0, args.interval))
            assembly(book, "keys", "new", "--key", f"office{round_}.key")
            who = ("--role", "commission", "--name", f"Office {round_}")
            asked = time.monotonic()
            assembly(book, "keys", "enrol", f"office{round_}.key.pub", *who, "--key", "charter.key")
            acknowledged = time.monotonic()
            size += 1
            while int(next_match(checkpoints, COSIGNED, 60 + args.interval).group(1)) < size:
                pass
            cosigned = time.monotonic()
            latencies.append(cosigned - asked)
            print(
                f"round {round_}: cosigned {cosigned - asked:.2f} s after the write was asked "
                f"({max(0.0, cosigned - acknowledged):.2f} s after its command exited)"
            )
    target = args.interval + 1
    slowest = max(latencies)
    verdict = "met" if slowest < target else "NOT met"
    print(
        f"\nfrom a write to its checkpoint cosigned by a quorum of 2 of 3 witnesses over HTTP, "
        f"checkpoint --every {args.interval:g} s: median {statistics.median(latencies):.2f} s, "
        f"max {slowest:.2f} s; target under {target:g} s: {verdict}"
    )
    return 0 if slowest < target else 1


if __name__ == "__main__":
    raise SystemExit(main())
