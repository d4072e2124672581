"""Reads never write (issue 18, part 2): with the status tables behind the ledger, or not made
at all, every stored read answers what it answers once a writer has caught up, and writes
nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

import projections.runner as runner
from domain.government import Assessed, Implementation, ImplementationReported, Verdict
from domain.recommendation import HandedOver, recommendation_stream
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from projections import tables
from projections.tallies import stored_tally
from tests.conftest import Clock
from tests.projections.test_runner_backends import ROLES, adoption, new, write_assembly

Read = Callable[[Ledger], Any]

READS: dict[str, Read] = {
    "stored": lambda book: runner.stored(book),
    "stored panel 1": lambda book: runner.stored(book, panel=1),
    "one changed": lambda book: runner.stored_one(book, (1, 3)),
    "one untouched": lambda book: runner.stored_one(book, (1, 20)),
    "one new": lambda book: runner.stored_one(book, (1, 33)),
    "one missing": lambda book: runner.stored_one(book, (2, 1)),
    "first page": lambda book: runner.stored_after(book, after=None, where={}, limit=7),
    "a later page": lambda book: runner.stored_after(book, after=(1, 28), where={}, limit=4),
    "energy": lambda book: runner.stored_after(
        book, after=None, where={"portfolio": "energy"}, limit=3
    ),
    "climate": lambda book: runner.stored_after(
        book, after=(1, 2), where={"portfolio": "climate"}, limit=30
    ),
    "words": lambda book: runner.stored_after(
        book, after=None, where={}, words=("recommandation 3",), limit=50
    ),
    "overdue": lambda book: runner.stored_after(
        book, after=None, where={}, limit=100, overdue_on=date(2026, 9, 1)
    ),
    "newest said": lambda book: runner.stored_by_said(book, before=None, limit=6),
    "said before": lambda book: runner.stored_by_said(book, before=140, limit=5),
    "said by a portfolio": lambda book: runner.stored_by_said(
        book, before=None, limit=9, portfolio="climate"
    ),
    "bare": lambda book: runner.stored_bare(book),
    "counts": lambda book: runner.stored_counts(book),
    "choices": lambda book: runner.stored_choices(book),
    "numbers": lambda book: runner.stored_numbers(book, 1),
}


def later_entries(url: str) -> None:
    """Entries after the first catch-up: a report more on recommendations 1 to 5 (rows the
    tables hold, changed), a verdict more on recommendation 2 (the newest said), and
    recommendations 31 to 35 of another portfolio (new rows), handed over a year later."""
    keys = {role: Signer.from_seed(bytes([n]) * 32) for n, role in enumerate(ROLES, start=2)}
    at = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    book = Ledger.open(url, RolePolicy(ROLE_GRANTS), clock=Clock(at + timedelta(hours=1)))
    try:
        reports = [
            (
                recommendation_stream(1, n),
                5,
                [
                    new(
                        ImplementationReported(
                            panel=1, number=n, status=Implementation.COMPLETED, progress=100
                        ),
                        at,
                    )
                ],
            )
            for n in range(1, 6)
        ]
        book.append_new_batches(keys["government"], reports)
        disputed = Assessed(panel=1, number=2, verdict=Verdict.DISPUTES)
        book.append_new_batches(
            keys["commission"], [(recommendation_stream(1, 2), 6, [new(disputed, at)])]
        )
        adopted = []
        for n in range(31, 36):
            rec = adoption(n, portfolio="energy", priority="low")
            handed = HandedOver(panel=1, number=n, on=(at + timedelta(days=1)).date())
            adopted.append((recommendation_stream(1, n), 0, [new(rec, at), new(handed, at)]))
        book.append_new_batches(keys["secretariat"], adopted)
    finally:
        book.close()


@contextmanager
def behind_at(url: str) -> Iterator[Ledger]:
    """A writer's ledger at ``url``: 30 recommendations caught up, then entries the tables
    lack."""
    write_assembly(url, 30)
    book = Ledger.open(url, RolePolicy(ROLE_GRANTS))
    try:
        runner.catch_up(book)
        later_entries(url)
        yield book
    finally:
        book.close()


@pytest.fixture
def behind(ledger_url: str) -> Iterator[Ledger]:
    with behind_at(ledger_url) as book:
        yield book


def table_state(book: Ledger) -> tuple[object, ...]:
    """What the read models' tables hold, in a few figures: their position and row counts."""
    layout = tables.current()
    with runner.engine_of(book).connect() as conn:
        if not inspect(conn).has_table(layout.recommendations.name):
            return ("no tables", sorted(inspect(conn).get_table_names()))
        return (
            runner.position(book),
            conn.execute(select(func.count()).select_from(layout.recommendations)).scalar(),
            conn.execute(select(func.count()).select_from(layout.reviews)).scalar(),
            conn.execute(select(func.count()).select_from(tables.settings)).scalar(),
        )


def test_every_read_with_the_tables_behind_answers_as_after_a_writer_caught_up(
    behind: Ledger,
) -> None:
    written = table_state(behind)
    assert isinstance(written[0], int) and written[0] < behind.count() - 1, "not behind"
    assert not runner.settled(behind)
    assert stored_tally(behind, where={}, on=date(2026, 9, 1)) is None  # rows judged instead
    read = {name: each(behind) for name, each in READS.items()}
    assert table_state(behind) == written, "a read wrote"
    assert runner.catch_up(behind) > 0
    assert runner.settled(behind)
    for name, each in READS.items():
        assert read[name] == each(behind), name
    assert read["stored"].seq == behind.count() - 1
    assert read["choices"] == (1, ["climate", "energy"])
    assert read["one changed"][1].implementation == "completed"
    assert [rec.number for rec in read["energy"].recommendations.values()] == [31, 32, 33]


def test_every_read_before_any_table_is_made_answers_as_after_a_writer_made_them(
    ledger_url: str,
) -> None:
    write_assembly(ledger_url, 30)
    later_entries(ledger_url)
    book = Ledger.open(ledger_url, RolePolicy(ROLE_GRANTS))
    try:
        nothing = table_state(book)
        assert nothing[0] == "no tables"
        read = {name: each(book) for name, each in READS.items()}
        assert table_state(book) == nothing, "a read made tables"
        runner.catch_up(book)
        for name, each in READS.items():
            assert read[name] == each(book), name
    finally:
        book.close()


def test_a_tail_kept_by_the_process_grows_with_the_head_and_goes_when_the_tables_catch_up(
    behind: Ledger,
) -> None:
    first = runner.tail(behind)
    assert first is not None and first.state.seq == behind.count() - 1
    assert runner.tail(behind) is first  # the head has not moved: the same tail
    extra = runner.stored_one(behind, (1, 3))[1]
    assert extra is not None and extra.implementation == "completed"
    runner.catch_up(behind)
    assert runner.tail(behind) is None
