"""One reader and one writer for every spreadsheet file (``sheets.read``,
``sheets.write``, ``sheets.cells``) and the formula guard they share with the board's
downloads (``projections.formula_guard``): the forms, the refusals, and a round trip of answers
through each form that gives back exactly what was written (issue 16).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cli.export_commands import write_answers_file
from domain.responses import AnswerTranslation, Responded
from projections.formula_guard import guarded, unguarded
from sheets.answer_file import read_answers
from sheets.cells import BadCell, as_day, header_key, letter, xlsx_escaped, xlsx_unescaped
from sheets.errors import SheetProblem
from sheets.read import read_sheet
from sheets.write import Dialect, dialect_of, write_sheet
from tests.features.cycle import (
    Template,
    as_government,
    copy_of,
    entries,
    long_justification,
    ok,
)
from tests.features.forked import assembly

ALIASES = {"name": ("nom", "naam"), "day": ("jour",)}


def test_a_formula_is_quoted_and_a_quoted_formula_quoted_once_more() -> None:
    assert [guarded(text) for text in ("=1+1", "+3", "-2", "@SUM", "\tx", "\rx")] == [
        "'=1+1",
        "'+3",
        "'-2",
        "'@SUM",
        "'\tx",
        "'\rx",
    ]
    assert guarded("'=1") == "''=1"
    assert [guarded(text) for text in ("'hello", "a=b", "", "'")] == ["'hello", "a=b", "", "'"]


@pytest.mark.parametrize("text", ["=1", "'=1", "''-2", "'hello", "'", "x", "", "''", "@", "'@a"])
def test_unguarding_a_guarded_cell_gives_back_the_cell(text: str) -> None:
    assert unguarded(guarded(text)) == text


def test_a_cell_the_guard_did_not_write_is_read_as_it_is() -> None:
    assert [unguarded(text) for text in ("'hello", "'", "=1", "x'=")] == [
        "'hello",
        "'",
        "=1",
        "x'=",
    ]


def test_headers_match_whatever_their_case_accents_spaces_or_underscores() -> None:
    assert header_key("  Mesures\u00a0prévues ") == "mesures_prevues"
    assert header_key("GEPLANDE-MAATREGELEN") == "geplande_maatregelen"
    assert header_key("Renvoyé à") == "renvoye_a"
    assert header_key("decision_date") == header_key("Decision Date")


def test_column_letters_are_the_spreadsheets() -> None:
    assert [letter(index) for index in (0, 8, 25, 26, 27, 701, 702)] == [
        "A",
        "I",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


@pytest.mark.parametrize("text", ["2027-06-30", "30/06/2027", "30-06-2027", "30.06.2027"])
def test_a_day_is_read_in_each_form_belgian_spreadsheets_write(text: str) -> None:
    assert as_day(text, "date") == date(2027, 6, 30)


@pytest.mark.parametrize("text", ["31/06/2027", "06/30/2027", "2027/06/30", "tomorrow"])
def test_a_bad_day_says_which_forms_are_expected(text: str) -> None:
    with pytest.raises(BadCell, match="is not a date: write it as YYYY-MM-DD, DD/MM/YYYY, "):
        as_day(text, "date")


@pytest.mark.parametrize("text", ["_x000D_", "a\rb", "\x07", "_x005F_", "_x00e9_ x"])
def test_a_workbook_text_escaped_as_excel_escapes_it_reads_back_whole(text: str) -> None:
    assert xlsx_unescaped(xlsx_escaped(text)) == text


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_tab_separated_file_is_read_by_its_header(tmp_path: Path) -> None:
    path = write(tmp_path / "list.txt", b"Nom\tJour\r\nA\t30.06.2027\r\n")
    sheet = read_sheet(path, ALIASES)
    assert [(row.number, row.cells) for row in sheet.rows] == [
        (2, {"name": "A", "day": "30.06.2027"})
    ]


def test_rows_keep_the_spreadsheets_numbers_across_line_breaks_and_empty_rows(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "list.csv", b'name;day;;\r\n"one\nline;\ntwo";x;;\r\n;;;\r\nB;y;;\r\n')
    sheet = read_sheet(path, ALIASES)
    assert [(row.number, row.cells["name"]) for row in sheet.rows] == [
        (2, "one\nline;\ntwo"),
        (4, "B"),
    ]
    assert sheet.problems == []


def test_a_value_under_an_empty_header_is_a_bad_row_with_its_column(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", b"name,day,\nA,x,\nB,y,stray\n")
    sheet = read_sheet(path, ALIASES)
    assert [problem.sentence() for problem in sheet.problems] == [
        "row 3, column C: this cell is in a column without a header: name the column or empty it."
    ]


def test_an_unknown_header_is_named_with_its_column_letter(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", b"name,day,minister\nA,x,y\n")
    assert read_sheet(path, ALIASES).unknown == [("C", "minister")]


def test_two_headers_naming_one_column_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", b"name,naam\nA,B\n")
    with pytest.raises(SheetProblem, match="columns A and B both name name: keep one of them"):
        read_sheet(path, ALIASES)


def test_a_file_in_neither_utf8_nor_windows_1252_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", b"name\n\x81\xe9\n")
    with pytest.raises(SheetProblem, match="is neither UTF-8 nor Windows-1252 text"):
        read_sheet(path, ALIASES)


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04rest", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", b"name\x00\n"]
)
def test_a_binary_file_sent_as_csv_is_refused_with_one_sentence(
    tmp_path: Path, data: bytes
) -> None:
    path = write(tmp_path / "list.csv", data)
    with pytest.raises(SheetProblem) as refused:
        read_sheet(path, ALIASES)
    assert str(refused.value) == (
        f"{path} is not a CSV file: save it as CSV UTF-8 or send the .xlsx."
    )


def test_a_sheet_named_for_a_csv_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", b"name\nA\n")
    with pytest.raises(SheetProblem, match=r"--sheet is for an \.xlsx workbook, and .* as CSV\."):
        read_sheet(path, ALIASES, sheet="Feuil1")


def test_a_damaged_workbook_is_refused_with_one_sentence(tmp_path: Path) -> None:
    path = write(tmp_path / "list.xlsx", b"PK\x03\x04 not a workbook")
    with pytest.raises(SheetProblem, match=r"is not a readable \.xlsx workbook"):
        read_sheet(path, ALIASES)


def test_the_excel_csv_has_a_byte_order_mark_semicolons_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_sheet(path, ["name", "day"], [["Région", date(2027, 6, 30)]], dialect=Dialect.EXCEL)
    assert path.read_bytes() == "\ufeffname;day\r\nRégion;2027-06-30\r\n".encode()


def test_the_plain_csv_has_commas_and_no_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_sheet(path, ["name", "day"], [["=1", "x"]], dialect=Dialect.CSV)
    assert path.read_bytes() == b"name,day\r\n'=1,x\r\n"


def test_the_workbook_has_a_bold_frozen_header_and_no_formula(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    rows = [['=HYPERLINK("x")', date(2027, 6, 30)], ["#N/A", date(2027, 7, 1)]]
    write_sheet(path, ["name", "day"], rows, dialect=Dialect.XLSX, title="answers")
    sheet = load_workbook(path)["answers"]
    assert sheet["A1"].font.b and sheet["B1"].font.b
    assert sheet.freeze_panes == "A2"
    assert [cell.data_type for cell in sheet["A"][1:]] == ["s", "s"]
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["B2"].is_date
    assert 10 <= sheet.column_dimensions["A"].width <= 62


def test_the_extension_chooses_the_form_and_excel_is_for_csv_only(tmp_path: Path) -> None:
    assert dialect_of(Path("a.XLSX")) is Dialect.XLSX
    assert dialect_of(Path("a.csv"), excel=True) is Dialect.EXCEL
    assert dialect_of(Path("a.txt")) is Dialect.CSV
    with pytest.raises(SheetProblem, match="--excel is for a CSV file"):
        dialect_of(Path("a.xlsx"), excel=True)


# The round trip: texts as ministries write them, with accents, non-breaking spaces, line
# breaks, separators and quotes, and starting with what a spreadsheet would run.
STARTS = st.sampled_from(["", "=", "+", "-", "@", "'", "''=", "'-", "\t", "\r", " ", "_x000D_"])
BODY = st.text(alphabet="aé€œ\u2019 À\u00a0\n\r\t;,\"'=+-@_x0D", max_size=40)
TEXTS = st.builds(lambda start, body: start + body, STARTS, BODY)
# A translation whose cells are all blank is no translation (``row_translations``).
TRANSLATED = TEXTS.filter(str.strip)
ASSERT_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def an_answer(justification: str, measures: str, translated: str) -> Responded:
    return Responded(
        panel=1,
        number=2,
        review=1,
        position="rejected",
        portfolio="climate",
        justification=justification,
        planned_measures=measures,
        language="fr",
        translations={"nl": AnswerTranslation(justification=translated)},
        decision_date=date(2027, 6, 30),
    )


@pytest.mark.parametrize("name", ["answers.csv", "excel.csv", "answers.xlsx"])
@ASSERT_SETTINGS
@given(justification=TEXTS, measures=TEXTS, translated=TRANSLATED)
def test_answers_written_in_each_form_read_back_exactly(
    tmp_path: Path, name: str, justification: str, measures: str, translated: str
) -> None:
    answer = an_answer(justification, measures, translated)
    path = tmp_path / name
    write_answers_file(
        path, [(answer, date(2025, 6, 2))], dialect=dialect_of(path, excel=name == "excel.csv")
    )
    rows, problems = read_answers(path)
    assert problems == []
    assert [(row.row, row.answer, row.on) for row in rows] == [(2, answer, date(2025, 6, 2))]


# Through the command line, on one ledger for the module: answers with such texts recorded,
# then exported in each form and imported again, change nothing.
TRICKY = ("=SUM(A1)\n« Région » ; €", "'-deux\u00a0lignes\r\nfin", '@œuvre, "citée"')


@pytest.fixture(scope="module")
def answered(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_of(template.seated, tmp_path_factory.mktemp("sheets") / "assembly")
    answers = [
        an_answer(text + long_justification(), TRICKY[(index + 1) % 3], TRICKY[index - 1])
        for index, text in enumerate(TRICKY)
    ]
    answers = [a.model_copy(update={"number": n}) for n, a in enumerate(answers, start=1)]
    write_answers_file(
        folder / "tricky.xlsx", [(a, date(2025, 6, 2)) for a in answers], dialect=Dialect.XLSX
    )
    ok(as_government(folder, "respond", "--csv", "tricky.xlsx"))
    return folder


@pytest.mark.parametrize(
    "export", [("out.csv",), ("--csv", "out.csv"), ("out.csv", "--excel"), ("out.xlsx",)]
)
def test_an_export_in_each_form_imports_again_as_a_no_op(
    answered: Path, export: tuple[str, ...]
) -> None:
    before = entries(answered)
    ok(assembly("export", "answers", *export, cwd=answered))
    name = next(arg for arg in export if arg.startswith("out."))
    result = ok(as_government(answered, "respond", "--csv", name))
    assert "Wrote 0 answer(s); 3 row(s) unchanged." in result.stdout
    assert entries(answered) == before


def test_the_excel_export_opens_in_belgian_excel(answered: Path) -> None:
    ok(assembly("export", "answers", "excel.csv", "--excel", cwd=answered))
    data = (answered / "excel.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrecommendation;review;position;")
    assert b"\r\n1/1;1;rejected;climate;\"'=SUM(A1)\n" in data
