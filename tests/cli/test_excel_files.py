"""``assembly respond --csv`` reads the files ministries' spreadsheets write (issue 16): each
named fixture of ``tests/fixtures/excel/`` (written by ``make_csv.py`` and ``make_xlsx.py`` as
Belgian Excel saves them) imports by dry run and for real, and each recorded text is, character
for character, what the file held. Bad rows are named by spreadsheet row and column, all of
them, and nothing is written.

Each test works on its own copy of the small assembly of ``tests.features.cycle``:
recommendations 1/1 to 1/3 handed over to the government.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from openpyxl import load_workbook

from tests.features.cycle import answer, answers_csv, as_government, entries, last_events
from tests.runner import Result

FIXTURES = Path(__file__).parents[1] / "fixtures" / "excel"


class Fixture(NamedTuple):
    """How a fixture is read back by the test's own reader (and the sheet to import)."""

    encoding: str = "utf-8-sig"
    separator: str = ";"
    sheet: str | None = None


FILES = {
    "fr-be-csv-utf8-bom-semicolons.csv": Fixture(),
    "fr-be-windows-1252-semicolons.csv": Fixture(encoding="cp1252"),
    "nl-be-odd-headers-dot-dates-empty-cells.csv": Fixture(),
    "comma-line-breaks-in-cells.csv": Fixture(encoding="utf-8", separator=","),
    "fr-nl-date-cells-shared-strings.xlsx": Fixture(),
    "fr-nl-date-cells-shared-strings.xlsx#Antwoorden": Fixture(sheet="Antwoorden"),
}


def held(name: str, fixture: Fixture) -> dict[str, list[str]]:
    """What the file holds, read without the command's reader: each row by its first cell."""
    path = FIXTURES / name.split("#")[0]
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        sheet = book[fixture.sheet] if fixture.sheet else book.worksheets[0]
        rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.values]
    else:
        text = path.read_bytes().decode(fixture.encoding)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=fixture.separator))
    return {row[0].strip(): row for row in rows[1:] if row and row[0].strip()}


def imported(folder: Path, name: str, fixture: Fixture, *flags: str) -> Result:
    target = folder / name.split("#")[0]
    shutil.copyfile(FIXTURES / target.name, target)
    sheet = ("--sheet", fixture.sheet) if fixture.sheet else ()
    return as_government(folder, "respond", "--csv", target.name, *sheet, *flags)


def non_ascii(text: str) -> list[str]:
    return [char for char in text if ord(char) > 127]


@pytest.mark.parametrize(("name", "fixture"), list(FILES.items()), ids=list(FILES))
def test_a_file_as_excel_writes_it_imports_with_every_accent_intact(
    folder: Path, name: str, fixture: Fixture
) -> None:
    before = entries(folder)
    dry = imported(folder, name, fixture, "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "Dry run: all 3 rows are valid; 3 answer(s) would be written" in dry.stdout
    assert entries(folder) == before
    real = imported(folder, name, fixture)
    assert real.code == 0, real.stderr
    assert "Wrote 3 answer(s); 0 row(s) unchanged." in real.stdout
    assert ("read as Windows-1252" in real.stdout) == (fixture.encoding == "cp1252")
    accepted, rejected, studied = last_events(folder, 3)
    cells = held(name, fixture)
    assert rejected["justification"] == cells["1/2"][4]
    assert non_ascii(rejected["justification"]) == non_ascii(cells["1/2"][4]) != []
    assert accepted["planned_measures"] == cells["1/1"][5]
    assert studied["decision_date"] == "2027-06-30"


def test_the_windows_1252_file_keeps_the_characters_latin_1_lacks(folder: Path) -> None:
    fixture = FILES["fr-be-windows-1252-semicolons.csv"]
    assert imported(folder, "fr-be-windows-1252-semicolons.csv", fixture).code == 0
    justification = last_events(folder, 2)[0]["justification"]
    assert {"œ", "\u2019", "€", "é"} <= set(justification)


def test_a_record_spanning_several_lines_is_one_row_and_the_next_row_is_counted_after_it(
    folder: Path,
) -> None:
    path = folder / "answers.csv"
    shutil.copyfile(FIXTURES / "comma-line-breaks-in-cells.csv", path)
    path.write_text(path.read_text(encoding="utf-8") + "1/1,1,maybe,climate,,,,,\n", "utf-8")
    result = as_government(folder, "respond", "--csv", "answers.csv")
    assert result.code == 3, result
    assert "  row 5, column C (position): position 'maybe' is not allowed" in result.stderr


def test_five_thousand_bad_rows_are_all_listed_by_row_and_column_and_nothing_is_written(
    folder: Path,
) -> None:
    before = entries(folder)
    bad = [
        answer("1/1", portfolio="Climate Ministry")
        if number % 2
        else answer("1/3", "under_study", decision_date="2027-13-30")
        for number in range(5000)
    ]
    answers_csv(folder / "answers.csv", bad)
    result = as_government(folder, "respond", "--csv", "answers.csv")
    assert result.code == 3, result.stderr[:500]
    assert "5000 bad row(s), nothing was written" in result.stderr
    listed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  row ")]
    assert len(listed) == 5000
    assert listed[0].startswith("row 2, column G (decision_date): '2027-13-30' is not a date")
    assert listed[1].startswith("row 3, column D (portfolio): portfolio 'Climate Ministry'")
    assert listed[-1].startswith("row 5001, column D (portfolio): ")
    assert entries(folder) == before


BINARY = {
    "xlsx-renamed": b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 20,
    "old-xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20,
    "utf-16": "recommendation;review\r\n".encode("utf-16"),
}


@pytest.mark.parametrize("data", list(BINARY.values()), ids=list(BINARY))
def test_a_binary_or_zipped_file_sent_as_csv_is_refused_with_one_sentence(
    folder: Path, data: bytes
) -> None:
    before = entries(folder)
    (folder / "answers.csv").write_bytes(data)
    result = as_government(folder, "respond", "--csv", "answers.csv")
    assert result.code == 2, result
    assert result.stderr.strip() == (
        "error: answers.csv is not a CSV file: save it as CSV UTF-8 or send the .xlsx."
    )
    assert entries(folder) == before


def test_a_sheet_the_workbook_lacks_is_named_with_the_sheets_it_has(folder: Path) -> None:
    name = "fr-nl-date-cells-shared-strings.xlsx"
    result = imported(folder, name, Fixture(sheet="Feuil1"))
    assert result.code == 2, result
    assert f"{name} has no sheet 'Feuil1': its sheets are Réponses, Antwoorden." in result.stderr
