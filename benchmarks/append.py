"""Append throughput: the signed, hash-chained ledger against plain eventsourcing.

What it measures, in one run, on each backend (a SQLite file in a temporary folder, and a
PostgreSQL scratch database created for the run and dropped at its end):

* plain: a minimal ``eventsourcing.application.Application`` on eventsourcing-sqlalchemy (one
  tiny aggregate class, no snapshots), saving events whose payload is the same ~300-byte dict;
* ledger: ``Ledger.append_new``, which canonicalises (RFC 8785), signs (Ed25519), checks the
  signature, the signer's enrolment and role and the stream version, and chains every event
  (prev, hash, gapless seq) in the same transaction as the event insert.

Two shapes, each over fresh streams of 50 (one per transaction) or 100 events (one save):

* ``1/txn``: one event per transaction (the interactive case: one administrator, one answer);
* ``100/save``: 100 events of one stream in one transaction (bulk import).

The plain application and the ledger use separate databases (files) on the same server (disk);
``--prefill N`` first writes N events to both, to time appends into databases of that size
rather than nearly empty ones. Runs are interleaved (plain then ledger, then ledger then
plain, ...); each round's ratio compares two runs made back to back, and the judged ratio is
the median of the rounds' ratios, so one noisy moment on a shared machine decides nothing.

Targets (ledger ev/s divided by plain ev/s): >= 0.6 for ``1/txn``, >= 0.5 for ``100/save``.
The script prints a table and exits with status 1 when a target fails.

    python benchmarks/append.py [--events N] [--backend sqlite|postgres|all] [--repeats R]
                                [--prefill N] [--profile]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import profile, render_table, response_payload
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer

PG_HOST = os.environ.get("ASSEMBLY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
TARGETS = {"1/txn": 0.6, "100/save": 0.5}
STREAM_1 = 50  # events per stream in the one-per-transaction shape
BATCH = 100  # events per save in the bulk shape
WARMUP = 100


# -- plain eventsourcing --------------------------------------------------------------------


class Record(Aggregate):
    """The tiny aggregate of the plain application: it only counts its events."""

    @event("Opened")
    def __init__(self, payload: dict[str, Any]) -> None:
        self.count = 1

    @event("Noted")
    def note(self, payload: dict[str, Any]) -> None:
        self.count += 1


class PlainApp(Application[uuid.UUID]):
    """A plain eventsourcing application: no signatures, no chain."""


class PlainWriter:
    """Writes through a PlainApp on its own database."""

    def __init__(self, url: str) -> None:
        self.app = PlainApp(
            env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url}
        )

    def one_per_transaction(self, count: int, start: int) -> None:
        record: Record | None = None
        for n in range(start, start + count):
            if (n - start) % STREAM_1 == 0:
                record = Record(response_payload(n))
            else:
                assert record is not None
                record.note(response_payload(n))
            self.app.save(record)

    def per_save(self, count: int, start: int) -> None:
        for first in range(start, start + count, BATCH):
            record = Record(response_payload(first))
            for n in range(first + 1, first + BATCH):
                record.note(response_payload(n))
            self.app.save(record)

    def close(self) -> None:
        self.app.close()


# -- the ledger -----------------------------------------------------------------------------


class LedgerWriter:
    """Writes through Ledger.append_new, signed by an enrolled government key."""

    def __init__(self, location: str) -> None:
        policy = RolePolicy(ROLE_GRANTS)
        charter = Signer.from_seed(bytes([1]) * 32)
        self.signer = Signer.from_seed(bytes([2]) * 32)
        self.ledger = Ledger.create(location, policy, charter, name="Charter")
        self.ledger.enrol(
            charter,
            self.signer.public_key,
            role="government",
            name="Minister of Climate",
            valid_from=datetime.now(UTC) - timedelta(days=1),
        )

    def _event(self, n: int) -> NewEvent:
        return NewEvent(
            type="assembly.government.responded",
            payload=response_payload(n),
            occurred_at=datetime.now(UTC) - timedelta(seconds=1),
        )

    def one_per_transaction(self, count: int, start: int) -> None:
        stream = uuid.uuid4()
        for n in range(start, start + count):
            version = (n - start) % STREAM_1
            if version == 0:
                stream = uuid.uuid4()
            self.ledger.append_new(self.signer, stream, version, [self._event(n)])

    def per_save(self, count: int, start: int) -> None:
        for first in range(start, start + count, BATCH):
            events = [self._event(n) for n in range(first, first + BATCH)]
            self.ledger.append_new(self.signer, uuid.uuid4(), 0, events)

    def close(self) -> None:
        self.ledger.close()


# -- backends -------------------------------------------------------------------------------


class BackendUnavailable(Exception):
    """The database server cannot be reached."""


@contextmanager
def sqlite_locations() -> Iterator[tuple[str, str]]:
    """Yield (plain SQLAlchemy URL, ledger path): two files in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="bench-append-") as folder:
        yield f"sqlite:///{Path(folder) / 'plain.db'}", str(Path(folder) / "ledger.db")


