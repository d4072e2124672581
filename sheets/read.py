"""Read a spreadsheet file into rows, as spreadsheet programs write it.

- ``.xlsx``: the named sheet (else the first), date cells as dates, whole numbers as their
  integer text (``3``, not ``3.0``), texts with the format's ``_xHHHH_`` escapes read.
- Anything else is CSV: UTF-8 with or without a byte order mark, else Windows-1252 (what Excel
  writes for "CSV (separator: semicolon)" in Belgium; ``Sheet.note`` then says so); comma,
  semicolon or tab between cells, whichever the header line uses most; CRLF or LF line ends;
  quoted cells may hold line breaks and separators. A binary file (NUL bytes, a zip such as an
  .xlsx, or an old .xls) sent as CSV is refused with one sentence.

The first row is the header; its cells name the columns as ``sheets.cells.header_key``
matches them against the caller's names. Columns whose header and cells are all empty, and
rows whose cells are all empty, are skipped wherever they are. Every row keeps the
spreadsheet's own row number (the header is row 1; a record whose quoted cell spans several
CSV lines is one row), and every cell the formula guard quoted (``projections.formula_guard``)
is read back unquoted.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from projections.formula_guard import unguarded
from sheets.cells import (
    Aliases,
    BadRow,
    Cell,
    alias_table,
    blank,
    header_key,
    letter,
    xlsx_unescaped,
)
from sheets.errors import SheetProblem

BINARY_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip (.xlsx), OLE (.xls)
SEPARATORS = (",", ";", "\t")
Raw = Sequence[object]  # one row as the file gives it


@dataclass(frozen=True)
class SheetRow:
    """One row: its spreadsheet row number and its cells by canonical column."""

    number: int
    cells: dict[str, Cell]


@dataclass
class Sheet:
    """What a file holds: its rows, the rows' cells that belong to no column, the columns it
    has (canonical name -> letter, and -> the header as written), the headers no name matches
    (letter, header), and a note on how it was read (its encoding, when not UTF-8)."""

    rows: list[SheetRow] = field(default_factory=list)
    problems: list[BadRow] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None

    def bad(self, row: int, column: str, reason: str) -> BadRow:
        """A bad row at ``column`` (canonical; empty when the row as a whole is bad)."""
        return BadRow(row, reason, self.letters.get(column, ""), self.headers.get(column, ""))


def read_sheet(
    path: Path,
    aliases: Aliases,
    *,
    sheet: str | None = None,
    other: Callable[[str], str | None] = lambda key: None,
) -> Sheet:
    """Read ``path`` (see the module's docstring). ``aliases`` names each column and its other
    names; ``other`` gives the canonical name of a header key no alias matches (such as a
    translation column), or None."""
    if path.suffix.lower() == ".xlsx":
        raw, note = _xlsx_rows(path, sheet), None
    elif sheet is not None:
        raise SheetProblem(f"--sheet is for an .xlsx workbook, and {path} is read as CSV.")
    else:
        raw, note = _csv_rows(path)
    found = _sheet(path, raw, alias_table(aliases), other)
    found.note = note
    return found


def _sheet(
    path: Path,
    raw: Iterable[tuple[int, Raw]],
    table: dict[str, str],
    other: Callable[[str], str | None],
) -> Sheet:
    rows = iter(raw)
    found = Sheet()
    header = next(rows, None)
    if header is None or all(blank(cell) for cell in header[1]):
        raise SheetProblem(f"{path} has no header: its first row must name the columns.")
    columns: list[str | None] = []
    for index, cell in enumerate(header[1]):
        written = "" if cell is None else str(cell).replace("\u00a0", " ").strip()
        key = header_key(written)
        name = (table.get(key) or other(key)) if key else None
        if key and name is None:
            found.unknown.append((letter(index), written))
        if name is not None:
            if name in found.letters:
                raise SheetProblem(
                    f"{path}: columns {found.letters[name]} and {letter(index)} both name "
                    f"{name}: keep one of them."
                )
            found.letters[name] = letter(index)
            found.headers[name] = written
        columns.append(name)
    for number, cells in rows:
        if all(blank(cell) for cell in cells):
            continue
        values: dict[str, Cell] = {}
        for index, cell in enumerate(cells):
            name = columns[index] if index < len(columns) else None
            if name is not None:
                values[name] = unguarded(cell) if isinstance(cell, str) else _cell(cell)
            elif not blank(cell) and (index >= len(header[1]) or blank(header[1][index])):
                found.problems.append(
                    BadRow(
                        number,
                        "this cell is in a column without a header: name the column or empty it.",
                        letter(index),
                    )
                )
        found.rows.append(SheetRow(number, values))
    return found


def _cell(value: object) -> Cell:
    """A workbook cell's value as text or a date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else str(value)


def _csv_rows(path: Path) -> tuple[list[tuple[int, Raw]], str | None]:
    """The records of a CSV file, numbered as a spreadsheet numbers its rows."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetProblem(f"Cannot read {path}: {exc.strerror}.") from None
    if b"\x00" in data or data.startswith(BINARY_STARTS):
        raise SheetProblem(f"{path} is not a CSV file: save it as CSV UTF-8 or send the .xlsx.")
    text, note = _decoded(path, data)
    first = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=lambda sep: _outside_quotes(first, sep))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
        return list(enumerate(reader, start=1)), note
    except csv.Error as exc:
        raise SheetProblem(f"{path} is not a readable CSV file: {exc}.") from None


def _decoded(path: Path, data: bytes) -> tuple[str, str | None]:
    """The file's text: UTF-8 (a byte order mark dropped), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "read as Windows-1252"
    except UnicodeDecodeError:
        raise SheetProblem(
            f"{path} is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8."
        ) from None


def _outside_quotes(line: str, separator: str) -> int:
    """How many times ``separator`` separates cells in one line (not inside quotes)."""
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            count += 1
    return count


def _xlsx_rows(path: Path, sheet: str | None) -> list[tuple[int, Raw]]:
    """The rows of one sheet of a workbook, numbered as the workbook numbers them."""
    from openpyxl import load_workbook  # only when a workbook is read: a heavy import
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise SheetProblem(f"Cannot read {path}: {exc.strerror}.") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise SheetProblem(
            f"{path} is not a readable .xlsx workbook: save it again from the spreadsheet."
        ) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SheetProblem(
                f"{path} has no sheet {sheet!r}: its sheets are {', '.join(book.sheetnames)}."
            )
        chosen = book[sheet] if sheet is not None else book.worksheets[0]
        return [
            (number, [xlsx_unescaped(cell) if isinstance(cell, str) else cell for cell in row])
            for number, row in enumerate(chosen.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
