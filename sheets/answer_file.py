"""The bulk answers file (``assembly respond --csv``, ``assembly export answers``): its columns
and their names in three languages, an answer as a row, and a file's rows as answers.

The file is any spreadsheet ``sheets.read`` reads (CSV as Excel writes it in Belgium, or an
.xlsx), one answer per row, with the header ``ANSWER_COLUMNS`` and, if wanted, any of
``OPTIONAL_COLUMNS`` (the export writes them all), each named in English, French or Dutch
(``ANSWER_ALIASES``). ``recommendation`` is ``PANEL/NUMBER`` or the assembly's own reference
(``SD-E2``), resolved as the command line resolves it; ``date`` is the day the answer was given
(empty or absent: the command's ``--at``, or now), so answers given on different days fit one
file; it and ``decision_date`` are date cells or texts in any of ``sheets.cells.DAY_FORMS``;
``statement``, the joint statement the answer belongs to (see ``assembly respond-jointly``);
``language``, the language its texts are in; and ``justification_LANG``,
``planned_measures_LANG``, its translations into language LANG (``sheets.languages``).
A malformed row is reported with its spreadsheet row number (the header is row 1) and, where
one cell is wrong, its column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from domain.errors import RuleBroken
from domain.events import first_problem
from domain.recommendation import resolve_reference
from domain.responses import Responded
from sheets.cells import BadCell, BadRow, Cell, alias_table, as_day, as_text
from sheets.errors import SheetProblem
from sheets.languages import (
    ANSWER_TEXTS,
    export_columns,
    row_translations,
    translation_columns,
)
from sheets.read import read_sheet

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
# Each column's names in French and in Dutch, beside its English one (``sheets.cells``
# matches them whatever their case, accents, spaces or underscores).
ANSWER_ALIASES = {
    "recommendation": ("recommandation", "aanbeveling"),
    "review": ("revue", "examen", "evaluatie", "herziening"),
    "position": ("positie", "standpunt"),
    "portfolio": ("portefeuille",),
    "justification": ("justificatif", "motivering"),
    "planned_measures": ("mesures prévues", "geplande maatregelen"),
    "decision_date": ("date de décision", "beslissingsdatum"),
    "referred_to": ("renvoyé à", "doorverwezen naar"),
    "evidence_digest": ("empreinte de la preuve", "vingerafdruk bewijs"),
    "date": ("datum",),
    "statement": ("déclaration", "verklaring"),
    "language": ("langue", "taal"),
}
ALIAS_TABLE = alias_table(ANSWER_ALIASES)
DATE_COLUMNS = ("date", "decision_date")
TRANSLATED = re.compile(r"(.+)_([a-z]{2})\Z")
References = Iterable[tuple[str | None, tuple[int, int]]]  # (own reference, (panel, number))


class Row(NamedTuple):
    """One answer of the file: its spreadsheet row number, the answer, the day it was given if
    the row says, and the languages the file has translation columns for."""

    row: int
    answer: Responded
    on: date | None = None
    translated: frozenset[str] = frozenset()


class AnswerFile(NamedTuple):
    """A bulk file read: its answers, its malformed rows, and how it was read (its encoding,
    when not UTF-8)."""

    rows: list[Row]
    problems: list[BadRow]
    note: str | None = None


EXPORT_COLUMNS = (*ANSWER_COLUMNS, *OPTIONAL_COLUMNS)


def export_header(answers: Iterable[Responded]) -> tuple[str, ...]:
    """What the export writes: ``EXPORT_COLUMNS``, then a column for each text in each language
    some answer is translated into (none when no answer is)."""
    return (*EXPORT_COLUMNS, *export_columns([answer.translations for answer in answers]))


def answer_row(
    answer: Responded, *, on: date | None = None, columns: Sequence[str] = EXPORT_COLUMNS
) -> dict[str, str]:
    """One answer as a row of ``columns`` (what the export writes, ``export_header``), with
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


def read_answers(
    path: Path, references: References = (), *, sheet: str | None = None
) -> tuple[list[Row], list[BadRow]]:
    """The answers of the file with their row numbers, and the rows that are malformed
    (``read_answer_file``)."""
    found = read_answer_file(path, references, sheet=sheet)
    return found.rows, found.problems


def read_answer_file(
    path: Path, references: References = (), *, sheet: str | None = None
) -> AnswerFile:
    """Parse the file (any form ``sheets.read`` reads; ``sheet``, a workbook's sheet). A
    row names its recommendation by ``PANEL/NUMBER`` or by the assembly's own reference among
    ``references`` (``commands.references``), resolved as the command line resolves it."""
    found = read_sheet(path, ANSWER_ALIASES, sheet=sheet, other=_translation_column)
    missing = [column for column in ANSWER_COLUMNS if column not in found.letters]
    if missing or found.unknown:
        extra = [f"{written} (column {column})" for column, written in found.unknown]
        raise SheetProblem(
            f"{path}: the header must be {','.join(ANSWER_COLUMNS)}, and may add "
            f"{', '.join(OPTIONAL_COLUMNS)} and translations such as justification_nl "
            "and planned_measures_nl"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(extra)}" if extra else "")
            + "."
        )
    translated = translation_columns(list(found.letters))
    languages = frozenset(code for _, code in translated.values())
    answers: list[Row] = []
    problems = list(found.problems)
    for each in found.rows:
        try:
            answers.append(
                Row(each.number, *_answer(each.cells, references, translated), languages)
            )
        except BadCell as exc:
            problems.append(found.bad(each.number, exc.column, exc.reason))
        except ValidationError as exc:
            column = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else ""
            problems.append(found.bad(each.number, column, first_problem(exc, whole="row")))
    if not answers and not problems:
        raise SheetProblem(f"{path} has no answers in it.")
    return AnswerFile(answers, sorted(problems, key=lambda bad: bad.row), found.note)


def _translation_column(key: str) -> str | None:
    """A translation column's name (``justification_nl``) from its header in any language
    (``motivering_fr``), or None."""
    match = TRANSLATED.match(key)
    if not match:
        return None
    name = ALIAS_TABLE.get(match[1])
    return f"{name}_{match[2]}" if name in ANSWER_TEXTS else None


def _answer(
    cells: Mapping[str, Cell],
    references: References,
    translated: Mapping[str, tuple[str, str]],
) -> tuple[Responded, date | None]:
    try:
        panel, number = resolve_reference(as_text(cells.get("recommendation")), references)
    except RuleBroken as exc:
        raise BadCell("recommendation", exc.sentence()) from None
    on = as_day(cells.get("date"), "date")
    decided = as_day(cells.get("decision_date"), "decision_date")
    skipped = ("recommendation", "date", "decision_date", *translated)
    data: dict[str, object] = {
        key: as_text(value)
        for key, value in cells.items()
        if key not in skipped and as_text(value) != ""
    }
    if decided is not None:
        data["decision_date"] = decided
    review = as_text(cells.get("review"))
    if review.strip().isdigit():
        data["review"] = int(review)  # text cells; the review is a number
    texts = {column: as_text(cells.get(column)) for column in (*translated, "language")}
    try:
        data["translations"] = row_translations(texts, translated)
    except ValueError as exc:  # a translation without the row's language: point at it
        column = next(column for column in translated if texts[column].strip())
        raise BadCell(column, str(exc).removeprefix(f"{column}: ")) from None
    answer = Responded.model_validate(
        {"panel": panel, "number": number, "justification": "", "planned_measures": "", **data}
    )
    return answer, on
