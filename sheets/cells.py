"""The cells of a spreadsheet file, as ``sheets.read`` and ``sheets.write`` share them:
header names matched as clerks write them, column letters, dates in the forms Belgian
spreadsheets write, the escapes of the XLSX format, and a bad row's sentence.

A header cell names a column whatever its case, accents, surrounding spaces (non-breaking ones
too), and whether words are joined by spaces, hyphens or underscores: ``Mesures prévues``,
``mesures_prevues`` and `` MESURES PREVUES `` are one name (``header_key``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sheets.errors import SheetProblem

Cell = str | date  # a cell as read: text, or a real date cell of a workbook
Aliases = Mapping[str, Sequence[str]]  # canonical column -> the other names it may have

DAY_FORMS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z"), (0, 1, 2)),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z"), (2, 1, 0)),
    (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})\Z"), (2, 1, 0)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\Z"), (2, 1, 0)),
)
DAY_HINT = "YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY (such as 2027-06-30 or 30/06/2027)"
# ECMA-376 (ST_Xstring): a character XML cannot carry is written _xHHHH_, and a literal "_x"
# that would read as such an escape is written _x005F_x.
XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


class BadCell(SheetProblem):
    """One cell of a row cannot be read: the column and why, in one sentence."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be written: its spreadsheet row number (the header is row 1), why,
    and, where known, its column's letter and name as the file writes it."""

    row: int
    reason: str
    column: str = ""
    name: str = ""

    def sentence(self) -> str:
        """``row N, column X (name): reason``."""
        where = f"row {self.row}"
        if self.column:
            where += f", column {self.column}" + (f" ({self.name})" if self.name else "")
        return f"{where}: {self.reason}"


def header_key(text: str) -> str:
    """A header cell as a name to match: lower case, no accents, words joined by ``_``."""
    plain = unicodedata.normalize("NFKD", text.replace("\u00a0", " "))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return re.sub(r"[\s_-]+", "_", plain.strip().casefold()).strip("_")


def alias_table(aliases: Aliases) -> dict[str, str]:
    """Each name a column may have (as ``header_key`` reads it) -> its canonical name."""
    table: dict[str, str] = {}
    for column, names in aliases.items():
        for name in (column, *names):
            table[header_key(name)] = column
    return table


def letter(index: int) -> str:
    """The spreadsheet's letter of the column at ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def blank(cell: object) -> bool:
    """Whether a cell holds nothing but spaces."""
    return cell is None or (isinstance(cell, str) and not cell.replace("\u00a0", " ").strip())


def as_text(cell: Cell | None) -> str:
    """A cell as text: a date as YYYY-MM-DD, nothing as the empty text."""
    if cell is None:
        return ""
    return cell.isoformat() if isinstance(cell, date) else cell


def as_day(cell: Cell | None, column: str) -> date | None:
    """A date cell, or a text in one of the ``DAY_FORMS``; None when empty."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if blank(cell):
        return None
    assert cell is not None
    text = cell.strip()
    for form, order in DAY_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(match[1 + position]) for position in order)
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise BadCell(column, f"{text!r} is not a date: write it as {DAY_HINT}.")


def xlsx_escaped(text: str) -> str:
    """A text as a workbook cell holds it (``XLSX_ESCAPE``), so that it reads back whole."""
    text = XLSX_ESCAPE.sub(lambda match: "_x005F" + match[0], text)
    return XLSX_UNSAFE.sub(lambda match: f"_x{ord(match[0]):04X}_", text)


def xlsx_unescaped(text: str) -> str:
    """A workbook cell's text with its ``_xHHHH_`` escapes read."""
    return XLSX_ESCAPE.sub(lambda match: chr(int(match[1], 16)), text)
