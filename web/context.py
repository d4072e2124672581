"""What every request needs: the ledger, opened for the request and closed after it.

The server holds only the ledger's location: each request opens the ledger (a few
milliseconds, whatever its size), reads through the same functions as the command line
(``projections.view``), and closes it, so that the server never keeps a connection or a state
that could go stale between requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy


@dataclass(frozen=True)
class Settings:
    """The server's configuration: where the ledger is."""

    ledger: str


@contextmanager
def opened(settings: Settings) -> Iterator[Ledger]:
    """The ledger, open for the length of one request."""
    book = Ledger.open(settings.ledger, RolePolicy(ROLE_GRANTS))
    try:
        yield book
    finally:
        book.close()
