"""``assembly template answers``: a workbook that opens with openpyxl, holds a row per review
still awaiting an answer, offers the allowed values as drop-down lists, writes the charter's
rules and instructions in three languages, and imports once filled (issue 16, part 4).

Each test works on its own copy of the small assembly (``tests.features.cycle``): 1/1 to 1/3
handed over, 1/4 adopted only, a charter of two reviews asking refusals for 200 characters.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from cli.template_book import SPARE, write_template
from cli.template_kinds import Template
from cli.template_rules import answer_rules, implementation_rules
from domain.charter import Chartered
from sheets.answer_file import EXPORT_COLUMNS
from tests.features.cycle import (
    COMMISSION,
    SECRETARIAT,
    answer,
    answers_csv,
    as_government,
    last_events,
    long_justification,
    ok,
    one_sentence,
)
from tests.features.forked import assembly

POSITIONS = (
    "accepted,accepted_in_part,already_in_place,under_study,not_competent,rejected,postponed"
)


def template(folder: Path, *flags: str, name: str = "answers.xlsx", kind: str = "answers") -> Path:
    """Write panel 1's template of ``kind`` in ``folder``; its path."""
    ok(assembly("template", kind, "--panel", "1", name, *flags, cwd=folder))
    return folder / name


def sheet_rows(sheet: Worksheet) -> list[tuple[Any, ...]]:
    """The values of a sheet's rows below its header, empty rows left out."""
    return [
        row
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if any(cell is not None for cell in row)
    ]


def validations(sheet: Worksheet) -> dict[str, tuple[str | None, str]]:
    """Each validated column's header -> (its list formula, the range it covers)."""
    header = [cell.value for cell in sheet[1]]
    found = {}
    for validation in sheet.data_validations.dataValidation:
        where = str(validation.sqref)
        column = header[sheet[where.split(":")[0]].column - 1]
        found[column] = (validation.formula1, where)
    return found


def test_the_template_opens_with_the_rows_to_fill_first_and_its_reading_sheets_after(
    folder: Path,
) -> None:
    book = load_workbook(template(folder))
    assert book.sheetnames == ["answers", "titles", "rules", "instructions", "lists"]
    assert book["lists"].sheet_state == "hidden"
    assert [cell.value for cell in book["answers"][1]] == list(EXPORT_COLUMNS)
    assert book["answers"].freeze_panes == "A2"


def test_its_rows_are_exactly_the_reviews_of_handed_over_recommendations_with_no_answer(
    folder: Path,
) -> None:
    answers_csv(folder / "first.csv", [answer("1/1", planned_measures="A fund.")])
    ok(as_government(folder, "respond", "--csv", "first.csv"))
    rows = sheet_rows(load_workbook(template(folder))["answers"])
    assert [(row[0], row[1], row[3]) for row in rows] == [
        ("1/2", 1, "climate"),
        ("1/3", 1, "climate"),
        ("1/1", 2, "climate"),
        ("1/2", 2, "climate"),
        ("1/3", 2, "climate"),
    ]
    assert all(cell is None for row in rows for cell in row[2:3] + row[4:])


def test_review_keeps_the_rows_of_that_review_alone(folder: Path) -> None:
    rows = sheet_rows(load_workbook(template(folder, "--review", "2"))["answers"])
    assert [(row[0], row[1]) for row in rows] == [("1/1", 2), ("1/2", 2), ("1/3", 2)]


def test_the_allowed_values_are_drop_down_lists_over_the_rows_and_spare_ones(
    folder: Path,
) -> None:
    sheet = load_workbook(template(folder))["answers"]
    last = 1 + 6 + SPARE
    found = validations(sheet)
    assert found["position"] == (f'"{POSITIONS}"', f"C2:C{last}")
    assert found["review"] == ('"1,2"', f"B2:B{last}")
    assert found["portfolio"] == ('"climate"', f"D2:D{last}")
    assert found["language"] == ('"fr,nl"', f"L2:L{last}")
    position = next(
        v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith("C")
    )
    assert position.showInputMessage
    assert "rejected a justification of 200+ characters" in position.prompt