@contextmanager
def postgres_locations() -> Iterator[tuple[str, str]]:
    """Yield (plain SQLAlchemy URL, ledger URL): two scratch databases, dropped at the end."""
    import psycopg

    names = [f"bench_{os.getpid()}_plain", f"bench_{os.getpid()}_ledger"]
    try:
        with psycopg.connect(f"{PG_HOST}/postgres", autocommit=True, connect_timeout=5) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise BackendUnavailable(str(exc).strip().splitlines()[0]) from None
    try:
        host = PG_HOST.split("://", 1)[1]
        yield f"postgresql+psycopg://{host}/{names[0]}", f"{PG_HOST}/{names[1]}"
    finally:
        with psycopg.connect(f"{PG_HOST}/postgres", autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS: dict[str, Callable[[], AbstractContextManager[tuple[str, str]]]] = {
    "sqlite": sqlite_locations,
    "postgres": postgres_locations,
}


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Row:
    """One backend and shape: the best rate of each side and every round's ratio."""

    backend: str
    shape: str
    plain: float
    ledger: float
    rounds: list[float]

    @property
    def ratio(self) -> float:
        """The median of the rounds' ratios (each round: the two sides back to back)."""
        return statistics.median(self.rounds)

    @property
    def passed(self) -> bool:
        return self.ratio >= TARGETS[self.shape]


def counts(events: int) -> dict[str, int]:
    """Events per timed run of each shape: the bulk shape runs five times as many."""
    return {"1/txn": events - events % STREAM_1, "100/save": 5 * events - 5 * events % BATCH}


def runner(writer: PlainWriter | LedgerWriter, shape: str) -> Callable[[int, int], None]:
    return writer.one_per_transaction if shape == "1/txn" else writer.per_save


def rate(run: Callable[[int, int], None], count: int, start: int) -> float:
    """Events per second of one timed run of ``count`` events."""
    began = time.perf_counter()
    run(count, start)
    return count / (time.perf_counter() - began)


def measure(backend: str, events: int, repeats: int, prefill: int = 0) -> list[Row]:
    """Measure both shapes on one backend, interleaving plain and ledger runs.

    With ``prefill``, both stores first receive that many events (100 per save), so the
    timed runs write into a database of realistic size.
    """
    rows = []
    with BACKENDS[backend]() as (plain_url, ledger_location):
        plain, ledger = PlainWriter(plain_url), LedgerWriter(ledger_location)
        writers: dict[str, PlainWriter | LedgerWriter] = {"plain": plain, "ledger": ledger}
        try:
            for writer in writers.values():  # connections, statement caches, first pages
                writer.one_per_transaction(WARMUP, 0)
                writer.per_save(WARMUP + prefill, 0)
            start = WARMUP + prefill
            for shape, count in counts(events).items():
                best = {"plain": 0.0, "ledger": 0.0}
                ratios = []
                for round_ in range(repeats):
                    order = ("plain", "ledger") if round_ % 2 == 0 else ("ledger", "plain")
                    seen = {}
                    for name in order:
                        seen[name] = rate(runner(writers[name], shape), count, start)
                        best[name] = max(best[name], seen[name])
                    ratios.append(seen["ledger"] / seen["plain"])
                    start += count
                rows.append(Row(backend, shape, best["plain"], best["ledger"], ratios))
        finally:
            plain.close()
            ledger.close()
    return rows


def profile_ledger(backend: str, events: int) -> None:
    """Profile the ledger's appends of each shape on a fresh database of ``backend``."""
    for shape, count in counts(events).items():
        with BACKENDS[backend]() as (_, ledger_location):
            writer = LedgerWriter(ledger_location)
            try:
                run = runner(writer, shape)
                run(WARMUP, 0)
                profile(
                    f"ledger appends, {backend}, {shape}, {count} events",
                    functools.partial(run, count, WARMUP),
                )
            finally:
                writer.close()


def table(rows: list[Row]) -> str:
    header = (
        "backend",
        "shape",
        "plain ev/s",
        "ledger ev/s",
        "ratio",
        "target",
        "result",
        "ratio per round",
    )
    cells = [
        (
            row.backend,
            row.shape,
            f"{row.plain:,.0f}",
            f"{row.ledger:,.0f}",
            f"{row.ratio:.2f}",
            f">= {TARGETS[row.shape]:.1f}",
            "PASS" if row.passed else "FAIL",
            " ".join(f"{ratio:.2f}" for ratio in row.rounds),
        )
        for row in rows
    ]
    return render_table(header, cells, right={2, 3, 4})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Signed, chained ledger appends against plain eventsourcing (ratios)."
    )
    parser.add_argument(
        "--events",
        type=int,
        default=1000,
        help="events per timed run of the 1/txn shape; the 100/save shape writes 5 x N "
        "(default 1000: the whole script takes about a minute and a half)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument(
        "--repeats", type=int, default=5, help="interleaved rounds; the median ratio is judged"
    )
    parser.add_argument(
        "--prefill",
        type=int,
        default=0,
        help="events written to both stores before timing (100 per save), to time appends "
        "into a database of that size (default 0)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="then profile the ledger's appends (cProfile)"
    )
    args = parser.parse_args(argv)
    if args.events < BATCH or args.repeats < 1 or args.prefill < 0 or args.prefill % BATCH:
        parser.error(
            f"--events must be at least {BATCH}, --repeats at least 1, and --prefill a "
            f"multiple of {BATCH}"
        )
    backends = ["sqlite", "postgres"] if args.backend == "all" else [args.backend]
    rows: list[Row] = []
    for backend in backends:
        try:
            rows.extend(measure(backend, args.events, args.repeats, args.prefill))
        except BackendUnavailable as exc:
            print(f"cannot measure on {backend}: {exc}", file=sys.stderr)
            return 2
    sizes = counts(args.events)
    print(
        f"append throughput: {sizes['1/txn']} (1/txn) and {sizes['100/save']} (100/save) events "
        f"per run, median ratio of {args.repeats} interleaved rounds (rates: best of each "
        f"side), after {args.prefill} prefilled, "
        f"{len(json.dumps(response_payload(0)))}-byte payloads"
    )
    print(table(rows))
    if args.profile:
        for backend in backends:
            profile_ledger(backend, min(args.events, 500))
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
