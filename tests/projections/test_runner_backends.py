"""The tracked runner on both storage backends: batches, rebuilds, runners racing, a runner killed.

The ledger is written with signed appends of the assembly's own event types (each office with
its key), as many recommendations as a test needs; the domain's rules are not what is tested
here, so the events go straight to the ledger.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

import projections.runner as runner
import projections.tail as tail
from domain.correction import CorrectionRecorded, correction_stream
from domain.events import Event
from domain.government import Assessed, ImplementationReported
from domain.recommendation import Adopted, HandedOver, recommendation_stream
from domain.responses import Responded
from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer
from projections.errors import ProjectionFailed
from projections.tables import positions, recommendations
from tests.conftest import Clock

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("secretariat", "government", "commission")


def new(event: Event, at: datetime) -> NewEvent:
    return NewEvent(event.TYPE, event.to_payload(), at, schema=event.SCHEMA)


def adoption(n: int, *, portfolio: str = "climate", priority: str = "high") -> Adopted:
    """Recommendation 1/``n`` as its panel adopts it."""
    return Adopted(
        panel=1,
        number=n,
        title={"fr": f"Recommandation {n}", "nl": f"Aanbeveling {n}"},
        text={"fr": f"Texte {n}.", "nl": f"Tekst {n}."},
        priority=priority,
        portfolio=portfolio,
        vote=f"V-{n}",
    )


def lifecycle(n: int, at: datetime) -> dict[str, list[NewEvent]]:
    """Recommendation 1/``n``'s events, by the role that signs them."""
    adopted = adoption(n)
    answer = Responded(
        panel=1,
        number=n,
        review=1,
        position="under_study",
        portfolio="climate",
        decision_date=date(2026, 9, 30),
    )
    report = ImplementationReported(panel=1, number=n, status="in_progress", progress=n % 100)
    verdict = Assessed(panel=1, number=n, verdict="agrees")
    return {
        "secretariat": [new(adopted, at), new(HandedOver(panel=1, number=n, on=at.date()), at)],
        "government": [new(answer, at), new(report, at)],
        "commission": [new(verdict, at)],
    }


def write_assembly(url: str, recommendations_count: int) -> int:
    """A ledger at ``url`` with ``recommendations_count`` recommendations, 5 entries each."""
    clock = Clock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    charter = Signer.from_seed(bytes([1]) * 32)
    keys = {role: Signer.from_seed(bytes([n]) * 32) for n, role in enumerate(ROLES, start=2)}
    book = Ledger.create(url, RolePolicy(ROLE_GRANTS), charter, name="Charter", clock=clock)
    try:
        for role, key in keys.items():
            book.enrol(charter, key.public_key, role=role, name=role.title())
        for first in range(1, recommendations_count + 1, 100):
            numbers = range(first, min(first + 100, recommendations_count + 1))
            clock.now += timedelta(days=1)
            events = {n: lifecycle(n, clock.now) for n in numbers}
            for role, version in (("secretariat", 0), ("government", 2), ("commission", 4)):
                batches = [(recommendation_stream(1, n), version, events[n][role]) for n in numbers]
                book.append_new_batches(keys[role], batches)
        return book.count()
    finally:
        book.close()


@pytest.fixture
def assembly_url(ledger_url: str) -> str:
    write_assembly(ledger_url, 60)
    return ledger_url


@pytest.fixture
def book(assembly_url: str) -> Iterator[Ledger]:
    opened = Ledger.open(assembly_url, RolePolicy(ROLE_GRANTS))
    yield opened
    opened.close()


def rows(book: Ledger) -> list[tuple[Any, ...]]:
    with runner.engine_of(book).connect() as conn:
        found = conn.execute(select(recommendations).order_by("panel", "number"))
        return [tuple(row) for row in found]


def test_batches_and_a_rebuild_give_the_same_rows_on_each_backend(book: Ledger) -> None:
    assert runner.catch_up(book, batch=7) == book.count()
    assert runner.position(book) == book.count() - 1
    batched = rows(book)
    assert len(batched) == 60
    assert runner.rebuild(book) == book.count()
    assert rows(book) == batched
    assert runner.stored(book).recommendations[(1, 60)].position == "under_study"


def test_catching_up_reads_only_the_recommendations_written_since(book: Ledger) -> None:
    runner.catch_up(book)
    with runner.engine_of(book).begin() as conn:  # a row no new entry is about: never read again
        conn.execute(
            recommendations.update().where(recommendations.c.number == 1).values(title="untouched")
        )
    key = Signer.from_seed(bytes([4]) * 32)  # the commission
    later = datetime(2026, 3, 1, tzinfo=UTC)
    verdict = Assessed(panel=1, number=2, verdict="disputes", reasons="Nothing has been built.")
    book.append_new(key, recommendation_stream(1, 2), 5, [new(verdict, later)])
    assert runner.catch_up(book) == 1
    state = runner.stored(book)
    assert state.recommendations[(1, 2)].verdict == "disputes"
    assert rows(book)[0][2] == "untouched"


