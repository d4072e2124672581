"""Verification throughput and memory: ``verification_report`` against the machine's Ed25519 rate.

What it measures, in one run:

1. ideal: the machine's own Ed25519 verification rate on one core (``cryptography`` directly,
   one public key object, messages the size of the ledger's signed bodies, best of three
   rounds), times ``os.cpu_count()``: what signature checks alone would allow on every core;
2. actual: entries per second of a full ``verification_report`` (one worker process per core, the
   default) over a 200,000-entry ledger on a SQLite file, best of ``--repeats`` runs, process
   start-up included;
3. memory: peak RSS of verifying a 20,000-entry ledger and the 200,000-entry ledger, each in a
   fresh subprocess: the main process and every worker, by their own peak (Linux ``VmHWM``;
   workers polled while they live), with ``getrusage(RUSAGE_SELF)`` and
   ``getrusage(RUSAGE_CHILDREN)`` ``ru_maxrss`` shown beside them for information: Linux keeps
   a parent's peak in a child's ``ru_maxrss`` across exec, so those report the peak of whoever
   started the process, not what verification used.

Targets: actual / ideal >= 0.8; peak RSS(200k) <= 1.2 x peak RSS(20k) for the main process, the
largest worker, and main plus all workers. The script prints a table and exits with status 1
when a target fails (2 when the cached ledger no longer verifies: run with ``--rebuild``).

The ledgers are realistic: three signers (secretariat, government, commission), streams of 50
events, ~300-byte payloads. Built once (the appends take a few minutes) and cached in the
temporary folder under a name keyed by size and a fingerprint of the stored format (sample body
and entry bytes, table columns); ``--rebuild`` builds them again.

    python benchmarks/verify.py [--entries 200000] [--rebuild] [--repeats 2] [--profile]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import (
    assessment_payload,
    cached,
    profile,
    recommendation_payload,
    render_table,
    response_payload,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer, verification_report
from ledger.canonical import entry_hash, signing_input
from ledger.entry import body_of
from ledger.errors import VerificationFailed
from ledger.storage import FORMAT, entries_table, meta_table

STREAM = 50  # events per stream, appended in one call
RATIO_TARGET = 0.8
MEMORY_TARGET = 1.2

# (role, event type, payload) of each kind of stream, in turn.
KINDS: tuple[tuple[str, str, Callable[[int], dict[str, Any]]], ...] = (
    ("secretariat", "assembly.recommendation.adopted", recommendation_payload),
    ("government", "assembly.government.responded", response_payload),
    ("secretariat", "assembly.recommendation.adopted", recommendation_payload),
    ("government", "assembly.government.responded", response_payload),
    ("commission", "assembly.commission.assessed", assessment_payload),
)


# -- building the ledgers ---------------------------------------------------------------------


class Clock:
    """The ledger's clock while building: one minute further for every append."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def format_digest() -> str:
    """A fingerprint of what is stored: the bytes of a sample body and entry, and the schema.

    A change of canonical form or of the tables rebuilds the cached ledgers; a refactoring
    that leaves the stored bytes alone does not.
    """
    sample = NewEvent(
        type="assembly.recommendation.adopted",
        payload=recommendation_payload(7),
        occurred_at=datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    )
    stream = uuid.UUID(int=7)
    body = body_of(sample, ledger="00" * 16, stream=stream, version=1, signer="00" * 16)
    entry = entry_hash(
        seq=7, prev=bytes(32), body=body, sig=bytes(64), recorded_at="2024-01-02T03:04:05.000006Z"
    )
    tables = [
        f"{table.name}:{','.join(column.name for column in table.columns)}"
        for table in (entries_table, meta_table)
    ]
    parts = [FORMAT.encode(), body, entry, ";".join(tables).encode()]
    return hashlib.sha256(b"\n".join(parts)).hexdigest()[:10]


def cached_ledger(entries: int, *, rebuild: bool) -> Path:
    """Return the path of a built ledger of ``entries`` entries, building it if needed."""
    return cached(f"verify-{entries}-{format_digest()}", entries, build, fresh=rebuild)


