"""Rebuilding the read models against merely reading the entries they are folded from.

Target (issue 19): ``projections.rebuild`` over a 200,000-entry ledger runs at >= 0.4x the rate
of ``Ledger.entries()`` reading the same entries, both timed in the same run (best of
``--repeats``). Exit status 1 when the target fails. The same ratio in CPU time (best of the rounds)
is printed beside it: on a machine whose cores are shared it moves less than the wall-clock
one. It counts the CPU of the processes a rebuild forks as well as its own (a rebuild folds in
two processes on a machine with two cores), so it compares all the work each does.

The ledger is a realistic assembly: per recommendation, the secretariat adopts it and hands it
over, the government answers at both reviews and reports implementation after each, and the
commission gives its verdict (7 entries). Events are signed and appended with
``Ledger.append_new_batches``, 500 recommendations per transaction, and the ledger is cached
in the temporary folder (``--rebuild`` builds it again).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import PORTFOLIOS, cached, render_table

from domain.events import Event
from domain.government import Assessed, ImplementationReported
from domain.recommendation import Adopted, HandedOver, recommendation_stream
from domain.responses import Responded
from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer

# This script bears the name of the package it measures: find the package, not the script.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent]
sys.modules.pop("projections", None)
from projections import rebuild  # noqa: E402

RATIO_TARGET = 0.4
PER_TRANSACTION = 500  # recommendations
PER_PANEL = 60
PORTFOLIO_IDS = tuple(name.split(",")[0].lower().replace(" ", "-") for name in PORTFOLIOS)


class Clock:
    """The ledger's clock while building: moved on by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def new(event: Event, at: datetime) -> NewEvent:
    return NewEvent(
        type=event.TYPE, payload=event.to_payload(), occurred_at=at, schema=event.SCHEMA
    )


def secretariat_events(n: int, at: datetime) -> list[NewEvent]:
    panel, number = n // PER_PANEL + 1, n % PER_PANEL + 1
    adopted = Adopted(
        panel=panel,
        number=number,
        title={"fr": f"Rénover les logements sociaux ({n})", "nl": f"Woningen renoveren ({n})"},
        text={
            "fr": f"Le gouvernement rénove 5 % du parc social par an jusqu'en 2030 ({n}).",
            "nl": f"De regering renoveert tot 2030 jaarlijks 5 % van de sociale woningen ({n}).",
        },
        priority=("high", "medium", "low")[n % 3],
        portfolio=PORTFOLIO_IDS[n % len(PORTFOLIO_IDS)],
        vote=f"V-{n}",
    )
    handed = HandedOver(panel=panel, number=number, on=at.date())
    return [new(adopted, at), new(handed, at)]


def government_events(n: int, at: datetime) -> list[NewEvent]:
    panel, number = n // PER_PANEL + 1, n % PER_PANEL + 1
    portfolio = PORTFOLIO_IDS[n % len(PORTFOLIO_IDS)]

    def answer(review: int, position: str) -> Responded:
        return Responded(
            panel=panel,
            number=number,
            review=review,
            position=position,
            portfolio=portfolio,
            justification=f"Phase one is funded in the 2026 budget; the rest follows ({n}).",
            planned_measures="A renovation fund; yearly reports to the commission.",
            decision_date=date(2026, 6, 30) if position == "under_study" else None,
        )

    def report(status: str, progress: int) -> ImplementationReported:
        return ImplementationReported(
            panel=panel, number=number, status=status, progress=progress, milestone=f"M{n}"
        )

    return [
        new(answer(1, "under_study"), at),
        new(report("in_progress", 20), at),
        new(answer(2, "accepted_in_part"), at),
        new(report("completed_modified" if n % 2 else "stalled", 80), at),
    ]


def commission_events(n: int, at: datetime) -> list[NewEvent]:
    verdict = ("agrees", "disputes", "insufficient_information")[n % 3]
    reasons = f"The timetable announced at the first review has slipped by a quarter ({n})."
    panel, number = n // PER_PANEL + 1, n % PER_PANEL + 1
    event = Assessed(panel=panel, number=number, verdict=verdict, reasons=reasons, score=n % 11)
    return [new(event, at)]


