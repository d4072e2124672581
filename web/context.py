"""What every request needs: the ledger, on one connection pool per server process.

The server opens the ledger's database once per process, on the first request (``Pool``): its
engine, its connections and the statements SQLAlchemy compiled are kept until the server stops
(``Settings.close``, at the application's shutdown). Each request gets its own ``Ledger`` on
that recorder (``RequestLedger``: a few attributes, so nothing a request learns outlives it, and
the signers are read once per request), reads through the same functions as the command line
(``projections.view``), and is done. The recorder is shared between the threads requests run
in: eventsourcing's datastore keeps each thread's transaction apart (a context variable) and
SQLAlchemy's pool gives each its own connection.

A read at a point in the past folds the ledger up to there in memory: on a very large ledger
that takes minutes and much memory. So that many such requests at once cannot exhaust the
server, only ``past_reads`` of them run at a time; one that waits longer than ``wait`` seconds
for its turn is refused (``Busy``: a 503 with Retry-After), and every other page goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from threading import BoundedSemaphore, Lock
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from domain.roles import ROLE_GRANTS
from ledger import Entry, Ledger, RolePolicy
from ledger.signers import SignerRecord
from ledger.storage import LedgerRecorder, open_recorder

RETRY_AFTER = 30  # seconds a refused reader is asked to wait
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # where ``assembly serve`` listens by default


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "gate", BoundedSemaphore(self.past_reads))
        object.__setattr__(self, "pool", Pool(self.ledger))

    def close(self) -> None:
        """Close the process's connections to the ledger (the server is stopping)."""
        self.pool.close()


class Pool:
    """The ledger's recorder for the whole process, opened when first needed.

    Opening checks that the database holds a ledger; when it does not (yet), every request
    says so, and the first one after it does opens it.
    """

    def __init__(self, location: str) -> None:
        self.location = location
        self._recorder: LedgerRecorder | None = None
        self._lock = Lock()

    def recorder(self) -> LedgerRecorder:
        """The process's recorder on the ledger (open it on first use)."""
        with self._lock:
            if self._recorder is None:
                self._recorder = open_recorder(self.location)
            return self._recorder

    def close(self) -> None:
        with self._lock:
            if self._recorder is not None:
                engine = self._recorder.datastore.engine
                assert isinstance(engine, Engine), "a recorder opened on a URL has an engine"
                engine.dispose()
                self._recorder = None


class RequestLedger(Ledger):
    """The ledger as one request sees it: the process's recorder, the assembly's roles, and
    the signers read once (again after an append through it)."""

    def __init__(self, recorder: LedgerRecorder) -> None:
        super().__init__(recorder, RolePolicy(ROLE_GRANTS))
        self._known: list[SignerRecord] | None = None

    def signers(self) -> list[SignerRecord]:
        if self._known is None:
            self._known = super().signers()
        return list(self._known)

    def _append(self, *args: Any, **kwargs: Any) -> list[Entry]:
        self._known = None
        try:
            return super()._append(*args, **kwargs)
        finally:
            self._known = None


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
def opened(settings: Settings, *, past: bool = False) -> Iterator[Ledger]:
    """The ledger for one request, on the process's connection pool; with ``past`` (the
    request reads a point in the past), once a turn is free (else ``Busy``)."""
    if past and not settings.gate.acquire(timeout=settings.wait):
        raise Busy(Busy.SENTENCE)
    try:
        yield RequestLedger(settings.pool.recorder())
    finally:
        if past:
            settings.gate.release()
