"""Brief reads of a SQLite ledger take turns, one at a time per process (``web.context``);
reads at a past point, long reads and writes do not, nor reads of PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from threading import RLock
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.engine import Engine

import web.context
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from projections import tables, tail
from projections.view import view_at
from tests.e2e.conftest import free_port
from tests.served import on_loopback
from tests.web.conftest import Built, serving
from web.context import Settings, in_turn, opened
from web.serving import kept_app

WAIT = 0.3  # seconds a read that must wait is given to (wrongly) get in
Turn = Callable[[], AbstractContextManager[object]]


@contextmanager
def held(turn: Turn) -> Iterator[threading.Event]:
    """Another thread inside ``turn()`` until the event this yields is set, or the block ends."""
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with turn():
            inside.set()
            leave.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert inside.wait(30)
    try:
        yield leave
    finally:
        leave.set()
        thread.join(30)


def finishes(action: Callable[[], object], within: float) -> bool:
    """Whether ``action``, run in another thread, is done within ``within`` seconds (if not,
    it goes on, and ends once what it waits for is given back)."""
    done = threading.Event()

    def run() -> None:
        action()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(within)


def enters(read: Turn, within: float) -> bool:
    """Whether another thread gets inside ``read()`` within ``within`` seconds."""

    def enter() -> None:
        with read():
            pass

    return finishes(enter, within)


@pytest.fixture
def settings(built: Built) -> Iterator[Settings]:
    found = Settings(built.ledger)
    with opened(found):  # the ledger open, as after a server's first request
        pass
    yield found
    found.close()


def test_a_brief_read_waits_for_the_one_reading(settings: Settings) -> None:
    assert settings.pool.embedded()
    with held(lambda: opened(settings)) as leave:
        assert not enters(lambda: opened(settings), WAIT)
        leave.set()
        assert enters(lambda: opened(settings), 30)


@pytest.mark.parametrize(
    "other",
    [
        {"past": True},  # it has turns of its own
        {"brief": False},  # it may take long, or writes: no page waits behind it
    ],
)
def test_reads_that_take_no_turn_do_not_wait(settings: Settings, other: dict[str, bool]) -> None:
    with held(lambda: opened(settings)):
        assert enters(lambda: opened(settings, **other), 30)


def test_nor_does_a_brief_read_wait_behind_them(settings: Settings) -> None:
    with held(lambda: opened(settings, brief=False)):
        assert enters(lambda: opened(settings), 30)


def test_a_read_inside_a_read_of_the_same_thread_goes_on(settings: Settings) -> None:
    def nested() -> None:
        with opened(settings), opened(settings):
            pass

    assert finishes(nested, 30)


def test_a_page_waits_for_its_turn_and_a_download_does_not(built: Built) -> None:
    client = TestClient(serving(built.ledger, read_only=True))
    assert client.get("/recommendations?lang=en").status_code == 200  # the ledger open
    statuses: dict[str, int] = {}

    def get(path: str) -> None:
        statuses[path] = client.get(path).status_code

    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with held(lambda: settings.turn) as leave:
        assert finishes(lambda: get("/recommendations.csv?lang=en"), 30)
        assert not finishes(lambda: get("/recommendations?lang=en&waiting=1"), WAIT)
        leave.set()
    assert statuses["/recommendations.csv?lang=en"] == 200


@pytest.mark.postgres
def test_reads_of_postgresql_take_no_turn(postgres_url: str) -> None:
    Ledger.create(postgres_url, RolePolicy(ROLE_GRANTS), Signer.generate(), name="Charter").close()
    settings = Settings(postgres_url)
    try:
        with opened(settings):
            pass
        assert not settings.pool.embedded()
        with held(lambda: opened(settings)):
            assert enters(lambda: opened(settings), 30)
    finally:
        settings.close()


def test_a_brief_read_of_the_present_runs_where_the_request_is(settings: Settings) -> None:
    """On a local ledger, in the event loop's thread; in the past, or while another thread
    has the turn (waiting for it would stop every other request), in a worker thread."""

    def thread_of(*, past: bool = False) -> threading.Thread:
        return asyncio.run(in_turn(settings, threading.current_thread, long=past))

    here = threading.current_thread()
    assert thread_of() is here
    assert thread_of(past=True) is not here
    with held(lambda: settings.turn):
        assert thread_of() is not here


def free(turn: RLock) -> bool:
    """Whether another thread can take ``turn`` now."""
    taken: list[bool] = []

    def take() -> None:
        if turn.acquire(blocking=False):
            taken.append(True)
            turn.release()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(30)
    return bool(taken)


def forgotten(settings: Settings) -> None:
    """The status tables emptied, as ``assembly projections rebuild`` does first: the next read
    of the present folds the whole ledger in memory."""
    engine = settings.pool.recorder().datastore.engine
    assert isinstance(engine, Engine)
    this = tables.current()
    with engine.begin() as conn:
        conn.execute(delete(this.recommendations))
        conn.execute(delete(this.reviews))
        conn.execute(delete(tables.settings).where(tables.settings.c.name == this.name))
        conn.execute(delete(tables.positions).where(tables.positions.c.name == this.name))


def test_a_read_that_would_fold_long_is_read_in_a_worker_thread(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that would fold more than ``FOLDED_BRIEFLY`` entries folds nothing in the event
    loop's thread, and is read in a worker thread, which lets go of the turn while it folds."""
    forgotten(settings)
    monkeypatch.setattr(tail, "FOLDED_BRIEFLY", 2)  # the small ledger: a few entries are long
    folds: list[tuple[str, bool]] = []
    fold = tail._folded

    def folding(*args: Any) -> Any:
        folds.append((threading.current_thread().name, free(settings.turn)))
        return fold(*args)

    monkeypatch.setattr(tail, "_folded", folding)

    def read() -> int:
        with opened(settings) as book:
            return len(view_at(book, today=date(2026, 12, 5)).state.recommendations)

    assert asyncio.run(in_turn(settings, read)) > 0
    assert folds and all(name != threading.current_thread().name for name, _ in folds)
    assert folds[0][1]  # another thread could take the turn meanwhile


