"""``assembly export answers|implementation|recommendations|verdicts|board``: what the ledger
holds in the file ``assembly import`` reads (``sheets.kinds``), so an office can export, edit
and import it again, and the status board's rows (``cli.board_export``): plain CSV, CSV for
Excel, or an .xlsx workbook (``sheets.write``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli import board_export, import_commands
from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.export_group import export_app
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption, view_at
from cli.render import stdout
from domain.recommendation import Adopted
from domain.responses import Responded
from projections.status import recorded
from sheets.answer_file import DATE_COLUMNS, answer_row, export_header
from sheets.answer_kind import recorded_answers
from sheets.cells import Cell
from sheets.kinds import KINDS, Kind
from sheets.rows import Source
from sheets.write import Dialect, dialect_of, write_sheet

__all__ = ["export_app", "recorded_answers", "register", "write_answers_file"]
ExcelOption = Annotated[
    bool,
    typer.Option("--excel", help="CSV for Excel: UTF-8 with a byte order mark, semicolons, CRLF."),
]
PanelOption = Annotated[int | None, typer.Option("--panel", help="Only panel N's rows.")]
FileArgument = Annotated[
    Path, typer.Argument(help="The file to write: .xlsx for a workbook, else CSV.", dir_okay=False)
]


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export", rich_help_panel="Read")
    import_commands.register(app)  # the files an export writes are the files an import reads


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
    export_kind(
        KINDS["answers"], path, excel=excel, panel=panel, point=(as_of, at_seq), ledger=ledger
    )


def export_kind(
    kind: Kind,
    path: Path,
    *,
    excel: bool,
    panel: int | None,
    point: tuple[str | None, int | None],
    ledger: str,
) -> None:
    """Write what the ledger holds of ``kind`` (at the point asked, ``--as-of`` and
    ``--at-seq``) as the file ``assembly import`` reads."""
    dialect = dialect_of(path, excel=excel)
    source = Source(view_at(ledger, *point).state, adoptions(ledger))
    header, rows = kind.export(source, panel)
    cells = [_cells(row, dialect, kind.dates) for row in rows]
    write_sheet(path, header, cells, dialect=dialect, title=kind.name)
    stdout.print(f"Wrote {len(rows)} {kind.item}(s) to {path}.")


def adoptions(ledger: str) -> dict[tuple[int, int], Adopted]:
    """Every recommendation's adoption as it was signed, by (panel, number)."""
    book = open_ledger(ledger)
    try:
        found = [recorded(entry) for entry in book.recorder.read_types(Adopted.TYPE)]
    finally:
        book.close()
    return {
        (each.event.panel, each.event.number): each.event
        for each in found
        if each is not None and isinstance(each.event, Adopted)
    }


def _kind_command(kind: Kind) -> None:
    def command(
        file: FileArgument,
        excel: ExcelOption = False,
        panel: PanelOption = None,
        as_of: AsOfOption = None,
        at_seq: AtSeqOption = None,
        ledger: LedgerOption = DEFAULT_LEDGER,
    ) -> None:
        export_kind(kind, file, excel=excel, panel=panel, point=(as_of, at_seq), ledger=ledger)

    command.__doc__ = (
        f"Write every recorded {kind.item} in the file `assembly import {kind.name}` reads "
        "(with --as-of or --at-seq, as they stood then): FILE.xlsx a workbook, any other name "
        "a CSV file, plain or, with --excel, as Belgian Excel opens it by a double click.\n\n"
        f"Example: assembly export {kind.name} {kind.name}.xlsx --panel 1"
    )
    export_app.command(kind.name)(command)


for _kind in KINDS.values():
    if _kind.name != "answers":
        _kind_command(_kind)
board_export.register(export_app)


def write_answers_file(
    path: Path, found: Sequence[tuple[Responded, date]], *, dialect: Dialect
) -> None:
    """Write answers with the day each was given as the file ``respond --csv`` reads."""
    columns = export_header(answer for answer, _ in found)
    rows = [_cells(answer_row(answer, on=on, columns=columns), dialect) for answer, on in found]
    write_sheet(path, columns, rows, dialect=dialect, title="answers")


def _cells(
    row: dict[str, str], dialect: Dialect, dates: tuple[str, ...] = DATE_COLUMNS
) -> list[Cell]:
    """A row's cells: in a workbook, its days (the columns ``dates``) as date cells."""
    if dialect is not Dialect.XLSX:
        return list(row.values())
    return [
        date.fromisoformat(value) if column in dates and value else value
        for column, value in row.items()
    ]