def test_a_runner_with_nothing_to_do_only_reads(book: Ledger) -> None:
    """Every page the server shows catches up first: with nothing new, that is reads alone, no
    write transaction and no lock that readers would queue for."""
    runner.catch_up(book)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.strip())

    engine = runner.engine_of(book)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert runner.catch_up(book) == 0
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements, "catching up read nothing"
    for statement in statements:
        assert statement.upper().startswith("SELECT"), statement
        assert "lock" not in statement.lower(), statement


def update_in_processes(url: str, count: int, *, batch: int) -> list[subprocess.Popen[str]]:
    code = (
        "import sys; from ledger import Ledger, RolePolicy; from domain.roles import ROLE_GRANTS;"
        "from projections.runner import catch_up;"
        "book = Ledger.open(sys.argv[1], RolePolicy(ROLE_GRANTS));"
        f"catch_up(book, batch={batch}); book.close()"
    )
    return [
        subprocess.Popen(
            [sys.executable, "-c", code, url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


@pytest.mark.slow
def test_runners_racing_apply_each_entry_once(book: Ledger, assembly_url: str) -> None:
    racers = update_in_processes(assembly_url, 3, batch=11)
    for racer in racers:
        _, errors = racer.communicate(timeout=240)
        assert racer.returncode == 0, errors
    assert runner.position(book) == book.count() - 1
    raced = rows(book)
    runner.rebuild(book)
    assert rows(book) == raced


@pytest.mark.slow
def test_a_runner_killed_mid_update_resumes_to_the_rebuilt_rows(ledger_url: str) -> None:
    count = write_assembly(ledger_url, 600)
    book = Ledger.open(ledger_url, RolePolicy(ROLE_GRANTS))
    try:
        runner._prepare(runner.engine_of(book))  # the tables exist before the runner starts
        (victim,) = update_in_processes(ledger_url, 1, batch=5)
        seen = -1
        deadline = time.monotonic() + 120
        while seen < 200 and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
            seen = _stored_position(book)
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=30)
        killed_at = runner.position(book)
        assert 0 <= killed_at < count - 1, "the runner finished before it could be killed"
        assert runner.catch_up(book) == count - 1 - killed_at
        resumed = rows(book)
        runner.rebuild(book)
        assert rows(book) == resumed
    finally:
        book.close()


def _stored_position(book: Ledger) -> int:
    with runner.engine_of(book).connect() as conn:
        seq = conn.execute(select(positions.c.seq).where(positions.c.name == runner.NAME))
        return int(seq.scalar() or -1)


def test_a_runner_that_loses_the_race_starts_again_from_the_winners_position(
    book: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tail.with_rows
    raced = []

    def overtaken(conn: Any, state: Any, keys: Any) -> Any:
        if not raced:  # another runner applies everything while this one folds its batch
            raced.append(state.seq)
            monkeypatch.setattr(tail, "with_rows", real)
            assert runner.catch_up(book) == book.count()
        return real(conn, state, keys)

    monkeypatch.setattr(tail, "with_rows", overtaken)
    assert runner.catch_up(book, batch=50) == 0  # its batch was refused: nothing applied twice
    assert raced == [-1]
    assert runner.position(book) == book.count() - 1
    won = rows(book)
    runner.rebuild(book)
    assert rows(book) == won


def test_the_board_is_read_a_page_at_a_time_by_key_on_each_backend(book: Ledger) -> None:
    runner.catch_up(book)
    seen, after = [], None
    while page := runner.stored_after(
        book, after=after, where={"panel": 1, "position": "under_study"}, limit=7
    ).recommendations:
        assert len(page) <= 7
        seen.extend(sorted(page))
        after = max(page)
    assert seen == [(1, n) for n in range(1, 61)]
    rejected = runner.stored_after(book, after=None, where={"position": "rejected"}, limit=7)
    assert not rejected.recommendations
    assert not runner.stored_after(book, after=(1, 60), where={}, limit=7).recommendations
    assert runner.stored_choices(book) == (1, ["climate"])


def test_the_search_and_overdue_narrowings_read_on_each_backend(book: Ledger) -> None:
    runner.catch_up(book)

    def keys(**narrowing: Any) -> list[tuple[int, int]]:
        found = runner.stored_after(book, after=None, where={}, limit=100, **narrowing)
        return sorted(found.recommendations)

    assert keys(words=("tekst", "7")) == [(1, n) for n in (7, 17, 27, 37, 47, 57)]
    assert keys(words=("1/60",)) == [(1, 60)]
    assert keys(words=("tekst_",)) == keys(words=("100%",)) == []  # LIKE's wildcards escaped
    # All 60 were handed over on 2026-01-06 and answered at review 1 alone: review 2 is due on
    # 2027-01-06, overdue from the day after.
    assert keys(overdue_on=date(2027, 1, 6)) == []
    assert keys(overdue_on=date(2027, 1, 7)) == [(1, n) for n in range(1, 61)]


def test_the_newest_statements_and_the_counts_are_read_on_each_backend(book: Ledger) -> None:
    runner.catch_up(book)
    newest: list[int] = []
    before = None
    while chunk := runner.stored_by_said(book, before=before, limit=7):
        assert len(chunk) <= 7
        newest.extend(rec.verdicts[-1].change.seq for rec in chunk)  # the verdict came last
        before = newest[-1]
    assert len(newest) == 60 and newest == sorted(newest, reverse=True)
    assert runner.stored_counts(book) == {1: 60}
    assert runner.stored_bare(book).seq == book.count() - 1


def every_row(book: Ledger) -> list[tuple[Any, ...]]:
    """The status model's rows of every table, its settings and its position, in key order."""
    this = runner.tables.current()
    with runner.engine_of(book).connect() as conn:
        found = [
            tuple(row)
            for table in (this.recommendations, this.reviews)
            for row in conn.execute(select(table).order_by(*table.primary_key.columns))
        ]
        found.extend(tuple(row) for row in conn.execute(select(runner.settings)))
    return [*found, (runner.position(book),)]


def catching_up(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[int]]:
    """The position each ``catch_up`` the runner calls starts from, and what it applies."""
    real, started, applied = runner.catch_up, [], []

    def counted(ledger: Ledger, **options: Any) -> int:
        started.append(runner.position(ledger))
        applied.append(real(ledger, **options))
        return applied[-1]

    monkeypatch.setattr(runner, "catch_up", counted)
    return started, applied


def without_other_threads() -> None:
    """Wait for the threads earlier tests left (a server's worker threads stop a few seconds
    after their event loop): a rebuild forks only a process with no other thread."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(30)
    assert threading.active_count() == 1, threading.enumerate()


def test_a_rebuild_in_two_processes_writes_the_rows_of_one_byte_for_byte(
    book: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_other_threads()
    assert runner.rebuild(book, workers=1) == book.count()
    one = every_row(book)
    _, applied = catching_up(monkeypatch)
    assert runner.rebuild(book, workers=2, batch=37) == book.count()
    assert applied == [0], "the two processes applied every entry"
    assert every_row(book) == one


def append(book: Ledger, role: str, stream: Any, version: int, *events: Event) -> None:
    at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    signer = Signer.from_seed(bytes([ROLES.index(role) + 2]) * 32)
    book.append_new_batches(signer, [(stream, version, [new(event, at) for event in events])])


def test_a_rebuild_in_two_takes_an_entry_in_another_recommendations_stream_to_one_process(
    book: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry about recommendation 1/5 stored in 1/6's stream is not where either process
    looks for it: the rebuild goes on in one process from there, to the same rows."""
    answer = Responded(panel=1, number=5, review=2, position="accepted", portfolio="climate")
    append(book, "government", recommendation_stream(1, 6), 5, answer)
    started, applied = catching_up(monkeypatch)
    assert runner.rebuild(book, workers=1) == book.count()
    one = every_row(book)
    assert runner.stored(book).recommendations[(1, 5)].position == "accepted"
    assert runner.rebuild(book, workers=2, batch=37) == book.count()
    # The two processes stopped before the last batch, which holds it, and one folded it.
    assert started == [-1, 36 + 37 * 7] and applied == [book.count(), book.count() - 37 * 8]
    assert every_row(book) == one


def test_a_rebuild_in_two_stops_where_one_stops_and_says_why_alike(
    book: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = Responded(panel=1, number=99, review=1, position="accepted", portfolio="climate")
    append(book, "government", recommendation_stream(1, 99), 0, answer)
    with pytest.raises(ProjectionFailed) as one:
        runner.rebuild(book, workers=1, batch=37)
    stopped = every_row(book)
    started, _ = catching_up(monkeypatch)
    with pytest.raises(ProjectionFailed) as two:
        runner.rebuild(book, workers=2, batch=37)
    assert str(two.value) == str(one.value) and one.value.seq == book.count() - 1
    assert every_row(book) == stopped
    # The two processes stopped before the batch that holds it; one said why.
    assert started == [runner.position(book)] == [36 + 37 * 7]


def test_a_rebuild_in_two_applies_corrections_of_either_processs_recommendations(
    book: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both processes fold every correction; the one holding the corrected entry applies it."""
    for entry in book.recorder.read_types(Responded.TYPE)[:12]:
        payload = {**entry.event["payload"], "position": "accepted"}
        correction = CorrectionRecorded(
            supersedes=entry.seq,
            corrected_type=Responded.TYPE,
            reason="The answer was filed under the wrong position.",
            replacement=None if entry.seq % 3 == 0 else payload,
        )
        append(book, "government", correction_stream(entry.seq), 0, correction)
    assert runner.rebuild(book, workers=1) == book.count()
    one = every_row(book)
    accepted = [rec.position for rec in runner.stored(book).recommendations.values()]
    assert accepted.count("accepted") == 8
    _, applied = catching_up(monkeypatch)
    assert runner.rebuild(book, workers=2, batch=37) == book.count()
    assert applied == [0], "the two processes applied every entry"
    assert every_row(book) == one