def test_until_the_ledger_is_open_a_read_runs_in_a_worker_thread(built: Built) -> None:
    unopened = Settings(built.ledger)  # opening it may wait: never in the event loop's thread
    here = threading.current_thread()
    assert asyncio.run(in_turn(unopened, threading.current_thread)) is not here
    unopened.close()


@pytest.mark.parametrize(
    ("path", "aside"),
    [
        ("/recommendations?lang=en", "/recommendations?lang=en&at_seq=3"),
        ("/recommendations?lang=en", "/recommendations?lang=en&q=climate"),  # every row read
        ("/portfolios?lang=en", "/overdue?lang=en"),  # every late review
        ("/recommendations/1/1?lang=en", "/recommendations/1/1?lang=en&at_seq=100000"),
        ("/api/feed.atom?lang=en", None),  # the feed is of the present only
    ],
)
def test_pages_and_the_feed_are_read_in_the_event_loop_s_thread(
    built: Built, path: str, aside: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(serving(built.ledger, read_only=True))
    assert client.get(path).status_code == 200  # the ledger open
    threads: list[str] = []
    read = web.context.RequestLedger.__init__

    def reading(self: web.context.RequestLedger, *args: object) -> None:
        threads.append(threading.current_thread().name)
        read(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(web.context.RequestLedger, "__init__", reading)
    worker = "AnyIO worker thread"
    assert client.get(path).status_code == 200
    assert threads and threads[-1] != worker
    if aside is not None:  # in the past, or long to read: in a worker thread
        assert client.get(aside).status_code == 200
        assert threads[-1] == worker


def status_of(url: str, timeout: float) -> int | str:
    """The status of a GET of ``url``, or what went wrong (a timeout, say)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except OSError as problem:
        return repr(problem)


def test_while_a_worker_thread_has_the_turn_the_server_answers_everything_else(
    built: Built,
) -> None:
    """A page whose turn another thread has waits in a worker thread, never in the event
    loop's: ``/healthz`` and a page the process kept are answered meanwhile (uvicorn serves
    every request from one event loop, which a test client does not)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = kept_app(built.ledger, public_url=url, read_only=True)
    with on_loopback(app, port):
        assert status_of(f"{url}/recommendations?lang=en", 30) == 200  # opened, and kept
        settings: Settings = app.state.settings
        statuses: dict[str, int | str] = {}
        with held(lambda: settings.turn) as leave:
            fresh = f"{url}/recommendations?lang=en&fresh=1"
            waiting = threading.Thread(target=lambda: statuses.update(page=status_of(fresh, 30)))
            waiting.start()
            time.sleep(WAIT)
            assert status_of(f"{url}/healthz", 5) == 200
            assert status_of(f"{url}/recommendations?lang=en", 5) == 200
            assert waiting.is_alive()  # the new page waits for its turn
            leave.set()
            waiting.join(30)
        assert statuses["page"] == 200
