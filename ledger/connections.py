"""How the ledger connects to its database: how long it waits, and checks before reuse.

Two settings, read from the environment when a ledger is opened (seconds; ``0`` turns one off):

- ``ASSEMBLY_LOCK_TIMEOUT`` (default 30): how long to wait for another writer's lock.
  PostgreSQL's ``lock_timeout``; SQLite's busy timeout.
- ``ASSEMBLY_STATEMENT_TIMEOUT`` (default 300): the longest one statement may run on PostgreSQL
  (``statement_timeout``); SQLite has no such limit.

Pooled PostgreSQL connections are checked before each use (``pool_pre_ping``), so a connection
the server dropped since its last use is replaced instead of failing the next operation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import make_url

from ledger.errors import BadSetting

LOCK_TIMEOUT = "ASSEMBLY_LOCK_TIMEOUT"
STATEMENT_TIMEOUT = "ASSEMBLY_STATEMENT_TIMEOUT"
_FOREVER = 10.0**6  # seconds; SQLite's busy timeout is a 32-bit count of milliseconds


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a lock, and that one statement may run (0: no limit)."""

    lock: float = 30.0
    statement: float = 300.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Timeouts:
        """The timeouts set in the environment, the defaults for those not set."""
        return cls(
            lock=_seconds(environ, LOCK_TIMEOUT, cls.lock),
            statement=_seconds(environ, STATEMENT_TIMEOUT, cls.statement),
        )


def engine_options(url: str, timeouts: Timeouts) -> dict[str, Any]:
    """SQLAlchemy ``create_engine`` arguments for the ledger at ``url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # SQLite's busy timeout of 0 would mean "do not wait"; here 0 means "no limit".
        return {"connect_args": {"timeout": timeouts.lock or _FOREVER}}
    if parsed.get_backend_name() != "postgresql":
        return {}
    # Connection options travel in the startup message: no extra round trip per connection.
    # They join those the URL may give (a search_path, say) rather than replace them.
    given = parsed.query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    settings = (
        f"-c lock_timeout={round(timeouts.lock * 1000)} "
        f"-c statement_timeout={round(timeouts.statement * 1000)}"
    )
    return {"pool_pre_ping": True, "connect_args": {"options": f"{given} {settings}".strip()}}


class LedgerDatastore(SQLAlchemyDatastore):
    """eventsourcing-sqlalchemy's datastore, its engine made with the ledger's options."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url:
            kwargs = {**engine_options(url, Timeouts.from_environment()), **kwargs}
        super().__init__(url=url, **kwargs)


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < _FOREVER:
        raise BadSetting(f"{name}={text} is not a number of seconds (0 for no limit).")
    return value
