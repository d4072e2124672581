"""Answers as governments give them, through the commands: the day each answer was given in the
bulk file, one statement answering several recommendations, progress left unknown, a score with
one decimal, and a charter that sets its own reviews and justification lengths."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cli.bulk import ANSWER_COLUMNS
from cli.context import open_ledger
from tests.features.cycle import (
    CHARTER,
    LEDGER,
    answer,
    as_commission,
    as_government,
    entries,
    last_events,
    long_justification,
    ok,
)
from tests.features.forked import assembly


def dated_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """A bulk answers file with the optional ``date`` and ``statement`` columns."""
    columns = (*ANSWER_COLUMNS, "date", "statement")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})
    return path


def last_entries(folder: Path, count: int) -> list[dict[str, Any]]:
    """The last ``count`` entries' events (type, occurred_at, payload), oldest first."""
    book = open_ledger(str(folder / LEDGER))
    try:
        found = book.recorder.read_entries(start=book.count() - count)
    finally:
        book.close()
    return [dict(entry.event) for entry in found]


def test_answers_given_on_different_days_fit_one_file(folder: Path) -> None:
    dated_csv(
        folder / "answers.csv",
        [
            answer("1/1", date="2025-06-02"),
            answer("1/2", "postponed", date="2025-07-15"),
            answer("1/3"),  # no date: the command's --at
        ],
    )
    result = as_government(folder, "respond", "--csv", "answers.csv", "--at", "2025-08-01")
    assert result.code == 0, result.stderr
    days = [event["occurred_at"][:10] for event in last_entries(folder, 3)]
    assert days == ["2025-06-02", "2025-07-15", "2025-08-01"]


def test_a_date_that_is_not_a_day_is_reported_with_its_row_and_column(folder: Path) -> None:
    before = entries(folder)
    dated_csv(folder / "answers.csv", [answer("1/1", date="31/06/2025")])
    result = as_government(folder, "respond", "--csv", "answers.csv")
    assert result.code == 3, result
    assert (
        "row 2, column J (date): '31/06/2025' is not a date: write it as YYYY-MM-DD, "
        "DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY (such as 2027-06-30 or 30/06/2027)." in result.stderr
    ), result.stderr
    assert entries(folder) == before


def test_one_statement_answers_several_recommendations_in_one_append(folder: Path) -> None:
    before = entries(folder)
    dated_csv(
        folder / "refusals.csv",
        [answer("1/3", "rejected", justification=long_justification())],
    )
    result = as_government(
        folder,
        *("respond-jointly", "--id", "gov-2025-06-29", "--by", "Office of the Minister-President"),
        *("--text", "fr=Nous reprenons les recommandations du panel. " * 3),
        *("--source", "https://example.org/statement", "--covers", "1/1,1/2"),
        *("--answers", "refusals.csv", "--at", "2025-06-29"),
    )
    assert result.code == 0, result.stderr
    assert entries(folder) == before + 4
    statement, *answers = last_events(folder, 4)
    assert statement["type"] == "assembly.government.statement_given"
    assert statement["covers"] == ["1/1", "1/2", "1/3"]
    assert [(e["number"], e["position"], e["statement"]) for e in answers] == [
        (1, "accepted", "gov-2025-06-29"),
        (2, "accepted", "gov-2025-06-29"),
        (3, "rejected", "gov-2025-06-29"),
    ]
    shown = ok(assembly("show", "1/1", cwd=folder)).stdout
    assert "Nous reprenons les recommandations du panel." in shown


def test_a_statement_that_leaves_a_refusal_unexplained_is_refused_whole(folder: Path) -> None:
    before = entries(folder)
    result = as_government(
        folder,
        *("respond-jointly", "--id", "gov-short", "--by", "Office of the Minister-President"),
        *("--text", "fr=Non.", "--covers", "1/1", "--position", "rejected"),
    )
    assert result.code == 3, result
    assert "needs a justification of at least 200 characters (this one has 4)" in result.stderr
    assert entries(folder) == before


def test_a_report_without_progress_leaves_it_unknown(folder: Path) -> None:
    ok(as_government(folder, "respond", "1/1", "--position", "accepted", "--portfolio", "climate"))
    ok(as_government(folder, "implement", "1/1", "--status", "in_progress"))
    (report,) = last_events(folder)
    assert report["progress"] is None


def test_the_commission_scores_with_one_decimal(folder: Path) -> None:
    ok(as_commission(folder, "assess", "1/1", "--verdict", "agrees", "--score", "2.8"))
    (verdict,) = last_events(folder)
    assert verdict["score"] == "2.8"
    refused = as_commission(folder, "assess", "1/2", "--verdict", "agrees", "--score", "2.85")
    assert refused.code == 3, refused
    assert "The score is a number from 0 to 10 with at most one decimal" in refused.stderr


def test_the_charter_sets_its_reviews_and_justification_lengths(tmp_path: Path) -> None:
    ok(assembly("init", cwd=tmp_path))
    ok(
        assembly(
            *("charter", "--name", "Climate Assembly", "--region", "Scotland"),
            *("--language", "en", "--review", "P6M"),
            *("--justification", "accepted_in_part=100", "--justification", "postponed=50"),
            *("--key", CHARTER),
            cwd=tmp_path,
        )
    )
    (charter,) = last_events(tmp_path)
    assert charter["review_offsets"] == ["P6M"]
    assert charter["justifications"] == {
        "rejected": 200,
        "accepted_in_part": 100,
        "completed_modified": 200,
        "abandoned": 200,
        "postponed": 50,
    }
