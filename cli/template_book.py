"""Write a template (``cli.template_kinds.Template``) as an .xlsx workbook a clerk fills in.

The workbook's sheets, in order:

1. the rows to fill, named after the kind (``answers``): the first sheet, so that the import
   reads it without ``--sheet``; its header in English, the cells the ledger already knows
   shaded, each row's recommendation carrying its title as a note; the allowed values of a
   column as a drop-down list (a ``list`` data validation, written inline when short, else
   referring to the hidden ``lists`` sheet), and each column's rule shown when one of its cells
   is selected (the validation's input message), on the prefilled rows and ``SPARE`` more;
2. ``titles``: the recommendations the rows are about, to read (reference, title, due dates);
3. ``rules``: each column, its allowed values and its rule;
4. ``instructions``: how to fill, save and import, in French, Dutch and English;
5. ``lists``, hidden: the long lists of allowed values.

Nothing outside the first sheet is read back by the import, and the first sheet holds only
columns the import knows: notes, validations and shading are not values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from cli.errors import UsageProblem
from cli.template_kinds import Template

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is written: a heavy import
    from openpyxl.worksheet.worksheet import Worksheet

SPARE = 100  # rows below the prefilled ones that keep the drop-downs, for rows added by hand
INLINE = 200  # characters: a longer list of values goes to the hidden sheet (Excel's limit: 255)
PROMPT = 255  # characters Excel shows of an input message
WIDEST = 60
KNOWN = "DDDDDD"  # the shade of the cells the ledger already knows
LISTS = "lists"


def write_template(path: Path, template: Template) -> None:
    """Write ``template`` to ``path`` (see the module's docstring)."""
    from openpyxl import Workbook

    book = Workbook()
    rows = book.active
    assert rows is not None
    rows.title = template.kind
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    _rows_sheet(rows, lists, template)
    _table(book.create_sheet("titles", 1), template.titles_header, template.titles)
    _table(book.create_sheet("rules", 2), ("column", "allowed values", "rule"), template.rules)
    _instructions(book.create_sheet("instructions", 3), template.instructions)
    try:
        book.save(path)
    except OSError as exc:
        raise UsageProblem(f"Cannot write {path}: {exc.strerror}.") from None


def _rows_sheet(sheet: Worksheet, lists: Worksheet, template: Template) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    shade = PatternFill("solid", start_color=KNOWN, end_color=KNOWN)
    sheet.append(list(template.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for number, (row, note) in enumerate(zip(template.rows, template.notes, strict=True), 2):
        for index, column in enumerate(template.columns, start=1):
            cell = sheet.cell(row=number, column=index)
            value = row.get(column)
            if value is not None:
                cell.value = value
                cell.fill = shade
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            elif column in template.texts:
                cell.number_format = "@"  # typed "1/2" stays a text, never a date
        if note:
            sheet.cell(row=number, column=1).comment = Comment(note, "assembly", 80, 320)
    last = len(template.rows) + 1 + SPARE
    for index, column in enumerate(template.columns, start=1):
        _validate(sheet, lists, template, index, column, last)
    _widths(sheet, template)


def _validate(
    sheet: Worksheet, lists: Worksheet, template: Template, index: int, column: str, last: int
) -> None:
    """The column's drop-down list, if it has one, and its rule as an input message."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(index)
    values = template.choices.get(column)
    prompt = template.prompts.get(column, "")
    if not values and not prompt:
        return
    if values:
        validation = DataValidation(
            type="list",
            formula1=_list_formula(lists, column, values),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column[:32],
            error=f"Choose one of the list ({', '.join(values)})"[:PROMPT],
        )
    else:
        validation = DataValidation(allow_blank=True)  # any value: the message alone
    if prompt:
        validation.showInputMessage = True
        validation.promptTitle = column[:32]
        validation.prompt = prompt[:PROMPT]
    validation.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(validation)


def _list_formula(lists: Worksheet, column: str, values: Sequence[str]) -> str:
    """The list inline (``"a,b"``) when it is short and has no comma, else a range of the
    hidden sheet holding it in a column of its own."""
    from openpyxl.utils import get_column_letter

    inline = ",".join(values)
    if len(inline) <= INLINE and not any("," in value or '"' in value for value in values):
        return f'"{inline}"'
    index = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1
    lists.cell(row=1, column=index, value=column)
    for number, value in enumerate(values, start=2):
        lists.cell(row=number, column=index, value=value).data_type = "s"
    letter = get_column_letter(index)
    return f"{LISTS}!${letter}$2:${letter}${len(values) + 1}"


def _widths(sheet: Worksheet, template: Template) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(template.columns, start=1):
        longest = max(
            [len(column), *(len(str(row.get(column, ""))) for row in template.rows)], default=0
        )
        if column in template.texts:
            longest = max(longest, 30)
        sheet.column_dimensions[get_column_letter(index)].width = min(longest, WIDEST) + 2


def _table(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A sheet to read: a bold, frozen header, texts wrapped in columns of a sensible width."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index in range(1, len(header) + 1):
        letter = get_column_letter(index)
        longest = max(len(str(cell.value or "")) for cell in sheet[letter])
        sheet.column_dimensions[letter].width = min(longest, WIDEST) + 2
        for cell in sheet[letter]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _instructions(sheet: Worksheet, blocks: Sequence[tuple[str, Sequence[str]]]) -> None:
    """One block per language: its heading in bold, then one line per row."""
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 110
    for heading, lines in blocks:
        sheet.append([heading])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        for line in lines:
            sheet.append([line])
            sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
        sheet.append([])
