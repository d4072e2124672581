"""Proofs and checkpoints cost the same, within a small factor, on a log 1,000 times larger.

Targets, each a ratio measured in one run (the sizes interleaved, medians over ``--repeats``):

- an inclusion proof, made from the stored tree and checked against the checkpoint's root, at
  1,000,000 entries takes no more than 3x its time at 1,000 entries;
- signing a checkpoint (integrating the tree up to the last entry, its root, the signed note,
  kept) at 1,000,000 entries takes no more than 3x its time at 1,000: no rehashing of the tree.

Exit status 1 when a target fails. The ledgers come from the builder of
``benchmarks/projections.py`` (7 signed entries per recommendation), cached where it caches
them; each is integrated into its Merkle tree once before any timing (that one-off time is
printed: it is what a ledger made before the tree pays on its first checkpoint).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from common import load_builder, render_table

builder = load_builder()

from domain.roles import ROLE_GRANTS  # noqa: E402
from ledger import Ledger, RolePolicy  # noqa: E402
from ledger.tree import integrate, issue_checkpoint, prove_inclusion, tree_root  # noqa: E402
from tlog.merkle import verify_inclusion  # noqa: E402
from tlog.note import SignerKey  # noqa: E402

RATIO_TARGET = 3.0
ORIGIN = "bench.assembly.example/ledger"
LOG_KEY = SignerKey(ORIGIN, bytes([7]) * 32)
PROOFS_PER_ROUND = 20


def median_ms(times: Sequence[float]) -> float:
    return statistics.median(times) * 1000


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


class Log:
    """One cached ledger, its tree integrated, and what the timed work needs."""

    def __init__(self, path: Path) -> None:
        self.book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
        began = time.perf_counter()
        self.size = integrate(self.book.recorder)
        self.integrated_in = time.perf_counter() - began
        self.root = tree_root(self.book.recorder, self.size)
        self.leaves = {}  # seq -> entry hash, read once, outside the timing
        self.random = random.Random(self.size)

    def prove_and_check(self) -> None:
        """Inclusion proofs for random entries, each made and checked."""
        recorder = self.book.recorder
        for _ in range(PROOFS_PER_ROUND):
            seq = self.random.randrange(self.size)
            leaf = self.leaf(seq)
            proof = prove_inclusion(recorder, seq, self.size)
            if not verify_inclusion(leaf, seq, self.size, proof, self.root):
                raise AssertionError(f"the proof of entry {seq} does not verify")

    def leaf(self, seq: int) -> bytes:
        found = self.leaves.get(seq)
        if found is None:
            found = self.leaves[seq] = self.book.recorder.read_entries(start=seq, limit=1)[0].hash
        return found

    def checkpoint(self) -> None:
        issued = issue_checkpoint(self.book.recorder, LOG_KEY, origin=ORIGIN)
        if issued.size != self.size:
            raise AssertionError(f"the checkpoint has {issued.size} entries, not {self.size}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,1000000", help="small,large (1000,1000000)")
    parser.add_argument("--repeats", type=int, default=9, help="timed rounds per size")
    parser.add_argument("--rebuild", action="store_true", help="build the cached ledgers again")
    args = parser.parse_args(argv)
    small, large = (int(size) for size in args.sizes.split(","))
    logs = [Log(builder.cached_ledger(size, fresh=args.rebuild)) for size in (small, large)]
    try:
        for log in logs:  # warm: the first proof and checkpoint open what later ones reuse
            log.prove_and_check()
            log.checkpoint()
        proofs: list[list[float]] = [[], []]
        signing: list[list[float]] = [[], []]
        for round_ in range(args.repeats):
            order = (0, 1) if round_ % 2 == 0 else (1, 0)
            for which in order:
                proofs[which].append(timed(logs[which].prove_and_check) / PROOFS_PER_ROUND)
                signing[which].append(timed(logs[which].checkpoint))
    finally:
        for log in logs:
            log.book.close()
    rows, verdicts = [], []
    for name, times in (
        ("inclusion proof, made and checked", proofs),
        ("signing a checkpoint", signing),
    ):
        ratio = median_ms(times[1]) / median_ms(times[0])
        verdict = "pass" if ratio <= RATIO_TARGET else "FAIL"
        verdicts.append(verdict)
        rows.append(
            (
                name,
                f"{median_ms(times[0]):.2f}",
                f"{median_ms(times[1]):.2f}",
                f"{ratio:.2f}",
                f"<= {RATIO_TARGET}",
                verdict,
            )
        )
    sizes = f"{logs[0].size:,} vs {logs[1].size:,} entries"
    print(
        render_table(
            (sizes, "small ms (median)", "large ms (median)", "ratio", "target", "result"),
            rows,
            right={1, 2, 3},
        )
    )
    for log in logs:
        print(
            f"integrating the tree of {log.size:,} entries (once, before timing): "
            f"{log.integrated_in:.1f} s"
        )
    return 0 if all(verdict == "pass" for verdict in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
