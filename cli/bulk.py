"""``assembly respond --csv``: many answers at once, all or nothing.

The file has one answer per row, with the header ``ANSWER_COLUMNS`` and, if wanted, any of
``OPTIONAL_COLUMNS`` (the export writes them all). ``recommendation`` is ``PANEL/NUMBER`` or the
assembly's own reference (``SD-E2``), resolved as the command line resolves it; ``date`` is the
day the answer was given (YYYY-MM-DD; empty or absent: the command's ``--at``, or now), so
answers given on different days fit one file; ``statement``, the joint statement the answer
belongs to (see ``assembly respond-jointly``); ``language``, the language its texts are in; and
``justification_LANG``, ``planned_measures_LANG``, its translations into language LANG
(``cli.answer_languages``).

Every row is checked (its form, then the rules, in order, so two rows about one recommendation
see each other); if any row fails, each failure is reported with its line number and nothing is
written. A row that says what an answer on the ledger says (as corrected, if it was) is
reported as unchanged and skipped, so exporting and importing again is a no-op.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import NamedTuple, Protocol

from pydantic import ValidationError

from cli import remote
from cli.answer_languages import export_columns, row_translations, translation_columns
from cli.context import open_ledger, parse_moment, signing_key
from cli.errors import UsageProblem
from cli.render import stdout
from cli.store import LedgerStore
from cli.writing import report
from domain import commands
from domain.correction import CorrectionRecorded
from domain.errors import RuleBroken
from domain.events import first_problem
from domain.process import Batch, EventStore, Session
from domain.recommendation import resolve_reference
from domain.responses import Responded
from ledger import Entry
from projections import catch_up

ANSWER_COLUMNS = (
    "recommendation",
    "review",
    "position",
    "portfolio",
    "justification",
    "planned_measures",
    "decision_date",
    "referred_to",
    "evidence_digest",
)
OPTIONAL_COLUMNS = ("date", "statement", "language")
References = Iterable[tuple[str | None, tuple[int, int]]]  # (own reference, (panel, number))


class Row(NamedTuple):
    """One answer of the file: its line, the answer, the day it was given if the row says, and
    the languages the file has translation columns for."""

    line: int
    answer: Responded
    on: date | None = None
    translated: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


class BulkRefused(RuleBroken):
    """At least one row of a bulk import is wrong; nothing was written."""

    def __init__(self, path: Path, problems: list[BadRow]) -> None:
        super().__init__(path, problems)
        self.path = path
        self.problems = problems

    def sentence(self) -> str:
        lines = "\n".join(f"  line {bad.line}: {bad.reason}" for bad in self.problems)
        return (
            f"{self.path}: {len(self.problems)} bad row(s), nothing was written; fix them and "
            f"import the whole file again:\n{lines}"
        )


EXPORT_COLUMNS = (*ANSWER_COLUMNS, *OPTIONAL_COLUMNS)


def export_header(answers: Iterable[Responded]) -> tuple[str, ...]:
    """What the export writes: ``EXPORT_COLUMNS``, then a column for each text in each language
    some answer is translated into (none when no answer is)."""
    return (*EXPORT_COLUMNS, *export_columns([answer.translations for answer in answers]))


def answer_row(
    answer: Responded, *, on: date | None = None, columns: Sequence[str] = EXPORT_COLUMNS
) -> dict[str, str]:
    """One answer as a CSV row of ``columns`` (what the export writes, ``export_header``), with
    ``on``, the day it was given, so that a file exported and imported again says what the
    ledger says."""
    data = answer.to_payload()
    row = {column: "" if data.get(column) is None else str(data[column]) for column in data}
    row["recommendation"] = f"{answer.panel}/{answer.number}"
    row["date"] = "" if on is None else on.isoformat()
    for code, texts in answer.translations.items():
        row[f"justification_{code}"] = texts.justification
        row[f"planned_measures_{code}"] = texts.planned_measures
    return {column: row.get(column, "") for column in columns}


def read_answers(path: Path, references: References = ()) -> tuple[list[Row], list[BadRow]]:
    """Parse the file: the answers with their line numbers, and the rows that are malformed.
    A row names its recommendation by ``PANEL/NUMBER`` or by the assembly's own reference
    among ``references`` (``commands.references``), resolved as the command line resolves it."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageProblem(f"Cannot read {path}: {exc.strerror}.") from None
    answers: list[Row] = []
    problems: list[BadRow] = []
    with handle:
        try:
            reader = csv.DictReader(handle, strict=True)
            header = tuple(reader.fieldnames or ())
            missing = [column for column in ANSWER_COLUMNS if column not in header]
            known = (*ANSWER_COLUMNS, *OPTIONAL_COLUMNS)
            translated = translation_columns(header)
            extra = [column for column in header if column not in (*known, *translated)]
            if missing or extra:
                raise UsageProblem(
                    f"{path}: the header must be {','.join(ANSWER_COLUMNS)}, and may add "
                    f"{', '.join(OPTIONAL_COLUMNS)} and translations such as justification_nl "
                    "and planned_measures_nl"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; unknown {', '.join(extra)}" if extra else "")
                    + "."
                )
            languages = frozenset(code for _, code in translated.values())
            for row in reader:
                line = reader.line_num
                try:
                    answers.append(Row(line, *_answer(row, references, translated), languages))
                except (RuleBroken, ValueError) as exc:
                    problems.append(BadRow(line, _reason(exc)))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise UsageProblem(f"{path} is not a readable UTF-8 CSV file: {exc}.") from None
    if not answers and not problems:
        raise UsageProblem(f"{path} has no answers in it.")
    return answers, problems