def test_a_long_list_of_values_is_read_from_the_hidden_sheet(tmp_path: Path) -> None:
    portfolios = tuple(f"portfolio-{n:03d}" for n in range(40))
    write_template(
        tmp_path / "long.xlsx",
        Template(
            kind="answers",
            columns=("recommendation", "portfolio"),
            rows=[{"recommendation": "1/1"}],
            notes=["1/1: Recommandation 1"],
            choices={"portfolio": portfolios},
            prompts={},
            rules=[],
            titles_header=("recommendation",),
            titles=[("1/1",)],
            instructions=[("English", ["Fill it in."])],
        ),
    )
    book = load_workbook(tmp_path / "long.xlsx")
    assert validations(book["answers"])["portfolio"] == ("lists!$A$2:$A$41", f"B2:B{2 + SPARE}")
    assert [cell.value for cell in book["lists"]["A"]] == ["portfolio", *portfolios]


def test_the_rules_sheet_says_what_each_position_needs_as_the_charter_sets_it(
    folder: Path,
) -> None:
    found = sheet_rows(load_workbook(template(folder))["rules"])
    rules = {row[0]: row[2] for row in found}
    assert rules["position: rejected"] == "needs a justification of at least 200 characters."
    assert rules["position: accepted_in_part"] == (
        "needs a justification of at least 200 characters."
    )
    assert rules["position: under_study"].startswith("needs a decision_date")
    assert rules["position: not_competent"].startswith("needs referred_to")
    assert rules["position: already_in_place"].startswith("needs an evidence_digest")
    assert rules["position: accepted"] == "needs nothing more."
    allowed = {row[0]: row[1] for row in found}
    assert allowed["decision_date"].startswith("YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY")


def test_the_instructions_sheet_holds_french_dutch_and_english(folder: Path) -> None:
    lines = [row[0] for row in load_workbook(template(folder))["instructions"].values if row[0]]
    headings = [line for line in lines if " — " in line]
    assert [heading.split(" — ")[0] for heading in headings] == [
        "Français",
        "Nederlands",
        "English",
    ]
    text = "\n".join(lines)
    assert "Enregistrez au format .xlsx" in text
    assert "Sla op als .xlsx" in text
    assert "Save as .xlsx" in text
    assert "assembly import answers FILE.xlsx --key government.key --dry-run" in text


@pytest.mark.parametrize(("lang", "title"), [("fr", "Recommandation 2"), ("nl", "Aanbeveling 2")])
def test_titles_are_shown_in_the_language_asked_for(folder: Path, lang: str, title: str) -> None:
    book = load_workbook(template(folder, "--lang", lang))
    assert book["answers"]["A3"].comment.text == f"1/2: {title}"
    assert sheet_rows(book["titles"])[1][:3] == ("1/2", None, title)


def test_a_template_is_only_written_as_a_workbook(folder: Path) -> None:
    result = assembly("template", "answers", "--panel", "1", "answers.csv", cwd=folder)
    one_sentence(result, 2, "A template is an .xlsx workbook: name the file answers.xlsx.")
    assert not (folder / "answers.csv").exists()


def test_a_filled_template_imports_and_the_ledger_then_holds_its_answers(folder: Path) -> None:
    path = template(folder)
    book = load_workbook(path)
    sheet = book["answers"]
    sheet.delete_rows(5, 3)  # the second review's rows: not answered now
    fills = {
        2: {"C": "accepted", "F": "Un fonds de rénovation dès 2026.", "L": "fr"},
        3: {"C": "rejected", "E": long_justification()},
        4: {"C": "under_study", "G": date(2027, 6, 30)},
    }
    for row, cells in fills.items():
        for column, value in cells.items():
            sheet[f"{column}{row}"] = value
    book.save(path)
    ok(as_government(folder, "respond", "--csv", "answers.xlsx", "--dry-run"))
    result = ok(as_government(folder, "respond", "--csv", "answers.xlsx"))
    assert "Wrote 3 answer(s); 0 row(s) unchanged." in result.stdout
    recorded = last_events(folder, 3)
    assert [(e["panel"], e["number"], e["review"], e["position"]) for e in recorded] == [
        (1, 1, 1, "accepted"),
        (1, 2, 1, "rejected"),
        (1, 3, 1, "under_study"),
    ]
    assert recorded[0]["planned_measures"] == "Un fonds de rénovation dès 2026."
    assert recorded[2]["decision_date"] == "2027-06-30"
    again = sheet_rows(load_workbook(template(folder, name="again.xlsx"))["answers"])
    assert [(row[0], row[1]) for row in again] == [("1/1", 2), ("1/2", 2), ("1/3", 2)]


