"""``assembly trail`` shows the signed history behind a recommendation, a panel or a signer,
each entry marked if it verifies; ``assembly export answers`` writes the file ``respond --csv``
reads, so exporting and importing again changes nothing (docs/design.md 6-7)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from cli.bulk import ANSWER_COLUMNS, OPTIONAL_COLUMNS
from tests.features.cycle import (
    answer,
    answers_csv,
    as_government,
    entries,
    long_justification,
    ok,
)
from tests.features.forked import assembly


@pytest.fixture
def answered(folder: Path) -> Path:
    rows = [
        answer("1/1", planned_measures="A renovation fund from 2026."),
        answer("1/2", "rejected", justification=long_justification()),
        answer("1/3", "under_study", decision_date="2025-12-31"),
    ]
    answers_csv(folder / "answers.csv", rows)
    ok(as_government(folder, "respond", "--csv", "answers.csv"))
    return folder


def trail_json(folder: Path, *args: str) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = json.loads(
        ok(assembly("trail", *args, "--format", "json", cwd=folder)).stdout
    )
    return lines


def test_a_recommendation_trail_lists_its_entries_in_order_each_verified(answered: Path) -> None:
    lines = trail_json(answered, "1/1")
    assert [line["type"] for line in lines] == [
        "assembly.recommendation.adopted",
        "assembly.recommendation.handed_over",
        "assembly.government.responded",
    ]
    assert [line["role"] for line in lines] == ["secretariat", "secretariat", "government"]
    assert all(line["verifies"] and line["problem"] is None for line in lines)
    seqs = [int(str(line["seq"])) for line in lines]
    assert seqs == sorted(seqs)


def test_a_recommendation_trail_includes_the_corrections_of_its_entries(answered: Path) -> None:
    answered_seq = trail_json(answered, "1/1")[-1]["seq"]
    ok(as_government(answered, "correct", str(answered_seq), "--reason", "A typo."))
    lines = trail_json(answered, "1/1")
    assert lines[-1]["type"] == "assembly.correction.recorded"


def test_a_panel_trail_covers_its_draws_its_votes_and_every_recommendation(
    answered: Path,
) -> None:
    lines = trail_json(answered, "--panel", "1")
    types = {line["type"] for line in lines}
    assert "assembly.panel.convened" in types
    assert "assembly.recommendation.adopted" in types
    assert "assembly.government.responded" in types
    assert len(lines) < entries(answered)  # not the enrolments, nor the charter


def test_a_signer_trail_lists_exactly_that_signer_s_entries(answered: Path) -> None:
    signer = trail_json(answered, "1/1")[-1]["signer"]
    lines = trail_json(answered, "--signer", str(signer))
    assert len(lines) == 3
    assert {line["type"] for line in lines} == {"assembly.government.responded"}


def test_a_trail_marks_an_entry_whose_bytes_were_changed(answered: Path) -> None:
    seq = trail_json(answered, "1/1")[-1]["seq"]
    with sqlite3.connect(answered / "assembly.db") as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute("UPDATE ledger_entries SET recorded_at = ? WHERE seq = ?", ("2020", seq))
    result = assembly("trail", "1/1", cwd=answered)
    assert result.code == 0
    assert f"entry {seq} does not verify: the stored hash does not match" in result.stdout


def test_a_trail_as_markdown_and_csv_has_one_row_per_entry(answered: Path) -> None:
    markdown = ok(assembly("trail", "1/2", "--format", "md", cwd=answered)).stdout
    assert markdown.count("| assembly.") == 3
    table = ok(assembly("trail", "1/2", "--format", "csv", cwd=answered)).stdout
    rows = list(csv.DictReader(table.splitlines()))
    assert [row["verifies"] for row in rows] == ["yes", "yes", "yes"]


def test_a_trail_of_nothing_or_of_two_things_is_a_usage_error(answered: Path) -> None:
    both = assembly("trail", "1/1", "--panel", "1", cwd=answered)
    assert both.code == 2
    assert "Give one of: a recommendation (1/12), --panel N or --signer KEYID." in both.stderr
    unknown = assembly("trail", "--signer", "0" * 32, cwd=answered)
    assert unknown.code == 2
    assert f"No key {'0' * 32} was ever enrolled on this ledger." in unknown.stderr
    empty = assembly("trail", "1/9", cwd=answered)
    assert empty.code == 2
    assert "The ledger holds no entry about recommendation 1/9." in empty.stderr


def test_export_writes_every_answer_in_the_import_format(answered: Path) -> None:
    result = ok(assembly("export", "answers", "--csv", "out.csv", cwd=answered))
    assert "Wrote 3 answer(s) to out.csv." in result.stdout
    with (answered / "out.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == (*ANSWER_COLUMNS, *OPTIONAL_COLUMNS)
        rows = list(reader)
    assert [(row["recommendation"], row["position"]) for row in rows] == [
        ("1/1", "accepted"),
        ("1/2", "rejected"),
        ("1/3", "under_study"),
    ]
    assert rows[2]["decision_date"] == "2025-12-31"


def test_export_then_import_unchanged_is_a_no_op_the_dry_run_reports(answered: Path) -> None:
    ok(assembly("export", "answers", "--csv", "out.csv", "--panel", "1", cwd=answered))
    before = entries(answered)
    dry = ok(as_government(answered, "respond", "--csv", "out.csv", "--dry-run"))
    assert (
        "Dry run: all 3 rows are valid; 0 answer(s) would be written, 3 unchanged. "
        "Nothing was written." in dry.stdout
    )
    again = ok(as_government(answered, "respond", "--csv", "out.csv"))
    assert "Wrote 0 answer(s); 3 row(s) unchanged." in again.stdout
    assert entries(answered) == before


def test_export_of_a_panel_without_answers_writes_the_header_alone(answered: Path) -> None:
    ok(assembly("export", "answers", "--csv", "out.csv", "--panel", "2", cwd=answered))
    text = (answered / "out.csv").read_text(encoding="utf-8")
    assert text.strip() == ",".join((*ANSWER_COLUMNS, *OPTIONAL_COLUMNS))


def test_a_trail_at_a_seq_or_as_of_a_day_stops_there(answered: Path) -> None:
    lines = trail_json(answered, "1/1")
    handed_over = int(str(lines[1]["seq"]))
    assert trail_json(answered, "1/1", "--at-seq", str(handed_over)) == lines[:2]
    day = str(lines[0]["recorded_at"])[:10]
    assert trail_json(answered, "1/1", "--as-of", day) == [
        line for line in lines if str(line["recorded_at"])[:10] <= day
    ]
    before = assembly("trail", "1/1", "--at-seq", str(int(str(lines[0]["seq"])) - 1), cwd=answered)
    assert before.code == 2
    assert "holds no entry about recommendation 1/1 at the point asked for" in before.stderr


def test_export_at_a_seq_writes_the_answers_as_they_stood(answered: Path) -> None:
    first_answer = int(str(trail_json(answered, "1/1")[-1]["seq"]))
    ok(
        assembly(
            "export", "answers", "--csv", "then.csv", "--at-seq", str(first_answer), cwd=answered
        )
    )
    with (answered / "then.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["recommendation"] for row in rows] == ["1/1"]
