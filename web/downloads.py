"""The status board as open data: every view of ``/recommendations`` (its filters, its search
and its point in time) downloads as CSV and as an Excel workbook (XLSX) holding exactly the
board's rows, each value by its label in the page's language beside its code, so that a
spreadsheet can be read by a person and filtered by a machine.

A spreadsheet runs what looks like a formula: a cell starting with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) that a reader opens could compute or fetch something.
As the OWASP "CSV Injection" page advises, every such cell is written with a single quote in
front (``'=1+1``), in the CSV and in the workbook alike, by the rule the command line's files
follow too (``projections.formula_guard``); titles come from citizens and ministries, so
nothing from the data is trusted.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from io import BytesIO, StringIO
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ledger import Ledger
from projections.formula_guard import guarded as guarded_text
from web.asked import Asked, Problem
from web.bounds import point_asked
from web.context import Busy, opened
from web.i18n import choose, label, translations
from web.page_data import board_data
from web.pages import error_page

router = APIRouter()
EVERY_ROW = 1_000_000  # a download holds the whole view, not a page of it
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The columns: a heading (a message id of the catalogues) and how a board row fills it.
Cell = str | date
COLUMNS: tuple[tuple[str, Callable[[dict[str, Any], str], Cell]], ...] = (
    ("Reference", lambda item, lang: item["ref"]),
    ("Panel", lambda item, lang: str(item["rec"].panel)),
    ("Number", lambda item, lang: str(item["rec"].number)),
    ("Title", lambda item, lang: item["title"]),
    ("Portfolio", lambda item, lang: item["portfolio"]),
    ("Portfolio code", lambda item, lang: item["rec"].portfolio),
    ("Government position", lambda item, lang: label(lang, item["rec"].position)),
    ("Government position code", lambda item, lang: item["rec"].position),
    ("Implementation", lambda item, lang: label(lang, item["rec"].implementation)),
    ("Implementation code", lambda item, lang: item["rec"].implementation),
    ("Commission verdict", lambda item, lang: label(lang, item["rec"].verdict)),
    ("Commission verdict code", lambda item, lang: item["rec"].verdict),
    ("First answer due", lambda item, lang: item["due"].get(1, "")),
    ("Second answer due", lambda item, lang: item["due"].get(2, "")),
    ("Overdue", lambda item, lang: translations(lang).gettext("yes" if item["late"] else "no")),
)


@router.get("/recommendations.csv", include_in_schema=False)
def board_csv(request: Request) -> Response:
    """The board's view asked for (same query as ``/recommendations``) as CSV."""
    return download(request, "csv")


@router.get("/recommendations.xlsx", include_in_schema=False)
def board_xlsx(request: Request) -> Response:
    """The board's view asked for (same query as ``/recommendations``) as an XLSX workbook."""
    return download(request, "xlsx")


def download(request: Request, kind: str) -> Response:
    """Every row of the board view that ``request`` asks for, as ``kind``; the board's error
    page when the query is one the board refuses."""
    lang = choose(request.query_params.get("lang"), request.headers.get("accept-language"))
    query = {name: value for name, value in request.query_params.items() if name != "after"}
    asked = Asked(lang, "/recommendations", query)
    try:
        asked = point_asked(asked)
        settings = request.app.state.settings
        with opened(settings, past=asked.travelling, brief=False) as book:  # every row
            cells = table(book, asked, base=request.app.state.settings.public_url)
    except Problem as problem:
        return error_page(asked, problem)
    except Busy:
        return error_page(asked, Problem(503, Busy.SENTENCE))
    body, media_type = (as_csv(cells), CSV_TYPE) if kind == "csv" else (as_xlsx(cells), XLSX_TYPE)
    name = f"recommendations-{lang}.{kind}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=disposition)


def table(book: Ledger, asked: Asked, *, base: str) -> list[list[Cell]]:
    """The headings (in the page's language) and one row per recommendation on the board,
    ending with the address of its page on the server whose public URL is ``base``."""
    rows = board_data(book, asked, limit=EVERY_ROW)["rows"]
    gettext = translations(asked.lang).gettext
    headings: list[Cell] = [*(gettext(heading) for heading, _ in COLUMNS), gettext("Web page")]
    return [
        headings,
        *(
            [*(fill(item, asked.lang) for _, fill in COLUMNS), page(item, asked, base)]
            for item in rows
        ),
    ]


def page(item: dict[str, Any], asked: Asked, base: str) -> str:
    """The address of a row's recommendation page, in the language and at the point asked."""
    rec = item["rec"]
    return base + asked.link(f"/recommendations/{rec.panel}/{rec.number}")


def guarded(cell: Cell) -> Cell:
    """A text cell that a spreadsheet would read as a formula, with a quote in front (OWASP)."""
    return guarded_text(cell) if isinstance(cell, str) else cell


def _printable(cell: Cell) -> Cell:
    """A text cell without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", cell) if isinstance(cell, str) else cell


def as_csv(cells: Iterable[Sequence[Cell]]) -> bytes:
    """The table as CSV (RFC 4180: CRLF line ends, quoted where needed), UTF-8 with a byte
    order mark so that spreadsheets do not read accents as another encoding."""
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in cells:
        writer.writerow([_text(guarded(cell)) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(cells: Iterable[Sequence[Cell]]) -> bytes:
    """The table as a one-sheet workbook, dates as dates and the first row as bold headings
    that stay in view. Written row by row (openpyxl's write-only mode), so that a board of
    many thousand rows costs little memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("recommendations")
    sheet.freeze_panes = "A2"
    for number, row in enumerate(cells):
        values = [_printable(guarded(cell)) for cell in row]
        sheet.append(values if number else [_bold(sheet, value) for value in values])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(sheet: Any, value: Cell) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _text(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, date) else cell