def _answer(
    row: dict[str, str | None],
    references: References,
    translated: Mapping[str, tuple[str, str]],
) -> tuple[Responded, date | None]:
    if None in row.values() or None in row:
        raise ValueError("the row does not have one value per column")
    panel, number = resolve_reference(row["recommendation"] or "", references)
    on = _day(row.get("date") or "")
    skipped = ("recommendation", "date", *translated)
    fields = {key: value for key, value in row.items() if key not in skipped}
    data: dict[str, object] = {
        key: value for key, value in fields.items() if value not in ("", None)
    }
    review = row["review"] or ""
    if review.strip().isdigit():
        data["review"] = int(review)  # CSV cells are text; the review is a number
    data["translations"] = row_translations(row, translated)
    answer = Responded.model_validate(
        {"panel": panel, "number": number, "justification": "", "planned_measures": "", **data}
    )
    return answer, on


def _day(text: str) -> date | None:
    """The ``date`` cell: empty, or the day the answer was given."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"date: {text!r} is not the day the answer was given, such as 2020-06-29"
        ) from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return first_problem(exc, whole="row")
    if isinstance(exc, RuleBroken):
        return exc.sentence()
    return str(exc)


def check_answers(
    session: Session, answers: list[Row], *, at: datetime
) -> tuple[list[BadRow], int]:
    """Run every answer through the rules in one session, each dated its row's day (else
    ``at``): the failures, and how many rows repeat an answer already on the ledger (skipped)."""
    problems: list[BadRow] = []
    unchanged = 0
    corrected = _corrected_answers(session)
    for line, answer, on, translated in answers:
        try:
            known = commands.recommendation(session, answer.panel, answer.number)
            key = (answer.panel, answer.number, answer.review)
            recorded = corrected.get(key) or known.answers.get(answer.review)
            if _same(recorded, answer, translated):
                unchanged += 1
                continue
            commands.respond(session, answer, at=_moment(on, at))
        except RuleBroken as exc:
            problems.append(BadRow(line, f"{answer.panel}/{answer.number}: {exc.sentence()}"))
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
) -> None:
    """Check a CSV file of answers and write it all, or nothing: to the ledger, or with
    ``server`` signed here and submitted to that server as one submission."""
    signer = signing_key(key)
    if server is not None:
        with remote.connected(server) as client:
            store = remote.RemoteStore(client, signer)
            moment = parse_moment(at) or store.now
            write_answers(store, path, dry_run=dry_run, at=moment)
        return
    book = open_ledger(ledger)
    try:
        local = LedgerStore(book, signer)
        moment = parse_moment(at) or book.clock()
        if write_answers(local, path, dry_run=dry_run, at=moment):
            catch_up(book)
    finally:
        book.close()


class Writer(EventStore, Protocol):
    """Where the answers go: a ``LedgerStore`` or a server's ``RemoteStore``."""

    written: list[Entry]

    def rehearse(self, batches: Sequence[Batch]) -> None: ...


def write_answers(store: Writer, path: Path, *, dry_run: bool, at: datetime) -> bool:
    """Read the file, check every answer against ``store`` and append the new ones in one
    unit of work; whether anything was written. A bad row refuses the whole file."""
    session = Session(store)
    answers, problems = read_answers(path, commands.references(session))
    rule_problems, unchanged = check_answers(session, answers, at=at)
    problems = sorted(problems + rule_problems, key=lambda bad: bad.line)
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