def build(path: Path, entries: int) -> None:
    """Append ``entries`` entries: three enrolments, then streams of 50 events each."""
    policy = RolePolicy(ROLE_GRANTS)
    clock = Clock(datetime(2023, 1, 9, 9, 0, tzinfo=UTC))
    charter = Signer.from_seed(bytes([1]) * 32)
    signers = {
        role: Signer.from_seed(bytes([n]) * 32)
        for n, role in enumerate(("secretariat", "government", "commission"), start=2)
    }
    book = Ledger.create(str(path), policy, charter, name="Charter", clock=clock)
    try:
        for role, signer in signers.items():
            book.enrol(charter, signer.public_key, role=role, name=role.title())
        written, stream_number = 1 + len(signers), 0
        step = max(entries // 10, 1)
        while written < entries:
            clock.now += timedelta(minutes=1)
            role, event_type, payload = KINDS[stream_number % len(KINDS)]
            size = min(STREAM, entries - written)
            events = [
                NewEvent(
                    type=event_type,
                    payload=payload(written + offset),
                    occurred_at=clock.now - timedelta(seconds=size - offset),
                )
                for offset in range(size)
            ]
            book.append_new(signers[role], uuid.uuid4(), 0, events)
            if (written + size) // step != written // step:
                print(f"  building: {written + size:,} / {entries:,}", file=sys.stderr)
            written += size
            stream_number += 1
    finally:
        book.close()


# -- measuring ----------------------------------------------------------------------------------


def body_size(path: Path) -> int:
    """The mean size of the signed bodies of the first few thousand entries."""
    book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
    try:
        sample = book.recorder.read_entries(start=0, limit=5000)
    finally:
        book.close()
    return sum(len(entry.body) for entry in sample) // len(sample)


def ed25519_rate(body_size: int, count: int = 20_000, rounds: int = 3) -> float:
    """Ed25519 verifications per second on one core, by ``cryptography`` directly.

    Messages are the signing context and a ``body_size``-byte body, as the ledger signs;
    one public key object verifies them all, as a worker does; best of ``rounds``.
    """
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    messages = [
        signing_input(os.urandom(body_size // 2 + 1).hex().encode()[:body_size])
        for _ in range(count)
    ]
    signed = [(key.sign(message), message) for message in messages]
    best = 0.0
    for _ in range(rounds):
        began = time.perf_counter()
        for signature, message in signed:
            public.verify(signature, message)
        best = max(best, count / (time.perf_counter() - began))
    return best


def verify_rates(path: Path, repeats: int) -> tuple[list[float], int]:
    """Entries per second of ``repeats`` full verifications, and the number of entries."""
    policy = RolePolicy(ROLE_GRANTS)
    rates, entries = [], 0
    for _ in range(repeats):
        book = Ledger.open(str(path), policy)
        try:
            began = time.perf_counter()
            report = verification_report(book.recorder, policy, workers=None)
            rates.append(report.entries / (time.perf_counter() - began))
            entries = report.entries
        finally:
            book.close()
    return rates, entries


def vm_hwm(pid: int | str = "self") -> int:
    """A process's own peak RSS in KiB (Linux ``VmHWM``), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def spawned_workers() -> list[int]:
    """The pids of this process's children that are multiprocessing spawn workers."""
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids.extend(int(pid) for pid in (task / "children").read_text().split())
        except OSError:
            continue
    workers = []
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            workers.append(pid)
    return workers


class WorkerWatch(threading.Thread):
    """Polls the peak RSS (VmHWM) of this process's worker processes while they live."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            for pid in spawned_workers():
                self.peaks[pid] = max(self.peaks.get(pid, 0), vm_hwm(pid))

    def stop(self) -> dict[int, int]:
        self.done.set()
        self.join()
        return self.peaks


def probe_memory(path: Path) -> None:
    """In a fresh process: verify the ledger at ``path``; print the peak RSS figures as JSON.

    ``ru_maxrss`` of a process started by fork or vfork and exec starts from the parent's
    peak (Linux keeps the larger of the two across exec), and the workers' from this process's
    at spawn time, so the targets use each process's own peak, ``VmHWM``, and the ``ru_maxrss``
    figures are reported beside them.
    """
    policy = RolePolicy(ROLE_GRANTS)
    book = Ledger.open(str(path), policy)
    before = vm_hwm()
    watch = WorkerWatch()
    watch.start()
    try:
        report = verification_report(book.recorder, policy, workers=None)
    finally:
        book.close()
        workers = watch.stop()
    print(
        json.dumps(
            {
                "entries": report.entries,
                "before_kib": before,
                "self_kib": vm_hwm(),
                "workers_kib": sorted(workers.values()),
                "ru_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "ru_children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            }
        )
    )


def memory(path: Path) -> dict[str, Any]:
    """Peak RSS figures (KiB) of verifying the ledger at ``path`` in a fresh subprocess."""
    result = subprocess.run(
        [sys.executable, __file__, "--probe-memory", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if not figures["workers_kib"]:
        raise RuntimeError("the memory probe saw no worker process")
    return figures


@dataclass
class Check:
    """One line of the result table; ``target`` None marks a figure shown for information."""

    what: str
    measured: float
    baseline: float
    target: float | None
    at_least: bool = False

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline

    @property
    def result(self) -> str:
        if self.target is None:
            return "info"
        passed = self.ratio >= self.target if self.at_least else self.ratio <= self.target
        return "PASS" if passed else "FAIL"

    def cells(self) -> tuple[str, ...]:
        number = "{:,.0f}" if self.at_least else "{:,.1f}"
        target = "" if self.target is None else f"{'>=' if self.at_least else '<='} {self.target}"
        return (
            self.what,
            number.format(self.measured),
            number.format(self.baseline),
            f"{self.ratio:.2f}",
            target,
            self.result,
        )


def checks(
    *, ideal: float, actual: float, small: dict[str, Any], large: dict[str, Any]
) -> list[Check]:
    """Throughput against the ideal; the 200k ledger's memory against the 20k ledger's."""

    def mib(figures: dict[str, Any], key: str) -> float:
        value = figures[key]
        return float(max(value) if isinstance(value, list) else value) / 1024

    def together(figures: dict[str, Any]) -> float:
        return float(figures["self_kib"] + sum(figures["workers_kib"])) / 1024

    return [
        Check("verify throughput (entries/s)", actual, ideal, RATIO_TARGET, at_least=True),
        Check(
            "peak RSS main process, VmHWM (MiB)",
            mib(large, "self_kib"),
            mib(small, "self_kib"),
            MEMORY_TARGET,
        ),
        Check(
            "peak RSS largest worker, VmHWM (MiB)",
            mib(large, "workers_kib"),
            mib(small, "workers_kib"),
            MEMORY_TARGET,
        ),
        Check("peak RSS main + all workers (MiB)", together(large), together(small), MEMORY_TARGET),
        Check(
            "ru_maxrss RUSAGE_SELF (MiB)",
            mib(large, "ru_self_kib"),
            mib(small, "ru_self_kib"),
            None,
        ),
        Check(
            "ru_maxrss RUSAGE_CHILDREN (MiB)",
            mib(large, "ru_children_kib"),
            mib(small, "ru_children_kib"),
            None,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="verification_report throughput against Ed25519 on every core, and its memory."
    )
    parser.add_argument("--entries", type=int, default=200_000, help="size of the large ledger")
    parser.add_argument("--rebuild", action="store_true", help="build the cached ledgers again")
    parser.add_argument("--repeats", type=int, default=2, help="verification runs, best kept")
    parser.add_argument(
        "--profile", action="store_true", help="then profile one verification (main process)"
    )
    parser.add_argument("--probe-memory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_memory is not None:
        probe_memory(args.probe_memory)
        return 0
    if args.entries < 50_000 or args.repeats < 1:
        parser.error("--entries must be at least 50000 and --repeats at least 1")
    small_entries = args.entries // 10
    large_path = cached_ledger(args.entries, rebuild=args.rebuild)
    small_path = cached_ledger(small_entries, rebuild=args.rebuild)

    size = body_size(large_path)
    single = ed25519_rate(size)
    cores = os.cpu_count() or 1
    try:
        rates, entries = verify_rates(large_path, args.repeats)
    except VerificationFailed as failure:
        print(
            f"the cached ledger does not verify ({failure}); run again with --rebuild",
            file=sys.stderr,
        )
        return 2
    actual = max(rates)
    small, large = memory(small_path), memory(large_path)

    print(
        f"verification_report on {entries:,} entries (SQLite file, {cores} cores, mean body {size} "
        f"bytes); Ed25519 on one core: {single:,.0f} verifications/s x {cores} cores; memory: "
        f"{small['entries']:,} vs {large['entries']:,} entries; verify runs: "
        + ", ".join(f"{rate:,.0f}" for rate in rates)
        + " entries/s (best kept)"
    )
    rows = checks(ideal=single * cores, actual=actual, small=small, large=large)
    header = (
        "check",
        f"{entries // 1000}k",
        f"ideal / {small['entries'] // 1000}k",
        "ratio",
        "target",
        "result",
    )
    print(render_table(header, [row.cells() for row in rows], right={1, 2, 3}))
    print(
        f"main process after opening, before verifying: {small['before_kib'] / 1024:.1f} MiB "
        f"({small['entries'] // 1000}k), {large['before_kib'] / 1024:.1f} MiB "
        f"({entries // 1000}k); workers: {len(large['workers_kib'])}. ru_maxrss (info) counts "
        "the parent's peak too: Linux carries it across exec."
    )
    if args.profile:
        policy = RolePolicy(ROLE_GRANTS)
        book = Ledger.open(str(large_path), policy)
        try:
            profile(
                f"verification_report, {entries:,} entries, main process",
                lambda: verification_report(book.recorder, policy, workers=None),
            )
        finally:
            book.close()
    return 1 if any(row.result == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
