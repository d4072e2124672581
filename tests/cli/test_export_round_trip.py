"""``assembly export answers`` writes the bulk file's optional columns too (the day each answer
was given, its joint statement, its language), so that a file exported and imported again says
what the ledger says: imported into the same ledger it changes nothing, and an answer imported
into a ledger that lacks it lands on the day it was given.

Each test works on its own copy of the small assembly of ``tests.features.cycle``:
recommendations 1/1 to 1/3 handed over on 2025-05-01.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from cli.bulk import ANSWER_COLUMNS, OPTIONAL_COLUMNS
from cli.context import open_ledger
from tests.features.cycle import (
    LEDGER,
    Template,
    answer,
    as_government,
    copy_of,
    entries,
    ok,
)
from tests.features.forked import assembly

STATEMENT = "gov-2025-06-29"
JOINT_DAY, OTHER_DAY = "2025-06-29", "2025-07-15"


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """A bulk answers file with every optional column."""
    columns = (*ANSWER_COLUMNS, *OPTIONAL_COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})
    return path


def read_csv(path: Path) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return tuple(reader.fieldnames or ()), list(reader)


def answers_on_the_ledger(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every answer's day (as its author dated it) and payload, in ledger order."""
    book = open_ledger(str(folder / LEDGER))
    try:
        found = book.recorder.read_types("assembly.government.responded")
    finally:
        book.close()
    return [(entry.event["occurred_at"][:10], dict(entry.event["payload"])) for entry in found]


@pytest.fixture
def answered(folder: Path) -> Path:
    """1/1 and 1/2 answered by one statement on 29 June; 1/3 under study, in Dutch, on 15 July."""
    ok(
        as_government(
            folder,
            *("respond-jointly", "--id", STATEMENT, "--by", "Office of the Minister-President"),
            *("--text", "fr=Nous reprenons les recommandations du panel.", "--covers", "1/1,1/2"),
            *("--at", JOINT_DAY),
        )
    )
    study = answer(
        "1/3",
        "under_study",
        decision_date="2025-12-31",
        justification="Wij bestuderen de kosten.",
        language="nl",
        date=OTHER_DAY,
    )
    write_csv(folder / "later.csv", [study])
    ok(as_government(folder, "respond", "--csv", "later.csv"))
    return folder


def test_the_export_writes_each_answers_day_statement_and_language(answered: Path) -> None:
    ok(assembly("export", "answers", "--csv", "out.csv", cwd=answered))
    header, rows = read_csv(answered / "out.csv")
    assert header == (*ANSWER_COLUMNS, "date", "statement", "language")
    assert [
        (row["recommendation"], row["position"], row["date"], row["statement"], row["language"])
        for row in rows
    ] == [
        ("1/1", "accepted", JOINT_DAY, STATEMENT, ""),
        ("1/2", "accepted", JOINT_DAY, STATEMENT, ""),
        ("1/3", "under_study", OTHER_DAY, "", "nl"),
    ]


def test_an_export_imported_again_into_its_ledger_changes_nothing(answered: Path) -> None:
    ok(assembly("export", "answers", "--csv", "out.csv", cwd=answered))
    before = entries(answered)
    dry = ok(as_government(answered, "respond", "--csv", "out.csv", "--dry-run"))
    assert "all 3 rows are valid; 0 answer(s) would be written, 3 unchanged" in dry.stdout
    again = ok(as_government(answered, "respond", "--csv", "out.csv"))
    assert "Wrote 0 answer(s); 3 row(s) unchanged." in again.stdout
    assert entries(answered) == before


def test_an_exported_answer_imported_elsewhere_lands_on_the_day_it_was_given(
    answered: Path, template: Template, tmp_path: Path
) -> None:
    ok(assembly("export", "answers", "--csv", "out.csv", cwd=answered))
    _, rows = read_csv(answered / "out.csv")
    elsewhere = copy_of(template.seated, tmp_path / "elsewhere")
    write_csv(elsewhere / "own.csv", [row for row in rows if not row["statement"]])
    ok(as_government(elsewhere, "respond", "--csv", "own.csv"))
    assert answers_on_the_ledger(elsewhere) == answers_on_the_ledger(answered)[-1:]


def test_a_joint_answer_imported_where_its_statement_was_never_given_is_refused_by_row(
    answered: Path, template: Template, tmp_path: Path
) -> None:
    ok(assembly("export", "answers", "--csv", "out.csv", cwd=answered))
    elsewhere = copy_of(template.seated, tmp_path / "elsewhere")
    (elsewhere / "out.csv").write_bytes((answered / "out.csv").read_bytes())
    before = entries(elsewhere)
    result = as_government(elsewhere, "respond", "--csv", "out.csv")
    assert result.code == 3, result
    assert f"row 2: 1/1: No statement {STATEMENT} has been given" in result.stderr
    assert f"row 3: 1/2: No statement {STATEMENT} has been given" in result.stderr
    assert entries(elsewhere) == before


def test_a_corrected_answer_exported_and_imported_again_changes_nothing(answered: Path) -> None:
    book = open_ledger(str(answered / LEDGER))
    try:
        [*_, last] = book.recorder.read_types("assembly.government.responded")
    finally:
        book.close()
    fixed = {**last.event["payload"], "justification": "Wij bestuderen de kosten en de baten."}
    (answered / "fix.json").write_text(json.dumps(fixed), encoding="utf-8")
    reason = ("--reason", "The benefits were left out.", "--replacement", "fix.json")
    ok(as_government(answered, "correct", str(last.seq), *reason))
    ok(assembly("export", "answers", "--csv", "out.csv", cwd=answered))
    _, rows = read_csv(answered / "out.csv")
    assert rows[-1]["justification"] == fixed["justification"]
    before = entries(answered)
    again = ok(as_government(answered, "respond", "--csv", "out.csv"))
    assert "Wrote 0 answer(s); 3 row(s) unchanged." in again.stdout
    assert entries(answered) == before
