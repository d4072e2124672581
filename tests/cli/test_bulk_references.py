"""The bulk answers file names a recommendation as people know it: ``PANEL/NUMBER`` or the
assembly's own reference (SD-E2, whatever the case), resolved by the one resolver the command
line uses; a reference that names none, or more than one, is reported with its row number and
column, and nothing is written.

Each test works on its own copy of the small assembly of ``tests.features.cycle``, where
recommendation 1/5 is adopted as SD-E2 and handed over beside 1/1 to 1/3.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.bulk import BadRow, read_answers
from tests.features.cycle import (
    answer,
    answers_csv,
    as_government,
    as_secretariat,
    entries,
    last_events,
    long_justification,
    ok,
)


@pytest.fixture
def referenced(folder: Path) -> Path:
    """The small assembly with 1/5 adopted under the assembly's own reference SD-E2."""
    ok(
        as_secretariat(
            folder,
            *("recommend", "adopt", "--panel", "1", "--number", "5", "--reference", "SD-E2"),
            *("--portfolio", "climate", "--vote", "V-1", "--text", "fr=Taxer le kérosène."),
            *("--text", "nl=Kerosine belasten."),
        )
    )
    ok(as_secretariat(folder, "recommend", "hand-over", "--panel", "1", "--number", "5"))
    return folder


def listed(stderr: str) -> list[str]:
    return [row.strip() for row in stderr.splitlines() if row.startswith("  row ")]


def test_a_row_may_name_its_recommendation_by_the_assemblys_own_reference(
    referenced: Path,
) -> None:
    answers_csv(
        referenced / "answers.csv",
        [answer("1/1"), answer("sd-e2", "rejected", justification=long_justification())],
    )
    result = ok(as_government(referenced, "respond", "--csv", "answers.csv"))
    assert "Wrote 2 answer(s); 0 row(s) unchanged." in result.stdout
    assert [(e["panel"], e["number"], e["position"]) for e in last_events(referenced, 2)] == [
        (1, 1, "accepted"),
        (1, 5, "rejected"),
    ]
    again = ok(as_government(referenced, "respond", "--csv", "answers.csv"))
    assert "Wrote 0 answer(s); 2 row(s) unchanged." in again.stdout


def test_an_unknown_reference_is_reported_with_its_row_and_nothing_is_written(
    referenced: Path,
) -> None:
    before = entries(referenced)
    answers_csv(referenced / "answers.csv", [answer("SD-E2"), answer("SD-E9"), answer("1/2")])
    result = as_government(referenced, "respond", "--csv", "answers.csv")
    assert result.code == 3, result
    assert listed(result.stderr) == [
        "row 3, column A (recommendation): No recommendation has the reference 'SD-E9': name "
        "it by the assembly's own "
        "reference as adopted (such as SD-E2) or by panel/number (such as 1/12)."
    ]
    assert entries(referenced) == before


def test_a_reference_that_names_two_recommendations_is_reported_with_its_row(
    tmp_path: Path,
) -> None:
    """References are unique when adopted; a ledger holding two alike (written before that
    rule, or by hand) still gets a row that says which two, never a guess."""
    path = answers_csv(tmp_path / "answers.csv", [answer("1/1"), answer("SN1.1")])
    references = [("SD-E2", (1, 5)), ("sn1.1", (1, 6)), ("SN1.1", (2, 3))]
    rows, problems = read_answers(path, references)
    assert [(row.row, row.answer.number) for row in rows] == [(2, 1)]
    assert problems == [
        BadRow(
            3,
            "The reference 'SN1.1' names 2 recommendations (1/6, 2/3): name the one you mean "
            "by panel/number.",
            "A",
            "recommendation",
        )
    ]


def test_a_joint_statements_own_answers_may_name_recommendations_by_reference(
    referenced: Path,
) -> None:
    answers_csv(
        referenced / "refusals.csv",
        [answer("SD-E2", "rejected", justification=long_justification())],
    )
    ok(
        as_government(
            referenced,
            *("respond-jointly", "--id", "gov-2025-06-29", "--by", "Office of the Minister"),
            *("--text", "fr=Nous reprenons les recommandations du panel.", "--covers", "1/1"),
            *("--answers", "refusals.csv"),
        )
    )
    statement, *answers = last_events(referenced, 3)
    assert statement["covers"] == ["1/1", "1/5"]
    assert [(e["number"], e["position"]) for e in answers] == [(1, "accepted"), (5, "rejected")]