def answered(folder: Path) -> None:
    """1/1 accepted, 1/2 accepted in part and 1/3 under study, at the first review."""
    rows = [
        answer("1/1"),
        answer("1/2", "accepted_in_part", justification=long_justification()),
        answer("1/3", "under_study", decision_date="2027-06-30"),
    ]
    answers_csv(folder / "first.csv", rows)
    ok(as_government(folder, "respond", "--csv", "first.csv"))


def fill(path: Path, cells: dict[str, Any]) -> None:
    """Write ``cells`` (``"C2": value``) in the first sheet of the workbook at ``path``."""
    book = load_workbook(path)
    for where, value in cells.items():
        book.worksheets[0][where] = value
    book.save(path)


def test_the_implementation_template_holds_the_recommendations_taken_on(folder: Path) -> None:
    answered(folder)
    path = template(folder, name="implementation.xlsx", kind="implementation")
    sheet = load_workbook(path)["implementation"]
    assert [cell.value for cell in sheet[1]] == [
        "recommendation",
        "status",
        "progress",
        "milestone",
        "justification",
        "evidence_digest",
        "date",
    ]
    assert [row[0] for row in sheet_rows(sheet)] == ["1/1", "1/2"]
    statuses = "not_started,in_progress,stalled,completed,completed_modified,abandoned"
    assert validations(sheet)["status"] == (f'"{statuses}"', f"B2:B{3 + SPARE}")
    rules = {row[0]: row[2] for row in sheet_rows(load_workbook(path)["rules"])}
    assert rules["status: abandoned"] == "needs a justification of at least 200 characters."
    fill(path, {"B2": "in_progress", "C2": 40, "B3": "stalled", "D3": "Budget vote."})
    ok(as_government(folder, "import", "implementation", "implementation.xlsx"))
    assert [(e["number"], e["status"], e["progress"]) for e in last_events(folder, 2)] == [
        (1, "in_progress", 40),
        (2, "stalled", None),
    ]


def test_the_verdicts_template_holds_the_recommendations_answered_and_not_assessed(
    folder: Path,
) -> None:
    answered(folder)
    path = template(folder, name="verdicts.xlsx", kind="verdicts")
    sheet = load_workbook(path)["verdicts"]
    assert [row[0] for row in sheet_rows(sheet)] == ["1/1", "1/2", "1/3"]
    found = validations(sheet)
    assert found["verdict"][0] == '"agrees,disputes,insufficient_information"'
    assert found["language"][0] == '"fr,nl"'
    fill(path, {"B2": "agrees", "B3": "disputes", "C3": "Trop peu, trop tard.", "F3": "fr"})
    book = load_workbook(path)
    book["verdicts"].delete_rows(4)
    book.save(path)
    assembly_import = ("import", "verdicts", "verdicts.xlsx", "--key", COMMISSION)
    ok(assembly(*assembly_import, cwd=folder))
    assert [(e["number"], e["verdict"]) for e in last_events(folder, 2)] == [
        (1, "agrees"),
        (2, "disputes"),
    ]
    again = sheet_rows(load_workbook(template(folder, name="v2.xlsx", kind="verdicts"))["verdicts"])
    assert [row[0] for row in again] == ["1/3"]


