"""What every request needs: the ledger, opened for the request and closed after it.

The server holds only the ledger's location: each request opens the ledger (a few
milliseconds, whatever its size), reads through the same functions as the command line
(``projections.view``), and closes it, so that the server never keeps a connection or a state
that could go stale between requests.

A read at a point in the past folds the ledger up to there in memory: on a very large ledger
that takes minutes and much memory. So that many such requests at once cannot exhaust the
server, only ``past_reads`` of them run at a time; one that waits longer than ``wait`` seconds
for its turn is refused (``Busy``: a 503 with Retry-After), and every other page goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from threading import BoundedSemaphore
from urllib.parse import urlsplit

from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "gate", BoundedSemaphore(self.past_reads))


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
    """The ledger, open for the length of one request; with ``past`` (the request reads a point
    in the past), once a turn is free (else ``Busy``)."""
    if past and not settings.gate.acquire(timeout=settings.wait):
        raise Busy(Busy.SENTENCE)
    try:
        book = Ledger.open(settings.ledger, RolePolicy(ROLE_GRANTS))
        try:
            yield book
        finally:
            book.close()
    finally:
        if past:
            settings.gate.release()
