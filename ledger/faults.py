"""A database failure, named by its cause: the driver's own words never reach the user.

``storage_fault`` finds the driver's error under SQLAlchemy's and eventsourcing's wrappers and
reads its code (SQLite's result code, PostgreSQL's SQLSTATE), not its text, where there is one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from ledger.errors import (
    ConnectionLost,
    DiskFull,
    LedgerBusy,
    ReadOnlyDatabase,
    StatementTimedOut,
    StorageError,
    StorageUnavailable,
)

# SQLite primary result codes (https://www.sqlite.org/rescode.html).
_SQLITE_FAULTS: dict[int, type[StorageError]] = {
    5: LedgerBusy,  # SQLITE_BUSY: another connection holds the lock past the busy timeout
    6: LedgerBusy,  # SQLITE_LOCKED
    8: ReadOnlyDatabase,  # SQLITE_READONLY
    13: DiskFull,  # SQLITE_FULL
}

_SQLITE_IOERR = 10
_NEARLY_FULL = 64 * 1024  # bytes: less than one entry's room

# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_POSTGRES_FAULTS: dict[str, type[StorageError]] = {
    "55P03": LedgerBusy,  # lock_not_available: lock_timeout expired
    "40P01": LedgerBusy,  # deadlock_detected
    "53100": DiskFull,  # disk_full
    "25006": ReadOnlyDatabase,  # read_only_sql_transaction: a replica, a read-only session
    "42501": ReadOnlyDatabase,  # insufficient_privilege: a role that may only read
    "57014": StatementTimedOut,  # query_canceled: statement_timeout expired
    "57P01": ConnectionLost,  # admin_shutdown: pg_terminate_backend, a server shutting down
    "57P02": ConnectionLost,  # crash_shutdown
    "57P03": ConnectionLost,  # cannot_connect_now
}


def storage_fault(error: BaseException, url: str | None, *, opening: bool = False) -> StorageError:
    """The ledger's error for a database failure (``opening``: while the ledger was opened)."""
    driver = _driver_error(error)
    if isinstance(driver, sqlite3.Error):
        code = getattr(driver, "sqlite_errorcode", None)
        fault = _SQLITE_FAULTS.get(code & 0xFF) if isinstance(code, int) else None
        if fault is not None:
            return fault(url)
        if _read_only_file(url):  # WAL needs its -shm file beside the database: CANTOPEN
            return ReadOnlyDatabase(url)
        if isinstance(code, int) and code & 0xFF == _SQLITE_IOERR and _no_space_left(url):
            return DiskFull(url)  # a full disk under the write-ahead log reads as an I/O error
        return StorageUnavailable(url or "the ledger database", _first_line(driver))
    if driver is not None:  # psycopg
        state = getattr(driver, "sqlstate", None)
        fault = _POSTGRES_FAULTS.get(state or "")
        if fault is not None and not (opening and fault is ConnectionLost):
            return fault(url)
        if state is None or state.startswith("08"):  # no answer, or the connection failed
            if not opening:
                return ConnectionLost(url)
            return StorageUnavailable(url or "the ledger database", _unreachable(driver))
        return StorageUnavailable(url or "the ledger database", _first_line(driver))
    return StorageUnavailable(url or "the ledger database", _first_line(error))


def _driver_error(error: BaseException) -> BaseException | None:
    """The DB-API error under SQLAlchemy's ``orig`` and eventsourcing's chained wrappers."""
    postgres: Any = _psycopg_error()
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    while todo:
        found = todo.pop(0)
        if id(found) in seen:
            continue
        seen.add(id(found))
        if isinstance(found, sqlite3.Error) or (postgres and isinstance(found, postgres)):
            return found
        nested = [getattr(found, "orig", None), found.__cause__, found.__context__, *found.args]
        todo.extend(item for item in nested if isinstance(item, BaseException))
    return None


def _psycopg_error() -> type[BaseException] | None:
    try:
        import psycopg
    except ImportError:  # PostgreSQL's driver is optional
        return None
    return psycopg.Error


def _read_only_file(url: str | None) -> bool:
    if url is None or not url.startswith("sqlite:///"):
        return False
    path = Path(url.removeprefix("sqlite:///"))
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _no_space_left(url: str | None) -> bool:
    if url is None or not url.startswith("sqlite:///"):
        return False
    try:
        room = os.statvfs(Path(url.removeprefix("sqlite:///")).parent)
    except OSError:
        return False
    return room.f_bavail * room.f_frsize < _NEARLY_FULL


def _unreachable(driver: BaseException) -> str:
    text = str(driver).lower()
    if "password" in text or "role" in text or "authentication" in text:
        return "the server refuses this user"
    if "database" in text and "does not exist" in text:
        return "the server has no such database"
    return "no server answers at that address"


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(error).__name__
