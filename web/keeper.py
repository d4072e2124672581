"""The server's own writer: it keeps the read models up to date in the background.

Requests never write (``projections.tail`` folds in memory what the tables lack). So that the
tables follow the ledger when entries come from elsewhere (a command on another machine, a
new read-model format after an upgrade), a server whose connection may write runs
``projections.catch_up`` on a thread of its own, every ``every`` seconds: one indexed read when
nothing is new. A new format is built beside the one in force while requests go on being
answered, then switched in one transaction; its progress is logged. On a read-only connection
(a replica, a role that may only read) the thread says so once and stops: the pages go on.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from ledger.errors import LedgerError, ReadOnlyDatabase
from ledger.faults import storage_fault
from projections import catch_up, tables
from projections.errors import ProjectionError
from projections.tail import engine_of, stored_and_head
from web.context import RequestLedger, Settings

EVERY = 2.0  # seconds between two looks at the ledger's head
REPORT_FROM = 10_000  # entries: a catch-up this long logs its progress
log = logging.getLogger("assembly.projections")
# Held while a keeper works on the database. A process forked meanwhile (a worker, a test's
# command) would inherit the database library's locks as that thread held them, and hang on
# its first connection: a fork waits for the keeper's look in hand to end.
_WORKING = threading.Lock()
os.register_at_fork(
    before=_WORKING.acquire,
    after_in_parent=_WORKING.release,
    after_in_child=_WORKING.release,
)


class _Stopped(Exception):
    """The server is stopping: the catch-up in hand ends after its batch."""


class Keeper:
    """A thread catching the read models up every ``every`` seconds until stopped."""

    def __init__(self, settings: Settings, *, every: float = EVERY) -> None:
        self.settings = settings
        self.every = every
        self.stopped = threading.Event()
        self.last_problem = ""  # said once, not every few seconds
        self.thread = threading.Thread(target=self._run, name="read-models", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Stop after the batch in hand (its transaction is committed first)."""
        self.stopped.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stopped.is_set():
            if not self.once():
                return
            self.stopped.wait(self.every)

    def once(self) -> bool:
        """Catch up once; whether to go on (not on a read-only connection)."""
        with _WORKING:
            return self._once()

    def _once(self) -> bool:
        try:
            book = RequestLedger(self.settings.pool)
            found = stored_and_head(engine_of(book))
            if found.head is None or (
                found.pointer == tables.FORMAT and found.stored == found.head
            ):
                return True  # nothing new: one indexed read
            behind = found.head - (-1 if found.stored is None else found.stored)
            report = _reporting(found.head + 1) if behind > REPORT_FROM else None
            catch_up(book, progress=lambda seq: self._told(seq, report))
        except _Stopped:
            return False
        except (SQLAlchemyError, LedgerError) as exc:
            fault = exc if isinstance(exc, LedgerError) else storage_fault(exc, None)
            if isinstance(fault, ReadOnlyDatabase):
                log.info("The ledger's database is read-only here: the pages fold what is new.")
                return False
            if _said(fault) != self.last_problem:
                self.last_problem = _said(fault)
                log.warning("The read models were not brought up to date: %s", self.last_problem)
        except ProjectionError as exc:
            log.error("The read models stopped: %s", exc)
        return True

    def _told(self, seq: int, report: Callable[[int], None] | None) -> None:
        """After each batch: stop if asked, and log the progress of a long catch-up."""
        if self.stopped.is_set():
            raise _Stopped
        if report is not None:
            report(seq)


def _reporting(total: int) -> Callable[[int], None]:
    """A progress callback logging every tenth of ``total`` entries."""
    step, shown = max(total // 10, 1), [0]

    def report(seq: int) -> None:
        if seq + 1 >= shown[0] + step or seq + 1 == total:
            shown[0] = seq + 1
            log.info("Read models: %d of %d entries folded.", seq + 1, total)

    return report


def _said(error: LedgerError) -> str:
    sentence = getattr(error, "sentence", None)
    return sentence() if callable(sentence) else str(error)
