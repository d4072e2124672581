"""What every request needs: the ledger, on one connection pool per server process.

The server opens the ledger's database once per process, on the first request (``Pool``): its
engine, its connections and the statements SQLAlchemy compiled are kept until the server stops
(``Settings.close``, at the application's shutdown). Each request gets its own ``Ledger`` on
that recorder (``RequestLedger``: a few attributes; it reads the head once, and what depends on
nothing but the head, the signers, the names and entry 0, the process reads once per head),
reads through the same functions as the command line (``projections.view``), and is done.
The recorder is shared between the threads requests run in: eventsourcing's datastore keeps
each thread's transaction apart (a context variable) and SQLAlchemy's pool gives each its own
connection.

A read at a point in the past folds the ledger up to there in memory: on a very large ledger
that takes minutes and much memory. So that many such requests at once cannot exhaust the
server, only ``past_reads`` of them run at a time; one that waits longer than ``wait`` seconds
for its turn is refused (``Busy``: a 503 with Retry-After), and every other page goes on.

Brief reads of a SQLite ledger take turns, one at a time per process (``Settings.turn``). Python
runs one thread at a time anyway, and SQLite's module lets go of the interpreter for every row
it steps over: with 16 readers at once, the threads handed it to each other some 400 times per
board page, and the switches cost as much CPU as the page itself (``benchmarks/web.py``: 10 ms
of the server's CPU per board page, 5.4 ms for one reader at a time). A reader waiting for its
turn sleeps without wanting the interpreter. On PostgreSQL a read waits on the network, and
threads overlap those waits: there, reads do not take turns. Neither do reads at a past point
(they have their own turns, above), nor what may take long or writes (``brief=False``: a
submission, the desk's checks, a download of the whole board), so that a page never waits
behind them.

The pages and the feed go further (``in_turn``): on a local ledger, a brief read of the present
runs in the event loop's thread, where the request already is, rather than in a worker thread:
no hop to a thread and back, and no thread to hand the interpreter to while SQLite steps
(``benchmarks/web.py``: a recommendation page 4.0 -> 3.1 ms of the server's CPU, the board
5.3 -> 4.2). It never waits there: when another thread has the turn, or when the read would
fold more than ``projections.tail.FOLDED_BRIEFLY`` entries in memory (a new format being built,
entries written elsewhere that the tables lack yet, the first read after a rebuild), it is read
in a worker thread instead, and the event loop goes on answering. A read that folds long lets
go of its turn while it folds: the others need not wait for it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from threading import BoundedSemaphore, Lock, RLock
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from domain.roles import ROLE_GRANTS
from ledger import Entry, Head, Ledger, RolePolicy
from ledger.signers import SignerRecord
from ledger.storage import LedgerRecorder, open_recorder
from projections.tail import FoldsLong, brief_only, letting_go

T = TypeVar("T")
RETRY_AFTER = 30  # seconds a refused reader is asked to wait
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # where ``assembly serve`` listens by default
# The head the request's ETag was computed on (``web.caching``), in a tuple: (None,) is empty.
TAGGED_HEAD: ContextVar[tuple[Head | None] | None] = ContextVar("tagged_head", default=None)


@dataclass(frozen=True)
class Settings:
    """The server's configuration: where the ledger is, how many reads at a past point may run
    at once, and the URL its absolute links start with (never the request's Host)."""

    ledger: str
    past_reads: int = 2
    wait: float = 10.0
    public_url: str = DEFAULT_PUBLIC_URL
    gate: BoundedSemaphore = field(init=False, compare=False, repr=False)
    pool: Pool = field(init=False, compare=False, repr=False)
    turn: RLock = field(init=False, compare=False, repr=False)  # a brief read's, on SQLite

    def __post_init__(self) -> None:
        object.__setattr__(self, "gate", BoundedSemaphore(self.past_reads))
        object.__setattr__(self, "pool", Pool(self.ledger))
        object.__setattr__(self, "turn", RLock())

    def close(self) -> None:
        """Close the process's connections to the ledger (the server is stopping)."""
        self.pool.close()


class Pool:
    """The ledger's recorder for the whole process, opened when first needed, and what
    requests read that depends on nothing but the ledger's head (``remembered``).

    Opening checks that the database holds a ledger; when it does not (yet), every request
    says so, and the first one after it does opens it.
    """

    def __init__(self, location: str) -> None:
        self.location = location
        self._recorder: LedgerRecorder | None = None
        self._lock = Lock()
        self._head: Head | None = None  # the head ``_remembered`` holds reads at
        self._remembered: dict[Hashable, Any] = {}

    def recorder(self) -> LedgerRecorder:
        """The process's recorder on the ledger (open it on first use)."""
        with self._lock:
            if self._recorder is None:
                self._recorder = open_recorder(self.location)
            return self._recorder

    def local(self) -> bool:
        """Whether a read now would wait on nothing: the ledger is open, in a SQLite file or in
        memory (``embedded``; in WAL mode, which the ledger's connections set, no writer), and
        its pool holds an idle connection (else the read would wait for a thread's)."""
        engine = self._engine()
        if engine is None or engine.dialect.name != "sqlite":
            return False
        idle = getattr(engine.pool, "checkedin", None)  # QueuePool's; others never wait so
        return idle is None or idle() > 0

    def embedded(self) -> bool:
        """Whether the ledger is open in a SQLite file or in memory: a read waits on no
        network."""
        engine = self._engine()
        return engine is not None and engine.dialect.name == "sqlite"

    def _engine(self) -> Engine | None:
        """The open ledger's engine (None: not open yet)."""
        recorder = self._recorder
        if recorder is None:
            return None
        engine = recorder.datastore.engine
        assert isinstance(engine, Engine), "a recorder opened on a URL has an engine"
        return engine

    def remembered(self, head: Head | None, key: Hashable, read: Callable[[], T]) -> T:
        """What ``read`` returns for ``key`` on the ledger whose head is ``head``: read once
        per head (what is kept for an older head is forgotten)."""
        with self._lock:
            if head != self._head:
                self._head, self._remembered = head, {}
            if key in self._remembered:
                return cast(T, self._remembered[key])
        found = read()  # outside the lock: two requests may read it at once, and agree
        with self._lock:
            if head == self._head:
                self._remembered[key] = found
        return found

    def close(self) -> None:
        with self._lock:
            if self._recorder is not None:
                engine = self._recorder.datastore.engine
                assert isinstance(engine, Engine), "a recorder opened on a URL has an engine"
                engine.dispose()
                self._recorder = None
            self._head, self._remembered = None, {}


class RequestLedger(Ledger):
    """The ledger as one request sees it: the process's recorder and the assembly's roles.

    The head is read once per request (again after an append through it), or not at all when
    the request's ETag was just computed on it (``TAGGED_HEAD``: an entry appended since only
    makes the rest of the answer newer than that head, as it would a moment after the head
    was read here); the entries of the few types read by type (the signers' enrolments, the
    names) and entry 0 are read once per head by the whole process (``Pool.remembered``): the
    same head, the same entries.
    """

    def __init__(self, pool: Pool) -> None:
        super().__init__(pool.recorder(), RolePolicy(ROLE_GRANTS))
        self.pool = pool
        self._read_head: tuple[Head | None] | None = TAGGED_HEAD.get()

    def _at(self) -> Head | None:
        if self._read_head is None:
            self._read_head = (self.head(),)
        return self._read_head[0]

    def entries_of_types(self, *names: str) -> list[Entry]:
        read = partial(Ledger.entries_of_types, self, *names)
        return list(self.pool.remembered(self._at(), ("types", names), read))

    def history_before(self) -> date | None:
        return self.pool.remembered(self._at(), "history", partial(Ledger.history_before, self))

    def signers(self) -> list[SignerRecord]:
        return list(self.pool.remembered(self._at(), "signers", partial(Ledger.signers, self)))

    def _append(self, *args: Any, **kwargs: Any) -> list[Entry]:
        self._read_head = None
        try:
            return super()._append(*args, **kwargs)
        finally:
            self._read_head = None


class NotAPublicUrl(ValueError):
    """A public URL the server cannot build links on."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def sentence(self) -> str:
        return (
            f"{self.text!r} is not a public URL such as https://ledger.example.org: give "
            "http:// or https://, a host, and no query."
        )


def public_url_of(text: str) -> str:
    """``text`` as the start of the server's absolute links, without a trailing slash."""
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number
        valid = False
    if not valid or parts.query or parts.fragment or parts.username or parts.password:
        raise NotAPublicUrl(text)
    return text.rstrip("/")


class Busy(Exception):
    """Every turn for reading the ledger at a past point is taken, and stayed taken."""

    SENTENCE = (
        "The server is busy reading the ledger at other points in the past; try again in a minute."
    )


@contextmanager
def opened(settings: Settings, *, past: bool = False, brief: bool = True) -> Iterator[Ledger]:
    """The ledger for one request, on the process's connection pool; with ``past`` (the
    request reads a point in the past), once a turn is free (else ``Busy``); otherwise, on a
    SQLite ledger, unless it is not ``brief`` (it may take long, or writes), once no other
    brief read of the process is reading (``Settings.turn``)."""
    if past and not settings.gate.acquire(timeout=settings.wait):
        raise Busy(Busy.SENTENCE)
    try:
        book = RequestLedger(settings.pool)  # opens the ledger on the first request
        with _turn(settings, brief and not past):
            yield book
    finally:
        if past:
            settings.gate.release()


async def in_turn(settings: Settings, read: Callable[[], T], *, long: bool = False) -> T:
    """What ``read`` returns, a read that may take ``long`` (at a past point, a search of every
    row) or not: read in the event loop's thread if it is not long, waits on nothing (a local
    ledger, ``Pool.local``, the turn free) and folds little in memory
    (``projections.tail.brief_only``), else in a worker thread."""
    if not long and settings.pool.local() and settings.turn.acquire(blocking=False):
        try:
            with brief_only():
                return read()
        except FoldsLong:
            pass  # nothing was folded: read where the fold holds up no other request
        finally:
            settings.turn.release()
    return await run_in_threadpool(read)


@contextmanager
def _turn(settings: Settings, taken: bool) -> Iterator[None]:
    """The turn of a brief read of a SQLite ledger, let go while it folds long (``taken``:
    a brief read of the present)."""
    if not (taken and settings.pool.embedded()):
        yield
        return
    with settings.turn, letting_go(partial(_let_go, settings.turn)):
        yield


@contextmanager
def _let_go(turn: RLock) -> Iterator[None]:
    """``turn`` let go (once: a reader holding it twice goes on holding it) and taken again."""
    turn.release()
    try:
        yield
    finally:
        turn.acquire()
