"""A new read-model format without downtime (issue 19, part 4): built in its own tables beside
the format in force while readers go on reading, then switched to in one transaction and the
old tables dropped, on SQLite and PostgreSQL. The new format is simulated: ``FORMAT`` raised."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

import projections.runner as runner
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy
from projections import tables
from projections.tail import POINTER, stored_and_head
from tests.projections.test_runner_backends import write_assembly
from tests.web.conftest import serving

NEXT = str(int(tables.FORMAT) + 1)


@pytest.fixture
def served(ledger_url: str) -> Iterator[Ledger]:
    """40 recommendations, the read models caught up in the format in force."""
    write_assembly(ledger_url, 40)
    book = Ledger.open(ledger_url, RolePolicy(ROLE_GRANTS))
    try:
        runner.catch_up(book)
        yield book
    finally:
        book.close()


def table_names(book: Ledger) -> set[str]:
    with runner.engine_of(book).connect() as conn:
        return set(inspect(conn).get_table_names())


def pointer(book: Ledger) -> str | None:
    with runner.engine_of(book).connect() as conn:
        found = conn.execute(
            select(tables.settings.c.value).where(tables.settings.c.name == POINTER)
        )
        return found.scalar()


def test_a_new_format_is_built_beside_the_old_while_readers_read_then_switched(
    served: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tables.current()
    expected = runner.stored(served)
    monkeypatch.setattr(tables, "FORMAT", NEXT)
    new = tables.current()
    assert new.recommendations.name != old.recommendations.name
    assert runner.stored(served) == expected  # nothing built yet: folded in memory
    seen: list[int] = []

    def meanwhile(seq: int) -> None:
        """After each batch written in the new format: the old is still the one in force."""
        seen.append(seq)
        assert pointer(served) == old.format
        assert {old.recommendations.name, new.recommendations.name} <= table_names(served)
        assert stored_and_head(runner.engine_of(served)).stored == seq
        assert runner.stored(served) == expected

    applied = runner.catch_up(served, batch=37, progress=meanwhile)
    assert applied == served.count() and len(seen) > 3
    assert pointer(served) == new.format
    assert old.recommendations.name not in table_names(served)
    assert old.reviews.name not in table_names(served)
    assert runner.settled(served)
    assert runner.stored(served) == expected
    with runner.engine_of(served).connect() as conn:
        names = set(conn.execute(select(tables.positions.c.name)).scalars())
    assert names == {new.name}
    assert runner.catch_up(served) == 0


def test_the_switch_is_one_transaction_a_failure_leaves_the_old_format_in_force(
    served: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, expected = tables.current(), runner.stored(served)
    monkeypatch.setattr(tables, "FORMAT", NEXT)
    real = runner._older

    def failing(found: str, this: str) -> bool:
        raise RuntimeError("the switch fails after its lock is taken")

    monkeypatch.setattr(runner, "_older", failing)
    with pytest.raises(RuntimeError):
        runner.catch_up(served)
    assert pointer(served) == old.format  # rolled back whole: the old format still in force
    assert old.recommendations.name in table_names(served)
    monkeypatch.setattr(runner, "_older", real)
    assert runner.catch_up(served) == 0  # the new tables hold the head: only the switch left
    assert pointer(served) == NEXT
    assert runner.stored(served) == expected


def test_a_writer_of_an_older_release_never_points_back(
    served: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "FORMAT", NEXT)
    runner.catch_up(served)
    monkeypatch.setattr(tables, "FORMAT", str(int(NEXT) + 1))
    runner.catch_up(served)
    assert pointer(served) == str(int(NEXT) + 1)
    monkeypatch.setattr(tables, "FORMAT", NEXT)
    runner.catch_up(served)
    assert pointer(served) == str(int(NEXT) + 1)


def test_the_server_answers_every_request_while_a_new_format_is_built(
    served: Ledger, ledger_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(serving(ledger_url, read_only=True))
    paths = ["/recommendations/1/7", "/recommendations?panel=1", "/portfolios", "/api/status", "/"]
    before = {path: client.get(path) for path in paths}
    assert all(answer.status_code == 200 for answer in before.values())
    monkeypatch.setattr(tables, "FORMAT", NEXT)
    building = threading.Event()

    def slowly(seq: int) -> None:
        building.set()
        time.sleep(0.05)  # room for requests between batches

    builder = threading.Thread(target=lambda: runner.catch_up(served, batch=10, progress=slowly))
    builder.start()
    answered: list[tuple[str, int, bool]] = []
    building.wait(30)
    while builder.is_alive():
        path = paths[len(answered) % len(paths)]
        answer = client.get(path)
        answered.append((path, answer.status_code, answer.text == before[path].text))
    builder.join()
    assert pointer(served) == NEXT
    assert len(answered) >= 6, answered
    assert all(code == 200 and same for _, code, same in answered), answered
