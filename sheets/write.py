"""Write rows as a spreadsheet file that ``sheets.read`` reads back exactly.

Three forms, chosen by ``Dialect``:

- ``CSV``: plain CSV (UTF-8 without a byte order mark, commas, CRLF line ends as RFC 4180 has
  them, which also makes the writer quote a cell holding a lone carriage return);
- ``EXCEL``: the CSV that Belgian Excel opens by a double click with its accents intact (UTF-8
  with a byte order mark, semicolons, CRLF line ends), as Excel's own "CSV UTF-8" writes it;
- ``XLSX``: a workbook, one sheet, the header row bold and frozen, columns as wide as their
  texts (within reason), every text a text cell (never a formula) and dates as date cells.

Every text cell goes through the formula guard (``projections.formula_guard``), in each form.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path

from projections.formula_guard import guarded
from sheets.cells import Cell, as_text, xlsx_escaped
from sheets.errors import SheetProblem

WIDEST = 60  # characters: a longer text wraps inside its cell


class Dialect(StrEnum):
    """The form of a written file."""

    CSV = "csv"
    EXCEL = "excel"
    XLSX = "xlsx"


def dialect_of(path: Path, *, excel: bool = False) -> Dialect:
    """The form ``path`` asks for by its extension (``.xlsx``, else CSV); ``excel``: the CSV
    for Excel."""
    if path.suffix.lower() == ".xlsx":
        if excel:
            raise SheetProblem(
                f"--excel is for a CSV file, and {path} is a workbook that Excel opens as it is."
            )
        return Dialect.XLSX
    return Dialect.EXCEL if excel else Dialect.CSV


def write_sheet(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    dialect: Dialect,
    title: str = "sheet",
) -> None:
    """Write ``header`` and ``rows`` to ``path`` in ``dialect`` (a workbook's sheet named
    ``title``)."""
    try:
        if dialect is Dialect.XLSX:
            _xlsx(path, header, rows, title)
        else:
            _csv(path, header, rows, excel=dialect is Dialect.EXCEL)
    except OSError as exc:
        raise SheetProblem(f"Cannot write {path}: {exc.strerror}.") from None


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, excel: bool) -> None:
    encoding = "utf-8-sig" if excel else "utf-8"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";" if excel else ",", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([guarded(as_text(cell)) for cell in row] for row in rows)


def _xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str) -> None:
    from openpyxl import Workbook  # only when a workbook is written: a heavy import
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(name) for name in header]
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=index)
            if isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
                longest = 10
            else:
                cell.value = xlsx_escaped(guarded(value))
                cell.data_type = "s"  # a text, even "#N/A" or one that looks like a number
                longest = max((len(line) for line in value.splitlines()), default=0)
                if "\n" in value or longest > WIDEST:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[index - 1] = max(widths[index - 1], longest)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width, WIDEST) + 2
    book.save(path)
