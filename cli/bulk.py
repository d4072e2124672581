"""``assembly import KIND FILE`` (and ``assembly respond --csv``): many rows at once, all or
nothing, for every kind of bulk file (``sheets.kinds``).

Every row is checked (its form, then the rules, in order, in one session, so two rows about
one recommendation see each other); if any row fails, each failure is reported with its
spreadsheet row number (the header is row 1) and, where known, its column, and nothing is
written. A row that says what the ledger already says (as corrected, if it was) is reported as
unchanged and skipped, so exporting and importing again is a no-op; a row that repeats an
earlier row of the file word for word is a duplicate, reported with both row numbers and
counted once; two rows about the same thing that say different things are refused, naming both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from cli import remote
from cli.context import open_ledger, parse_moment, signing_key
from cli.render import stdout
from cli.store import LedgerStore
from cli.writing import report
from domain import commands
from domain.process import Batch, EventStore, Session
from ledger import Entry
from projections import catch_up
from sheets.answer_file import (
    ANSWER_COLUMNS,
    EXPORT_COLUMNS,
    OPTIONAL_COLUMNS,
    Row,
    read_answer_file,
    read_answers,
)
from sheets.answer_kind import ANSWERS
from sheets.cells import BadRow
from sheets.check import BulkRefused, check_items
from sheets.rows import Kind

__all__ = [  # and the answers file's names that commands and tests import from here
    "ANSWER_COLUMNS",
    "EXPORT_COLUMNS",
    "OPTIONAL_COLUMNS",
    "BadRow",
    "BulkRefused",
    "Row",
    "check_items",
    "import_answers",
    "import_kind",
    "read_answer_file",
    "read_answers",
    "write_answers",
    "write_kind",
]


def import_kind(
    kind: Kind,
    ledger: str,
    key: Path | None,
    path: Path,
    *,
    dry_run: bool,
    at: str | None,
    server: str | None = None,
    sheet: str | None = None,
) -> None:
    """Check a file of ``kind`` (CSV or .xlsx, ``sheet`` of a workbook) and write it all, or
    nothing: to the ledger, or with ``server`` signed here and submitted to that server as one
    submission."""
    signer = signing_key(key)
    if server is not None:
        with remote.connected(server) as client:
            store = remote.RemoteStore(client, signer)
            moment_given = parse_moment(at) or store.now
            write_kind(store, kind, path, dry_run=dry_run, at=moment_given, sheet=sheet)
        return
    book = open_ledger(ledger)
    try:
        local = LedgerStore(book, signer)
        moment_given = parse_moment(at) or book.clock()
        if write_kind(local, kind, path, dry_run=dry_run, at=moment_given, sheet=sheet):
            catch_up(book)
    finally:
        book.close()


def import_answers(
    ledger: str,
    key: Path | None,
    path: Path,
    *,
    dry_run: bool,
    at: str | None,
    server: str | None = None,
    sheet: str | None = None,
) -> None:
    """``import_kind`` for the government's answers (``assembly respond --csv``)."""
    import_kind(ANSWERS, ledger, key, path, dry_run=dry_run, at=at, server=server, sheet=sheet)


class Writer(EventStore, Protocol):
    """Where the rows go: a ``LedgerStore`` or a server's ``RemoteStore``."""

    written: list[Entry]

    def rehearse(self, batches: Sequence[Batch]) -> None: ...


def write_kind(
    store: Writer,
    kind: Kind,
    path: Path,
    *,
    dry_run: bool,
    at: datetime,
    sheet: str | None = None,
) -> bool:
    """Read the file, check every row against ``store`` and append the new events in one unit
    of work; whether anything was written. A bad row refuses the whole file."""
    session = Session(store)
    found = kind.read(path, commands.references(session), sheet)
    if found.note is not None:
        stdout.print(f"{path} was {found.note} (it is not UTF-8): check its accents.")
    checked = check_items(session, found.items, at=at)
    problems = sorted(found.problems + checked.problems, key=lambda bad: bad.row)
    if problems:
        raise BulkRefused(path, problems)
    for row, repeated in checked.duplicates:
        stdout.print(f"row {row} repeats row {repeated} word for word: it counts once.")
    twice = f", {len(checked.duplicates)} duplicate(s)" if checked.duplicates else ""
    pending = session.pending()
    if dry_run:
        if pending:
            store.rehearse(pending)
        stdout.print(
            f"Dry run: all {len(found.items)} rows are valid; {checked.new} {kind.noun} would "
            f"be written, {checked.unchanged} unchanged{twice}. Nothing was written."
        )
        return False
    session.commit()
    report(store.written)
    stdout.print(f"Wrote {checked.new} {kind.noun}; {checked.unchanged} row(s) unchanged{twice}.")
    return bool(pending)


def write_answers(
    store: Writer, path: Path, *, dry_run: bool, at: datetime, sheet: str | None = None
) -> bool:
    """``write_kind`` for the government's answers."""
    return write_kind(store, ANSWERS, path, dry_run=dry_run, at=at, sheet=sheet)
