"""``assembly export answers``: the government's answers in the file ``respond --csv`` reads,
so a ministry can export, edit and import them again: plain CSV, CSV for Excel, or an .xlsx
workbook (``cli.sheet_write``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date
from pathlib import Path
from typing import Annotated

import typer

from cli.answer_file import DATE_COLUMNS, answer_row, export_header
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption, view_at
from cli.render import stdout
from cli.sheet_cells import Cell
from cli.sheet_write import Dialect, dialect_of, write_sheet
from domain.responses import Responded
from projections import Status

export_app = typer.Typer(help="Export what the ledger holds as files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export", rich_help_panel="Read")


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


@export_app.command("answers")
def answers(
    file: Annotated[
        Path | None,
        typer.Argument(help="The file to write: .xlsx for a workbook, else CSV.", dir_okay=False),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="The CSV file to write.", dir_okay=False)
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel", help="CSV for Excel: UTF-8 with a byte order mark, semicolons, CRLF."
        ),
    ] = False,
    panel: Annotated[int | None, typer.Option("--panel", help="Only panel N's answers.")] = None,
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Write every recorded answer in the format `assembly respond --csv` reads, with the day
    each was given, its joint statement, its language and its translations (a column such as
    justification_nl per language some answer is translated into; with --as-of or --at-seq,
    the answers as they stood then). FILE.xlsx writes a workbook; any other name (or --csv
    FILE) a CSV file, plain or, with --excel, as Belgian Excel opens it by a double click.

    Example: assembly export answers answers.xlsx --panel 1
    """
    if (file is None) == (csv is None):
        raise UsageProblem("Give the file to write, as FILE or as --csv FILE (one of them).")
    path = file if file is not None else csv
    assert path is not None
    dialect = dialect_of(path, excel=excel)
    found = recorded_answers(view_at(ledger, as_of, at_seq).state, panel=panel)
    write_answers_file(path, found, dialect=dialect)
    stdout.print(f"Wrote {len(found)} answer(s) to {path}.")


def write_answers_file(
    path: Path, found: Sequence[tuple[Responded, date]], *, dialect: Dialect
) -> None:
    """Write answers with the day each was given as the file ``respond --csv`` reads."""
    columns = export_header(answer for answer, _ in found)
    rows = [_cells(answer_row(answer, on=on, columns=columns), dialect) for answer, on in found]
    write_sheet(path, columns, rows, dialect=dialect, title="answers")


def _cells(row: dict[str, str], dialect: Dialect) -> list[Cell]:
    """A row's cells: in a workbook, its days as date cells."""
    if dialect is not Dialect.XLSX:
        return list(row.values())
    return [
        date.fromisoformat(value) if column in DATE_COLUMNS and value else value
        for column, value in row.items()
    ]
