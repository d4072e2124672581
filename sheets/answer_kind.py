"""The government's answers as a kind of bulk file (``sheets.kinds``): the file of
``sheets.answer_file``, each row the answer to one recommendation at one review, unchanged when the
answer on the ledger (as corrected, if it was) says what the row says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from domain import commands
from domain.responses import Position, Responded
from projections import Status
from sheets.answer_file import (
    ALIAS_TABLE,
    ANSWER_ALIASES,
    ANSWER_COLUMNS,
    DATE_COLUMNS,
    OPTIONAL_COLUMNS,
    Row,
    answer_row,
    export_header,
    read_answer_file,
)
from sheets.languages import ANSWER_TEXTS
from sheets.rows import Item, Kind, KindFile, Ledgered, References, Source, Table

__all__ = ["ALIAS_TABLE", "ANSWERS", "recorded_answers"]


def recorded_answers(state: Status, *, panel: int | None = None) -> list[tuple[Responded, date]]:
    """Every answer as it stands (a correction's replacement, if any) with the day its author
    gave it (a replacement keeps the original's), by recommendation and review."""
    found = [
        (Responded.model_validate(dict(said.payload)), said.change.at.astimezone(UTC).date())
        for status in state.recommendations.values()
        if panel is None or status.panel == panel
        for said in status.answers
    ]
    return sorted(found, key=lambda pair: (pair[0].panel, pair[0].number, pair[0].review))


def _read(path: Path, references: References, sheet: str | None) -> KindFile:
    found = read_answer_file(path, references, sheet=sheet)
    return KindFile([_item(row) for row in found.rows], found.problems, found.note)


def _item(row: Row) -> Item:
    answer = row.answer
    label = f"{answer.panel}/{answer.number}"

    def step(ledger: Ledgered, at: datetime) -> int:
        known = commands.recommendation(ledger.session, answer.panel, answer.number)
        recorded = _standing(ledger, answer) or known.answers.get(answer.review)
        if _same(recorded, answer, row.translated):
            return 0
        commands.respond(ledger.session, answer, at=at)
        return 1

    return Item(
        row.row,
        ("answer", answer.panel, answer.number, answer.review),
        f"an answer to {label} at review {answer.review}",
        label,
        (answer.model_dump_json(), row.on),
        row.on,
        step,
    )


def _standing(ledger: Ledgered, answer: Responded) -> Responded | None:
    """The answer on the ledger for the row's recommendation and review, as it stands."""
    found = None
    for event, _ in ledger.standing(Responded).get((answer.panel, answer.number), ()):
        if isinstance(event, Responded) and event.review == answer.review:
            found = event
    return found


def _same(recorded: Responded | None, row: Responded, translated: frozenset[str]) -> bool:
    """Whether a row says what the answer on the ledger says, in every column the file has:
    translations into languages the file has no columns for do not make its row new."""
    if recorded is None:
        return False
    kept = {code: texts for code, texts in recorded.translations.items() if code not in translated}
    return recorded == row.model_copy(update={"translations": {**kept, **row.translations}})


def _export(source: Source, panel: int | None) -> Table:
    found = recorded_answers(source.state, panel=panel)
    columns = export_header(answer for answer, _ in found)
    return columns, [answer_row(answer, on=on, columns=columns) for answer, on in found]


ANSWERS = Kind(
    name="answers",
    columns=ANSWER_COLUMNS,
    optional=OPTIONAL_COLUMNS,
    aliases=ANSWER_ALIASES,
    choices={"position": tuple(position.value for position in Position)},
    translated=ANSWER_TEXTS,
    dates=DATE_COLUMNS,
    noun="answer(s)",
    writes=(Responded.TYPE,),
    read=_read,
    export=_export,
    item="answer",
)