def build(path: Path, entries: int) -> None:
    """Four enrolments, then 7 entries per recommendation until ``entries`` is reached."""
    clock = Clock(datetime(2024, 1, 8, 9, 0, tzinfo=UTC))
    charter = Signer.from_seed(bytes([1]) * 32)
    roles = ("secretariat", "government", "commission")
    signers = {role: Signer.from_seed(bytes([n]) * 32) for n, role in enumerate(roles, start=2)}
    book = Ledger.create(str(path), RolePolicy(ROLE_GRANTS), charter, name="Charter", clock=clock)
    try:
        for role, signer in signers.items():
            book.enrol(charter, signer.public_key, role=role, name=role.title())
        recommendations = (entries - 1 - len(signers)) // 7
        for first in range(0, recommendations, PER_TRANSACTION):
            numbers = range(first, min(first + PER_TRANSACTION, recommendations))
            for role, version, events in (
                ("secretariat", 0, secretariat_events),
                ("government", 2, government_events),
                ("commission", 6, commission_events),
            ):
                clock.now += timedelta(minutes=1)
                batches = [
                    (
                        recommendation_stream(n // PER_PANEL + 1, n % PER_PANEL + 1),
                        version,
                        events(n, clock.now),
                    )
                    for n in numbers
                ]
                book.append_new_batches(signers[role], batches)
            print(f"  building: {book.count():,} / {entries:,}", file=sys.stderr)
    finally:
        book.close()


def cached_ledger(entries: int, *, fresh: bool) -> Path:
    """The path of a built ledger of about ``entries`` entries, built if needed."""
    return cached(f"projections-{entries}", entries, build, fresh=fresh)


def read_all(book: Ledger) -> int:
    return sum(1 for _ in book.entries())


def timed(work: object) -> tuple[float, int, float]:
    """Wall-clock seconds, the count ``work`` returns, and the CPU seconds of the process and of
    the processes it waited for meanwhile (a rebuild's forked worker)."""
    assert callable(work)
    began, cpu = time.perf_counter(), _cpu()
    count = work()
    return time.perf_counter() - began, int(count), _cpu() - cpu


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended and were waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000, help="ledger size (200,000)")
    parser.add_argument("--repeats", type=int, default=2, help="timed rounds (best is kept)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached ledger again")
    args = parser.parse_args(argv)
    path = cached_ledger(args.entries, fresh=args.rebuild)
    book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
    try:
        reads, rebuilds = [], []
        for _ in range(args.repeats):  # interleaved, so both see the same cache and disk
            reads.append(timed(lambda: read_all(book)))
            rebuilds.append(timed(lambda: rebuild(book)))
    finally:
        book.close()
    (read_s, count, _), (rebuild_s, applied, _) = min(reads), min(rebuilds)
    if applied != count:
        print(f"rebuild applied {applied} entries of {count}", file=sys.stderr)
        return 2
    read_rate, rebuild_rate = count / read_s, count / rebuild_s
    ratio = rebuild_rate / read_rate
    cpu_ratio = min(cpu for *_, cpu in reads) / min(cpu for *_, cpu in rebuilds)
    verdict = "pass" if ratio >= RATIO_TARGET else "FAIL"
    print(
        render_table(
            (
                "entries",
                "read entries/s",
                "rebuild entries/s",
                "ratio",
                "ratio (CPU)",
                "target",
                "result",
            ),
            [
                (
                    f"{count:,}",
                    f"{read_rate:,.0f}",
                    f"{rebuild_rate:,.0f}",
                    f"{ratio:.2f}",
                    f"{cpu_ratio:.2f}",
                    f">= {RATIO_TARGET}",
                    verdict,
                )
            ],
            right={0, 1, 2, 3, 4},
        )
    )
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
