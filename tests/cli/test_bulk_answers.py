"""``assembly respond --csv``: every bad row is reported with its spreadsheet row number (the
header is row 1), its column where one cell is wrong, and the reason, and the file is written
all or nothing (docs/design.md 7).

Each test works on its own copy of a small assembly (``tests.features.cycle``): recommendations
1/1 to 1/3 handed over to the government, 1/4 adopted but not handed over, and a charter that
asks refusals for a justification of at least 200 characters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.cycle import (
    SECRETARIAT,
    answer,
    answers_csv,
    as_government,
    entries,
    last_events,
    long_justification,
    one_sentence,
)
from tests.features.forked import assembly
from tests.runner import Result


def good_rows() -> list[dict[str, str]]:
    return [
        answer("1/1", planned_measures="A renovation fund from 2026."),
        answer("1/2", "rejected", justification=long_justification()),
        answer("1/3", "under_study", decision_date="2025-12-31"),
    ]


def import_file(folder: Path, rows: list[dict[str, str]], *flags: str) -> Result:
    answers_csv(folder / "answers.csv", rows)
    return as_government(folder, "respond", "--csv", "answers.csv", *flags)


def listed(result: Result) -> list[str]:
    """The bad rows a refused import lists, in order."""
    return [row.strip() for row in result.stderr.splitlines() if row.startswith("  row ")]


BAD_ROWS = {
    "malformed-reference": (
        answer("one/2"),
        "column A (recommendation): 'one/2' is not a recommendation reference such as 1/12 "
        "(panel/number) or SD-E2 (the "
        "assembly's own reference).",
    ),
    "unknown-position": (
        answer("1/2", "maybe"),
        "column C (position): position 'maybe' is not allowed: it must be one of 'accepted', "
        "'accepted_in_part', "
        "'already_in_place', 'under_study', 'not_competent', 'rejected' or 'postponed'",
    ),
    "rejected-without-justification": (
        answer("1/2", "rejected"),
        "1/2: A response 'rejected' needs a justification of at least 200 characters "
        "(this one has 0): explain the choice in detail.",
    ),
    "accepted-in-part-with-a-short-justification": (
        answer("1/2", "accepted_in_part", justification="Only the first half."),
        "1/2: A response 'accepted_in_part' needs a justification of at least 200 characters "
        "(this one has 20)",
    ),
    "under-study-without-a-date": (
        answer("1/2", "under_study"),
        "1/2: A response 'under_study' needs the date by which a decision will be taken "
        "(decision_date).",
    ),
    "unknown-recommendation": (answer("1/9"), "1/9: Panel 1 has no recommendation 9."),
    "not-handed-over": (
        answer("1/4"),
        "1/4: Recommendation 1/4 has not been handed over to the government, so it cannot be "
        "answered yet.",
    ),
    "third-review": (
        answer("1/2", review="3"),
        "1/2: The charter sets 2 review appointment(s), so review 3 of recommendation 1/2 does "
        "not exist: give a review from 1 to 2.",
    ),
    "bad-decision-date": (
        answer("1/2", "under_study", decision_date="31/13/2025"),
        "column G (decision_date): '31/13/2025' is not a date: write it as YYYY-MM-DD, "
        "DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY (such as 2027-06-30 or 30/06/2027).",
    ),
    "bad-portfolio": (
        answer("1/2", portfolio="Climate Ministry"),
        "column D (portfolio): portfolio 'Climate Ministry' is not allowed: it must be a code of "
        "lowercase letters "
        "a-z, digits, '-' or '_', starting with a letter, such as transition-ecologique; give "
        "the name with accents as a label",
    ),
}


@pytest.mark.parametrize(("row", "reason"), list(BAD_ROWS.values()), ids=list(BAD_ROWS))
def test_a_bad_row_is_reported_by_row_column_and_reason_and_nothing_is_written(
    folder: Path, row: dict[str, str], reason: str
) -> None:
    before = entries(folder)
    rows = good_rows()
    rows[1] = row
    result = import_file(folder, rows)
    assert result.code == 3, result
    assert result.stderr.startswith(
        "refused: answers.csv: 1 bad row(s), nothing was written; fix them and import the whole "
        "file again:"
    ), result.stderr
    assert len(listed(result)) == 1, result.stderr
    where = "row 3, " if reason.startswith("column ") else "row 3: "
    assert listed(result)[0].startswith(where + reason), result.stderr
    assert entries(folder) == before


def test_every_bad_row_is_reported_in_row_order_even_in_a_dry_run(folder: Path) -> None:
    before = entries(folder)
    rows = [answer("1/1"), *(row for row, _ in BAD_ROWS.values()), answer("1/3", "accepted")]
    for flags in ((), ("--dry-run",)):
        result = import_file(folder, rows, *flags)
        assert result.code == 3, result
        assert f"{len(BAD_ROWS)} bad row(s), nothing was written" in result.stderr
        reported = listed(result)
        assert [line.split(",")[0].split(":")[0] for line in reported] == [
            f"row {n}" for n in range(3, 3 + len(BAD_ROWS))
        ], result.stderr
        for line, (_, reason) in zip(reported, BAD_ROWS.values(), strict=True):
            assert reason in line, result.stderr
    assert entries(folder) == before


def test_a_value_in_a_column_without_a_header_is_reported_by_row_and_column(
    folder: Path,
) -> None:
    (folder / "answers.csv").write_text(
        "recommendation,review,position,portfolio,justification,planned_measures,"
        "decision_date,referred_to,evidence_digest\n"
        "1/1,1,accepted,climate,,,,,\n"
        "1/2,1,accepted,climate,,,,,,surplus\n",
        encoding="utf-8",
    )
    result = as_government(folder, "respond", "--csv", "answers.csv")
    assert result.code == 3, result
    assert listed(result) == [
        "row 3, column J: this cell is in a column without a header: name the column or empty it."
    ]


def test_two_rows_answering_the_same_review_see_each_other(folder: Path) -> None:
    before = entries(folder)
    result = import_file(folder, [answer("1/1"), answer("1/2"), answer("1/1", "under_study")])
    assert result.code == 3, result
    assert len(listed(result)) == 1, result.stderr
    assert listed(result)[0].startswith(
        "row 4: 1/1: Recommendation 1/1 already has its answer for review 1"
    ), result.stderr
    assert entries(folder) == before


BAD_FILES = {
    "missing-column": (
        "recommendation,position,portfolio,justification,planned_measures,decision_date,"
        "referred_to,evidence_digest\n1/1,accepted,climate,,,,,\n",
        "the header must be recommendation,review,position,portfolio,justification,"
        "planned_measures,decision_date,referred_to,evidence_digest, and may add date, "
        "statement, language and translations such as justification_nl and "
        "planned_measures_nl; missing review.",
    ),
    "unknown-column": (
        "recommendation,review,position,portfolio,justification,planned_measures,"
        "decision_date,referred_to,evidence_digest,minister\n1/1,1,accepted,climate,,,,,,X\n",
        "; unknown minister (column J).",
    ),
    "header-only": (
        "recommendation,review,position,portfolio,justification,planned_measures,"
        "decision_date,referred_to,evidence_digest\n",
        "answers.csv has no answers in it.",
    ),
}


@pytest.mark.parametrize(("text", "sentence"), list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_a_file_that_is_not_an_answers_file_is_a_usage_error(
    folder: Path, text: str, sentence: str
) -> None:
    before = entries(folder)
    (folder / "answers.csv").write_text(text, encoding="utf-8")
    one_sentence(as_government(folder, "respond", "--csv", "answers.csv"), 2, sentence)
    assert entries(folder) == before


def test_a_file_that_is_not_utf8_is_read_as_windows_1252(folder: Path) -> None:
    (folder / "answers.csv").write_bytes("recommendation,révision\n".encode("cp1252"))
    result = as_government(folder, "respond", "--csv", "answers.csv")
    one_sentence(result, 2, "; unknown révision (column B).")


def test_a_file_and_a_single_answer_together_are_a_usage_error(folder: Path) -> None:
    answers_csv(folder / "answers.csv", good_rows())
    result = as_government(
        folder, "respond", "1/1", "--position", "accepted", "--csv", "answers.csv"
    )
    one_sentence(result, 2, "Give a recommendation and its answer, or --csv, not both.")


def test_a_dry_run_of_a_good_file_writes_nothing_and_counts_what_it_would_write(
    folder: Path,
) -> None:
    before = entries(folder)
    result = import_file(folder, good_rows(), "--dry-run")
    assert result.code == 0, result.stderr
    assert (
        "Dry run: all 3 rows are valid; 3 answer(s) would be written, 0 unchanged. "
        "Nothing was written." in result.stdout
    )
    assert entries(folder) == before


def test_a_good_file_is_written_whole_and_a_second_import_writes_nothing(folder: Path) -> None:
    before = entries(folder)
    first = import_file(folder, good_rows())
    assert first.code == 0, first.stderr
    assert "Wrote 3 answer(s); 0 row(s) unchanged." in first.stdout
    assert entries(folder) == before + 3
    events = last_events(folder, 3)
    assert [(e["number"], e["position"]) for e in events] == [
        (1, "accepted"),
        (2, "rejected"),
        (3, "under_study"),
    ]
    again = import_file(folder, good_rows())
    assert again.code == 0, again.stderr
    assert "Wrote 0 answer(s); 3 row(s) unchanged." in again.stdout
    assert entries(folder) == before + 3


def test_an_import_writes_only_the_rows_not_yet_on_the_ledger(folder: Path) -> None:
    assert import_file(folder, good_rows()).code == 0
    before = entries(folder)
    revised = answer("1/3", "accepted", review="2", planned_measures="Decided: a fund.")
    result = import_file(folder, [*good_rows(), revised], "--dry-run")
    assert "4 rows are valid; 1 answer(s) would be written, 3 unchanged" in result.stdout
    result = import_file(folder, [*good_rows(), revised])
    assert "Wrote 1 answer(s); 3 row(s) unchanged." in result.stdout, result
    assert entries(folder) == before + 1


def test_only_the_government_key_imports_answers(folder: Path) -> None:
    before = entries(folder)
    answers_csv(folder / "answers.csv", good_rows())
    result = assembly("respond", "--csv", "answers.csv", "--key", SECRETARIAT, cwd=folder)
    one_sentence(result, 3, "which may not write assembly.government.responded")
    assert entries(folder) == before


def test_a_dry_run_with_a_key_that_may_not_answer_is_refused_like_the_import(
    folder: Path,
) -> None:
    answers_csv(folder / "answers.csv", good_rows())
    result = assembly(
        "respond", "--csv", "answers.csv", "--dry-run", "--key", SECRETARIAT, cwd=folder
    )
    one_sentence(result, 3, "which may not write assembly.government.responded")
