"""``assembly respond --csv``: many answers at once, all or nothing.

The file (``cli.answer_file``) has one answer per row. Every row is checked (its form, then
the rules, in order, so two rows about one recommendation see each other); if any row fails,
each failure is reported with its spreadsheet row number (the header is row 1) and, where
known, its column, and nothing is written. A row that says what an answer on the ledger says
(as corrected, if it was) is reported as unchanged and skipped, so exporting and importing
again is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Protocol

from cli import remote
from cli.answer_file import (
    ANSWER_COLUMNS,
    EXPORT_COLUMNS,
    OPTIONAL_COLUMNS,
    Row,
    read_answer_file,
    read_answers,
)
from cli.context import open_ledger, parse_moment, signing_key
from cli.render import stdout
from cli.sheet_cells import BadRow
from cli.store import LedgerStore
from cli.writing import report
from domain import commands
from domain.correction import CorrectionRecorded
from domain.errors import RuleBroken
from domain.process import Batch, EventStore, Session
from domain.responses import Responded
from ledger import Entry
from projections import catch_up

__all__ = [  # and the file's names that commands and tests import from here
    "ANSWER_COLUMNS",
    "EXPORT_COLUMNS",
    "OPTIONAL_COLUMNS",
    "BadRow",
    "BulkRefused",
    "Row",
    "check_answers",
    "import_answers",
    "read_answer_file",
    "read_answers",
    "write_answers",
]


class BulkRefused(RuleBroken):
    """At least one row of a bulk import is wrong; nothing was written."""

    def __init__(self, path: Path, problems: list[BadRow]) -> None:
        super().__init__(path, problems)
        self.path = path
        self.problems = problems

    def sentence(self) -> str:
        rows = "\n".join(f"  {bad.sentence()}" for bad in self.problems)
        return (
            f"{self.path}: {len(self.problems)} bad row(s), nothing was written; fix them and "
            f"import the whole file again:\n{rows}"
        )


def check_answers(
    session: Session, answers: list[Row], *, at: datetime
) -> tuple[list[BadRow], int]:
    """Run every answer through the rules in one session, each dated its row's day (else
    ``at``): the failures, and how many rows repeat an answer already on the ledger (skipped)."""
    problems: list[BadRow] = []
    unchanged = 0
    corrected = _corrected_answers(session)
    for row, answer, on, translated in answers:
        try:
            known = commands.recommendation(session, answer.panel, answer.number)
            key = (answer.panel, answer.number, answer.review)
            recorded = corrected.get(key) or known.answers.get(answer.review)
            if _same(recorded, answer, translated):
                unchanged += 1
                continue
            commands.respond(session, answer, at=_moment(on, at))
        except RuleBroken as exc:
            problems.append(BadRow(row, f"{answer.panel}/{answer.number}: {exc.sentence()}"))
    return problems, unchanged


def _corrected_answers(session: Session) -> dict[tuple[int, int, int], Responded]:
    """Each corrected answer as it stands, by (panel, number, review): the latest replacement
    (what the export writes for it), so that its exported row reads as unchanged."""
    standing: dict[tuple[int, int, int], Responded] = {}
    for recorded in session.store.of_type(CorrectionRecorded.TYPE):
        correction = recorded.event
        if not isinstance(correction, CorrectionRecorded) or correction.replacement is None:
            continue
        if correction.corrected_type != Responded.TYPE:
            continue
        replacement = Responded.model_validate(correction.replacement)
        standing[replacement.panel, replacement.number, replacement.review] = replacement
    return standing


def _same(recorded: Responded | None, row: Responded, translated: frozenset[str]) -> bool:
    """Whether a row says what the answer on the ledger says, in every column the file has:
    translations into languages the file has no columns for do not make its row new."""
    if recorded is None:
        return False
    kept = {code: texts for code, texts in recorded.translations.items() if code not in translated}
    return recorded == row.model_copy(update={"translations": {**kept, **row.translations}})


def _moment(on: date | None, at: datetime) -> datetime:
    """When a row's answer happened: midnight UTC of its day (as ``--at DAY`` says), or ``at``."""
    return at if on is None else datetime.combine(on, time(), tzinfo=UTC)


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
    """Check a file of answers (CSV or .xlsx, ``sheet`` of a workbook) and write it all, or
    nothing: to the ledger, or with ``server`` signed here and submitted to that server as one
    submission."""
    signer = signing_key(key)
    if server is not None:
        with remote.connected(server) as client:
            store = remote.RemoteStore(client, signer)
            moment = parse_moment(at) or store.now
            write_answers(store, path, dry_run=dry_run, at=moment, sheet=sheet)
        return
    book = open_ledger(ledger)
    try:
        local = LedgerStore(book, signer)
        moment = parse_moment(at) or book.clock()
        if write_answers(local, path, dry_run=dry_run, at=moment, sheet=sheet):
            catch_up(book)
    finally:
        book.close()


class Writer(EventStore, Protocol):
    """Where the answers go: a ``LedgerStore`` or a server's ``RemoteStore``."""

    written: list[Entry]

    def rehearse(self, batches: Sequence[Batch]) -> None: ...


def write_answers(
    store: Writer, path: Path, *, dry_run: bool, at: datetime, sheet: str | None = None
) -> bool:
    """Read the file, check every answer against ``store`` and append the new ones in one
    unit of work; whether anything was written. A bad row refuses the whole file."""
    session = Session(store)
    answers, problems, note = read_answer_file(path, commands.references(session), sheet=sheet)
    if note is not None:
        stdout.print(f"{path} was {note} (it is not UTF-8): check its accents.")
    rule_problems, unchanged = check_answers(session, answers, at=at)
    problems = sorted(problems + rule_problems, key=lambda bad: bad.row)
    if problems:
        raise BulkRefused(path, problems)
    pending = session.pending()
    new = sum(len(events) for _, _, events in pending)
    if dry_run:
        if pending:
            store.rehearse(pending)
        stdout.print(
            f"Dry run: all {len(answers)} rows are valid; {new} answer(s) would be written"
            f", {unchanged} unchanged. Nothing was written."
        )
        return False
    session.commit()
    report(store.written)
    stdout.print(f"Wrote {new} answer(s); {unchanged} row(s) unchanged.")
    return bool(pending)