def test_the_recommendations_template_holds_the_adoptions_not_handed_over_as_signed(
    folder: Path,
) -> None:
    path = template(folder, name="recommendations.xlsx", kind="recommendations")
    sheet = load_workbook(path)["recommendations"]
    header = [cell.value for cell in sheet[1]]
    (row,) = sheet_rows(sheet)
    cells = dict(zip(header, row, strict=True))
    assert {name: cells[name] for name in ("panel", "number", "portfolio", "vote")} == {
        "panel": 1,
        "number": 4,
        "portfolio": "climate",
        "vote": "V-1",
    }
    assert (cells["text_fr"], cells["text_nl"], cells["title_nl"]) == (
        "Texte 4",
        "Tekst 4",
        "Aanbeveling 4",
    )
    assert cells["handed_over"] is None
    assert validations(sheet)["priority"][0] == '"high,medium,low"'
    as_secretariat_import = ("import", "recommendations", "recommendations.xlsx")
    unchanged = ok(assembly(*as_secretariat_import, "--key", SECRETARIAT, cwd=folder))
    assert "unchanged" in unchanged.stdout
    before = len(last_events(folder, 1000))
    fill(path, {f"{chr(ord('A') + header.index('handed_over'))}2": date(2025, 5, 2)})
    ok(assembly(*as_secretariat_import, "--key", SECRETARIAT, cwd=folder))
    (handed,) = last_events(folder, 1)
    assert (handed["type"], handed["number"], handed["on"]) == (
        "assembly.recommendation.handed_over",
        4,
        "2025-05-02",
    )
    assert len(last_events(folder, 1000)) == before + 1
    empty = load_workbook(template(folder, name="r2.xlsx", kind="recommendations"))
    assert sheet_rows(empty["recommendations"]) == []
    assert [cell.value for cell in empty["recommendations"][1]] == header


def test_the_rules_follow_the_charter_s_own_table_of_justifications() -> None:
    charter = Chartered(
        name="Test Assembly",
        region="Brussels-Capital",
        languages=("fr", "nl"),
        justifications={"rejected": 500, "not_competent": 50, "abandoned": 300},
    )
    rules = {column: rule for column, _, rule in answer_rules(charter)[0]}
    assert rules["position: rejected"] == "needs a justification of at least 500 characters."
    assert rules["position: accepted_in_part"] == "needs nothing more."
    assert rules["position: not_competent"] == (
        "needs a justification of at least 50 characters and referred_to (whom the "
        "recommendation was referred to)."
    )
    reports = {column: rule for column, _, rule in implementation_rules(charter)[0]}
    assert reports["status: abandoned"] == "needs a justification of at least 300 characters."
    assert reports["status: completed_modified"] == "needs nothing more."


def test_the_titles_sheet_gives_each_review_s_due_day_as_a_date(folder: Path) -> None:
    sheet = load_workbook(template(folder))["titles"]
    assert [cell.value for cell in sheet[1]][4:] == ["review", "due", "state"]
    assert sheet["F2"].value.date() == date(2025, 8, 1)  # handed over 2025-05-01, plus 3 months
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["G2"].value == "overdue"


def test_a_filled_template_saved_as_csv_for_excel_imports_too(folder: Path) -> None:
    book = load_workbook(template(folder))
    sheet = book["answers"]
    sheet["C2"] = "accepted"
    rows = [
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(max_row=2, values_only=True)
    ]
    with (folder / "answers.csv").open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    result = ok(as_government(folder, "import", "answers", "answers.csv"))
    assert "Wrote 1 answer(s); 0 row(s) unchanged." in result.stdout
    (recorded,) = last_events(folder, 1)
    assert (recorded["number"], recorded["review"], recorded["position"]) == (1, 1, "accepted")


def test_a_review_the_charter_does_not_set_is_refused_in_one_sentence(folder: Path) -> None:
    result = assembly("template", "answers", "--panel", "1", "a.xlsx", "--review", "3", cwd=folder)
    one_sentence(
        result,
        2,
        "--review 3: the charter sets 2 review appointment(s), so give a review from 1 to 2.",
    )
    assert not (folder / "a.xlsx").exists()
