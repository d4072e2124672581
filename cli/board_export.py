"""``assembly export board FILE``: the status board's rows as the board's own download
(``/recommendations.csv`` and ``.xlsx``, ``web.downloads``) holds them, each value by its label
in the language asked beside its code, written as CSV, CSV for Excel or an .xlsx workbook
(``sheets.write``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption
from cli.render import stdout
from cli.writing import day
from sheets.write import dialect_of, write_sheet
from web.asked import Asked, Problem
from web.downloads import table
from web.i18n import LANGUAGES


def register(export_app: typer.Typer) -> None:
    export_app.command("board")(board)


def board(
    file: Annotated[
        Path,
        typer.Argument(help="The file to write: .xlsx for a workbook, else CSV.", dir_okay=False),
    ],
    excel: Annotated[
        bool,
        typer.Option(
            "--excel", help="CSV for Excel: UTF-8 with a byte order mark, semicolons, CRLF."
        ),
    ] = False,
    panel: Annotated[int | None, typer.Option("--panel", help="Only panel N's rows.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="The labels' language: en, fr or nl.")] = "en",
    public_url: Annotated[
        str, typer.Option("--public-url", help="The server's address, for each row's web page.")
    ] = "",
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Write the status board's rows (what /recommendations.csv downloads): one row per
    recommendation, its position, implementation and verdict by label and code, its due dates
    and whether it is overdue (with --as-of or --at-seq, as it stood then).

    Example: assembly export board board.xlsx --lang fr --panel 1
    """
    if lang not in LANGUAGES:
        raise UsageProblem(f"--lang {lang!r} is not one of {', '.join(LANGUAGES)}.")
    dialect = dialect_of(file, excel=excel)
    query = {"panel": str(panel)} if panel is not None else {}
    asked = Asked(lang, "/recommendations", query, day(as_of, "--as-of"), at_seq)
    book = open_ledger(ledger)
    try:
        header, *rows = table(book, asked, base=public_url.rstrip("/"))
    except Problem as problem:
        sentence = problem.message % problem.values if problem.values else problem.message
        raise UsageProblem(f"The board cannot be exported: {sentence}") from None
    finally:
        book.close()
    write_sheet(file, [str(cell) for cell in header], rows, dialect=dialect, title="board")
    stdout.print(f"Wrote {len(rows)} row(s) of the board to {file}.")
